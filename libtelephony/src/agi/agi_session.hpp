// Internal: one AGI run on one channel — the environment block, the command loop, dead mode after
// hangup, the AMI events of every command, and the location a script sets with SET CONTEXT /
// EXTENSION / PRIORITY. The transport (child process pipes, FastAGI socket) only moves lines; the
// async mode takes its lines from the channel's AsyncAGI queue instead.
#pragma once

#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agi/agi_command.hpp"
#include "telephony/agi/agi.hpp"
#include "telephony/agi/command_line.hpp"
#include "telephony/channel.hpp"

namespace telephony::dialplan {
class Execution;
}

namespace telephony::agi {

// Engine-wide AGI state shared by the applications and console commands.
struct AgiService {
  explicit AgiService(Engine& e) : engine(e) {}
  Engine& engine;
  std::atomic<bool> debug{false};
  std::mutex mu;
  AgiSettings settings;  // guarded by mu
  std::filesystem::path agi_dir() const;
};

// AGISTATUS values.
enum class AgiStatus { Success, Failure, NotFound, Hangup };
std::string_view to_string(AgiStatus s);

// Moves lines between the session and a script or server. Everything runs on the channel strand.
class AgiTransport {
 public:
  virtual ~AgiTransport() = default;
  // Queues text for the peer; never blocks.
  virtual void send(std::string text) = 0;
  // A complete line (without its newline) that arrived, if any.
  virtual std::optional<std::string> next_line() = 0;
  // True once the peer closed (or failed): no further lines will come.
  virtual bool closed() const = 0;
  // Called (on the strand) whenever a line arrives or the peer closes.
  virtual void set_waker(std::function<void()> wake) = 0;
  // Tells the peer the channel hung up: SIGHUP for a script, a "HANGUP" line for FastAGI.
  virtual void notify_hangup() = 0;
  // Ends the transport. `peer_closed`: the script closed its output, so wait (briefly, without
  // blocking a thread) for it to exit and report Failure for a non-zero exit; otherwise (the AGI
  // left early) the script is reaped whenever it exits.
  virtual boost::asio::awaitable<AgiStatus> finish(bool peer_closed) = 0;
  // Fast (network) transport: FastAGI reads a line until its newline even across reads.
  virtual bool network() const = 0;
  // The script asked to be run but could not be executed (the "failure" line of a failed exec).
  virtual bool exec_failed() const { return false; }
};

// EAGI's audio pipe (fd 3 of the script): signed-linear frames written without blocking; audio
// that does not fit in the pipe is dropped, as Asterisk does.
class EagiAudio {
 public:
  explicit EagiAudio(int fd) : fd_(fd) {}
  ~EagiAudio();
  EagiAudio(const EagiAudio&) = delete;
  EagiAudio& operator=(const EagiAudio&) = delete;
  void write(const Frame& f);
  std::uint64_t bytes_written() const { return written_; }

 private:
  int fd_;
  std::uint64_t written_ = 0;
};

class AgiSession {
 public:
  AgiSession(AgiService& service, dialplan::Execution& x, std::string request, std::vector<std::string> args,
             bool dead);
  ~AgiSession();

  // Script / FastAGI: sends the environment and runs commands until the peer closes.
  boost::asio::awaitable<AgiStatus> run(std::shared_ptr<AgiTransport> transport, std::unique_ptr<EagiAudio> audio);
  // agi:async: AsyncAGIStart, commands from the AMI queue until ASYNCAGI BREAK or hangup,
  // AsyncAGIEnd.
  boost::asio::awaitable<AgiStatus> run_async();

  // ---- for command handlers ---------------------------------------------------------------------
  dialplan::Execution& exec() { return exec_; }
  Channel& channel() { return *chan_; }
  const Channel::Ptr& channel_ptr() const { return chan_; }
  Engine& engine() { return service_.engine; }
  bool dead() const { return dead_; }
  bool in_async() const { return async_; }
  // Writes a status line (or several); "\n" included by the caller.
  void send(std::string text);
  // The AGI application's argument text (VERBOSE prefixes its messages with it, as Asterisk).
  const std::string& app_data() const { return app_data_; }
  // SET CONTEXT / EXTENSION / PRIORITY: Asterisk changes the channel's location and the PBX then
  // moves to the next priority after AGI returns, so SET PRIORITY n continues at n.
  void set_context(std::string context);
  void set_extension(std::string exten);
  void set_priority(int priority);
  // Where the dialplan continues, as the script sees it (the priority is the one before the jump).
  DialplanLocation location() const { return {loc_context_, loc_exten_, loc_priority_}; }
  // After EXEC or GOSUB ran dialplan: take over a jump it made, or re-apply ours.
  void location_changed_by_dialplan();
  // Reads one frame while a command waits (EAGI audio is forwarded); nullopt on timeout/hangup.
  boost::asio::awaitable<std::optional<Frame>> read_frame(std::chrono::milliseconds timeout);
  // Text of the environment block (agi_request … agi_arg_N and the blank line).
  std::string environment(bool enhanced) const;

 private:
  boost::asio::awaitable<CommandStatus> handle_line(const std::string& line);
  boost::asio::awaitable<void> idle_wait();
  void drain_frames_sync();
  void note_hangup(AgiTransport* transport);
  void apply_location();
  void publish_exec_end(const std::string& id, const std::string& command, int code, std::string_view result);

  AgiService& service_;
  dialplan::Execution& exec_;
  Channel::Ptr chan_;
  std::string request_;
  std::vector<std::string> args_;
  std::string app_data_;
  bool dead_ = false;
  bool hangup_seen_ = false;
  bool async_ = false;
  bool sighup_ = true;
  bool exit_on_hangup_ = false;
  std::function<void(std::string_view)> out_;
  std::unique_ptr<EagiAudio> audio_;
  std::unique_ptr<boost::asio::steady_timer> doorbell_;
  // Location emulation for SET CONTEXT/EXTENSION/PRIORITY.
  bool location_changed_ = false;
  std::string loc_context_, loc_exten_;
  int loc_priority_ = 0;
};

// The channel's AsyncAGI command queue (a datastore created when the channel first enters
// AGI(agi:async); it stays afterwards, as in Asterisk, so commands can be queued before a second
// async AGI starts).
struct AsyncAgiQueue {
  struct Item {
    std::string command;
    std::string id;
  };
  std::mutex mu;
  std::deque<Item> items;
  static constexpr std::string_view kDatastore = "AsyncAGI";
};

}  // namespace telephony::agi
