// Call progress detection on an FXO line: what the exchange plays back after we dialed — dial
// tone, ringback, busy, congestion — and when a person (or a machine) answers.
//
// The tones and their cadences come from the line's tone zone (indications.conf `dial`, `ring`,
// `busy`, `congestion`), so a German line (425 Hz for everything, told apart by cadence) is read
// as correctly as a North American one (350+440 / 440+480 / 480+620). Each 20 ms block is
// classified as silence, one of the zone's tone sets (Goertzel power of the set's frequencies ≥
// 60 % of the block's energy, each frequency of a pair ≥ 15 %) or voice; runs of blocks then
// decide: dial tone = its set continuously ≥ 300 ms; ringback = an on-run of the ring set ≥ 3/4
// of the cadence's on-time; busy/congestion = `busycount` on/off cycles within ±25 % (or ±40 ms)
// of the cadence (chan_dahdi's busypattern overrides the busy cadence); answer = voice in 5 of 8
// consecutive blocks. No allocation after construction.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "telephony/media/indications.hpp"
#include "telephony/result.hpp"

namespace telephony::tdm {

struct ProgressTone {
  double f1 = 0, f2 = 0;     // f2 = 0: a single frequency
  std::vector<int> cadence;  // ms on, off, ... ; empty or one entry: continuous
};

struct CallProgressTones {
  ProgressTone dial, ring, busy, congestion;
  static Result<CallProgressTones> from_zone(const media::ToneZoneData& zone);
};

enum class ProgressEvent : std::uint8_t { None, DialTone, Ringing, Busy, Congestion, Answer };
std::string_view to_string(ProgressEvent e);

class CallProgressDetector {
 public:
  static constexpr std::size_t kBlock = 160;  // 20 ms at 8 kHz

  explicit CallProgressDetector(CallProgressTones tones, int busycount = 3, std::vector<int> busypattern = {});
  // 8 kHz slin of any length. Returns the first event completed in these samples; each event is
  // reported once per reset() (busy/congestion/answer end the detection).
  ProgressEvent process(std::span<const std::int16_t> samples);
  void reset();

 private:
  enum class Class : std::uint8_t { Silence, Dial, Ring, Busy, Congestion, Voice };
  Class classify() const;
  ProgressEvent on_block(Class c);
  ProgressEvent cadence_done(Class set, int on_ms, int off_ms);

  CallProgressTones tones_;
  int busycount_;
  std::vector<int> busy_cadence_;
  std::vector<std::int16_t> block_;
  std::size_t fill_ = 0;
  Class current_ = Class::Silence;  // the set of the current run
  int run_ms_ = 0;
  int last_on_ms_ = 0;              // previous on-run of a tone set (for on/off cycles)
  Class last_on_set_ = Class::Silence;
  int busy_cycles_ = 0, congestion_cycles_ = 0;
  int voice_window_ = 0;            // bit history of the last 8 blocks (1 = voice)
  bool dial_seen_ = false, ring_seen_ = false, done_ = false;
};

}  // namespace telephony::tdm
