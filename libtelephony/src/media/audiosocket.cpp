// AudioSocket message framing (see media/audiosocket.hpp).
#include "telephony/media/audiosocket.hpp"

#include <cstdio>

namespace telephony::media {

std::uint32_t audiosocket_rate(AudioSocketKind k) {
  switch (k) {
    case AudioSocketKind::Audio: return 8000;
    case AudioSocketKind::Audio12: return 12000;
    case AudioSocketKind::Audio16: return 16000;
    case AudioSocketKind::Audio24: return 24000;
    case AudioSocketKind::Audio32: return 32000;
    case AudioSocketKind::Audio44: return 44100;
    case AudioSocketKind::Audio48: return 48000;
    case AudioSocketKind::Audio96: return 96000;
    case AudioSocketKind::Audio192: return 192000;
    default: return 0;
  }
}

void AudioSocketDecoder::feed(std::span<const std::uint8_t> bytes) {
  if (failed_ || bytes.empty()) return;
  // Move the unconsumed tail to the front before growing, so the buffer stays one message big.
  if (start_ == buf_.size()) {
    buf_.clear();  // keeps its capacity: no allocation in steady state
    start_ = 0;
  } else if (start_ > 0 && start_ * 2 >= buf_.size()) {
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(start_));
    start_ = 0;
  }
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
}

Result<std::optional<AudioSocketMessage>> AudioSocketDecoder::next() {
  auto bad = [this](std::string what) -> Result<std::optional<AudioSocketMessage>> {
    failed_ = true;
    return fail(std::move(what), "offset " + std::to_string(consumed_total_));
  };
  if (failed_) return fail("AudioSocket stream already failed", "offset " + std::to_string(consumed_total_));
  const std::size_t avail = buf_.size() - start_;
  if (avail < kAudioSocketHeader) return std::optional<AudioSocketMessage>{};
  const std::uint8_t* h = buf_.data() + start_;
  const auto kind = static_cast<AudioSocketKind>(h[0]);
  const std::size_t len = (static_cast<std::size_t>(h[1]) << 8) | h[2];
  const bool audio = audiosocket_rate(kind) != 0;
  if (!audio && kind != AudioSocketKind::Hangup && kind != AudioSocketKind::Uuid && kind != AudioSocketKind::Dtmf &&
      kind != AudioSocketKind::Error) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02x", h[0]);
    return bad(std::string("unknown AudioSocket message kind ") + hex);
  }
  if ((audio || kind == AudioSocketKind::Dtmf) && len == 0) return bad("AudioSocket message with an empty payload");
  if (kind == AudioSocketKind::Uuid && len != 16) return bad("AudioSocket UUID of " + std::to_string(len) + " bytes (16 expected)");
  if (kind == AudioSocketKind::Dtmf && len != 1) return bad("AudioSocket DTMF of " + std::to_string(len) + " bytes (1 expected)");
  if (avail < kAudioSocketHeader + len) return std::optional<AudioSocketMessage>{};
  AudioSocketMessage m{kind, std::span<const std::uint8_t>(h + kAudioSocketHeader, len)};
  start_ += kAudioSocketHeader + len;
  consumed_total_ += kAudioSocketHeader + len;
  return std::optional<AudioSocketMessage>{m};
}

std::array<std::uint8_t, kAudioSocketHeader> encode_audiosocket_header(AudioSocketKind kind, std::uint16_t length) {
  return {static_cast<std::uint8_t>(kind), static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length & 0xff)};
}

Result<Uuid> parse_uuid(std::string_view text) {
  Uuid u{};
  if (text.size() != 36) return fail("UUID '" + std::string(text) + "' is not in the 8-4-4-4-12 form");
  std::size_t j = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return fail("UUID '" + std::string(text) + "' is not in the 8-4-4-4-12 form");
      ++i;
      continue;
    }
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    const int hi = hex(text[i]), lo = hex(text[i + 1]);
    if (hi < 0 || lo < 0) return fail("UUID '" + std::string(text) + "' has a character that is not hex");
    u[j++] = static_cast<std::uint8_t>(hi * 16 + lo);
    i += 2;
  }
  return u;
}

std::string format_uuid(const Uuid& u) {
  char out[37];
  std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
                u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
  return out;
}

}  // namespace telephony::media
