#include "telephony/media/mixer.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace telephony::media {
namespace {
inline std::int16_t saturate(std::int32_t v) {
  return static_cast<std::int16_t>(std::clamp<std::int32_t>(v, -32768, 32767));
}
}  // namespace

Mixer::Mixer(MixerSettings s)
    : settings_(s),
      frame_(static_cast<std::size_t>(s.rate) / 50),
      ramp_step_(1.0f / std::max<float>(1.0f, static_cast<float>(s.rate) * s.ramp_ms / 1000.0f)),
      talk_threshold_power_(32767.0 * 32767.0 / 2.0 * std::pow(10.0, s.talk_threshold_dbfs / 10.0)),
      hangover_frames_(s.talk_hangover_ms / 20),
      mix_(frame_),
      listener_out_(frame_) {
  talk_events_.reserve(64);
}

ParticipantId Mixer::join(MixRole role) {
  std::size_t i = 0;
  while (i < slots_.size() && slots_[i].in_use) ++i;
  if (i == slots_.size()) slots_.emplace_back();
  Participant& p = slots_[i];
  p = Participant{};
  p.in_use = true;
  p.role = role;
  if (role == MixRole::Talker) {
    p.input.assign(frame_, 0);
    p.contrib.assign(frame_, 0);
    p.out.assign(frame_, 0);
  }
  ++live_count_;
  // Every participant can change talk state in one tick; tick() must not allocate.
  if (talk_events_.capacity() < slots_.size()) talk_events_.reserve(slots_.size() * 2);
  return static_cast<ParticipantId>(i);
}

void Mixer::leave(ParticipantId id) {
  if (id >= slots_.size() || !slots_[id].in_use || slots_[id].leaving) return;
  slots_[id].leaving = true;
}

void Mixer::set_muted(ParticipantId id, bool muted) {
  if (id < slots_.size()) slots_[id].muted = muted;
}

void Mixer::set_gain_db(ParticipantId id, double db) {
  if (id < slots_.size()) slots_[id].gain = static_cast<float>(std::pow(10.0, db / 20.0));
}

void Mixer::set_listen_gain_db(ParticipantId id, double db) {
  if (id < slots_.size()) slots_[id].listen_gain = static_cast<float>(std::pow(10.0, db / 20.0));
}

void Mixer::put_input(ParticipantId id, std::span<const std::int16_t> in) {
  if (id >= slots_.size() || !slots_[id].in_use || slots_[id].role != MixRole::Talker) return;
  Participant& p = slots_[id];
  const std::size_t n = std::min(in.size(), frame_);
  std::memcpy(p.input.data(), in.data(), n * sizeof(std::int16_t));
  if (n < frame_) std::memset(p.input.data() + n, 0, (frame_ - n) * sizeof(std::int16_t));
  p.has_input = true;
}

void Mixer::tick() {
  talk_events_.clear();
  std::fill(mix_.begin(), mix_.end(), 0);

  for (std::size_t id = 0; id < slots_.size(); ++id) {
    Participant& p = slots_[id];
    p.contributed = false;
    if (!p.in_use || p.role != MixRole::Talker) continue;

    // Talk detection looks at what the participant said, muted or not (ConfBridge reports
    // talking while muted so a moderator can see it).
    double energy = 0;
    if (p.has_input)
      for (std::int16_t s : p.input) energy += static_cast<double>(s) * s;
    const bool loud = p.has_input && energy / static_cast<double>(frame_) > talk_threshold_power_;
    if (loud) {
      p.quiet_frames = 0;
      if (!p.talking) {
        p.talking = true;
        talk_events_.push_back({static_cast<ParticipantId>(id), true});
      }
    } else if (p.talking && ++p.quiet_frames > hangover_frames_) {
      p.talking = false;
      talk_events_.push_back({static_cast<ParticipantId>(id), false});
    }

    const float target = (p.muted || p.leaving) ? 0.0f : 1.0f;
    if (!p.has_input) {
      if (target == 0.0f) p.level = 0.0f;  // silent anyway: nothing left to fade
      continue;
    }
    if (p.level == 0.0f && target == 0.0f) continue;
    const std::int16_t* in = p.input.data();
    std::int32_t* c = p.contrib.data();
    if (p.level == target) {
      const float g = p.gain * p.level;
      if (g == 1.0f) {
        for (std::size_t i = 0; i < frame_; ++i) c[i] = in[i];
      } else {
        for (std::size_t i = 0; i < frame_; ++i) c[i] = static_cast<std::int32_t>(in[i] * g);
      }
    } else {
      // Fade: move the level one ramp step per sample towards the target.
      float level = p.level;
      const float step = target > level ? ramp_step_ : -ramp_step_;
      for (std::size_t i = 0; i < frame_; ++i) {
        level = step > 0 ? std::min(target, level + step) : std::max(target, level + step);
        c[i] = static_cast<std::int32_t>(in[i] * p.gain * level);
      }
      p.level = level;
    }
    std::int32_t* m = mix_.data();
    for (std::size_t i = 0; i < frame_; ++i) m[i] += c[i];
    p.contributed = true;
  }

  for (std::size_t i = 0; i < frame_; ++i) listener_out_[i] = saturate(mix_[i]);

  for (std::size_t id = 0; id < slots_.size(); ++id) {
    Participant& p = slots_[id];
    if (!p.in_use || p.role != MixRole::Talker) continue;
    const std::int32_t* c = p.contributed ? p.contrib.data() : nullptr;
    if (p.listen_gain == 1.0f) {
      if (c) {
        for (std::size_t i = 0; i < frame_; ++i) p.out[i] = saturate(mix_[i] - c[i]);
      } else {
        std::memcpy(p.out.data(), listener_out_.data(), frame_ * sizeof(std::int16_t));
      }
    } else {
      const float g = p.listen_gain;
      for (std::size_t i = 0; i < frame_; ++i)
        p.out[i] = saturate(static_cast<std::int32_t>(static_cast<float>(mix_[i] - (c ? c[i] : 0)) * g));
    }
    p.has_input = false;
  }

  // Retire participants whose fade-out has finished (listeners leave at once: they add nothing).
  for (auto& p : slots_) {
    if (p.in_use && p.leaving && (p.role == MixRole::Listener || p.level == 0.0f || !p.contributed)) {
      p.in_use = false;
      --live_count_;
    }
  }
}

std::span<const std::int16_t> Mixer::output(ParticipantId id) const {
  if (id >= slots_.size() || !slots_[id].in_use) return {};
  const Participant& p = slots_[id];
  if (p.role == MixRole::Listener) return listener_out_;
  return p.out;
}

bool Mixer::hears_listener_mix(ParticipantId id) const {
  if (id >= slots_.size() || !slots_[id].in_use) return false;
  const Participant& p = slots_[id];
  return p.role == MixRole::Listener || (!p.contributed && p.listen_gain == 1.0f);
}

bool Mixer::talking(ParticipantId id) const { return id < slots_.size() && slots_[id].talking; }

}  // namespace telephony::media
