// Functions that change or watch a channel's audio: VOLUME, PITCH_SHIFT, DENOISE, AGC and
// TALK_DETECT (audio hooks, voice_processing.hpp), JITTERBUFFER and MUTEAUDIO. TX is audio sent
// to the device (the hook's Write direction), RX audio received from it (Read). One hook per
// channel and family, kept in a datastore and attached on the first write; settings are atomics
// because a function may be written from any thread (AMI Setvar) while the hook runs on the
// channel's strand.
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "funcs/function_support.hpp"
#include "funcs/voice_processing.hpp"
#include "telephony/config/config.hpp"
#include "telephony/dialplan/app_events.hpp"
#include "telephony/dialplan/args.hpp"

namespace telephony::funcs {

void register_jitterbuffer_function(Engine& engine);  // func_jitterbuffer.cpp

namespace {

using Direction = AudioHook::Direction;

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
  std::atomic<float> rx{0}, tx{0};
  std::atomic<float>& of(Direction d) { return d == Direction::Read ? rx : tx; }
  const std::atomic<float>& of(Direction d) const { return d == Direction::Read ? rx : tx; }
};

// "rx"/"tx", any case.
std::optional<Direction> direction_of(std::string_view text) {
  if (keyword_is(text, "rx")) return Direction::Read;
  if (keyword_is(text, "tx")) return Direction::Write;
  return std::nullopt;
}

// A float as sscanf("%f") reads it: the leading number, the rest ignored; nullopt without one.
std::optional<float> leading_float(std::string_view text) {
  const std::string t(trim(text));
  char* end = nullptr;
  const float v = std::strtof(t.c_str(), &end);
  if (end == t.c_str() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// ---- VOLUME ------------------------------------------------------------------------------------

class VolumeHook : public SlinHook, public std::enable_shared_from_this<VolumeHook> {
 public:
  std::string_view kind() const override { return "VOLUME"; }
  Sides gain;

  // The p option: digits the device sends move both gains one step (* up, # down), as Asterisk.
  // Hooks see voice only, so the digits come from the channel's DtmfEnd events; the subscription
  // exists only while p is set.
  void set_dtmf_control(Channel& chan, bool on) {
    std::lock_guard lock(mu_);
    if (!on || detached_) {
      dtmf_.close();
      return;
    }
    if (dtmf_.active()) return;
    EventBus::SubscriberOptions o;
    o.name = "VOLUME(p) " + chan.name();
    o.capacity = 256;
    dtmf_ = chan.engine().events().subscribe(
        std::move(o), [weak = weak_from_this(), id = chan.uniqueid()](const EventPtr& ev) {
          auto* d = ev->as<DtmfEnd>();
          if (!d || !d->received || d->channel.uniqueid != id) return;
          auto self = weak.lock();
          const float step = d->digit == '*' ? 1.0f : d->digit == '#' ? -1.0f : 0.0f;
          if (!self || step == 0) return;
          for (auto* g : {&self->gain.rx, &self->gain.tx}) g->store(g->load() + step);
        });
  }
  void on_detach(Channel&) override {
    std::lock_guard lock(mu_);
    detached_ = true;
    dtmf_.close();
  }

 protected:
  bool wants(Direction dir) const override {
    return gain.of(dir).load(std::memory_order_relaxed) != 0;
  }
  bool process(Channel&, Direction dir, std::span<std::int16_t> pcm, std::uint32_t) override {
    apply_gain(pcm, gain.of(dir).load(std::memory_order_relaxed));
    return true;
  }

 private:
  std::mutex mu_;
  bool detached_ = false;
  EventBus::Subscription dtmf_;
};

constexpr std::string_view kVolumeKey = "func-volume";

Result<void> volume_write(const FunctionCall& call, std::string_view value) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  auto a = dialplan::split_args(call.args);
  if (a.empty() || trim(a[0]).empty())
    return func_error(call, "direction must be specified (TX or RX)");
  auto dir = direction_of(a[0]);
  if (!dir) return func_error(call, "direction must be either RX or TX, not '" + a[0] + "'");
  auto h = hook_of<VolumeHook>(**chan, kVolumeKey);
  h->gain.of(*dir).store(leading_float(value).value_or(0.0f));
  h->set_dtmf_control(**chan, a.size() > 1 && a[1].find('p') != std::string::npos);
  return {};
}

Result<std::string> volume_read(const FunctionCall& call) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  auto a = dialplan::split_args(call.args);
  auto dir = a.empty() ? std::nullopt : direction_of(a[0]);
  if (!dir) return func_error(call, "direction must be either RX or TX");
  auto h = existing_hook<VolumeHook>(**chan, kVolumeKey);
  if (!h) return func_error(call, "no volume has been set on this channel");
  char buf[32];
  std::snprintf(buf, sizeof buf, "%f", static_cast<double>(h->gain.of(*dir).load()));
  return std::string(buf);
}

// ---- PITCH_SHIFT -------------------------------------------------------------------------------

class PitchHook : public SlinHook {
 public:
  std::string_view kind() const override { return "PITCH_SHIFT"; }
  Sides ratio;  // 0 or 1: unchanged

