// Functions that change or watch a channel's audio: VOLUME, PITCH_SHIFT, DENOISE, AGC,
// TALK_DETECT, JITTERBUFFER (audio hooks, audio_processing.hpp) and MUTEAUDIO (the channel's own
// mute). TX is audio sent to the device (the hook's Write direction), RX audio received from it
// (Read). Settings are atomics: a function may be written from any thread (AMI Setvar) while the
// hook runs on the channel's strand.
#include <strings.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <deque>
#include <mutex>

#include "funcs/audio_processing.hpp"
#include "funcs/function_support.hpp"
#include "telephony/config/config.hpp"
#include "telephony/dialplan/app_events.hpp"
#include "telephony/dialplan/args.hpp"

namespace telephony::funcs {

namespace {

using Direction = AudioHook::Direction;

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// One hook per channel and function: created and attached on first write, kept in a datastore.
template <class Hook>
std::shared_ptr<Hook> hook_of(Channel& chan, std::string_view key) {
  bool created = false;
  auto h = std::static_pointer_cast<Hook>(chan.datastore_or_create(key, [&] {
    created = true;
    return std::make_shared<Hook>();
  }));
  if (created) chan.attach_audio_hook(h);
  return h;
}
template <class Hook>
std::shared_ptr<Hook> existing_hook(const Channel& chan, std::string_view key) {
  return std::static_pointer_cast<Hook>(chan.datastore(key));
}

struct Sides {
  std::atomic<double> rx{0}, tx{0};
  std::atomic<double>& of(Direction d) { return d == Direction::Read ? rx : tx; }
};

// "rx"/"tx" (case-insensitive) -> which of the two settings.
std::optional<Direction> direction_of(std::string_view text) {
  auto t = trim(text);
  if (iequal(t, "rx")) return Direction::Read;
  if (iequal(t, "tx")) return Direction::Write;
  return std::nullopt;
}

// ---- VOLUME ----------------------------------------------------------------------------------

class VolumeHook : public SlinHook {
 public:
  std::string_view kind() const override { return "VOLUME"; }
  Sides gain;

 protected:
  bool process(Channel&, Direction dir, std::span<std::int16_t> pcm, std::uint32_t) override {
    const double g = gain.of(dir).load();
    if (g == 0) return false;
    apply_gain(pcm, g);
    return true;
  }
};

Result<void> volume_write(const FunctionCall& call, std::string_view value) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  auto a = dialplan::split_args(call.args);
  if (a.empty() || trim(a[0]).empty()) return func_error(call, "direction must be specified (TX or RX)");
  auto dir = direction_of(a[0]);
  if (!dir) return func_error(call, "direction must be either RX or TX");
  if (a.size() > 1 && a[1].find('p') != std::string::npos)
    call.engine.log().notice("func_volume", "VOLUME(...,p): changing the volume with DTMF is not supported; ignored");
  hook_of<VolumeHook>(**chan, "func-volume")->gain.of(*dir).store(std::atof(std::string(value).c_str()));
  return {};
}

Result<std::string> volume_read(const FunctionCall& call) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  auto a = dialplan::split_args(call.args);
  auto dir = a.empty() ? std::nullopt : direction_of(a[0]);
  if (!dir) return func_error(call, "direction must be either RX or TX");
  auto h = existing_hook<VolumeHook>(**chan, "func-volume");
  if (!h) return func_error(call, "no volume has been set on this channel");
  char buf[32];
  std::snprintf(buf, sizeof buf, "%f", h->gain.of(*dir).load());
  return std::string(buf);
}

// ---- PITCH_SHIFT -------------------------------------------------------------------------------

class PitchHook : public SlinHook {
 public:
  std::string_view kind() const override { return "PITCH_SHIFT"; }
  Sides ratio;  // 0 (or 1): unchanged

 protected:
  bool process(Channel&, Direction dir, std::span<std::int16_t> pcm, std::uint32_t rate) override {
    const double r = ratio.of(dir).load();
    if (r == 0 || r == 1) return false;
    shifter_[dir == Direction::Read ? 0 : 1].process(pcm, rate, r);
    return true;
  }

 private:
  PitchShifter shifter_[2];
};

Result<void> pitch_write(const FunctionCall& call, std::string_view value) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  static constexpr std::pair<std::string_view, double> kNamed[] = {
      {"highest", 2}, {"higher", 1.5}, {"high", 1.25}, {"low", 0.85}, {"lower", 0.7}, {"lowest", 0.5}};
  double amount = 0;
  for (const auto& [name, v] : kNamed)
    if (iequal(trim(value), name)) amount = v;
  if (amount == 0) {
    char* end = nullptr;
    const std::string text(trim(value));
    amount = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || amount < 0.1 || amount > 4)
      return func_error(call, "invalid amount '" + std::string(value) + "' (0.1 to 4.0, or highest, higher, high, low, lower, lowest)");
  }
  const auto which = to_lower(trim(call.args));
  if (which != "rx" && which != "tx" && which != "both") return func_error(call, "direction must be rx, tx or both");
  auto h = hook_of<PitchHook>(**chan, "func-pitchshift");
  if (which != "tx") h->ratio.rx.store(amount);
  if (which != "rx") h->ratio.tx.store(amount);
  return {};
}

