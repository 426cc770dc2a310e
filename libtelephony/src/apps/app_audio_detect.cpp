// WaitForSilence(), WaitForNoise() and BackgroundDetect(): energy-based listening on the inbound
// audio (media/voice_activity.hpp), with app_waitforsilence's and app_talkdetect's rules.
#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>

#include "apps/audio_analysis.hpp"
#include "apps/dialplan_apps.hpp"
#include "apps/media_apps.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/engine.hpp"
#include "telephony/media/amd.hpp"
#include "telephony/media/channel_media.hpp"
#include "telephony/media/file_format.hpp"
#include "telephony/media/playback.hpp"
#include "telephony/media/voice_activity.hpp"

namespace telephony::dialplan {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace media_apps;

void register_tone_detect_applications(Engine& engine);  // app_tone_detect.cpp

namespace {

struct WaitKind {
  const char* app;
  const char* what;     // "silence" / "noise"
  const char* status;   // WAITSTATUS on success
  bool silence;         // measure silence (else noise)
};
constexpr WaitKind kSilence{"WaitForSilence", "silence", "SILENCE", true};
constexpr WaitKind kNoise{"WaitForNoise", "noise", "NOISE", false};

bool parse_nonneg(std::string_view text, long long* out, long long min) {
  const std::string t = trim(text);
  if (t.empty()) return true;
  char* end = nullptr;
  const long long v = std::strtoll(t.c_str(), &end, 10);
  if (end == t.c_str() || v < min) return false;
  *out = v;
  return true;
}

enum class WaitOutcome { Reached, Timeout, Hangup };

// One iteration: up to `required` ms of silence (noise) in a row, measured on the frames; for
// silence, no frame at all for `required` ms counts too (a muted or digital-silence line).
asio::awaitable<WaitOutcome> wait_once(Channel& chan, const WaitKind& kind, long long required,
                                       std::chrono::steady_clock::time_point start, long long timeout_s) {
  media::SilenceDetector det;
  std::vector<std::int16_t> scratch;
  for (;;) {
    auto f = co_await chan.read(std::chrono::milliseconds(std::max(1LL, required)));
    if (!f && chan.hangup_requested()) co_return WaitOutcome::Hangup;
    long long measured = 0;
    if (!f) {
      if (kind.silence) measured = required;
    } else if (f->kind == FrameKind::Voice) {
      const auto pcm = slin_view(*f, scratch);
      if (!pcm.empty()) {
        det.process(pcm, f->format.rate ? f->format.rate : 8000);
        measured = kind.silence ? det.silence_ms() : det.noise_ms();
      }
    }
    if (measured >= required) co_return WaitOutcome::Reached;
    if (timeout_s > 0 && std::chrono::steady_clock::now() - start >= std::chrono::seconds(timeout_s))
      co_return WaitOutcome::Timeout;
  }
}

asio::awaitable<AppResult> wait_for(Execution& x, std::string_view data, const WaitKind& kind) {
  Channel& chan = x.channel();
  auto args = split_args(data);
  long long required = 1000, iterations = 1, timeout = 0;
  if ((args.size() > 0 && !parse_nonneg(args[0], &required, 0)) ||
      (args.size() > 1 && !parse_nonneg(args[1], &iterations, 1)) ||
      (args.size() > 2 && !parse_nonneg(args[2], &timeout, 0))) {
    warn(x, kind.app,
         std::string("arguments must be ") + kind.what + "required >= 0 ms, iterations > 0 and timeout >= 0 s: '" +
             std::string(data) + "'");
    co_return AppResult::Hangup;  // Asterisk returns -1 for bad arguments
  }
  if (chan.state() != ChannelState::Up) chan.answer();
  x.engine().log().verbose("pbx", std::string("Waiting ") + std::to_string(iterations) + " time(s) for " +
                                      std::to_string(required) + "ms of " + kind.what + " with " +
                                      std::to_string(timeout) + "s timeout (" + chan.name() + ")");
  const SlinReadFormat slin(chan);
  const auto start = std::chrono::steady_clock::now();
  for (long long i = 0; i < iterations; ++i) {
    switch (co_await wait_once(chan, kind, required, start, timeout)) {
      case WaitOutcome::Reached:
        chan.set_variable("WAITSTATUS", kind.status);
        break;
      case WaitOutcome::Timeout:
        chan.set_variable("WAITSTATUS", "TIMEOUT");
        co_return AppResult::Continue;
      case WaitOutcome::Hangup:
        chan.set_variable("WAITSTATUS", "HANGUP");
        co_return AppResult::Hangup;
    }
  }
  co_return AppResult::Continue;
}

asio::awaitable<AppResult> background_detect(Execution& x, std::string_view data) {
  Channel& chan = x.channel();
  auto args = split_args(data);
  const std::string file = args.empty() ? std::string() : trim(args[0]);
  if (file.empty()) {
    warn(x, "BackgroundDetect", "requires an argument (filename)");
    co_return AppResult::Hangup;
  }
  auto positive = [&](std::size_t i, long long dflt) {
    long long v = 0;
    if (args.size() > i && parse_nonneg(args[i], &v, 1) && !trim(args[i]).empty()) return v;
    return dflt;
  };
  const long long sil = positive(1, 1000), min = positive(2, 100), max = positive(3, -1), analysis = positive(4, -1);
  if (chan.state() != ChannelState::Up) chan.answer();
  const SlinReadFormat slin(chan);
  media::stop_generator(x.channel_ptr());
  auto path = media::find_sound_file(x.engine().options().dirs.sounds, chan.language(), file, chan.native_format());
  std::optional<media::AudioFileReader> reader;
  if (path) {
    if (auto r = media::AudioFileReader::open(*path)) reader.emplace(std::move(*r));
  }
  if (!reader) {
    warn(x, "BackgroundDetect", "ast_streamfile failed for '" + file + "'");
    co_return AppResult::Continue;
  }
  media::publish_playback_started(chan, file, path->string());
  media::SilenceDetector det;
  std::vector<std::int16_t> scratch;
  const auto fmt = reader->format();
  const auto detection_start = std::chrono::steady_clock::now();
  auto due = detection_start;
  bool analysing = true, talking = false;
  std::chrono::steady_clock::time_point token_start{};
  for (;;) {
    // Paced playback: frame k goes out at start + k*20 ms; in between, the caller is listened to.
    auto bytes = reader->read_frame();
    if (bytes.empty()) co_return AppResult::Continue;
    chan.write(Frame::voice(fmt, std::vector<std::uint8_t>(bytes.begin(), bytes.end()),
                            static_cast<std::uint32_t>(fmt.codec == media::Codec::Slin ? bytes.size() / 2 : bytes.size())));
    due += 20ms;
    for (;;) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= due) break;
      auto f = co_await chan.read(std::chrono::ceil<std::chrono::milliseconds>(due - now));
      if (!f) {
        if (chan.hangup_requested()) co_return AppResult::Hangup;
        continue;
      }
      if (analysing && analysis >= 0 &&
          std::chrono::steady_clock::now() - detection_start >= std::chrono::milliseconds(analysis)) {
        analysing = false;
        x.engine().log().verbose("pbx", "BackgroundDetect: Talk analysis time complete on " + chan.name());
      }
      if (f->kind == FrameKind::DtmfEnd) {
        // A digit that can start an extension of this context ends the prompt and dials it.
        const std::string digit(1, f->digit());
        if (x.match_more(x.location().context, digit) || x.exists(x.location().context, digit, 1))
          co_return co_await x.collect_extension(digit, x.digit_timeout);
        continue;
      }
      if (f->kind != FrameKind::Voice || !analysing) continue;
      const auto pcm = slin_view(*f, scratch);
      if (pcm.empty()) continue;
      const bool silent = det.process(pcm, f->format.rate ? f->format.rate : 8000);
      if (silent && det.silence_ms() > sil) {
        if (!talking) continue;
        // Quiet long enough after some talk: was that a word of the right length?
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - token_start)
                      .count() - sil;
        if (ms < 0) ms = 0;
        if (ms > min && (max < 0 || ms < max)) {
          chan.set_variable("TALK_DETECTED", std::to_string(ms));
          if (x.exists(x.location().context, "talk", 1)) x.jump(x.location().context, "talk", 1);
          co_return AppResult::Continue;
        }
        talking = false;
      } else if (!silent && !talking) {
        token_start = std::chrono::steady_clock::now();
        talking = true;
      }
    }
  }
}

}  // namespace

