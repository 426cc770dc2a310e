// The console's voice processing: speexdsp's acoustic echo canceller (the loudspeaker's sound
// picked up again by the microphone, taken out using what was played as the reference) and its
// noise suppressor, each switchable at run time. Works on fixed frames of mono slin (20 ms at the
// console's processing rate). Both states are allocated at creation; processing allocates nothing.
#pragma once

#include <cstdint>
#include <span>

#include "telephony/result.hpp"

struct SpeexEchoState_;
struct SpeexPreprocessState_;

namespace telephony::console {

class ConsoleDsp {
 public:
  // `tail_ms`: the longest echo path the canceller models (room + device latency).
  static Result<ConsoleDsp> create(unsigned rate, unsigned frame_samples, int tail_ms);
  ConsoleDsp(ConsoleDsp&&) noexcept;
  ConsoleDsp& operator=(ConsoleDsp&&) noexcept;
  ~ConsoleDsp();

  void set_echo_cancel(bool on);
  void set_noise_suppress(bool on);
  bool echo_cancel() const { return echo_; }
  bool noise_suppress() const { return denoise_; }
  unsigned frame_samples() const { return frame_; }

  // What goes to the loudspeaker, one frame, in playing order (the echo reference).
  void played(std::span<const std::int16_t> frame);
  // What the microphone captured, one frame, processed in place. Its reference is the oldest
  // played frame not yet used (silence when none is waiting): an echo delayed by anything from
  // zero to the tail length is modelled. speexdsp's own playback/capture pairing assumes two
  // frames of sound-card delay and drops the first played frame, so a shorter echo path (a
  // headset, a USB phone, a loop in a test) would be non-causal for it and never cancelled.
  void captured(std::span<std::int16_t> frame);

 private:
  ConsoleDsp(SpeexEchoState_* e, SpeexPreprocessState_* p, unsigned frame) : ec_(e), pp_(p), frame_(frame) {}
  SpeexEchoState_* ec_ = nullptr;
  SpeexPreprocessState_* pp_ = nullptr;
  unsigned frame_ = 320;
  bool echo_ = false;
  bool denoise_ = false;
  std::int16_t scratch_[960] = {};
  // Played frames waiting for their capture: a ring of kQueued frames. Its depth settles at the
  // playback side's lead (the ALSA buffer is four 20 ms periods), which is what lines the
  // reference up with the echo; 16 leaves room for jitter. More pending means the capture side
  // stalled; the oldest is then dropped, as an xrun would.
  static constexpr unsigned kQueued = 16;
  std::int16_t reference_[kQueued][960] = {};
  unsigned ref_head_ = 0, ref_count_ = 0;
};

}  // namespace telephony::console