 protected:
  bool wants(Direction dir) const override {
    const float r = ratio.of(dir).load(std::memory_order_relaxed);
    return r != 0 && r != 1;
  }
  bool process(Channel&, Direction dir, std::span<std::int16_t> pcm, std::uint32_t rate) override {
    shifter_[dir == Direction::Read ? 0 : 1].process(pcm, rate,
                                                     ratio.of(dir).load(std::memory_order_relaxed));
    return true;
  }

 private:
  PitchShifter shifter_[2];
};

Result<void> pitch_write(const FunctionCall& call, std::string_view value) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  static constexpr std::pair<std::string_view, float> kNamed[] = {
      {"highest", 2.0f}, {"higher", 1.5f}, {"high", 1.25f},
      {"low", 0.85f},    {"lower", 0.7f},  {"lowest", 0.5f}};
  std::optional<float> amount;
  for (const auto& [name, v] : kNamed)
    if (keyword_is(value, name)) amount = v;
  if (!amount) {
    amount = leading_float(value);
    if (!amount || *amount <= 0 || *amount > 4)
      return func_error(call,
                        "invalid amount '" + std::string(value) +
                            "' (above 0 up to 4.0, or highest, higher, high, low, lower, lowest)");
  }
  const bool rx = keyword_is(call.args, "rx"), tx = keyword_is(call.args, "tx"),
             both = keyword_is(call.args, "both");
  if (!rx && !tx && !both)
    return func_error(call,
                      "direction must be rx, tx or both, not '" + std::string(call.args) + "'");
  auto h = hook_of<PitchHook>(**chan, "func-pitchshift");
  if (!tx) h->ratio.rx.store(*amount);
  if (!rx) h->ratio.tx.store(*amount);
  return {};
}

// ---- DENOISE / AGC (one speexdsp preprocessor per direction, as func_speex) ---------------------

class SpeexHook : public SlinHook {
 public:
  std::string_view kind() const override { return "speex"; }
  Sides agc;  // target level, 0 off
  std::atomic<bool> denoise_rx{false}, denoise_tx{false};
  std::atomic<bool>& denoise(Direction d) { return d == Direction::Read ? denoise_rx : denoise_tx; }

 protected:
  bool wants(Direction dir) const override {
    return (dir == Direction::Read ? denoise_rx : denoise_tx).load(std::memory_order_relaxed) ||
           agc.of(dir).load(std::memory_order_relaxed) > 0;
  }
  bool process(Channel&, Direction dir, std::span<std::int16_t> pcm, std::uint32_t rate) override {
    pre_[dir == Direction::Read ? 0 : 1].process(pcm, rate,
                                                 denoise(dir).load(std::memory_order_relaxed),
                                                 agc.of(dir).load(std::memory_order_relaxed));
    return true;
  }

