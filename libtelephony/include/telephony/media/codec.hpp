// Codecs: the per-sample and per-frame conversions between slin and an encoded payload.
//
// G.711 (µ-law and A-law) is written from the ITU-T G.711 segment arithmetic and is table driven
// (one byte per sample, stateless). Opus wraps libopus: 20 ms frames, mono, with packet loss
// concealment for frames that never arrived. Every object here allocates only at construction;
// encode/decode calls write into caller-provided spans and never allocate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "telephony/media/format.hpp"
#include "telephony/result.hpp"

struct OpusEncoder;
struct OpusDecoder;

namespace telephony::media {

// ---- G.711 ----------------------------------------------------------------------------------
namespace g711 {
std::uint8_t ulaw_from_linear(std::int16_t sample);
std::int16_t ulaw_to_linear(std::uint8_t code);
std::uint8_t alaw_from_linear(std::int16_t sample);
std::int16_t alaw_to_linear(std::uint8_t code);

// Span forms: `out` must be at least as long as `in`; they return the number of samples written.
std::size_t ulaw_encode(std::span<const std::int16_t> in, std::span<std::uint8_t> out);
std::size_t ulaw_decode(std::span<const std::uint8_t> in, std::span<std::int16_t> out);
std::size_t alaw_encode(std::span<const std::int16_t> in, std::span<std::uint8_t> out);
std::size_t alaw_decode(std::span<const std::uint8_t> in, std::span<std::int16_t> out);
}  // namespace g711

// Samples in one 20 ms frame at `rate`.
constexpr std::size_t samples_per_frame(std::uint32_t rate, unsigned ms = 20) {
  return static_cast<std::size_t>(rate) * ms / 1000;
}

// ---- Opus -----------------------------------------------------------------------------------
// Largest Opus packet we produce or accept (RFC 6716 allows 1275 bytes per frame).
inline constexpr std::size_t kMaxOpusPacket = 1275;

struct OpusSettings {
  std::uint32_t rate = 48000;     // input sample rate: 8000, 16000 or 48000
  int bitrate = 32000;            // bits per second
  int complexity = 5;             // 0..10; 5 keeps a 20 ms encode well under 1 ms
  bool fec = false;               // in-band FEC (helps on lossy links, costs bitrate)
};

// Encodes exactly one 20 ms frame of mono slin per call.
class OpusFrameEncoder {
 public:
  static Result<OpusFrameEncoder> create(OpusSettings settings = {});
  OpusFrameEncoder(OpusFrameEncoder&&) noexcept;
  OpusFrameEncoder& operator=(OpusFrameEncoder&&) noexcept;
  ~OpusFrameEncoder();

  std::uint32_t rate() const { return rate_; }
  std::size_t frame_samples() const { return samples_per_frame(rate_); }
  // `pcm` must hold frame_samples() samples. Returns the packet length written into `out`.
  Result<std::size_t> encode(std::span<const std::int16_t> pcm, std::span<std::uint8_t> out);

 private:
  OpusFrameEncoder(::OpusEncoder* enc, std::uint32_t rate) : enc_(enc), rate_(rate) {}
  ::OpusEncoder* enc_ = nullptr;
  std::uint32_t rate_ = 48000;
};

// Decodes Opus packets to mono slin at 8, 16 or 48 kHz (libopus resamples internally).
class OpusFrameDecoder {
 public:
  static Result<OpusFrameDecoder> create(std::uint32_t rate = 48000);
  OpusFrameDecoder(OpusFrameDecoder&&) noexcept;
  OpusFrameDecoder& operator=(OpusFrameDecoder&&) noexcept;
  ~OpusFrameDecoder();

  std::uint32_t rate() const { return rate_; }
  // Returns the number of samples written to `pcm` (up to 120 ms worth).
  Result<std::size_t> decode(std::span<const std::uint8_t> packet, std::span<std::int16_t> pcm);
  // Packet loss concealment: synthesises `samples` (normally one 20 ms frame) from the decoder
  // state so a missing packet becomes a plausible continuation instead of a click of silence.
  Result<std::size_t> conceal(std::span<std::int16_t> pcm, std::size_t samples);
  // Forward error correction: rebuilds a lost frame of `samples` from the in-band FEC data that
  // the packet after it carries (opus useinbandfec=1), PLC when that packet has none.
  Result<std::size_t> recover(std::span<const std::uint8_t> next_packet, std::span<std::int16_t> pcm,
                              std::size_t samples);

 private:
  OpusFrameDecoder(::OpusDecoder* dec, std::uint32_t rate) : dec_(dec), rate_(rate) {}
  ::OpusDecoder* dec_ = nullptr;
  std::uint32_t rate_ = 48000;
};

}  // namespace telephony::media
