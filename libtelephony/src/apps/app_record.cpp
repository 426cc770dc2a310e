// Record(): what the caller says, to a file whose extension picks the format, with Asterisk's
// options and RECORD_STATUS / RECORDED_FILE.
#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>
#include <filesystem>

#include "apps/dialplan_apps.hpp"
#include "apps/media_apps.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/media/file_format.hpp"
#include "telephony/media/recording.hpp"

namespace telephony::dialplan {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace media_apps;

namespace {

// "%d" becomes the lowest number (from 0) whose file does not exist yet, as Asterisk numbers
// successive recordings. Only the first %d counts.
fs::path number_recording(const std::string& pattern) {
  const auto pos = pattern.find("%d");
  if (pos == std::string::npos) return pattern;
  for (unsigned n = 0;; ++n) {
    std::string candidate = pattern.substr(0, pos) + std::to_string(n) + pattern.substr(pos + 2);
    std::error_code ec;
    if (!fs::exists(candidate, ec)) return candidate;
  }
}

asio::awaitable<AppResult> record(Execution& x, std::string_view data) {
  auto args = split_args(data);
  Channel& chan = x.channel();
  auto error = [&](const std::string& why) {
    warn(x, "Record", why);
    chan.set_variable("RECORD_STATUS", "ERROR");
  };
  const std::string spec = args.empty() ? std::string() : trim(args[0]);
  const auto dot = spec.rfind('.');
  const auto slash = spec.rfind('/');
  if (spec.empty() || dot == std::string::npos || (slash != std::string::npos && dot < slash) || dot + 1 == spec.size()) {
    error("requires filename.format, got '" + spec + "'");
    co_return AppResult::Hangup;
  }
  const std::string ext = spec.substr(dot + 1);
  if (!media::audio_file_type_for_extension(ext)) {
    error("unknown format '" + ext + "' in '" + spec + "'");
    co_return AppResult::Hangup;
  }
  media::RecordOptions opts;
  if (args.size() > 1 && !trim(args[1]).empty()) {
    auto s = parse_seconds(args[1]);
    if (!s) warn(x, "Record", "'" + args[1] + "' is not a number of seconds; no silence detection");
    else opts.silence = *s;
  }
  if (args.size() > 2 && !trim(args[2]).empty()) {
    auto s = parse_seconds(args[2]);
    if (!s) warn(x, "Record", "'" + args[2] + "' is not a number of seconds; no maximum duration");
    else opts.max_duration = *s;
  }
  const std::string options = args.size() > 3 ? trim(args[3]) : std::string();
  auto has = [&](char c) { return options.find(c) != std::string::npos; };
  opts.append = has('a');
  opts.beep = !has('q');
  opts.trim_silence = !has('u');
  if (has('x')) opts.terminators = "";
  else if (has('y')) opts.terminators = "any";
  else if (has('t')) opts.terminators = "*";
  else opts.terminators = "#";
  if (has('o') && opts.terminators != "any") opts.terminators += '0';

  if (chan.state() != ChannelState::Up) {
    if (has('s')) {
      chan.set_variable("RECORD_STATUS", "SKIP");
      co_return AppResult::Continue;
    }
    prepare_for_prompt(chan, has('n'));
  } else {
    prepare_for_prompt(chan, true);
  }

  // Relative names live under the sounds folder, where Playback() finds them again (Asterisk's
  // rule for files named without a leading '/').
  fs::path path = number_recording(spec);
  if (path.is_relative()) path = chan.engine().options().dirs.sounds / path;
  fs::path without_ext = path;
  without_ext.replace_extension();
  chan.set_variable("RECORDED_FILE", without_ext.string());

  auto chan_ptr = x.channel_ptr();
  auto r = co_await media::record_file(chan_ptr, path, opts);
  std::string status(media::to_string(r.status));
  if (r.status == media::RecordStatus::Dtmf && r.digit == '0' && has('o')) status = "OPERATOR";
  if (r.status == media::RecordStatus::Error) warn(x, "Record", r.error);
  chan.set_variable("RECORD_STATUS", status);
  if (r.status == media::RecordStatus::Hangup) {
    // "If the user hangs up during a recording, all data will be lost" — unless k.
    if (!has('k')) {
      std::error_code ec;
      fs::remove(path, ec);
    }
    co_return AppResult::Hangup;
  }
  co_return r.status == media::RecordStatus::Error ? AppResult::Hangup : AppResult::Continue;
}

}  // namespace

void register_record_application(Engine& engine) {
  add_application(
      engine, "Record",
      doc("Record to a file.", "Record(filename.format[,silence[,maxduration[,options]]])",
          "Records what the caller says into filename.format (the extension picks the format: wav, ulaw, alaw, "
          "sln, sln16, g722 …; a relative name is under the sounds folder). A beep is played first. Recording "
          "stops on the terminator digit (#), after `silence` seconds of quiet (the quiet tail is cut), after "
          "`maxduration` seconds, or on hangup (then the file is deleted unless k). %d in the name becomes the "
          "lowest number whose file does not exist. Sets RECORDED_FILE (without extension) and RECORD_STATUS: "
          "DTMF, SILENCE, SKIP, TIMEOUT, HANGUP, OPERATOR or ERROR.",
          {{"filename.format", "file to write; the extension is the format"},
           {"silence", "seconds of silence that end the recording (0/empty: never)"},
           {"maxduration", "maximum seconds (0/empty: no limit)"},
           {"options", "a: append; n: do not answer; o: 0 ends with OPERATOR; q: no beep; s: skip when not "
                       "answered; t: * is the terminator; x: no terminator; y: any digit terminates; k: keep the "
                       "file on hangup; u: do not cut trailing silence"}},
          {"Playback", "ControlPlayback"}),
      record);
}

}  // namespace telephony::dialplan
