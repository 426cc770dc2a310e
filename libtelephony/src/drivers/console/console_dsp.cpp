// speexdsp echo cancellation and noise suppression for the console (see console/console_dsp.hpp).
#include "telephony/console/console_dsp.hpp"

#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>

#include <algorithm>
#include <utility>

namespace telephony::console {

Result<ConsoleDsp> ConsoleDsp::create(unsigned rate, unsigned frame_samples, int tail_ms) {
  if (frame_samples == 0 || frame_samples > 960) return fail("console DSP frame of " + std::to_string(frame_samples) + " samples");
  const int tail = static_cast<int>(rate) * tail_ms / 1000;
  auto* ec = speex_echo_state_init(static_cast<int>(frame_samples), tail);
  if (!ec) return fail("speexdsp: cannot create the echo canceller");
  int r = static_cast<int>(rate);
  speex_echo_ctl(ec, SPEEX_ECHO_SET_SAMPLING_RATE, &r);
  auto* pp = speex_preprocess_state_init(static_cast<int>(frame_samples), r);
  if (!pp) {
    speex_echo_state_destroy(ec);
    return fail("speexdsp: cannot create the preprocessor");
  }
  int off = 0;
  speex_preprocess_ctl(pp, SPEEX_PREPROCESS_SET_DENOISE, &off);
  speex_preprocess_ctl(pp, SPEEX_PREPROCESS_SET_AGC, &off);
  return ConsoleDsp(ec, pp, frame_samples);
}

ConsoleDsp::ConsoleDsp(ConsoleDsp&& o) noexcept
    : ec_(std::exchange(o.ec_, nullptr)), pp_(std::exchange(o.pp_, nullptr)), frame_(o.frame_), echo_(o.echo_),
      denoise_(o.denoise_), ref_head_(o.ref_head_), ref_count_(o.ref_count_) {
  std::copy_n(&o.reference_[0][0], kQueued * 960, &reference_[0][0]);
}

ConsoleDsp& ConsoleDsp::operator=(ConsoleDsp&& o) noexcept {
  if (this != &o) {
    this->~ConsoleDsp();
    new (this) ConsoleDsp(std::move(o));
  }
  return *this;
}

ConsoleDsp::~ConsoleDsp() {
  if (pp_) speex_preprocess_state_destroy(pp_);
  if (ec_) speex_echo_state_destroy(ec_);
}

void ConsoleDsp::set_echo_cancel(bool on) {
  echo_ = on;
  // With the canceller on, the preprocessor also removes what it leaves of the echo.
  speex_preprocess_ctl(pp_, SPEEX_PREPROCESS_SET_ECHO_STATE, on ? ec_ : nullptr);
  if (on) speex_echo_state_reset(ec_);
  ref_head_ = ref_count_ = 0;
}

void ConsoleDsp::set_noise_suppress(bool on) {
  denoise_ = on;
  int v = on ? 1 : 0;
  speex_preprocess_ctl(pp_, SPEEX_PREPROCESS_SET_DENOISE, &v);
}

void ConsoleDsp::played(std::span<const std::int16_t> frame) {
  if (!echo_ || frame.size() != frame_) return;
  if (ref_count_ == kQueued) {
    ref_head_ = (ref_head_ + 1) % kQueued;
    --ref_count_;
  }
  std::copy_n(frame.begin(), frame_, reference_[(ref_head_ + ref_count_) % kQueued]);
  ++ref_count_;
}

void ConsoleDsp::captured(std::span<std::int16_t> frame) {
  if (frame.size() != frame_) return;
  if (echo_) {
    static constexpr std::int16_t kSilence[960] = {};
    const std::int16_t* ref = kSilence;
    if (ref_count_ > 0) {
      ref = reference_[ref_head_];
      ref_head_ = (ref_head_ + 1) % kQueued;
      --ref_count_;
    }
    speex_echo_cancellation(ec_, frame.data(), ref, scratch_);
    std::copy_n(scratch_, frame_, frame.begin());
  }
  if (denoise_ || echo_) speex_preprocess_run(pp_, frame.data());
}

}  // namespace telephony::console
