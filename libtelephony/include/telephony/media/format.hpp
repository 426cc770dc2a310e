// Format: what a media frame carries (codec, sample rate, channel count).
//
// Formats are small values compared by value. Their names are the ones Asterisk users write in
// `allow=`/`disallow=` and see in `core show translation`: ulaw, alaw, slin, slin16, slin48, opus,
// g722, telephone-event. slin at rate R is signed 16-bit host-order linear PCM.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace telephony::media {

enum class Codec : std::uint8_t { None, Ulaw, Alaw, Slin, Opus, G722, TelephoneEvent };

struct Format {
  Codec codec = Codec::None;
  std::uint32_t rate = 8000;  // samples per second of the decoded signal
  std::uint8_t channels = 1;

  bool operator==(const Format&) const = default;
  bool is_none() const { return codec == Codec::None; }
  bool is_audio() const { return codec != Codec::None && codec != Codec::TelephoneEvent; }

  // Asterisk-style name: "ulaw", "alaw", "slin" (8 kHz), "slin16", "slin48", "opus", "g722".
  std::string name() const;
  static std::optional<Format> from_name(std::string_view name);

  static constexpr Format ulaw() { return {Codec::Ulaw, 8000, 1}; }
  static constexpr Format alaw() { return {Codec::Alaw, 8000, 1}; }
  static constexpr Format slin(std::uint32_t rate = 8000) { return {Codec::Slin, rate, 1}; }
  static constexpr Format opus() { return {Codec::Opus, 48000, 1}; }
  static constexpr Format g722() { return {Codec::G722, 16000, 1}; }
  static constexpr Format telephone_event() { return {Codec::TelephoneEvent, 8000, 1}; }
};

}  // namespace telephony::media
