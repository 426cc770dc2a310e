// AudioSocket framing: Asterisk's simple TCP protocol for streaming a call's audio to and from a
// server (speech recognition, voice bots). Every message is a kind byte, a 16-bit big-endian
// payload length and the payload:
//   0x00 hangup (no payload)           0x01 UUID (16 bytes, sent first by the engine)
//   0x03 DTMF (one ASCII digit)        0x10 audio, signed linear 16-bit 8 kHz mono
//   0x11..0x18 audio at 12/16/24/32/44.1/48/96/192 kHz    0xff error (optional payload)
//
// AudioSocketDecoder takes bytes as they arrive (any split) and yields whole messages as views
// into its buffer (valid until the next feed()/next()). It rejects, naming the byte offset in the
// stream: an unknown kind, an audio or DTMF message with no payload, a UUID that is not 16 bytes,
// a DTMF message longer than one byte. After an error it stays failed. It allocates only to grow
// its buffer (to the largest message seen, at most 3 + 65535 bytes); steady state allocates
// nothing. encode_header() writes the 3 header bytes; parse_uuid() reads the 8-4-4-4-12 hex form.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/result.hpp"

namespace telephony::media {

enum class AudioSocketKind : std::uint8_t {
  Hangup = 0x00,
  Uuid = 0x01,
  Dtmf = 0x03,
  Audio = 0x10,   // slin 8 kHz
  Audio12 = 0x11,
  Audio16 = 0x12,
  Audio24 = 0x13,
  Audio32 = 0x14,
  Audio44 = 0x15,
  Audio48 = 0x16,
  Audio96 = 0x17,
  Audio192 = 0x18,
  Error = 0xff,
};

// Sample rate of an audio kind, 0 for the others.
std::uint32_t audiosocket_rate(AudioSocketKind k);

struct AudioSocketMessage {
  AudioSocketKind kind = AudioSocketKind::Hangup;
  std::span<const std::uint8_t> payload;
};

class AudioSocketDecoder {
 public:
  void feed(std::span<const std::uint8_t> bytes);
  // The next complete message, nullopt when more bytes are needed, or an error.
  Result<std::optional<AudioSocketMessage>> next();
  std::uint64_t offset() const { return consumed_total_; }  // stream offset of the next message
  bool failed() const { return failed_; }

 private:
  std::vector<std::uint8_t> buf_;
  std::size_t start_ = 0;  // first unconsumed byte in buf_
  std::uint64_t consumed_total_ = 0;
  bool failed_ = false;
};

inline constexpr std::size_t kAudioSocketHeader = 3;
std::array<std::uint8_t, kAudioSocketHeader> encode_audiosocket_header(AudioSocketKind kind, std::uint16_t length);

using Uuid = std::array<std::uint8_t, 16>;
Result<Uuid> parse_uuid(std::string_view text);
std::string format_uuid(const Uuid& u);

}  // namespace telephony::media