 private:
  SpeexPreprocessor pre_[2];
};

constexpr std::string_view kSpeexKey = "func-speex";
constexpr float kDefaultAgcLevel = 8000.0f;

Result<void> speex_write(const FunctionCall& call, std::string_view value, bool agc) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  auto dir = direction_of(call.args);
  if (!dir)
    return func_error(call,
                      "direction must be either rx or tx, not '" + std::string(call.args) + "'");
  auto h = hook_of<SpeexHook>(**chan, kSpeexKey);
  if (agc) {
    float level =
        leading_float(value).value_or(config::is_true_word(trim(value)) ? kDefaultAgcLevel : 0.0f);
    if (level > 32768.0f) {
      call.engine.log().warning("func_speex",
                                "AGC(" + std::string(call.args) + ")=" + std::string(value) +
                                    " is greater than 32768... setting to 32768 instead");
      level = 32768.0f;
    }
    h->agc.of(*dir).store(std::max(level, 0.0f));
  } else {
    h->denoise(*dir).store(config::is_true_word(trim(value)));
  }
  return {};
}

Result<std::string> speex_read(const FunctionCall& call, bool agc) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  auto dir = direction_of(call.args);
  if (!dir)
    return func_error(call, "(" + std::string(call.args) + ") must be either \"tx\" or \"rx\"");
  auto h = existing_hook<SpeexHook>(**chan, kSpeexKey);
  if (!h) return func_error(call, "not set on this channel");
  if (agc) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.01f", static_cast<double>(h->agc.of(*dir).load()));
    return std::string(buf);
  }
  return std::string(h->denoise(*dir).load() ? "1" : "0");
}

// ---- TALK_DETECT -------------------------------------------------------------------------------

// Talking starts with the first frame read whose mean magnitude reaches the threshold and stops
// after `silence_ms` of frames below it; the stop event's duration excludes that silence
// (Asterisk). Time is counted in samples received, so scheduling delays do not skew it.
class TalkDetectHook : public SlinHook {
 public:
  std::string_view kind() const override { return "TALK_DETECT"; }
  std::atomic<int> silence_ms{2500};
  std::atomic<int> threshold{256};

 protected:
  bool wants(Direction dir) const override { return dir == Direction::Read; }
  bool process(Channel& chan, Direction, std::span<std::int16_t> pcm, std::uint32_t rate) override {
    const std::int64_t frame_ms = static_cast<std::int64_t>(pcm.size()) * 1000 / rate;
    position_ms_ += frame_ms;
    if (mean_magnitude(pcm) >= threshold.load(std::memory_order_relaxed)) {
      quiet_ms_ = 0;
      if (!talking_) {
        talking_ = true;
        started_ms_ = position_ms_ - frame_ms;
        ChannelTalkingStarted ev;
        ev.channel = chan.snapshot();
        chan.engine().events().emit(std::move(ev));
      }
      return false;
    }
    quiet_ms_ += frame_ms;
    const int silence = silence_ms.load(std::memory_order_relaxed);
    if (talking_ && quiet_ms_ >= silence) {
      talking_ = false;
      ChannelTalkingStopped ev;
      ev.channel = chan.snapshot();
      ev.duration = std::chrono::milliseconds(position_ms_ - started_ms_ - silence);
      chan.engine().events().emit(std::move(ev));
    }
    return false;  // watches only
  }

 private:
  bool talking_ = false;
  std::int64_t position_ms_ = 0, started_ms_ = 0, quiet_ms_ = 0;
};

constexpr std::string_view kTalkKey = "func-talkdetect";

