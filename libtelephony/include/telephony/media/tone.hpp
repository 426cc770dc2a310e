// Tones: indications.conf tone lists (dial, busy, ring, ...), their generator, the built-in
// country tables, and the milliwatt test tone.
//
// parse_tone_spec() accepts Asterisk's tonelist syntax: comma-separated parts, each
//   [!][M]f1[+|*[M]f2][/duration_ms]
// where `+` sums two tones, `*` amplitude-modulates f1 by f2, `M` reads a MIDI note number
// instead of Hz, f=0 is silence, a missing duration means "forever", and `!` marks a part that
// plays only once: after the last part the list loops back to the first part without `!` (or
// stops when every part had one). It rejects empty parts, non-numeric or out-of-range
// frequencies (> 20 kHz, MIDI > 127) and durations, naming the character offset. The parsed
// ToneSpec owns a small vector; generating audio never allocates.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/result.hpp"

namespace telephony::media {

struct TonePart {
  double freq1 = 0;
  double freq2 = 0;
  bool modulate = false;          // f1 * f2 instead of f1 + f2
  std::uint32_t duration_ms = 0;  // 0 = play forever
  bool once = false;              // '!'
  bool operator==(const TonePart&) const = default;
};

struct ToneSpec {
  std::vector<TonePart> parts;
  // Index the list loops back to after its last part; nullopt when it plays once and stops.
  std::optional<std::size_t> repeat_from;
};

Result<ToneSpec> parse_tone_spec(std::string_view text);

// Default per-tone amplitude, the level Asterisk's PlayTones uses (about -13 dBFS per tone).
inline constexpr double kDefaultToneAmplitude = 7219;

class ToneGenerator {
 public:
  ToneGenerator(ToneSpec spec, std::uint32_t rate, double amplitude = kDefaultToneAmplitude);
  // Fills `out`; returns the samples written, fewer than out.size() only once the tone ended.
  std::size_t generate(std::span<std::int16_t> out);
  bool finished() const { return finished_; }
  std::uint32_t rate() const { return rate_; }

 private:
  ToneSpec spec_;
  std::uint32_t rate_;
  double amplitude_;
  std::size_t part_ = 0;
  std::uint64_t sample_in_part_ = 0;
  bool finished_ = false;
};

// A named tone of a country, as indications.conf defines it.
struct Indication {
  std::string_view name;  // dial, busy, ring, congestion, callwaiting, record, info, ...
  std::string_view tones;
};
struct ToneZone {
  std::string_view country;      // "us", "uk", "de", "fr", "nl", "it", "au"
  std::string_view description;
  std::string_view ringcadence;  // ms on,off,... for the physical bell
  std::span<const Indication> indications;
};

// Built-in zones, values as Asterisk's indications.conf.sample documents them.
std::span<const ToneZone> builtin_tone_zones();
const ToneZone* find_tone_zone(std::string_view country);
// The tonelist for `name` in `country`, if defined.
std::optional<std::string_view> find_indication(std::string_view country, std::string_view name);

// Milliwatt: the 0 dBm0 test tone. Two kinds, matching Asterisk's Milliwatt() (1004 Hz tone by
// default; its `o` option sends the older G.711 digital milliwatt): Tone1004 is a synthesised
// 1004 Hz sine at 0 dBm0 (1004, not 1000, so the test tone is not a sub-harmonic of the 8 kHz
// sampling clock); DigitalMilliwatt is the 8-byte µ-law sequence 1E 0B 0B 1E 9E 8B 8B 9E
// decoded (exactly 1000 Hz, 8 kHz only - at other rates it falls back to Tone1004).
enum class MilliwattKind : std::uint8_t { Tone1004, DigitalMilliwatt };

class MilliwattGenerator {
 public:
  explicit MilliwattGenerator(std::uint32_t rate = 8000, MilliwattKind kind = MilliwattKind::Tone1004)
      : rate_(rate), kind_(kind) {}
  void generate(std::span<std::int16_t> out);

 private:
  std::uint32_t rate_;
  MilliwattKind kind_;
  std::uint64_t index_ = 0;
};

// Peak amplitude of a 0 dBm0 sine in 16-bit slin (G.711's 3.17 dBm0 overload point is 32124 on
// the µ-law decode scale).
inline constexpr double kZeroDbm0Amplitude = 22240.0;

}  // namespace telephony::media
