// Tone detection on inbound audio: one frequency held for a duration (WaitForTone, modem and fax
// answer tones) and call-progress classification (ToneScan: ringback, busy, dial tone, SIT, UK
// number-unobtainable, voice), with the rules of Asterisk's dsp so thresholds mean the same.
//
// SingleToneDetector works in blocks of about 20 ms holding a whole number of periods (at least 5)
// of the frequency. A block "hits" when the tone is at least as loud as a sine of amplitude 78
// (-52 dBFS) and is `db` decibels above everything else in the block (power ratio
// tone/(total - tone) >= 10^(db/10)). Counting starts with two hits in a row; the tone is detected
// once it has lasted 90 % of `duration` (rounded down to whole blocks, minus one partial block),
// and reported once; two misses in a row end it, and the next occurrence counts again.
//
// CallProgressDetector classifies blocks of a zone's size (North America 183 samples at 8 kHz,
// UK 160, Costa Rica/Brazil 188) with the zone's frequencies: a pair (busy 480+620, ringback
// 440+480, dial 350+440) is there when both tones are strong, each at least ten times the other
// candidate tones, and together they carry at least 3/4 of the block's power; SIT is the
// 950 -> 1400 -> 1800 Hz sequence; voice is power without any of these. state()/count() say what
// the last block was and how many blocks in a row were that. Both detectors allocate once at
// construction and never while processing.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace telephony::media {

class SingleToneDetector {
 public:
  SingleToneDetector(double freq_hz, int duration_ms, int db = 16, std::uint32_t rate = 8000);
  // Feeds samples; returns how many detections completed in them (normally 0 or 1).
  int process(std::span<const std::int16_t> samples);
  int hits_required() const { return hits_required_; }
  std::size_t block_size() const { return block_.size(); }

 private:
  void block_done();
  double freq_;
  std::uint32_t rate_;
  double ratio_;  // tone power must exceed total * ratio
  int hits_required_ = 1;
  std::vector<std::int16_t> block_;
  std::size_t fill_ = 0;
  int hit_count_ = 0;
  bool last_hit_ = false;
  int detections_ = 0;
};

enum class ProgressTone { Silence, Ringing, DialTone, Talking, Busy, Special1, Special2, Sit, NumberUnobtainable };
std::string_view to_string(ProgressTone t);

class CallProgressDetector {
 public:
  // Zones: "us", "ca" (North America), "uk", "cr", "br". Unknown: nullopt.
  static std::optional<CallProgressDetector> for_zone(std::string_view zone, std::uint32_t rate = 8000);
  // Feeds samples; true when at least one block completed.
  bool process(std::span<const std::int16_t> samples);
  ProgressTone state() const { return state_; }
  int count() const { return count_; }
  // Milliseconds per block.
  double block_ms() const { return 1000.0 * static_cast<double>(block_.size()) / rate_; }

 private:
  enum class Mode { NorthAmerica, CostaRica, Uk };
  CallProgressDetector(Mode m, std::uint32_t rate);
  void classify();
  Mode mode_;
  std::uint32_t rate_;
  std::vector<double> freqs_;
  std::vector<std::int16_t> block_;
  std::size_t fill_ = 0;
  ProgressTone state_ = ProgressTone::Silence;
  int count_ = 0;
};

}  // namespace telephony::media