Result<int> positive_int(const FunctionCall& call, std::string_view text, std::string_view what,
                         long most) {
  const std::string t(trim(text));
  char* end = nullptr;
  const long v = std::strtol(t.c_str(), &end, 10);
  if (end == t.c_str())
    return func_error(call, "failed to parse '" + t + "' for " + std::string(what));
  if (v < 1 || v > most)
    return func_error(call, "invalid value " + t + " for " + std::string(what));
  return static_cast<int>(v);
}

Result<void> talk_detect_write(const FunctionCall& call, std::string_view value) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  if (trim(call.args).empty()) return func_error(call, "requires an argument (set or remove)");
  if (keyword_is(call.args, "remove")) {
    auto h = existing_hook<TalkDetectHook>(**chan, kTalkKey);
    if (!h)
      return func_error(
          call, "cannot remove TALK_DETECT from " + (*chan)->name() + ": not currently enabled");
    (*chan)->detach_audio_hook(h);
    (*chan)->remove_datastore(kTalkKey);
    return {};
  }
  if (!keyword_is(call.args, "set"))
    return func_error(call, "unknown action '" + std::string(call.args) + "' (set or remove)");
  int silence = 2500, threshold = 256;
  auto a = dialplan::split_args(value);
  if (!a.empty() && !trim(a[0]).empty()) {
    auto v = positive_int(call, a[0], "dsp_silence_threshold", 2147483647L);
    if (!v) return Unexpected<Error>{v.error()};
    silence = *v;
  }
  if (a.size() > 1 && !trim(a[1]).empty()) {
    auto v = positive_int(call, a[1], "dsp_talking_threshold", 32768L);
    if (!v) return Unexpected<Error>{v.error()};
    threshold = *v;
  }
  auto h = hook_of<TalkDetectHook>(**chan, kTalkKey);
  h->silence_ms.store(silence);
  h->threshold.store(threshold);
  return {};
}

// ---- MUTEAUDIO ---------------------------------------------------------------------------------

std::optional<Channel::MuteDirection> mute_direction(std::string_view text) {
  if (keyword_is(text, "in")) return Channel::MuteDirection::In;
  if (keyword_is(text, "out")) return Channel::MuteDirection::Out;
  if (keyword_is(text, "all")) return Channel::MuteDirection::Both;
  return std::nullopt;
}

Result<void> muteaudio_write(const FunctionCall& call, std::string_view value) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  auto d = mute_direction(call.args);
  if (!d)
    return func_error(call,
                      "direction must be in, out or all, not '" + std::string(call.args) + "'");
  (*chan)->set_audio_mute(*d, config::is_true_word(trim(value)));
  return {};
}

Result<std::string> muteaudio_read(const FunctionCall& call) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  auto d = mute_direction(call.args);
  if (!d)
    return func_error(call,
                      "direction must be in, out or all, not '" + std::string(call.args) + "'");
  const bool in = (*chan)->audio_muted_in(), out = (*chan)->audio_muted_out();
  const bool muted = *d == Channel::MuteDirection::In    ? in
                     : *d == Channel::MuteDirection::Out ? out
                                                         : in && out;
  return std::string(muted ? "1" : "0");
}

}  // namespace

