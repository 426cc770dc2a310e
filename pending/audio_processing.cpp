#include "funcs/audio_processing.hpp"

#include <speex/speex_preprocess.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numbers>

#include "telephony/channel.hpp"

namespace telephony::funcs {

bool SlinDecoder::decode(const Frame& f) {
  if (f.kind != FrameKind::Voice || !f.format.is_audio()) return false;
  rate_ = f.format.rate;
  std::span<const std::uint8_t> bytes = f.data();
  if (f.format != media::Format::slin(rate_)) {
    if (!path_ || path_->from() != f.format) {
      auto p = media::TranslationGraph::shared().build_path(f.format, media::Format::slin(rate_));
      if (!p) return false;
      path_.emplace(std::move(*p));
    }
    auto out = path_->convert(f.format, bytes);
    if (!out || out->empty()) return false;
    bytes = *out;
  }
  auto in = media::slin_samples(bytes);
  pcm_.assign(in.begin(), in.end());
  return true;
}

Frame slin_frame(std::span<const std::int16_t> pcm, std::uint32_t rate) {
  auto out = media::slin_bytes(pcm);
  return Frame::voice(media::Format::slin(rate), std::vector<std::uint8_t>(out.begin(), out.end()),
                      static_cast<std::uint32_t>(pcm.size()));
}

void append_resampled(std::span<const std::int16_t> pcm, std::uint32_t from, std::uint32_t to,
                      std::vector<std::int16_t>& out) {
  if (from == to || from == 0 || to == 0) {
    out.insert(out.end(), pcm.begin(), pcm.end());
    return;
  }
  const std::size_t n = pcm.size() * to / from;
  for (std::size_t i = 0; i < n; ++i) {
    const double pos = static_cast<double>(i) * from / to;
    const auto k = static_cast<std::size_t>(pos);
    const double frac = pos - static_cast<double>(k);
    const double a = pcm[std::min(k, pcm.size() - 1)], b = pcm[std::min(k + 1, pcm.size() - 1)];
    out.push_back(static_cast<std::int16_t>(std::lround(a + (b - a) * frac)));
  }
}

void SlinHook::on_frame(Channel& chan, Direction dir, Frame& f) {
  auto& side = sides_[dir == Direction::Read ? 0 : 1];
  if (!side.decode(f)) return;  // nothing we can read: leave the frame as it is
  if (!process(chan, dir, side.pcm(), side.rate())) return;
  f = slin_frame(side.pcm(), side.rate());
}

void apply_gain(std::span<std::int16_t> pcm, double gain) {
  if (gain == 0) return;
  const double factor = gain > 0 ? gain : 1.0 / -gain;
  for (auto& s : pcm) s = static_cast<std::int16_t>(std::clamp(std::lround(s * factor), -32768L, 32767L));
}

void PitchShifter::process(std::span<std::int16_t> pcm, std::uint32_t rate, double ratio) {
  // A 40 ms window: long enough for speech pitch periods, short enough not to echo.
  const std::size_t window = std::max<std::size_t>(64, rate / 25);
  if (rate != rate_ || ring_.size() != 2 * window) {
    ring_.assign(2 * window, 0.0f);
    write_ = 0;
    delay_ = 0;
    rate_ = rate;
  }
  const double w = static_cast<double>(window);
  const double step = 1.0 - ratio;  // change of delay per sample
  auto tap = [&](double delay) {
    double pos = static_cast<double>(write_) - delay;
    while (pos < 0) pos += static_cast<double>(ring_.size());
    const auto i = static_cast<std::size_t>(pos);
    const double frac = pos - static_cast<double>(i);
    const float a = ring_[i % ring_.size()], b = ring_[(i + 1) % ring_.size()];
    return a + (b - a) * frac;
  };
  for (auto& s : pcm) {
    ring_[write_] = s;
    const double d1 = delay_;
    const double d2 = std::fmod(delay_ + w / 2, w);
    const double g1 = std::pow(std::sin(std::numbers::pi * d1 / w), 2);
    const double g2 = std::pow(std::sin(std::numbers::pi * d2 / w), 2);
    const double y = g1 * tap(d1) + g2 * tap(d2);
    s = static_cast<std::int16_t>(std::clamp(std::lround(y), -32768L, 32767L));
    write_ = (write_ + 1) % ring_.size();
    delay_ += step;
    while (delay_ < 0) delay_ += w;
    while (delay_ >= w) delay_ -= w;
  }
}

SpeexPreprocessor::~SpeexPreprocessor() {
  if (state_) speex_preprocess_state_destroy(state_);
}

void SpeexPreprocessor::process(std::span<std::int16_t> pcm, std::uint32_t rate, bool denoise, float agc_level) {
  if (!state_ || samples_ != pcm.size() || rate_ != rate) {
    if (state_) speex_preprocess_state_destroy(state_);
    state_ = speex_preprocess_state_init(static_cast<int>(pcm.size()), static_cast<int>(rate));
    samples_ = pcm.size();
    rate_ = rate;
    denoise_ = !denoise;  // force the settings below
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
  double sum = 0;
  for (auto s : pcm) sum += std::abs(static_cast<int>(s));
  return sum / static_cast<double>(pcm.size());
}

}  // namespace telephony::funcs
