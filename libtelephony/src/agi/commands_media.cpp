// AGI commands that play, record or listen: STREAM FILE, CONTROL STREAM FILE, GET OPTION,
// GET DATA, RECORD FILE, WAIT FOR DIGIT, SET MUSIC, and the SPEECH family (answered as Asterisk
// answers them when no speech engine is loaded).
#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>
#include <cstdlib>

#include "agi/agi_command.hpp"
#include "agi/agi_session.hpp"
#include "apps/media_apps.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/engine.hpp"
#include "telephony/media/channel_media.hpp"
#include "telephony/media/file_format.hpp"
#include "telephony/media/music_on_hold.hpp"
#include "telephony/media/playback.hpp"
#include "telephony/media/recording.hpp"

namespace telephony::agi {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Status = CommandStatus;

namespace {

std::string line(long long result, std::string_view extra = {}) {
  std::string s = "200 result=" + std::to_string(result);
  if (!extra.empty()) s.append(" ").append(extra);
  s.push_back('\n');
  return s;
}

// A prompt played the AGI way: interruptible by `escape` digits, starting `offset` samples in.
// endpos is the sample position reached (the file's length when it played to the end).
struct Streamed {
  long long result = 0;  // 0 played, digit code, -1 missing/failed/hangup
  long long endpos = 0;
  bool hung_up = false;
};

asio::awaitable<Streamed> stream(AgiSession& s, const std::string& name, const std::string& escape, long long offset) {
  Streamed out;
  out.endpos = offset;
  Channel& chan = s.channel();
  auto path = media::find_sound_file(chan.engine().options().dirs.sounds, chan.language(), name, chan.native_format());
  if (!path) {
    s.engine().log().warning("agi", "Unable to open " + name + " (" + chan.name() + ")");
    out.result = -1;
    co_return out;
  }
  auto reader = media::AudioFileReader::open(*path);
  if (!reader) {
    s.engine().log().warning("agi", reader.error().to_string());
    out.result = -1;
    co_return out;
  }
  const std::uint32_t rate = reader->rate();
  const long long total = static_cast<long long>(reader->total_samples());
  media::stop_generator(s.channel_ptr());
  media::PlayOptions opts;
  opts.interrupt_digits = escape;
  opts.skip = std::chrono::milliseconds(offset * 1000 / rate);
  auto r = co_await media::play_file(s.channel_ptr(), name, std::move(opts));
  const long long reached = std::min(total, offset + static_cast<long long>(r.frames) * rate / 50);
  switch (r.status) {
    case media::PlayStatus::Played:
      out.endpos = total;
      break;
    case media::PlayStatus::Interrupted:
      out.result = static_cast<unsigned char>(r.digit);
      out.endpos = reached;
      break;
    case media::PlayStatus::HungUp:
      out.result = -1;
      out.hung_up = true;
      out.endpos = reached;
      break;
    default:
      out.result = -1;
      break;
  }
  co_return out;
}

// Waits for one DTMF digit (ASCII code), 0 on timeout, -1 on hangup. Negative timeout: forever.
asio::awaitable<long long> wait_digit(AgiSession& s, long long timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max(0LL, timeout_ms));
  for (;;) {
    if (s.channel().hangup_requested()) co_return -1;
    auto wait = std::chrono::milliseconds(-1);
    if (timeout_ms >= 0) {
      wait = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (wait.count() <= 0) co_return 0;
    }
    auto f = co_await s.read_frame(wait);
    if (f && f->kind == FrameKind::DtmfEnd) co_return static_cast<unsigned char>(f->digit());
  }
}

asio::awaitable<Status> stream_file(AgiSession& s, const CommandArgs& a) {
  if (a.size() < 4 || a.size() > 5) co_return Status::ShowUsage;
  long long offset = 0;
  if (a.size() > 4 && !scan_int(a[4], &offset)) co_return Status::ShowUsage;
  if (offset < 0) offset = 0;
  auto r = co_await stream(s, a[2], a[3], offset);
  s.send(line(r.result, "endpos=" + std::to_string(r.endpos)));
  // Asterisk's quirk, kept: an interrupting digit also counts as FAILED here.
  s.channel().set_variable("PLAYBACKSTATUS", r.result ? "FAILED" : "SUCCESS");
  co_return r.result >= 0 ? Status::Success : Status::Failure;
}

asio::awaitable<Status> control_stream_file(AgiSession& s, const CommandArgs& a) {
  if (a.size() < 5 || a.size() > 10) co_return Status::ShowUsage;
  long long skipms = 3000, offset = 0;
  if (a.size() > 5 && !scan_int(a[5], &skipms)) co_return Status::ShowUsage;
  if (a.size() > 9 && !scan_int(a[9], &offset)) co_return Status::ShowUsage;
  auto arg = [&](std::size_t i, const char* dflt) { return a.size() > i && !a[i].empty() ? a[i] : std::string(dflt); };
  // ControlPlayback() does the work (keys, pause, offsets); its status variables are the answer.
  const std::string data = a[3] + "," + std::to_string(skipms) + "," + arg(6, "#") + "," + arg(7, "*") + "," +
                           arg(4, "") + "," + arg(8, "") + ",,o(" + std::to_string(std::max(0LL, offset)) + ")";
  Channel& chan = s.channel();
  chan.unset_variable("CPLAYBACKSTOPKEY");
  co_await s.exec().run_application("ControlPlayback", data);
  const auto status = chan.variable("CPLAYBACKSTATUS").value_or("ERROR");
  const auto endpos = chan.variable("CPLAYBACKOFFSET").value_or("-1");
  long long res = 0;
  if (status == "USERSTOPPED") {
    const auto key = chan.variable("CPLAYBACKSTOPKEY").value_or("");
    res = key.empty() ? 0 : static_cast<unsigned char>(key[0]);
  } else if (status == "ERROR") {
    res = -1;
  }
  s.send(line(res, "endpos=" + endpos));
  co_return res >= 0 ? Status::Success : Status::Failure;
}

asio::awaitable<Status> get_option(AgiSession& s, const CommandArgs& a) {
  if (a.size() < 4 || a.size() > 5) co_return Status::ShowUsage;
  long long timeout = s.exec().digit_timeout.count();
  if (a.size() == 5) timeout = std::atoll(a[4].c_str());
  auto r = co_await stream(s, a[2], a[3], 0);
  if (r.result < 0 && !r.hung_up) {
    s.send(line(-1, "endpos=0"));
    co_return Status::Failure;
  }
  long long res = r.result;
  if (res == 0) {
    res = co_await wait_digit(s, timeout);
    if (res > 0 && a[3].find(static_cast<char>(res)) == std::string::npos) res = 0;
  }
  s.send(line(res, "endpos=" + std::to_string(r.endpos)));
  co_return res >= 0 ? Status::Success : Status::Failure;
}

asio::awaitable<Status> get_data(AgiSession& s, const CommandArgs& a) {
  if (a.size() < 3) co_return Status::ShowUsage;
  const long long timeout = a.size() >= 4 ? std::atoll(a[3].c_str()) : 0;
  const long long maxlen = a.size() >= 5 ? std::atoll(a[4].c_str()) : 1024;
  // ast_app_getdata: 6 s for the first digit and 2 s between digits unless a timeout is given.
  long long first = 6000, next = 2000;
  if (timeout > 0) first = next = timeout;
  if (timeout < 0) first = next = 1000000000;
  std::string digits;
  long long d = 0;
  if (!a[2].empty()) {
    auto r = co_await stream(s, a[2], "0123456789*#ABCD", 0);
    if (r.result < 0) {
      s.send("200 result=-1\n");
      co_return Status::Success;
    }
    d = r.result;
  }
  if (maxlen <= 0) {
    s.send("200 result=-1\n");
    co_return Status::Success;
  }
  long long wait = first;
  for (;;) {
    if (d == 0) d = co_await wait_digit(s, wait);
    if (d < 0) {
      s.send("200 result=-1\n");
      co_return Status::Success;
    }
    if (d == 0) {
      s.send("200 result=" + digits + " (timeout)\n");
      co_return Status::Success;
    }
    if (d == '#') break;
    digits.push_back(static_cast<char>(d));
    if (static_cast<long long>(digits.size()) >= maxlen) break;
    d = 0;
    wait = next;
  }
  s.send("200 result=" + digits + "\n");
  co_return Status::Success;
}

asio::awaitable<Status> record_file(AgiSession& s, const CommandArgs& a) {
  if (a.size() < 6) co_return Status::ShowUsage;
  long long ms = 0;
  if (!scan_int(a[5], &ms)) co_return Status::ShowUsage;
  long long silence_s = 0;
  for (std::size_t i = 6; i < a.size() && i < 9; ++i) {
    const auto at = a[i].find('s');
    if (at == std::string::npos) continue;
    const std::string_view rest = std::string_view(a[i]).substr(at);
    if (rest.size() > 2 && rest.substr(0, 2) == "s=") silence_s = std::atoll(std::string(rest.substr(2)).c_str());
    break;
  }
  long long offset = 0;
  const bool offset_given = a.size() > 6 && scan_int(a[6], &offset);
  const auto is_silence = [](const std::string& v) { return v.rfind("s=", 0) == 0; };
  // Asterisk: any argument in the BEEP position that is neither an offset nor s=… asks for a beep.
  const bool beep = (a.size() > 6 && !offset_given && !is_silence(a[6])) || (a.size() > 7 && !is_silence(a[7]));
  const std::string& escape = a[4];
  if (beep) {
    auto r = co_await stream(s, "beep", escape, 0);
    if (r.result != 0) {
      s.send(line(r.result, "(randomerror) endpos=" + std::to_string(offset)));
      co_return Status::Success;
    }
  }
  std::filesystem::path path = a[2] + "." + a[3];
  if (path.is_relative()) path = s.engine().options().dirs.sounds / path;
  media::RecordOptions opts;
  opts.beep = false;
  opts.terminators = escape;
  opts.max_duration = ms < 0 ? 0ms : std::chrono::milliseconds(std::max(1LL, ms));
  opts.silence = std::chrono::seconds(std::max(0LL, silence_s));
  opts.append = offset > 0;
  auto r = co_await media::record_file(s.channel_ptr(), path, std::move(opts));
  const std::string endpos = "endpos=" + std::to_string(r.samples);
  switch (r.status) {
    case media::RecordStatus::Dtmf:
      s.send(line(static_cast<unsigned char>(r.digit), "(dtmf) " + endpos));
      co_return Status::Success;
    case media::RecordStatus::Hangup:
      s.send(line(-1, "(hangup) " + endpos));
      co_return Status::Failure;
    case media::RecordStatus::Error:
      s.engine().log().warning("agi", "RECORD FILE: " + r.error);
      s.send(line(-1, "(writefile)"));
      co_return Status::Failure;
    default:
      s.send(line(0, "(timeout) " + endpos));
      co_return Status::Success;
  }
}

asio::awaitable<Status> wait_for_digit(AgiSession& s, const CommandArgs& a) {
  if (a.size() != 4) co_return Status::ShowUsage;
  long long timeout = 0;
  if (!scan_int(a[3], &timeout)) co_return Status::ShowUsage;
  const long long res = co_await wait_digit(s, timeout);
  s.send(line(res));
  co_return res >= 0 ? Status::Success : Status::Failure;
}

asio::awaitable<Status> set_music(AgiSession& s, const CommandArgs& a) {
  if (a.size() < 3) co_return Status::ShowUsage;
  const std::string mode = dialplan::media_apps::lower(a[2]);
  if (mode.rfind("on", 0) == 0) {
    auto cls = dialplan::media_apps::resolve_moh_class(s.exec(), a.size() > 3 ? a[3] : std::string(), "SET MUSIC");
    media::start_moh(s.channel_ptr(), cls);
  } else if (mode.rfind("off", 0) == 0) {
    media::stop_moh(s.channel_ptr());
  }
  s.send(line(0));
  co_return Status::Success;
}

// ---- SPEECH: no speech engine is loaded, so there is never a speech object ---------------------

CommandHandler speech_reply(std::size_t exact_args, std::size_t min_args = 0) {
  return [exact_args, min_args](AgiSession& s, const CommandArgs& a) -> asio::awaitable<Status> {
    if ((exact_args && a.size() != exact_args) || a.size() < min_args) co_return Status::ShowUsage;
    s.send(line(0));
    co_return Status::Success;
  };
}

void add(std::vector<AgiCommand>& t, std::vector<std::string> words, bool dead, Documentation doc, CommandHandler h) {
  t.push_back(AgiCommand{std::move(words), dead, std::move(doc), std::move(h)});
}

}  // namespace

