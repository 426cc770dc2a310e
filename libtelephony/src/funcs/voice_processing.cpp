#include "funcs/voice_processing.hpp"

#include <speex/speex_preprocess.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <numbers>

#include "telephony/channel.hpp"

namespace telephony::funcs {

bool SlinSide::decode(const Frame& f) {
  if (f.kind != FrameKind::Voice || !f.format.is_audio() || f.format.rate == 0) return false;
  rate_ = f.format.rate;
  std::span<const std::uint8_t> bytes = f.data();
  const auto slin = media::Format::slin(rate_);
  if (f.format != slin) {
    if (!path_ || path_->from() != f.format || path_->to() != slin) {
      auto p = media::TranslationGraph::shared().build_path(f.format, slin);
      if (!p) return false;
      path_.emplace(std::move(*p));
    }
    auto out = path_->convert(f.format, bytes);
    if (!out || out->empty()) return false;
    bytes = *out;
  }
  auto in = media::slin_samples(bytes);
  if (in.empty()) return false;
  if (pcm_.size() < in.size()) pcm_.resize(in.size());  // grows to the largest frame, once
  std::copy(in.begin(), in.end(), pcm_.begin());
  samples_ = in.size();
  return true;
}

std::shared_ptr<std::vector<std::uint8_t>> SlinSide::free_buffer() {
  for (std::size_t tries = 0; tries < buffers_.size(); ++tries) {
    auto& b = buffers_[next_];
    next_ = (next_ + 1) % buffers_.size();
    // Only this ring holds it: the frame that carried it is gone, so it may be rewritten.
    if (!b || b.use_count() == 1) {
      if (!b) b = std::make_shared<std::vector<std::uint8_t>>();
      // use_count() is a relaxed read: pair it with the releasing thread's decrement so its last
      // reads of the samples happen before we overwrite them.
      std::atomic_thread_fence(std::memory_order_acquire);
      return b;
    }
  }
  // Every buffer is still out (a reader fell behind): take a fresh one in the oldest slot.
  auto& b = buffers_[next_];
  b = std::make_shared<std::vector<std::uint8_t>>();
  next_ = (next_ + 1) % buffers_.size();
  return b;
}

void SlinSide::replace(Frame& f) {
  auto buf = free_buffer();
  const std::size_t bytes = samples_ * sizeof(std::int16_t);
  buf->resize(bytes);  // capacity stays: no allocation once every buffer has seen a frame
  std::memcpy(buf->data(), pcm_.data(), bytes);
  f.format = media::Format::slin(rate_);
  f.samples = static_cast<std::uint32_t>(samples_);
  f.payload = std::move(buf);
}

void SlinHook::on_frame(Channel& chan, Direction dir, Frame& f) {
  if (f.kind != FrameKind::Voice || !wants(dir)) return;
  auto& side = sides_[dir == Direction::Read ? 0 : 1];
  if (!side.decode(f)) return;  // nothing we can read: leave the frame as it is
  if (process(chan, dir, side.pcm(), side.rate())) side.replace(f);
}

void apply_gain(std::span<std::int16_t> pcm, float gain) {
  if (gain == 0) return;
  const float factor = gain > 0 ? gain : 1.0f / -gain;
  for (auto& s : pcm)
    s = static_cast<std::int16_t>(
        std::clamp(std::lround(static_cast<float>(s) * factor), -32768L, 32767L));
}

void PitchShifter::process(std::span<std::int16_t> pcm, std::uint32_t rate, float ratio) {
  // A 40 ms window: long enough for speech pitch periods, short enough not to be heard as echo.
  const std::size_t window = std::max<std::size_t>(64, rate / 25);
  if (rate != rate_ || ring_.size() != 2 * window) {
    ring_.assign(2 * window, 0.0f);
    write_ = 0;
    delay_ = 0;
    rate_ = rate;
  }
  const double w = static_cast<double>(window);
  const double size = static_cast<double>(ring_.size());
  const double step = 1.0 - ratio;  // change of delay per sample
  auto tap = [&](double delay) {
    double pos = static_cast<double>(write_) - delay;
    if (pos < 0) pos += size;
    const auto i = static_cast<std::size_t>(pos);
    const double frac = pos - static_cast<double>(i);
    const float a = ring_[i % ring_.size()], b = ring_[(i + 1) % ring_.size()];
    return a + (b - a) * frac;
  };
  for (auto& s : pcm) {
    ring_[write_] = s;
    const double d1 = delay_;
    const double d2 = d1 + w / 2 >= w ? d1 - w / 2 : d1 + w / 2;
    const double s1 = std::sin(std::numbers::pi * d1 / w);
    const double s2 = std::sin(std::numbers::pi * d2 / w);
    const double y = s1 * s1 * tap(d1) + s2 * s2 * tap(d2);  // sin^2 + cos^2: constant level
    s = static_cast<std::int16_t>(std::clamp(std::lround(y), -32768L, 32767L));
    write_ = (write_ + 1) % ring_.size();
    delay_ += step;
    if (delay_ < 0) delay_ += w;
    if (delay_ >= w) delay_ -= w;
  }
}

SpeexPreprocessor::~SpeexPreprocessor() {
  if (state_) speex_preprocess_state_destroy(state_);
}

void SpeexPreprocessor::process(std::span<std::int16_t> pcm, std::uint32_t rate, bool denoise,
                                float agc_level) {
  if (!state_ || samples_ != pcm.size() || rate_ != rate) {
    if (state_) speex_preprocess_state_destroy(state_);
    state_ = speex_preprocess_state_init(static_cast<int>(pcm.size()), static_cast<int>(rate));
    samples_ = pcm.size();
    rate_ = rate;
    // The new state starts with speexdsp's defaults (denoise on, AGC off): set both below.
    denoise_ = !denoise;
    agc_ = -1;
  }
  if (!state_) return;
  if (denoise != denoise_) {
    int on = denoise ? 1 : 0;
    speex_preprocess_ctl(state_, SPEEX_PREPROCESS_SET_DENOISE, &on);
    denoise_ = denoise;
  }
  if (agc_level != agc_) {
    int on = agc_level > 0 ? 1 : 0;
    speex_preprocess_ctl(state_, SPEEX_PREPROCESS_SET_AGC, &on);
    if (on) {
      float level = agc_level;
      speex_preprocess_ctl(state_, SPEEX_PREPROCESS_SET_AGC_LEVEL, &level);
    }
    agc_ = agc_level;
  }
  speex_preprocess_run(state_, pcm.data());
}

double mean_magnitude(std::span<const std::int16_t> pcm) {
  if (pcm.empty()) return 0;
  long sum = 0;
  for (auto s : pcm) sum += std::abs(static_cast<int>(s));
  return static_cast<double>(sum) / static_cast<double>(pcm.size());
}

}  // namespace telephony::funcs
