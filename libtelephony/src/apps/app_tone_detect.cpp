// WaitForTone() and ToneScan(): tone detection on the inbound audio (media/tone_detect.hpp), with
// res_tonedetect's arguments and status variables.
#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>
#include <cstdlib>

#include "apps/audio_analysis.hpp"
#include "apps/dialplan_apps.hpp"
#include "apps/media_apps.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/engine.hpp"
#include "telephony/media/tone_detect.hpp"

namespace telephony::dialplan {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace media_apps;

namespace {

std::optional<double> parse_number(std::string_view text) {
  const std::string t = trim(text);
  if (t.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end == t.c_str() || *end != '\0' || !std::isfinite(v)) return std::nullopt;
  return v;
}

asio::awaitable<AppResult> wait_for_tone(Execution& x, std::string_view data) {
  Channel& chan = x.channel();
  auto args = split_args(data);
  auto error = [&](const std::string& why) {
    warn(x, "WaitForTone", why);
    chan.set_variable("WAITFORTONESTATUS", "ERROR");
    return AppResult::Hangup;  // as res_tonedetect returns -1
  };
  // freq may be written "f1+f2"; the first frequency is the one detected (as Asterisk).
  const std::string freq_text = args.empty() ? std::string() : trim(args[0]).substr(0, trim(args[0]).find('+'));
  auto freq = parse_number(freq_text);
  if (!freq || *freq <= 0 || *freq >= 4000) co_return error("invalid frequency '" + freq_text + "'");
  double duration = 500, timeout = 0, times = 1;
  if (args.size() > 1 && !trim(args[1]).empty()) {
    auto v = parse_number(args[1]);
    if (!v || *v < 1) co_return error("Invalid duration: " + args[1]);
    duration = *v;
  }
  if (args.size() > 2 && !trim(args[2]).empty()) {
    auto v = parse_number(args[2]);
    if (!v || *v < 0) co_return error("Invalid timeout: " + args[2]);
    timeout = *v;
  }
  if (args.size() > 3 && !trim(args[3]).empty()) {
    auto v = parse_number(args[3]);
    if (!v || *v < 1) co_return error("Invalid number of times: " + args[3]);
    times = *v;
  }
  int db = 16;
  if (args.size() > 4) {
    auto opts = parse_options(args[4], "d");
    if (!opts) co_return error(opts.error().to_string());
    if (opts->has('d') && !opts->argument('d').empty()) {
      auto v = parse_number(opts->argument('d'));
      if (!v || *v < 1) co_return error("Invalid decibel level: " + opts->argument('d'));
      db = static_cast<int>(*v);
    }
    // 's' (squelch) is accepted: the frames this application reads go nowhere else anyway.
  }
  const SlinReadFormat slin(chan);
  media::SingleToneDetector det(*freq, static_cast<int>(duration), db);
  std::vector<std::int16_t> scratch;
  const auto start = std::chrono::steady_clock::now();
  const auto limit = std::chrono::milliseconds(static_cast<long long>(timeout * 1000));
  int hits = 0;
  for (;;) {
    auto wait = 1000ms;
    if (limit.count() > 0) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(start + limit - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        chan.set_variable("WAITFORTONESTATUS", "TIMEOUT");
        co_return AppResult::Continue;
      }
      wait = std::min(wait, left);
    }
    auto f = co_await chan.read(wait);
    if (!f) {
      if (chan.hangup_requested()) {
        chan.set_variable("WAITFORTONESTATUS", "HANGUP");
        co_return AppResult::Continue;
      }
      continue;
    }
    if (f->kind != FrameKind::Voice) continue;
    hits += det.process(slin_view(*f, scratch));
    if (hits >= times) {
      chan.set_variable("WAITFORTONESTATUS", "SUCCESS");
      co_return AppResult::Continue;
    }
  }
}

asio::awaitable<AppResult> tone_scan(Execution& x, std::string_view data) {
  Channel& chan = x.channel();
  auto args = split_args(data);
  auto error = [&](const std::string& why) {
    warn(x, "ToneScan", why);
    chan.set_variable("TONESCANSTATUS", "ERROR");
    return AppResult::Hangup;
  };
  const std::string zone = args.empty() || trim(args[0]).empty() ? tone_zone(chan) : lower(trim(args[0]));
  auto progress = media::CallProgressDetector::for_zone(zone);
  if (!progress) co_return error("Invalid call progress zone: " + zone);
  double timeout = 0, threshold = 1;
  if (args.size() > 1 && !trim(args[1]).empty()) {
    auto v = parse_number(args[1]);
    if (!v || *v < 0) co_return error("Invalid timeout: " + args[1]);
    timeout = *v;
  }
  if (args.size() > 2 && !trim(args[2]).empty()) {
    auto v = parse_number(args[2]);
    if (!v || *v < 1) co_return error("Invalid threshold: " + args[2]);
    threshold = *v;
  }
  const std::string options = args.size() > 3 ? args[3] : std::string();
  const bool fax = options.find('f') != std::string::npos;
  const bool voice = options.find('v') != std::string::npos;
  const SlinReadFormat slin(chan);
  // An answering modem sends 2225 Hz (Bell 103 mark); an answering fax 2100 Hz (CED).
  media::SingleToneDetector modem(2225, 400, 16);
  media::SingleToneDetector ced(2100, 500, 16);
  std::vector<std::int16_t> scratch;
  const auto start = std::chrono::steady_clock::now();
  const auto limit = std::chrono::milliseconds(static_cast<long long>(timeout * 1000));
  auto done = [&](const char* status) {
    chan.set_variable("TONESCANSTATUS", status);
    return AppResult::Continue;
  };
  for (;;) {
    auto wait = 1000ms;
    if (limit.count() > 0) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(start + limit - std::chrono::steady_clock::now());
      if (left.count() <= 0) co_return done("TIMEOUT");
      wait = std::min(wait, left);
    }
    auto f = co_await chan.read(wait);
    if (!f) {
      if (chan.hangup_requested()) co_return done("HANGUP");
      continue;
    }
    if (f->kind == FrameKind::DtmfEnd) co_return done("DTMF");
    if (f->kind != FrameKind::Voice) continue;
    const auto pcm = slin_view(*f, scratch);
    if (modem.process(pcm) > 0) co_return done("MODEM");
    if (fax && ced.process(pcm) > 0) co_return done("FAX");
    if (!progress->process(pcm) || progress->count() < threshold) continue;
    switch (progress->state()) {
      case media::ProgressTone::Ringing: co_return done("RINGING");
      case media::ProgressTone::DialTone: co_return done("DIALTONE");
      case media::ProgressTone::Busy: co_return done("BUSY");
      case media::ProgressTone::Sit: co_return done("SIT");
      case media::ProgressTone::NumberUnobtainable: co_return done("NUT");
      case media::ProgressTone::Talking:
        // Tones start like voice; only a long stretch of it counts (as res_tonedetect).
        if (voice && progress->count() > 15) co_return done("VOICE");
        break;
      default: break;
    }
  }
}

}  // namespace

