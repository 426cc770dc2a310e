// Voice processing for the channel-audio functions (internal): VOLUME, PITCH_SHIFT, DENOISE/AGC
// and TALK_DETECT all hook a channel's voice (telephony/audiohook.hpp) the same way. SlinHook
// turns whatever codec a frame carries into signed linear at the frame's rate, lets a subclass
// look at or change the samples, and puts changed audio back into the frame (the channel's write
// path encodes it again for the device; readers and bridges take slin as any format).
//
// The per-frame path allocates nothing once warm: the decoder is rebuilt only when the frame
// format changes, the sample buffer is reused, and a changed frame's payload comes from a small
// ring of buffers that are reused as soon as nobody else holds them (use_count() == 1).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "telephony/audiohook.hpp"
#include "telephony/media/translator.hpp"

struct SpeexPreprocessState_;

namespace telephony::funcs {

// One direction of a hook: decoder, samples, and the payload buffers handed out.
class SlinSide {
 public:
  // The frame's audio into pcm(); false when it is not audio this engine can decode.
  bool decode(const Frame& f);
  std::span<std::int16_t> pcm() { return {pcm_.data(), samples_}; }
  std::uint32_t rate() const { return rate_; }
  // Replaces `f` with pcm() as a slin frame at rate(), in a reused payload buffer.
  void replace(Frame& f);

 private:
  std::shared_ptr<std::vector<std::uint8_t>> free_buffer();

  std::optional<media::TranslatorPath> path_;
  std::vector<std::int16_t> pcm_;
  std::size_t samples_ = 0;
  std::uint32_t rate_ = 8000;
  // Frames sit in inboxes, bridges and translator queues for a few frame times; 8 covers that.
  std::array<std::shared_ptr<std::vector<std::uint8_t>>, 8> buffers_;
  std::size_t next_ = 0;
};

class SlinHook : public AudioHook {
 public:
  void on_frame(Channel& chan, Direction dir, Frame& f) final;

 protected:
  // The frame's audio as slin at `rate`; change it in place and return true to replace the frame.
  virtual bool process(Channel& chan, Direction dir, std::span<std::int16_t> pcm,
                       std::uint32_t rate) = 0;
  // Cheap test before decoding: false skips the frame (nothing enabled in that direction).
  virtual bool wants(Direction dir) const = 0;

 private:
  std::array<SlinSide, 2> sides_;
};

// Gain as VOLUME() sets it (Asterisk's ast_frame_adjust_volume_float): g > 0 multiplies, g < 0
// divides by -g, 0 leaves the audio alone; results saturate at the 16-bit limits.
void apply_gain(std::span<std::int16_t> pcm, float gain);

// A delay-line pitch shifter: two read taps half a window apart move through the recent samples
// at `ratio` times real time, each faded in and out (sin^2) where it wraps, so every frequency is
// scaled by `ratio` while the duration stays the same. Ratios 0.1 .. 4. The ring is sized once
// per rate.
class PitchShifter {
 public:
  void process(std::span<std::int16_t> pcm, std::uint32_t rate, float ratio);

 private:
  std::vector<float> ring_;
  std::size_t write_ = 0;
  double delay_ = 0;  // of the first tap, in samples, in [0, window)
  std::uint32_t rate_ = 0;
};

// speexdsp's preprocessor (noise suppression, automatic gain control) on whole frames; the
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
