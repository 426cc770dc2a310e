// The dialplan side of recording: MixMonitor(), StopMixMonitor(), MIXMONITOR(), the Monitor()
// family as aliases onto MixMonitor, and `mixmonitor start|stop|list`.
#include <atomic>
#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it

#include <boost/asio/awaitable.hpp>
#include <cstdlib>
#include <ctime>

#include "apps/dialplan_apps.hpp"
#include "recording/mixmonitor_control.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/engine.hpp"
#include "telephony/media/mixmonitor.hpp"

namespace telephony::media {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using dialplan::AppResult;
using dialplan::Execution;

namespace {

std::optional<int> volume_arg(const std::string& text) {
  char* end = nullptr;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < -4 || v > 4) return std::nullopt;
  return static_cast<int>(v);
}

void warn(Execution& x, std::string_view app, const std::string& what) {
  x.engine().log().warning(std::string(app), x.channel().name() + ": " + what);
}

}  // namespace

Result<ParsedMixMonitor> parse_mixmonitor(std::string_view file, std::string_view options,
                                          std::string_view command, const fs::path& recordings) {
  ParsedMixMonitor out;
  auto& o = out.options;
  auto opts = dialplan::parse_options(options, "BvVWrtimSns");
  if (!opts) return Unexpected<Error>{opts.error()};
  out.warnings = opts->warnings;
  o.append = opts->has('a');
  o.bridged_only = opts->has('b');
  o.interleaved = opts->has('D');
  o.no_leg_sync = opts->has('n');
  o.delete_when_done = opts->has('d');
  struct Volume {
    char flag;
    const char* what;
  };
  for (Volume v :
       {Volume{'v', "heard (v)"}, Volume{'V', "spoken (V)"}, Volume{'W', "combined (W)"}}) {
    if (!opts->has(v.flag)) continue;
    auto x = volume_arg(opts->argument(v.flag));
    if (!x)
      return fail(std::string(v.what) + " volume must be a number between -4 and 4, not '" +
                  opts->argument(v.flag) + "'");
    if (v.flag != 'V') o.read_volume = *x;
    if (v.flag != 'v') o.write_volume = *x;
  }
  for (char leg : {'r', 't'}) {
    if (!opts->has(leg)) continue;
    if (opts->argument(leg).empty())
      return fail(std::string("option ") + leg + "() needs a file name");
    (leg == 'r' ? o.read_file : o.write_file) = recording_path(opts->argument(leg), recordings);
  }
  if (opts->has('s')) {
    char* end = nullptr;
    const std::string arg = opts->argument('s');
    const double secs = std::strtod(arg.c_str(), &end);
    if (arg.empty() || *end != '\0' || secs < 1)
      out.warnings.push_back("skip value '" + arg + "' ignored (at least 1 second)");
    else
      o.skip = std::chrono::milliseconds(static_cast<long long>(secs * 1000));
  }
  if (opts->has('i')) out.id_variable = opts->argument('i');
  for (char ignored : {'B', 'p', 'P', 'c', 'm', 'S'})
    if (opts->has(ignored))
      out.warnings.push_back(std::string("option ") + ignored +
                             " is not supported and was ignored");
  if (!file.empty()) o.file = recording_path(file, recordings);
  if (o.file.empty() && o.read_file.empty() && o.write_file.empty())
    return fail("MixMonitor requires an argument (filename or ,t(filename) and/or r(filename))");
  o.command = std::string(command);
  return out;
}

