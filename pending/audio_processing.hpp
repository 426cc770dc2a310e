// Audio processing for the channel-audio functions (internal): VOLUME, PITCH_SHIFT, DENOISE/AGC,
// TALK_DETECT and JITTERBUFFER all hook a channel's voice (telephony/audiohook.hpp) the same
// way. SlinHook turns whatever codec a frame carries into signed linear at the frame's rate,
// lets a subclass look at or change the samples, and puts changed audio back into the frame (the
// channel's write path encodes it again for the device; readers take slin as any format).
// Decoders are kept per direction and rebuilt only when the frame format changes; buffers are
// reused, so steady state allocates only the new frame's payload.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "telephony/audiohook.hpp"
#include "telephony/media/translator.hpp"

struct SpeexPreprocessState_;

namespace telephony::funcs {

// A voice frame's audio as signed linear at the frame's rate, whatever its codec. The decoder
// is rebuilt only when the format changes; the sample buffer is reused.
class SlinDecoder {
 public:
  // False when the frame is not audio this engine can decode.
  bool decode(const Frame& f);
  std::vector<std::int16_t>& pcm() { return pcm_; }
  std::uint32_t rate() const { return rate_; }

 private:
  std::optional<media::TranslatorPath> path_;
  std::vector<std::int16_t> pcm_;
  std::uint32_t rate_ = 8000;
};

// A signed-linear voice frame of `pcm` at `rate`.
Frame slin_frame(std::span<const std::int16_t> pcm, std::uint32_t rate);

// `pcm` at `from` Hz appended to `out` at `to` Hz (linear interpolation; enough for monitoring).
void append_resampled(std::span<const std::int16_t> pcm, std::uint32_t from, std::uint32_t to,
                      std::vector<std::int16_t>& out);

class SlinHook : public AudioHook {
 public:
  void on_frame(Channel& chan, Direction dir, Frame& f) final;

 protected:
  // The frame's audio as slin at `rate`; change it in place and return true to replace the frame.
  virtual bool process(Channel& chan, Direction dir, std::span<std::int16_t> pcm, std::uint32_t rate) = 0;

 private:
  std::array<SlinDecoder, 2> sides_;
};

// Gain as VOLUME() sets it: g > 0 multiplies, g < 0 divides by -g, 0 leaves the audio alone;
// results saturate at the 16-bit limits.
void apply_gain(std::span<std::int16_t> pcm, double gain);

// A delay-line pitch shifter: two read taps half a window apart move through the recent samples
// at `ratio` times real time, each faded in and out (sin^2) where it wraps, so every frequency is
// scaled by `ratio` while the duration stays the same. Ratios 0.1 .. 4.
class PitchShifter {
 public:
  void process(std::span<std::int16_t> pcm, std::uint32_t rate, double ratio);

 private:
  std::vector<float> ring_;
  std::size_t write_ = 0;
  double delay_ = 0;  // of the first tap, in samples, in [0, window)
  std::uint32_t rate_ = 0;
};

// speexdsp's preprocessor (noise suppression, automatic gain control) on fixed-size frames; the
// state is rebuilt when the frame size or rate changes, as Asterisk's func_speex does.
class SpeexPreprocessor {
 public:
  SpeexPreprocessor() = default;
  SpeexPreprocessor(const SpeexPreprocessor&) = delete;
  SpeexPreprocessor& operator=(const SpeexPreprocessor&) = delete;
  ~SpeexPreprocessor();
  // agc_level 0: AGC off.
  void process(std::span<std::int16_t> pcm, std::uint32_t rate, bool denoise, float agc_level);

 private:
  SpeexPreprocessState_* state_ = nullptr;
  std::size_t samples_ = 0;
  std::uint32_t rate_ = 0;
  bool denoise_ = false;
  float agc_ = 0;
};

// Mean absolute sample value (Asterisk's DSP measure for "is this frame silence").
double mean_magnitude(std::span<const std::int16_t> pcm);

}  // namespace telephony::funcs