void register_tone_detect_applications(Engine& engine) {
  add_application(
      engine, "WaitForTone",
      doc("Wait for tone", "WaitForTone(freq[,duration_ms[,timeout[,times[,options]]]])",
          "Waits until a single-frequency tone of freq Hz has been heard for duration_ms (default 500) times times "
          "(default 1), or timeout seconds (default: forever) passed. The tone must be d dB (default 16) above the "
          "rest of the audio. Sets WAITFORTONESTATUS to SUCCESS, TIMEOUT, HANGUP or ERROR (bad arguments, which "
          "also end the call).",
          {{"freq", "Hz"}, {"duration_ms", "minimum length of one tone"}, {"timeout", "seconds"},
           {"times", "how many tones"}, {"options", "d(db): detection threshold; s: squelch (accepted)"}},
          {"PlayTones", "ToneScan"}),
      wait_for_tone);
  add_application(
      engine, "ToneScan",
      doc("Wait for period of time while scanning for call progress tones",
          "ToneScan([zone[,timeout[,threshold[,options]]]])",
          "Listens until it recognises a call-progress signal and sets TONESCANSTATUS to RINGING (ringback), BUSY, "
          "SIT (special information tones), DIALTONE, NUT (UK number unobtainable), MODEM (2225 Hz answer), FAX "
          "(2100 Hz CED, with f), VOICE (with v), DTMF (a digit), TIMEOUT or HANGUP. zone: us/ca (default), uk, "
          "cr/br; threshold: how many analysis blocks (about 23 ms each) a state must last (default 1).",
          {{"zone", "call progress zone"}, {"timeout", "seconds (default: forever)"},
           {"threshold", "blocks a tone must last"}, {"options", "f: detect fax; v: detect voice"}},
          {"WaitForTone"}),
      tone_scan);
}

}  // namespace telephony::dialplan