namespace {

asio::awaitable<AppResult> mixmonitor_app(Execution& x, std::string_view data) {
  auto args = dialplan::split_args(data);
  args.resize(3);
  auto& chan = x.channel();
  auto parsed = parse_mixmonitor(args[0], args[1], args[2], x.engine().options().dirs.recordings);
  if (!parsed) {
    warn(x, "MixMonitor", parsed.error().to_string());
    co_return args[0].empty() && args[1].empty() ? AppResult::Hangup : AppResult::Continue;
  }
  for (const auto& w : parsed->warnings) warn(x, "MixMonitor", w);
  chan.set_variable("MIXMONITOR_FILENAME", parsed->options.file.string());
  parsed->options.command = post_command_text(parsed->options.command, x.resolver());
  // Named arguments: GCC 12 mishandles temporaries in a co_await operand.
  auto chan_ptr = x.channel_ptr();
  auto options = std::move(parsed->options);
  auto id = co_await start_and_wait(chan_ptr, std::move(options));
  if (!id) {
    warn(x, "MixMonitor", id.error().to_string());
    co_return AppResult::Continue;
  }
  if (!parsed->id_variable.empty()) chan.set_variable(parsed->id_variable, *id);
  co_return AppResult::Continue;
}

asio::awaitable<AppResult> stop_mixmonitor_app(Execution& x, std::string_view data) {
  auto args = dialplan::split_args(data);
  std::string id = args.empty() ? std::string() : args[0];
  auto chan_ptr = x.channel_ptr();
  std::string kind = "MixMonitor";
  co_await stop_and_wait(chan_ptr, std::move(id), std::move(kind));
  co_return AppResult::Continue;
}

// Monitor([format[:urlbase]][,fname_base[,options]]) as a MixMonitor of kind "Monitor".
asio::awaitable<AppResult> monitor_app(Execution& x, std::string_view data) {
  auto args = dialplan::split_args(data);
  args.resize(3);
  auto& chan = x.channel();
  auto opts = dialplan::parse_options(args[2], "B");
  if (!opts) {
    warn(x, "Monitor", opts.error().to_string());
    co_return AppResult::Continue;
  }
  MonitorRequest req;
  req.format = args[0].substr(0, args[0].find(':'));
  req.base = args[1];
  req.mix = opts->has('m');
  req.bridged_only = opts->has('b');
  req.record_in = !opts->has('i');
  req.record_out = !opts->has('o');
  if (opts->has('B'))
    warn(x, "Monitor", "option B (periodic beep) is not supported and was ignored");
  req.exec = chan.variable("MONITOR_EXEC").value_or("");
  req.exec_args = chan.variable("MONITOR_EXEC_ARGS").value_or("");
  std::string flat = chan.name();
  for (auto& c : flat)
    if (c == '/') c = '-';
  req.default_base = std::to_string(std::time(nullptr)) + "-" + flat;
  auto chan_ptr = x.channel_ptr();
  auto r = co_await start_monitor_and_wait(chan_ptr, std::move(req));
  if (!r) warn(x, "Monitor", r.error().to_string());
  co_return AppResult::Continue;
}

Documentation mixmonitor_doc() {
  return Documentation{"Record a call and mix the audio during the recording.",
                       "MixMonitor(file.extension[,options[,command]])",
                       "Records the audio of the channel in both directions — what its device "
                       "sends (read) and what it is sent "
                       "(write) — mixed into file, as an audio hook that follows the channel "
                       "through applications and bridges. "
                       "A relative file name is under the monitor directory; the extension picks "
                       "the format (.wav 8 kHz, .wav16, "
                       ".sln, .sln16, .ulaw, .alaw …). Sets MIXMONITOR_FILENAME to the full file "
                       "name. Use StopMixMonitor to have "
                       "the file complete before the dialplan goes on; otherwise it is closed when "
                       "the channel hangs up. Files are "
                       "written on the worker pool, never on a call thread. A recording makes the "
                       "channel tapped: a native RTP "
                       "relay falls back to frames while it runs.",
                       {{"file", "file name with extension; may be empty when r() or t() is given"},
                        {"options",
                         "a: append; b: only while the channel is bridged; v(x)/V(x)/W(x): scale "
                         "the read (heard) / write (spoken) / "
                         "both directions by 2^x, x in -4..4; r(file): the read direction alone; "
                         "t(file): the write direction alone; "
                         "n: r/t files are not padded with silence to stay in step; D: the mix as "
                         "interleaved 2-channel slin "
                         "(raw files); i(var): store the recording's MixMonitorID in var; s(x): "
                         "skip the first x seconds; d: delete "
                         "the files after the command ran. B(), p, P, c, m() are accepted and "
                         "ignored with a warning"},
                        {"command",
                         "run with /bin/sh when the recording is over; ^{X} becomes ${X}, "
                         "evaluated when MixMonitor starts"}},
                       {"StopMixMonitor", "Monitor", "MIXMONITOR"}};
}

Documentation monitor_doc() {
  return Documentation{
      "Monitor a channel.",
      "Monitor([file_format[:urlbase][,fname_base[,options]]])",
      "The Monitor family is an alias onto MixMonitor (Asterisk removed res_monitor): records the "
      "channel's "
      "input to fname_base-in.format and its output to fname_base-out.format (default format wav, "
      "default base "
      "<epoch>-<channel name with / as ->, in the monitor directory). With m the two directions "
      "are written mixed "
      "into fname_base.format instead (or, when MONITOR_EXEC is set, the legs are kept and "
      "MONITOR_EXEC runs with "
      "the -in, -out and mixed names and MONITOR_EXEC_ARGS). A channel already monitored gets the "
      "new base "
      "(ChangeMonitor). urlbase is accepted and ignored.",
      {{"file_format", "wav (default), wav16, sln, sln16, ulaw, alaw ..."},
       {"fname_base", "file name without -in/-out and extension"},
       {"options",
        "m: mix the legs; b: record only while bridged; i: skip the input; o: skip the output; "
        "B(): "
        "accepted, ignored"}},
      {"StopMonitor", "ChangeMonitor", "PauseMonitor", "UnpauseMonitor", "MixMonitor"}};
}

Documentation plain_doc(std::string synopsis, std::string syntax, std::string description,
                        std::vector<std::string> see) {
  return Documentation{
      std::move(synopsis), std::move(syntax), std::move(description), {}, std::move(see)};
}

}  // namespace

