// Voice activity by energy: the silence/noise rule the audio-analysis applications share (AMD,
// WaitForSilence, WaitForNoise, BackgroundDetect, RECORD FILE's s=), with Asterisk's dsp
// semantics so thresholds from amd.conf and dsp.conf mean the same here.
//
// A block of samples is silent when its mean absolute amplitude is below the threshold (0..32767,
// default 256, dsp.conf's silencethreshold). The detector keeps how long the current run of
// silence (or of noise) has lasted, in milliseconds of audio fed — not wall-clock time: a channel
// that sends no frames accumulates nothing, which is why callers that care about wall-clock time
// also count it themselves. Pure; no allocation.
#pragma once

#include <cstdint>
#include <span>

namespace telephony::media {

inline constexpr int kDefaultSilenceThreshold = 256;

class SilenceDetector {
 public:
  explicit SilenceDetector(int threshold = kDefaultSilenceThreshold) : threshold_(threshold) {}
  void set_threshold(int t) { threshold_ = t; }
  int threshold() const { return threshold_; }

  // Feeds one block (a frame); true when it is silent. `rate` converts its length to ms.
  bool process(std::span<const std::int16_t> samples, std::uint32_t rate);
  // Length of the current silent run (0 while there is noise) and noisy run (0 while silent).
  int silence_ms() const { return silence_ms_; }
  int noise_ms() const { return noise_ms_; }
  void reset() { silence_ms_ = noise_ms_ = 0; }

 private:
  int threshold_;
  int silence_ms_ = 0;
  int noise_ms_ = 0;
};

}  // namespace telephony::media