// ---- DENOISE / AGC -----------------------------------------------------------------------------

class SpeexHook : public SlinHook {
 public:
  std::string_view kind() const override { return "speex"; }
  Sides agc;                          // level, 0 off
  std::atomic<bool> denoise_rx{false}, denoise_tx{false};

 protected:
  bool process(Channel&, Direction dir, std::span<std::int16_t> pcm, std::uint32_t rate) override {
    const bool dn = dir == Direction::Read ? denoise_rx.load() : denoise_tx.load();
    const float level = static_cast<float>(agc.of(dir).load());
    if (!dn && level == 0) return false;
    pre_[dir == Direction::Read ? 0 : 1].process(pcm, rate, dn, level);
    return true;
  }

 private:
  SpeexPreprocessor pre_[2];
};

Result<void> speex_write(const FunctionCall& call, std::string_view value, bool agc) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  auto dir = direction_of(call.args);
  if (!dir) return func_error(call, "direction must be either rx or tx");
  auto h = hook_of<SpeexHook>(**chan, "func-speex");
  const std::string v(trim(value));
  if (agc) {
    char* end = nullptr;
    double level = std::strtod(v.c_str(), &end);
    if (end == v.c_str()) level = config::is_true_word(v) ? 8000.0 : 0.0;
    if (level > 32768) {
      call.engine.log().warning("func_speex", "AGC(" + std::string(call.args) + ")=" + v + " is greater than 32768... setting to 32768 instead");
      level = 32768;
    }
    h->agc.of(*dir).store(std::max(level, 0.0));
  } else {
    (*dir == Direction::Read ? h->denoise_rx : h->denoise_tx).store(config::is_true_word(v));
  }
  return {};
}

Result<std::string> speex_read(const FunctionCall& call, bool agc) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  auto dir = direction_of(call.args);
  if (!dir) return func_error(call, "(" + std::string(call.args) + ") must be either \"tx\" or \"rx\"");
  auto h = existing_hook<SpeexHook>(**chan, "func-speex");
  if (!h) return func_error(call, "not set on this channel");
  if (agc) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.01f", h->agc.of(*dir).load());
    return std::string(buf);
  }
  return std::string((*dir == Direction::Read ? h->denoise_rx : h->denoise_tx).load() ? "1" : "0");
}

// ---- TALK_DETECT -------------------------------------------------------------------------------

// Talking starts with the first frame above the threshold (mean magnitude per sample) and stops
// after `silence_ms` below it; the stop event's duration excludes that silence (Asterisk).
class TalkDetectHook : public SlinHook {
 public:
  std::string_view kind() const override { return "TALK_DETECT"; }
  std::atomic<int> silence_ms{2500};
  std::atomic<int> threshold{256};
  std::atomic<bool> enabled{true};

 protected:
  bool process(Channel& chan, Direction dir, std::span<std::int16_t> pcm, std::uint32_t rate) override {
    if (dir != Direction::Read || !enabled.load() || rate == 0) return false;
    const auto ms = std::chrono::milliseconds(pcm.size() * 1000 / rate);
    position_ += ms;
    if (mean_magnitude(pcm) >= threshold.load()) {
      quiet_ = std::chrono::milliseconds(0);
      if (!talking_) {
        talking_ = true;
        started_ = position_ - ms;
        ChannelTalkingStarted ev;
        ev.channel = chan.snapshot();
        chan.engine().events().emit(std::move(ev));
      }
      return false;
    }
    quiet_ += ms;
    if (talking_ && quiet_ >= std::chrono::milliseconds(silence_ms.load())) {
      talking_ = false;
      ChannelTalkingStopped ev;
      ev.channel = chan.snapshot();
      ev.duration = position_ - started_ - std::chrono::milliseconds(silence_ms.load());
      chan.engine().events().emit(std::move(ev));
    }
    return false;
  }

 private:
  bool talking_ = false;
  std::chrono::milliseconds position_{0}, started_{0}, quiet_{0};
};