void register_mixmonitor_applications(Engine& engine) {
  using dialplan::add_application;
  add_application(engine, "MixMonitor", mixmonitor_doc(), mixmonitor_app);
  add_application(
      engine, "StopMixMonitor",
      Documentation{
          "Stop recording a call through MixMonitor, and free the recording's file handle.",
          "StopMixMonitor([MixMonitorID])",
          "Stops the MixMonitor with that id, or the newest one on the channel, and returns "
          "once its files are closed (at most 5 s), so the dialplan can use them at once.",
          {{"MixMonitorID", "the id MixMonitor's i() option stored"}},
          {"MixMonitor"}},
      stop_mixmonitor_app);
  add_application(engine, "Monitor", monitor_doc(), monitor_app);
  add_application(
      engine, "StopMonitor",
      plain_doc(
          "Stop monitoring a channel.", "StopMonitor()",
          "Stops the Monitor() recording of the channel and returns once its files are closed. "
          "Nothing happens when the channel is not monitored.",
          {"Monitor"}),
      [](Execution& x, std::string_view) -> asio::awaitable<AppResult> {
        auto chan_ptr = x.channel_ptr();
        std::string id, kind = "Monitor";
        co_await stop_and_wait(chan_ptr, std::move(id), std::move(kind));
        co_return AppResult::Continue;
      });
  add_application(
      engine, "ChangeMonitor",
      Documentation{
          "Change monitoring filename of a channel.",
          "ChangeMonitor(filename_base)",
          "The Monitor() files of the channel take filename_base (with their -in/-out and "
          "extension) when they are closed. Nothing happens when the channel is not monitored.",
          {{"filename_base", "the new base; relative names are in the monitor directory"}},
          {"Monitor"}},
      [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
        auto args = dialplan::split_args(data);
        if (args.empty() || args[0].empty()) {
          warn(x, "ChangeMonitor", "ChangeMonitor requires an argument (filename_base)");
          co_return AppResult::Continue;
        }
        rename_mixmonitor(x.channel(), "Monitor",
                          recording_path(args[0], x.engine().options().dirs.recordings));
        co_return AppResult::Continue;
      });
  for (bool pause : {true, false})
    add_application(
        engine, pause ? "PauseMonitor" : "UnpauseMonitor",
        plain_doc(pause ? "Pause monitoring of a channel." : "Unpause monitoring of a channel.",
                  pause ? "PauseMonitor()" : "UnpauseMonitor()",
                  pause ? "Nothing of the channel's Monitor() is written until UnpauseMonitor."
                        : "Monitor() writes again after PauseMonitor.",
                  {pause ? "UnpauseMonitor" : "PauseMonitor", "Monitor"}),
        [pause](Execution& x, std::string_view) -> asio::awaitable<AppResult> {
          pause_mixmonitor(x.channel(), "Monitor", pause);
          co_return AppResult::Continue;
        });
  register_mixmonitor_function_and_command(engine);
}

}  // namespace telephony::media