void register_audio_analysis_applications(Engine& engine) {
  media::install_amd(engine);
  register_tone_detect_applications(engine);
  add_application(
      engine, "WaitForSilence",
      doc("Waits for a specified amount of silence.", "WaitForSilence([silencerequired[,iterations[,timeout]]])",
          "Answers, then waits for silencerequired ms (default 1000) of continuous silence on the line, iterations "
          "times (default 1). No audio at all for that long counts as silence too. With timeout (seconds, 0: none) "
          "it gives up after that long from the start. Silence is a mean amplitude below 256 (dsp.conf's default). "
          "Sets WAITSTATUS to SILENCE, TIMEOUT or HANGUP.",
          {{"silencerequired", "milliseconds of silence (default 1000)"},
           {"iterations", "how many times (default 1)"},
           {"timeout", "give up after this many seconds (default 0: never)"}},
          {"WaitForNoise", "AMD"}),
      [](Execution& x, std::string_view data) { return wait_for(x, data, kSilence); });
  add_application(
      engine, "WaitForNoise",
      doc("Waits for a specified amount of noise.", "WaitForNoise([noiserequired[,iterations[,timeout]]])",
          "Answers, then waits for noiserequired ms (default 1000) of continuous sound on the line, iterations "
          "times (default 1); a line that sends no audio never makes noise. With timeout (seconds) it gives up. Sets "
          "WAITSTATUS to NOISE, TIMEOUT or HANGUP.",
          {{"noiserequired", "milliseconds of noise (default 1000)"},
           {"iterations", "how many times (default 1)"},
           {"timeout", "give up after this many seconds (default 0: never)"}},
          {"WaitForSilence"}),
      [](Execution& x, std::string_view data) { return wait_for(x, data, kNoise); });
  add_application(
      engine, "BackgroundDetect",
      doc("Background a file with talk detect.", "BackgroundDetect(filename[,sil[,min[,max[,analysistime]]]])",
          "Answers and plays filename while listening. A digit that starts an extension of the context stops it and "
          "dials that extension (as Background). If the caller talks for more than min ms (default 100) and less "
          "than max ms (default: no limit) followed by sil ms (default 1000) of silence, within the first "
          "analysistime ms (default: the whole prompt), the prompt stops, TALK_DETECTED is set to the talk length "
          "in ms and the call goes to the `talk` extension if it exists.",
          {{"filename", "prompt"}, {"sil", "silence after talk, ms"}, {"min", "shortest talk, ms"},
           {"max", "longest talk, ms"}, {"analysistime", "listen only this long, ms"}},
          {"Background", "WaitForSilence"}),
      background_detect);
}

}  // namespace telephony::dialplan
