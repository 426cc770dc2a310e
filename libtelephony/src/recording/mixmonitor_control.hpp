// Internal: what the MixMonitor/Monitor applications, the AMI actions and the console share —
// file naming, the post-recording command's ^{X} substitution, the Monitor family's mapping onto
// MixMonitor, and waiting for the worker pool from a dialplan coroutine. Not installed.
#pragma once

#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it

#include <boost/asio/awaitable.hpp>
#include <filesystem>
#include <string>
#include <string_view>

#include "telephony/dialplan/substitution.hpp"
#include "telephony/media/mixmonitor.hpp"

namespace telephony::media {

// `name` under the monitor directory unless absolute (.wav49 is written as .WAV, as Asterisk).
std::filesystem::path recording_path(std::string_view name,
                                     const std::filesystem::path& recordings);

// Channel variables and dialplan functions of `chan` (for text substituted outside a dialplan
// execution: AMI MixMonitor's Command). CHANNEL, UNIQUEID and EPOCH are known too.
class ChannelVariables : public dialplan::VariableResolver {
 public:
  explicit ChannelVariables(Channel& chan) : chan_(chan) {}
  std::optional<std::string> variable(std::string_view name) const override;
  std::optional<std::string> function(std::string_view name, std::string_view args) const override;

 private:
  Channel& chan_;
};
// MixMonitor's command: ^{X} becomes ${X}, then the text is substituted against `vars`.
std::string post_command_text(std::string_view command, const dialplan::VariableResolver& vars);

// Monitor(format,base,options) / AMI Monitor, mapped onto a MixMonitor of kind "Monitor".
struct MonitorRequest {
  std::string format;  // empty: wav
  std::string base;    // empty: `default_base`
  std::string default_base;
  bool mix = false;
  bool bridged_only = false;
  bool record_in = true;
  bool record_out = true;
  std::string exec, exec_args;  // MONITOR_EXEC, MONITOR_EXEC_ARGS
};
// A channel already monitored gets the new base (ChangeMonitor); `done` gets "" then.
void start_monitor(const Channel::Ptr& chan, MonitorRequest req, MixMonitorStarted done);

// For dialplan coroutines on the channel's strand: start and wait until the files are open;
// stop and wait until they are closed (at most 5 s each).
boost::asio::awaitable<Result<std::string>> start_and_wait(Channel::Ptr chan,
                                                           MixMonitorOptions opts);
boost::asio::awaitable<Result<std::string>> start_monitor_and_wait(Channel::Ptr chan,
                                                                   MonitorRequest req);
boost::asio::awaitable<bool> stop_and_wait(Channel::Ptr chan, std::string id, std::string kind);

// MIXMONITOR(id,key) and `mixmonitor start|stop|list`.
void register_mixmonitor_function_and_command(Engine& engine);

}  // namespace telephony::media
