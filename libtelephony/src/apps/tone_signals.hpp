// In-band trunk signalling for SendMF/ReceiveMF, SendSF/ReceiveSF and Morsecode (internal):
// tonelists (media/tone.hpp syntax) that play a digit string once, and detectors fed with
// 8 kHz signed-linear audio. Pure: no channel, no allocation per sample block in steady state.
//
// MF (Bell R1): each digit is two of 700, 900, 1100, 1300, 1500, 1700 Hz; KP '*', ST '#', STP
// 'A', ST2P 'B', ST3P 'C'. SF: a digit is N pulses of one frequency (default 2600 Hz; 67 ms on,
// 33 ms off; 10 pulses for 0), 600 ms between digits.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/result.hpp"

namespace telephony::dialplan::signals {

struct MfTiming {
  int between_ms = 50;   // silence after each digit
  int digit_ms = 55;
  int kp_ms = 120;
  int st_ms = 65;        // ST, STP, ST2P, ST3P
};

// The tonelist that plays `digits` once (w = 500 ms pause, h/H = 250 ms of 2600 Hz), and its
// total length. Characters that are not MF (or SF) are reported in `skipped`; callers handle
// f/F (flash) and W (wink) themselves, between sequences.
struct ToneSequence {
  std::string tonelist;
  std::chrono::milliseconds length{0};
  std::string skipped;
};
ToneSequence mf_sequence(std::string_view digits, const MfTiming& t);
ToneSequence sf_sequence(std::string_view digits, int frequency);

// Morse code: AMERICAN or INTERNATIONAL; dit length, tone and the "space" tone (0: silence).
ToneSequence morse_sequence(std::string_view text, bool american, int dit_ms, int tone_hz, int space_hz);

// MF detection on 10 ms blocks: a digit is reported once, when the same tone pair has been
// present for two blocks in a row; it must then go away before it can be reported again.
class MfDetector {
 public:
  // Digits completed by these samples (8 kHz).
  std::string feed(std::span<const std::int16_t> pcm);

 private:
  char classify(std::span<const std::int16_t> block) const;
  std::vector<std::int16_t> pending_;
  char last_ = 0;
  int run_ = 0;
  bool reported_ = false;
};

// SF pulse detection on 10 ms blocks: counts tone bursts of `frequency`.
class SfDetector {
 public:
  explicit SfDetector(double frequency = 2600) : freq_(frequency) {}
  // Pulses completed by these samples (a burst of at least 30 ms followed by silence).
  int feed(std::span<const std::int16_t> pcm);

 private:
  bool tone_in(std::span<const std::int16_t> block) const;
  double freq_;
  std::vector<std::int16_t> pending_;
  int on_blocks_ = 0;
};

}  // namespace telephony::dialplan::signals