Result<void> talk_detect_write(const FunctionCall& call, std::string_view value) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  const auto action = to_lower(trim(call.args));
  if (action == "remove") {
    auto h = existing_hook<TalkDetectHook>(**chan, "func-talkdetect");
    if (!h) return func_error(call, "talk detection is not set on " + (*chan)->name());
    h->enabled.store(false);
    (*chan)->detach_audio_hook(h);
    (*chan)->remove_datastore("func-talkdetect");
    return {};
  }
  if (action != "set") return func_error(call, "action must be set or remove, got '" + std::string(call.args) + "'");
  auto a = dialplan::split_args(value);
  int silence = 2500, threshold = 256;
  if (!a.empty() && !trim(a[0]).empty()) {
    silence = std::atoi(a[0].c_str());
    if (silence < 1) return func_error(call, "invalid value '" + a[0] + "' for dsp_silence_threshold");
  }
  if (a.size() > 1 && !trim(a[1]).empty()) {
    threshold = std::atoi(a[1].c_str());
    if (threshold < 1 || threshold > 32768) return func_error(call, "invalid value '" + a[1] + "' for dsp_talking_threshold");
  }
  auto h = hook_of<TalkDetectHook>(**chan, "func-talkdetect");
  h->silence_ms.store(silence);
  h->threshold.store(threshold);
  h->enabled.store(true);
  return {};
}

// ---- JITTERBUFFER ------------------------------------------------------------------------------

// Voice read from the device goes through a buffer of `delay` before readers see it. Frames that
// arrive evenly (a Local pair, a wired line) gain exactly that delay; the RTP driver's own
// buffer reorders by timestamp (frames here carry none).
class JitterHook : public SlinHook {
 public:
  std::string_view kind() const override { return "JITTERBUFFER"; }
  std::atomic<int> delay_ms{200};

 protected:
  bool process(Channel&, Direction dir, std::span<std::int16_t> pcm, std::uint32_t rate) override {
    if (dir != Direction::Read) return false;
    const std::size_t delay = static_cast<std::size_t>(delay_ms.load()) * rate / 1000;
    if (rate != rate_ || delay != delay_) {
      line_.assign(delay, 0);  // the first `delay` of audio out is silence
      rate_ = rate;
      delay_ = delay;
    }
    if (delay == 0) return false;
    for (auto& s : pcm) {
      line_.push_back(s);
      s = line_.front();
      line_.pop_front();
    }
    return true;
  }

 private:
  std::deque<std::int16_t> line_;
  std::uint32_t rate_ = 0;
  std::size_t delay_ = 0;
};

Result<void> jitterbuffer_write(const FunctionCall& call, std::string_view value) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  const auto type = to_lower(trim(call.args));
  if (type == "disabled") {
    if (auto h = existing_hook<JitterHook>(**chan, "func-jitterbuffer")) {
      (*chan)->detach_audio_hook(h);
      (*chan)->remove_datastore("func-jitterbuffer");
    }
    return {};
  }
  if (type != "fixed" && type != "adaptive") return func_error(call, "type must be fixed, adaptive or disabled");
  // max_size,resync_threshold,target_extra,sync_video — or "default".
  int max_size = 200, target_extra = 40;
  if (!iequal(trim(value), "default")) {
    auto a = dialplan::split_args(value);
    auto number = [&](std::size_t i, int& out, const char* what) -> Result<void> {
      if (i >= a.size() || trim(a[i]).empty()) return {};
      char* end = nullptr;
      const std::string t(trim(a[i]));
      long v = std::strtol(t.c_str(), &end, 10);
      if (*end != '\0' || v < 0) return func_error(call, std::string("invalid ") + what + " '" + t + "'");
      out = static_cast<int>(v);
      return {};
    };
    int resync = 1000;
    if (auto r = number(0, max_size, "max_size"); !r) return r;
    if (auto r = number(1, resync, "resync_threshold"); !r) return r;
    if (auto r = number(2, target_extra, "target_extra"); !r) return r;
    if (a.size() > 3 && !trim(a[3]).empty() && !config::is_true_word(a[3]) && !config::is_false_word(a[3]))
      return func_error(call, "invalid sync_video '" + a[3] + "'");
  }
  // Fixed: the whole buffer; adaptive: it settles at its padding on an even stream.
  hook_of<JitterHook>(**chan, "func-jitterbuffer")->delay_ms.store(type == "fixed" ? max_size : target_extra);
  return {};
}

// ---- MUTEAUDIO ---------------------------------------------------------------------------------

Result<void> muteaudio_write(const FunctionCall& call, std::string_view value) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  const auto dir = to_lower(trim(call.args));
  Channel::MuteDirection d;
  if (dir == "in") d = Channel::MuteDirection::In;
  else if (dir == "out") d = Channel::MuteDirection::Out;
  else if (dir == "all") d = Channel::MuteDirection::Both;
  else return func_error(call, "direction must be in, out or all");
  (*chan)->set_audio_mute(d, config::is_true_word(trim(value)));
  return {};
}