void register_audio_functions(Engine& engine) {
  add_function(
      engine, "VOLUME",
      {"Set or get the TX or RX volume of a channel.",
       "VOLUME(direction[,options])",
       "Writing sets the gain of the audio sent to the device (TX) or received from it (RX), as "
       "Asterisk: a positive value multiplies the samples (Set(VOLUME(TX)=3) is three times "
       "louder), a "
       "negative one divides them (Set(VOLUME(RX)=-4) is a quarter), 0 leaves them alone; results "
       "saturate. With the p option, * pressed on the device raises both gains by one and # lowers "
       "them "
       "by one. Reading gives the gain set (%f), an error before any was set.",
       {{"direction", "TX or RX (any case)"},
        {"options", "p: enable DTMF volume control (* louder, # softer)"}},
       {"PITCH_SHIFT", "AGC", "MUTEAUDIO"}},
      volume_read, volume_write);
  add_function(engine, "PITCH_SHIFT",
               {"Pitch shift both tx and rx audio streams on a channel.",
                "PITCH_SHIFT(channel direction)",
                "Set(PITCH_SHIFT(tx)=2) scales every frequency of the audio by the amount written, "
                "above 0 up to "
                "4.0 (1.0: no change), or by a name: highest 2, higher 1.5, high 1.25, low 0.85, "
                "lower 0.7, lowest "
                "0.5. The duration is kept (a delay-line shifter with two cross-faded taps). "
                "Direction: rx (from the "
                "device), tx (to it) or both. Write-only.",
                {{"channel direction", "rx, tx or both (any case)"}},
                {"VOLUME"}},
               {}, pitch_write);
  add_function(
      engine, "DENOISE",
      {"Apply noise reduction to audio on a channel.",
       "DENOISE(channeldirection)",
       "Set(DENOISE(rx)=on) suppresses stationary noise in the audio received from the channel "
       "(rx) or "
       "sent to it (tx), with speexdsp's preprocessor; off stops it. DENOISE and AGC share one "
       "preprocessor per direction, as in Asterisk. Reading gives 1 or 0.",
       {{"channeldirection", "rx or tx (any case)"}},
       {"AGC", "TALK_DETECT"}},
      [](const FunctionCall& c) { return speex_read(c, false); },
      [](const FunctionCall& c, std::string_view v) { return speex_write(c, v, false); });
  add_function(
      engine, "AGC",
      {"Apply automatic gain control to audio on a channel.",
       "AGC(channeldirection)",
       "Set(AGC(rx)=8000) brings the audio received from the channel (rx) or sent to it (tx) "
       "towards the "
       "target level (a number up to 32768; a true word such as on means 8000; off or 0 stops it), "
       "with "
       "speexdsp's preprocessor. Reading gives the level (%.1f).",
       {{"channeldirection", "rx or tx (any case)"}},
       {"DENOISE", "VOLUME"}},
      [](const FunctionCall& c) { return speex_read(c, true); },
      [](const FunctionCall& c, std::string_view v) { return speex_write(c, v, true); });
  add_function(
      engine, "TALK_DETECT",
      {"Raises notifications when Asterisk detects silence or talking on a channel.",
       "TALK_DETECT(action)",
       "Set(TALK_DETECT(set)=[dsp_silence_threshold[,dsp_talking_threshold]]) raises the AMI event "
       "ChannelTalkingStart when the audio received from the channel reaches dsp_talking_threshold "
       "(mean "
       "magnitude per sample, 1-32768, default 256) and ChannelTalkingStop, with Duration (ms, the "
       "trailing silence excluded), after dsp_silence_threshold ms (1-2^31, default 2500) below "
       "it. "
       "Calling set again changes the parameters; Set(TALK_DETECT(remove)=) stops it. Hooks run in "
       "the "
       "order they were set, so set DENOISE(rx) first to detect on denoised audio. Write-only.",
       {{"action", "set or remove (any case)"}},
       {"DENOISE"}},
      {}, talk_detect_write);
  add_function(engine, "MUTEAUDIO",
               {"Muting audio streams in the channel",
                "MUTEAUDIO(direction)",
                "Set(MUTEAUDIO(in)=on) replaces the audio received from the channel (in, to the "
                "PBX), sent to it "
                "(out, from the PBX) or both (all) with silence of the same length, so recorders "
                "and mixers keep "
                "their timing; off ends it. DTMF still passes. The same state as the AMI MuteAudio "
                "action. Reading "
                "(an addition to Asterisk) gives 1 or 0.",
                {{"direction", "in, out or all (any case)"}},
                {"VOLUME"}},
               muteaudio_read, muteaudio_write);
  register_jitterbuffer_function(engine);
}

}  // namespace telephony::funcs
