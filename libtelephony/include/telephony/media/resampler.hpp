// Resampler: converts mono slin between sample rates (8, 16, 48 kHz and any other pair).
//
// Wraps the speexdsp resampler. Quality 3 ("VoIP" in speexdsp's scale) is the default: it keeps
// the passband flat to ~3.4 kHz for narrowband telephony and costs a few µs per 20 ms frame, where
// quality 10 costs ~10x more for stopband attenuation no telephone line can carry (docs/media.md).
// The filter keeps history between calls, so one Resampler belongs to one stream. Allocates only
// at construction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "telephony/result.hpp"

struct SpeexResamplerState_;

namespace telephony::media {

class Resampler {
 public:
  static constexpr int kTelephonyQuality = 3;

  static Result<Resampler> create(std::uint32_t in_rate, std::uint32_t out_rate,
                                  int quality = kTelephonyQuality);
  Resampler(Resampler&&) noexcept;
  Resampler& operator=(Resampler&&) noexcept;
  ~Resampler();

  std::uint32_t in_rate() const { return in_rate_; }
  std::uint32_t out_rate() const { return out_rate_; }
  // Output samples produced for `in_samples` input samples (exact for the 8/16/48 kHz ratios).
  std::size_t output_size(std::size_t in_samples) const {
    return in_samples * out_rate_ / in_rate_;
  }
  // Converts all of `in`; `out` should have room for output_size(in.size()) (+1 for odd ratios).
  // Returns the number of samples written.
  std::size_t process(std::span<const std::int16_t> in, std::span<std::int16_t> out);
  // Forget history (a new stream, e.g. after a format change).
  void reset();

 private:
  Resampler(SpeexResamplerState_* st, std::uint32_t in, std::uint32_t out)
      : st_(st), in_rate_(in), out_rate_(out) {}
  SpeexResamplerState_* st_ = nullptr;
  std::uint32_t in_rate_ = 8000;
  std::uint32_t out_rate_ = 8000;
};

}  // namespace telephony::media