void add_media_commands(std::vector<AgiCommand>& t) {
  add(t, {"stream", "file"}, false,
      agi_doc("Sends audio file on channel.", "STREAM FILE FILENAME ESCAPE_DIGITS [SAMPLE OFFSET]",
              "Plays FILENAME (no extension) and lets the caller interrupt it with one of ESCAPE_DIGITS (\"\" for "
              "none). Returns 0 when it played to the end, the ASCII code of the digit that stopped it, or -1 on "
              "error or hangup, with endpos= the sample offset reached. Sets PLAYBACKSTATUS.",
              {{"filename", "prompt name"}, {"escape_digits", "digits that stop it"},
               {"sample offset", "start this many samples in"}},
              {"CONTROL STREAM FILE", "GET OPTION"}),
      stream_file);
  add(t, {"control", "stream", "file"}, false,
      agi_doc("Sends audio file on channel and allows the listener to control the stream.",
              "CONTROL STREAM FILE FILENAME ESCAPE_DIGITS [SKIPMS] [FFCHAR] [REWCHR] [PAUSECHR] [OFFSETMS]",
              "Plays FILENAME with fast-forward (FFCHAR, default #), rewind (REWCHR, default *) by SKIPMS "
              "(default 3000) and pause keys; ESCAPE_DIGITS stop it. Returns 0 at the end, the ASCII code of a stop "
              "digit, or -1 on error or hangup, with endpos= the position in ms. Sets CPLAYBACKSTATUS, "
              "CPLAYBACKOFFSET and CPLAYBACKSTOPKEY as ControlPlayback does.",
              {}, {"ControlPlayback"}),
      control_stream_file);
  add(t, {"get", "option"}, false,
      agi_doc("Stream file, prompt for DTMF, with timeout.", "GET OPTION FILENAME ESCAPE_DIGITS [TIMEOUT]",
              "As STREAM FILE, then waits TIMEOUT milliseconds (default TIMEOUT(digit)) for one of the digits. "
              "Returns the ASCII code of the digit, 0 when none came, -1 on error or hangup, with endpos=."),
      get_option);
  add(t, {"get", "data"}, false,
      agi_doc("Prompts for DTMF on a channel", "GET DATA FILE TO PLAY [TIMEOUT] [MAXDIGITS]",
              "Plays the prompt and collects digits until #, MAXDIGITS digits or TIMEOUT milliseconds between "
              "digits (default 6 s for the first, 2 s after). Returns result=digits, with (timeout) when the "
              "time ran out, or -1 on hangup."),
      get_data);
  add(t, {"record", "file"}, false,
      agi_doc("Records to a given file.",
              "RECORD FILE FILENAME FORMAT ESCAPE_DIGITS TIMEOUT [OFFSET SAMPLES] [BEEP] [S=SILENCE]",
              "Records the caller to FILENAME.FORMAT (relative names under the sounds folder) until one of "
              "ESCAPE_DIGITS, TIMEOUT milliseconds (-1: none), SILENCE seconds of quiet, or hangup. Returns the "
              "ASCII code of the digit (dtmf), 0 (timeout), or -1 (hangup) / (writefile), with endpos= the "
              "samples in the file."),
      record_file);
  add(t, {"wait", "for", "digit"}, false,
      agi_doc("Waits for a digit to be pressed.", "WAIT FOR DIGIT TIMEOUT",
              "Waits up to TIMEOUT milliseconds (-1: forever) for a digit. Returns its ASCII code, 0 on timeout, "
              "-1 on hangup."),
      wait_for_digit);
  add(t, {"set", "music"}, false,
      agi_doc("Enable/Disable Music on hold generator", "SET MUSIC {on|off} CLASS",
              "Starts (on) or stops (off) music on hold, of CLASS or the channel's default class. Returns 0.",
              {}, {"MusicOnHold"}),
      set_music);
  add(t, {"speech", "create"}, false,
      agi_doc("Creates a speech object.", "SPEECH CREATE ENGINE",
              "Creates a speech recognition object. No speech engine is available, so it returns 0."),
      speech_reply(0));
  add(t, {"speech", "set"}, false,
      agi_doc("Sets a speech engine setting.", "SPEECH SET NAME VALUE", "Returns 0: there is no speech object."),
      speech_reply(4));
  add(t, {"speech", "destroy"}, true,
      agi_doc("Destroys a speech object.", "SPEECH DESTROY", "Returns 0: there is no speech object."),
      speech_reply(0));
  add(t, {"speech", "load", "grammar"}, false,
      agi_doc("Loads a grammar.", "SPEECH LOAD GRAMMAR GRAMMAR NAME PATH TO GRAMMAR",
              "Returns 0: there is no speech object."),
      speech_reply(5));
  add(t, {"speech", "unload", "grammar"}, true,
      agi_doc("Unloads a grammar.", "SPEECH UNLOAD GRAMMAR GRAMMAR NAME", "Returns 0: there is no speech object."),
      speech_reply(4));
  add(t, {"speech", "activate", "grammar"}, false,
      agi_doc("Activates a grammar.", "SPEECH ACTIVATE GRAMMAR GRAMMAR NAME", "Returns 0: there is no speech object."),
      speech_reply(4));
  add(t, {"speech", "deactivate", "grammar"}, false,
      agi_doc("Deactivates a grammar.", "SPEECH DEACTIVATE GRAMMAR GRAMMAR NAME",
              "Returns 0: there is no speech object."),
      speech_reply(4));
  add(t, {"speech", "recognize"}, false,
      agi_doc("Recognizes speech.", "SPEECH RECOGNIZE PROMPT TIMEOUT [OFFSET]", "Returns 0: there is no speech object."),
      speech_reply(0, 4));
}

}  // namespace telephony::agi
