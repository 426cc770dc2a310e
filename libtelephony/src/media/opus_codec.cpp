// libopus wrapper: one encoder/decoder per stream, created once, used per 20 ms frame.
#include <opus/opus.h>

#include <string>
#include <utility>

#include "telephony/media/codec.hpp"

namespace telephony::media {
namespace {
bool opus_rate_ok(std::uint32_t rate) { return rate == 8000 || rate == 16000 || rate == 48000; }
}  // namespace

Result<OpusFrameEncoder> OpusFrameEncoder::create(OpusSettings s) {
  if (!opus_rate_ok(s.rate))
    return fail("unsupported Opus input rate " + std::to_string(s.rate), "opus encoder");
  int err = 0;
  ::OpusEncoder* enc = opus_encoder_create(static_cast<opus_int32>(s.rate), 1,
                                           OPUS_APPLICATION_VOIP, &err);
  if (err != OPUS_OK || enc == nullptr)
    return fail(std::string("opus_encoder_create: ") + opus_strerror(err), "opus encoder");
  opus_encoder_ctl(enc, OPUS_SET_BITRATE(s.bitrate));
  opus_encoder_ctl(enc, OPUS_SET_COMPLEXITY(s.complexity));
  opus_encoder_ctl(enc, OPUS_SET_INBAND_FEC(s.fec ? 1 : 0));
  opus_encoder_ctl(enc, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
  return OpusFrameEncoder(enc, s.rate);
}

OpusFrameEncoder::OpusFrameEncoder(OpusFrameEncoder&& o) noexcept
    : enc_(std::exchange(o.enc_, nullptr)), rate_(o.rate_) {}
OpusFrameEncoder& OpusFrameEncoder::operator=(OpusFrameEncoder&& o) noexcept {
  if (this != &o) {
    if (enc_) opus_encoder_destroy(enc_);
    enc_ = std::exchange(o.enc_, nullptr);
    rate_ = o.rate_;
  }
  return *this;
}
OpusFrameEncoder::~OpusFrameEncoder() {
  if (enc_) opus_encoder_destroy(enc_);
}

Result<std::size_t> OpusFrameEncoder::encode(std::span<const std::int16_t> pcm,
                                             std::span<std::uint8_t> out) {
  if (pcm.size() != frame_samples())
    return fail("Opus encoder needs exactly " + std::to_string(frame_samples()) +
                    " samples, got " + std::to_string(pcm.size()),
                "opus encoder");
  const opus_int32 n = opus_encode(enc_, pcm.data(), static_cast<int>(pcm.size()), out.data(),
                                   static_cast<opus_int32>(out.size()));
  if (n < 0) return fail(std::string("opus_encode: ") + opus_strerror(n), "opus encoder");
  return static_cast<std::size_t>(n);
}

Result<OpusFrameDecoder> OpusFrameDecoder::create(std::uint32_t rate) {
  if (!opus_rate_ok(rate))
    return fail("unsupported Opus output rate " + std::to_string(rate), "opus decoder");
  int err = 0;
  ::OpusDecoder* dec = opus_decoder_create(static_cast<opus_int32>(rate), 1, &err);
  if (err != OPUS_OK || dec == nullptr)
    return fail(std::string("opus_decoder_create: ") + opus_strerror(err), "opus decoder");
  return OpusFrameDecoder(dec, rate);
}

OpusFrameDecoder::OpusFrameDecoder(OpusFrameDecoder&& o) noexcept
    : dec_(std::exchange(o.dec_, nullptr)), rate_(o.rate_) {}
OpusFrameDecoder& OpusFrameDecoder::operator=(OpusFrameDecoder&& o) noexcept {
  if (this != &o) {
    if (dec_) opus_decoder_destroy(dec_);
    dec_ = std::exchange(o.dec_, nullptr);
    rate_ = o.rate_;
  }
  return *this;
}
OpusFrameDecoder::~OpusFrameDecoder() {
  if (dec_) opus_decoder_destroy(dec_);
}

Result<std::size_t> OpusFrameDecoder::decode(std::span<const std::uint8_t> packet,
                                             std::span<std::int16_t> pcm) {
  if (packet.empty()) return conceal(pcm, samples_per_frame(rate_));
  const int n = opus_decode(dec_, packet.data(), static_cast<opus_int32>(packet.size()),
                            pcm.data(), static_cast<int>(pcm.size()), 0);
  if (n < 0) return fail(std::string("opus_decode: ") + opus_strerror(n), "opus decoder");
  return static_cast<std::size_t>(n);
}

Result<std::size_t> OpusFrameDecoder::conceal(std::span<std::int16_t> pcm, std::size_t samples) {
  if (samples > pcm.size()) samples = pcm.size();
  const int n = opus_decode(dec_, nullptr, 0, pcm.data(), static_cast<int>(samples), 0);
  if (n < 0) return fail(std::string("opus PLC: ") + opus_strerror(n), "opus decoder");
  return static_cast<std::size_t>(n);
}

Result<std::size_t> OpusFrameDecoder::recover(std::span<const std::uint8_t> next_packet, std::span<std::int16_t> pcm,
                                              std::size_t samples) {
  if (samples > pcm.size()) samples = pcm.size();
  // decode_fec=1: the in-band FEC (LBRR) data of the next packet describes the lost one; without
  // it libopus falls back to PLC by itself.
  const int n = opus_decode(dec_, next_packet.data(), static_cast<opus_int32>(next_packet.size()), pcm.data(),
                            static_cast<int>(samples), 1);
  if (n < 0) return fail(std::string("opus FEC: ") + opus_strerror(n), "opus decoder");
  return static_cast<std::size_t>(n);
}

}  // namespace telephony::media
