// AGI — the Asterisk Gateway Interface: a call driven line by line by a program outside the
// engine. AGI(script) runs a child process on the script's stdin/stdout, AGI(agi://host/…) talks
// to a FastAGI server over TCP, and AGI(agi:async) takes its commands from AMI (the `AGI`
// action) and answers with AsyncAGIExec events. EAGI also gives the script the caller's audio on
// file descriptor 3. Every mode speaks the same protocol: an `agi_*: value` environment block and a
// blank line, then one command per line (`STREAM FILE hello-world ""`) answered by one status line
// (`200 result=0 endpos=11200`, `510 Invalid or unknown command`, `511 Command Not Permitted on a
// dead channel or intercept routine`, or a `520-…` usage block).
//
// Nothing blocks an engine thread: the application is a coroutine on the channel's strand, the
// script's pipes and the FastAGI socket are Asio descriptors read on that strand, and the child is
// started with posix_spawn. After a hangup the AGI keeps running in "dead" mode (only the commands
// that make sense without a channel are allowed) until the script ends, as in Asterisk; the script
// is told with SIGHUP (or a `HANGUP` line over FastAGI) unless AGISIGHUP=no.
//
// install_agi() registers the applications (AGI, EAGI, DeadAGI), the console commands (`agi show
// commands [topic]`, `agi set debug on|off`, `agi exec <channel> <command> [id]`) and keeps the
// settings; it is idempotent. AMI events AGIExecStart/AGIExecEnd/AsyncAGIStart/AsyncAGIExec/
// AsyncAGIEnd are published on the event bus as the types below (the manager maps them), and the
// AMI `AGI` action calls queue_async_agi_command(). Behaviour and deliberate differences:
// docs/agi.md.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/events.hpp"
#include "telephony/result.hpp"

namespace telephony {
class Engine;
}

namespace telephony::agi {

struct AgiSettings {
  // Where relative script names are found (Asterisk's astagidir). Empty: <dirs.data>/agi-bin.
  std::filesystem::path agi_dir;
};

// Registers everything once per engine; a second call only updates the settings.
void install_agi(Engine& engine, AgiSettings settings = {});

// Queues `command` for a channel that is (or was) in AGI(agi:async), as the AMI `AGI` action does.
// Fails with Asterisk's texts: "Channel X does not exist." / "Failed to add AGI command to channel
// X queue" (the channel never entered async AGI).
Result<void> queue_async_agi_command(Engine& engine, std::string_view channel, std::string command,
                                     std::string command_id);

// The command set, for tools and tests: the command a line names (Asterisk's lookup: every word of
// the command, any case, further words are arguments) and the whole list in `agi show commands`
// order.
struct AgiCommandInfo {
  std::string name;      // "STREAM FILE"
  bool runs_dead = false;
  std::string synopsis;
  std::string usage;     // the text of a 520 reply
};
std::optional<AgiCommandInfo> find_agi_command_info(const std::vector<std::string>& words);
std::vector<AgiCommandInfo> agi_command_list();

// ---- events (mapped to AMI events of class "agi" by the manager) --------------------------------
struct AgiExecStarted : ChannelEvent {
  static constexpr std::string_view kType = "AGIExecStart";
  std::string_view type() const override { return kType; }
  std::string command_id;
  std::string command;
};
struct AgiExecEnded : ChannelEvent {
  static constexpr std::string_view kType = "AGIExecEnd";
  std::string_view type() const override { return kType; }
  std::string command_id;
  std::string command;
  int result_code = 200;
  std::string result;  // "Success", "Usage", "Failure", "Invalid or unknown command", …
};
struct AsyncAgiStarted : ChannelEvent {
  static constexpr std::string_view kType = "AsyncAGIStart";
  std::string_view type() const override { return kType; }
  std::string env;  // the agi_* block, URL-encoded
};
struct AsyncAgiExecuted : ChannelEvent {
  static constexpr std::string_view kType = "AsyncAGIExec";
  std::string_view type() const override { return kType; }
  std::string result;      // the response lines, URL-encoded
  std::string command_id;  // as given to the AGI action (may be empty)
};
struct AsyncAgiEnded : ChannelEvent {
  static constexpr std::string_view kType = "AsyncAGIEnd";
  std::string_view type() const override { return kType; }
};

}  // namespace telephony::agi