Result<std::string> muteaudio_read(const FunctionCall& call) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  const auto dir = to_lower(trim(call.args));
  bool muted;
  if (dir == "in") muted = (*chan)->audio_muted_in();
  else if (dir == "out") muted = (*chan)->audio_muted_out();
  else if (dir == "all") muted = (*chan)->audio_muted_in() && (*chan)->audio_muted_out();
  else return func_error(call, "direction must be in, out or all");
  return std::string(muted ? "1" : "0");
}

}  // namespace

void register_audio_functions(Engine& engine) {
  add_function(engine, "VOLUME",
               {"Set or get the TX or RX volume of a channel.", "VOLUME(direction[,options])",
                "Writing sets the gain of the audio sent to the device (TX) or received from it (RX): a positive "
                "value multiplies the samples (Set(VOLUME(TX)=3)), a negative one divides them (Set(VOLUME(RX)=-4) "
                "is a quarter), 0 leaves them alone. Reading gives the gain set (an error before any was).",
                {{"direction", "TX or RX"}, {"options", "p: change with DTMF (accepted, not supported)"}},
                {"PITCH_SHIFT", "AGC"}},
               volume_read, volume_write);
  add_function(engine, "PITCH_SHIFT",
               {"Pitch shift both tx and rx audio streams on a channel.", "PITCH_SHIFT(channel direction)",
                "Scales every frequency of the audio by the amount written, 0.1 to 4.0 (1.0: no change), or by a "
                "name: highest 2, higher 1.5, high 1.25, low 0.85, lower 0.7, lowest 0.5. Direction: rx, tx or both. "
                "Write-only.",
                {{"channel direction", "rx, tx or both"}}, {"VOLUME"}},
               {}, pitch_write);
  add_function(engine, "DENOISE",
               {"Apply noise reduction to audio on a channel.", "DENOISE(channeldirection)",
                "Set(DENOISE(rx)=on) suppresses stationary noise in the audio received from the channel (rx) or sent "
                "to it (tx), with speexdsp's preprocessor; off stops it. Reading gives 1 or 0.",
                {{"channeldirection", "rx or tx"}}, {"AGC"}},
               [](const FunctionCall& c) { return speex_read(c, false); },
               [](const FunctionCall& c, std::string_view v) { return speex_write(c, v, false); });
  add_function(engine, "AGC",
               {"Apply automatic gain control to audio on a channel.", "AGC(channeldirection)",
                "Set(AGC(rx)=8000) brings the audio received from the channel (rx) or sent to it (tx) towards the "
                "target level (1-32768; a true word means 8000; off or 0 stops it), with speexdsp's preprocessor. "
                "Reading gives the level (%.1f).",
                {{"channeldirection", "rx or tx"}}, {"DENOISE", "VOLUME"}},
               [](const FunctionCall& c) { return speex_read(c, true); },
               [](const FunctionCall& c, std::string_view v) { return speex_write(c, v, true); });
  add_function(engine, "TALK_DETECT",
               {"Raises notifications when Asterisk detects silence or talking on a channel.", "TALK_DETECT(action)",
                "Set(TALK_DETECT(set)=[dsp_silence_threshold[,dsp_talking_threshold]]) raises ChannelTalkingStart when "
                "the audio received from the channel rises above dsp_talking_threshold (mean magnitude per sample, "
                "1-32768, default 256) and ChannelTalkingStop (with Duration, ms) after dsp_silence_threshold ms "
                "(default 2500) below it. Calling set again changes the parameters; Set(TALK_DETECT(remove)=) stops "
                "it. Write-only.",
                {{"action", "set or remove"}}, {}},
               {}, talk_detect_write);
  add_function(engine, "JITTERBUFFER",
               {"Add a Jitterbuffer to the Read side of the channel.", "JITTERBUFFER(jitterbuffer type)",
                "Set(JITTERBUFFER(fixed|adaptive)=max_size[,resync_threshold[,target_extra[,sync_video]]]) or =default "
                "puts a jitter buffer on the audio read from the channel (max_size 200 ms, resync_threshold 1000 ms, "
                "target_extra 40 ms by default); JITTERBUFFER(disabled) removes it. Frames here carry no timestamps, "
                "so the buffer delays an even stream by its size (fixed: max_size; adaptive: target_extra). "
                "Write-only.",
                {{"jitterbuffer type", "fixed, adaptive or disabled"}}, {}},
               {}, jitterbuffer_write);
  add_function(engine, "MUTEAUDIO",
               {"Muting audio streams in the channel", "MUTEAUDIO(direction)",
                "Set(MUTEAUDIO(in)=on) replaces the audio received from the channel (in), sent to it (out) or both "
                "(all) with silence of the same length; off ends it. DTMF still passes. Reading gives 1 or 0.",
                {{"direction", "in, out or all"}}, {"MuteAudio (AMI)"}},
               muteaudio_read, muteaudio_write);
}

}  // namespace telephony::funcs
