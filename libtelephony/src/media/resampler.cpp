#include "telephony/media/resampler.hpp"

#include <speex/speex_resampler.h>

#include <string>
#include <utility>

namespace telephony::media {

Result<Resampler> Resampler::create(std::uint32_t in_rate, std::uint32_t out_rate, int quality) {
  if (in_rate == 0 || out_rate == 0 || in_rate > 192000 || out_rate > 192000)
    return fail("unsupported resampling " + std::to_string(in_rate) + " -> " +
                    std::to_string(out_rate),
                "resampler");
  int err = 0;
  SpeexResamplerState* st = speex_resampler_init(1, in_rate, out_rate, quality, &err);
  if (st == nullptr || err != RESAMPLER_ERR_SUCCESS)
    return fail(std::string("speex_resampler_init: ") + speex_resampler_strerror(err),
                "resampler");
  return Resampler(st, in_rate, out_rate);
}

Resampler::Resampler(Resampler&& o) noexcept
    : st_(std::exchange(o.st_, nullptr)), in_rate_(o.in_rate_), out_rate_(o.out_rate_) {}
Resampler& Resampler::operator=(Resampler&& o) noexcept {
  if (this != &o) {
    if (st_) speex_resampler_destroy(st_);
    st_ = std::exchange(o.st_, nullptr);
    in_rate_ = o.in_rate_;
    out_rate_ = o.out_rate_;
  }
  return *this;
}
Resampler::~Resampler() {
  if (st_) speex_resampler_destroy(st_);
}

std::size_t Resampler::process(std::span<const std::int16_t> in, std::span<std::int16_t> out) {
  spx_uint32_t in_len = static_cast<spx_uint32_t>(in.size());
  spx_uint32_t out_len = static_cast<spx_uint32_t>(out.size());
  speex_resampler_process_int(st_, 0, in.data(), &in_len, out.data(), &out_len);
  return out_len;
}

void Resampler::reset() { speex_resampler_reset_mem(st_); }

}  // namespace telephony::media
