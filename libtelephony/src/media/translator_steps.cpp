#include "translator_steps.hpp"

#include <algorithm>
#include <cstring>

#include "telephony/media/codec.hpp"
#include "telephony/media/g722.hpp"
#include "telephony/media/resampler.hpp"

namespace telephony::media::detail {
namespace {

// Longest frame a step accepts: 120 ms at 48 kHz (Opus' largest packet duration).
constexpr std::size_t kMaxSamples = 5760;

std::span<const std::uint8_t> bytes_of(const std::vector<std::int16_t>& v, std::size_t n) {
  return {reinterpret_cast<const std::uint8_t*>(v.data()), n * 2};
}

// Input slin may come from a byte buffer at an odd address (an RTP payload); copy it into
// aligned scratch rather than read misaligned int16s.
std::span<const std::int16_t> aligned_samples(std::span<const std::uint8_t> in,
                                              std::vector<std::int16_t>& scratch) {
  const std::size_t n = std::min(in.size() / 2, kMaxSamples);
  if (reinterpret_cast<std::uintptr_t>(in.data()) % alignof(std::int16_t) == 0)
    return slin_samples(in.first(n * 2));
  std::memcpy(scratch.data(), in.data(), n * 2);
  return {scratch.data(), n};
}

Unexpected<Error> too_long(Format f, std::size_t bytes) {
  return fail("frame of " + std::to_string(bytes) + " bytes exceeds 120 ms", f.name() + " step");
}

class StepBase : public TranslatorStep {
 public:
  StepBase(Format from, Format to) : from_(from), to_(to) {}
  Format from() const override { return from_; }
  Format to() const override { return to_; }
  Result<std::span<const std::uint8_t>> conceal() override {
    // Default: 20 ms of silence in the source format pushed through process().
    if (from_.codec == Codec::Ulaw || from_.codec == Codec::Alaw) {
      silence_bytes_.assign(samples_per_frame(8000),
                            from_.codec == Codec::Ulaw ? g711::ulaw_from_linear(0)
                                                       : g711::alaw_from_linear(0));
      return process(silence_bytes_);
    }
    silence_samples_.assign(samples_per_frame(from_.rate), 0);
    return process(slin_bytes(silence_samples_));
  }

 protected:
  Format from_, to_;
  std::vector<std::uint8_t> silence_bytes_;
  std::vector<std::int16_t> silence_samples_;
};

class G711Decode final : public StepBase {
 public:
  explicit G711Decode(Format from) : StepBase(from, Format::slin(8000)), out_(kMaxSamples) {}
  Result<std::span<const std::uint8_t>> process(std::span<const std::uint8_t> in) override {
    if (in.size() > kMaxSamples) return too_long(from_, in.size());
    const std::size_t n = from_.codec == Codec::Ulaw ? g711::ulaw_decode(in, out_)
                                                     : g711::alaw_decode(in, out_);
    return bytes_of(out_, n);
  }

 private:
  std::vector<std::int16_t> out_;
};

class G711Encode final : public StepBase {
 public:
  explicit G711Encode(Format to)
      : StepBase(Format::slin(8000), to), out_(kMaxSamples), scratch_(kMaxSamples) {}
  Result<std::span<const std::uint8_t>> process(std::span<const std::uint8_t> in) override {
    if (in.size() / 2 > kMaxSamples) return too_long(from_, in.size());
    auto s = aligned_samples(in, scratch_);
    const std::size_t n =
        to_.codec == Codec::Ulaw ? g711::ulaw_encode(s, out_) : g711::alaw_encode(s, out_);
    return std::span<const std::uint8_t>(out_.data(), n);
  }

 private:
  std::vector<std::uint8_t> out_;
  std::vector<std::int16_t> scratch_;
};

// µ-law <-> A-law directly through a 256-entry table (no trip through slin per sample).
class G711Transcode final : public StepBase {
 public:
  G711Transcode(Format from, Format to) : StepBase(from, to), out_(kMaxSamples) {
    for (int c = 0; c < 256; ++c) {
      const auto code = static_cast<std::uint8_t>(c);
      table_[c] = from.codec == Codec::Ulaw ? g711::alaw_from_linear(g711::ulaw_to_linear(code))
                                            : g711::ulaw_from_linear(g711::alaw_to_linear(code));
    }
  }
  Result<std::span<const std::uint8_t>> process(std::span<const std::uint8_t> in) override {
    if (in.size() > kMaxSamples) return too_long(from_, in.size());
    for (std::size_t i = 0; i < in.size(); ++i) out_[i] = table_[in[i]];
    return std::span<const std::uint8_t>(out_.data(), in.size());
  }

 private:
  std::uint8_t table_[256];
  std::vector<std::uint8_t> out_;
};

class ResampleStep final : public StepBase {
 public:
  ResampleStep(Format from, Format to, Resampler r)
      : StepBase(from, to), r_(std::move(r)), out_(kMaxSamples + 8), scratch_(kMaxSamples) {}
  Result<std::span<const std::uint8_t>> process(std::span<const std::uint8_t> in) override {
    if (in.size() / 2 > kMaxSamples || r_.output_size(in.size() / 2) > kMaxSamples)
      return too_long(from_, in.size());
    auto s = aligned_samples(in, scratch_);
    return bytes_of(out_, r_.process(s, out_));
  }

 private:
  Resampler r_;
  std::vector<std::int16_t> out_;
  std::vector<std::int16_t> scratch_;
};

// Opus takes exactly 20 ms per packet; other-sized input frames accumulate here. At most three
// frames of backlog are kept (older audio is dropped) so a sender that bursts cannot grow delay.
class OpusEncodeStep final : public StepBase {
 public:
  OpusEncodeStep(Format from, OpusFrameEncoder enc)
      : StepBase(from, Format::opus()), enc_(std::move(enc)), pending_(samples_per_frame(from.rate) * 4),
        scratch_(kMaxSamples), out_(kMaxOpusPacket) {}
  Result<std::span<const std::uint8_t>> process(std::span<const std::uint8_t> in) override {
    if (in.size() / 2 > kMaxSamples) return too_long(from_, in.size());
    auto s = aligned_samples(in, scratch_);
    const std::size_t frame = enc_.frame_samples();
    if (have_ == 0 && s.size() == frame) return encode(s);  // the common case: no copy
    const std::size_t cap = pending_.size();
    if (s.size() > cap) s = s.last(cap);
    if (have_ + s.size() > cap) {
      const std::size_t drop = have_ + s.size() - cap;
      std::memmove(pending_.data(), pending_.data() + drop, (have_ - drop) * 2);
      have_ -= drop;
    }
    std::memcpy(pending_.data() + have_, s.data(), s.size() * 2);
    have_ += s.size();
    if (have_ < frame) return std::span<const std::uint8_t>{};
    auto r = encode(std::span<const std::int16_t>(pending_.data(), frame));
    std::memmove(pending_.data(), pending_.data() + frame, (have_ - frame) * 2);
    have_ -= frame;
    return r;
  }

 private:
  Result<std::span<const std::uint8_t>> encode(std::span<const std::int16_t> pcm) {
    auto n = enc_.encode(pcm, out_);
    if (!n) return Unexpected<Error>{n.error()};
    return std::span<const std::uint8_t>(out_.data(), *n);
  }
  OpusFrameEncoder enc_;
  std::vector<std::int16_t> pending_;
  std::size_t have_ = 0;
  std::vector<std::int16_t> scratch_;
  std::vector<std::uint8_t> out_;
};

class OpusDecodeStep final : public StepBase {
 public:
  OpusDecodeStep(Format to, OpusFrameDecoder dec)
      : StepBase(Format::opus(), to), dec_(std::move(dec)), out_(kMaxSamples) {}
  Result<std::span<const std::uint8_t>> process(std::span<const std::uint8_t> in) override {
    auto n = dec_.decode(in, out_);
    if (!n) return Unexpected<Error>{n.error()};
    return bytes_of(out_, *n);
  }
  Result<std::span<const std::uint8_t>> conceal() override {
    auto n = dec_.conceal(out_, samples_per_frame(to_.rate));
    if (!n) return Unexpected<Error>{n.error()};
    return bytes_of(out_, *n);
  }

 private:
  OpusFrameDecoder dec_;
  std::vector<std::int16_t> out_;
};

class G722EncodeStep final : public StepBase {
 public:
  G722EncodeStep() : StepBase(Format::slin(16000), Format::g722()), out_(kMaxSamples / 2 + 1), scratch_(kMaxSamples) {}
  Result<std::span<const std::uint8_t>> process(std::span<const std::uint8_t> in) override {
    if (in.size() / 2 > kMaxSamples) return too_long(from_, in.size());
    auto s = aligned_samples(in, scratch_);
    return std::span<const std::uint8_t>(out_.data(), enc_.encode(s, out_));
  }

 private:
  G722Encoder enc_;
  std::vector<std::uint8_t> out_;
  std::vector<std::int16_t> scratch_;
};

class G722DecodeStep final : public StepBase {
 public:
  G722DecodeStep() : StepBase(Format::g722(), Format::slin(16000)), out_(kMaxSamples) {}
  Result<std::span<const std::uint8_t>> process(std::span<const std::uint8_t> in) override {
    if (in.size() * 2 > kMaxSamples) return too_long(from_, in.size());
    return bytes_of(out_, dec_.decode(in, out_));
  }
  Result<std::span<const std::uint8_t>> conceal() override {
    // No PLC in G.722: 20 ms of the code word for zero difference in both bands keeps the
    // predictors stable and decays to silence.
    silence_bytes_.assign(160, 0xFF);
    return process(silence_bytes_);
  }

 private:
  G722Decoder dec_;
  std::vector<std::int16_t> out_;
};

bool is_slin(Format f, std::uint32_t rate) { return f.codec == Codec::Slin && f.rate == rate; }
bool is_g711(Format f) { return f.codec == Codec::Ulaw || f.codec == Codec::Alaw; }
bool is_slin_rate(Format f) {
  return f.codec == Codec::Slin && (f.rate == 8000 || f.rate == 16000 || f.rate == 48000);
}

}  // namespace

const std::vector<StepEdge>& known_steps() {
  static const std::vector<StepEdge> edges = [] {
    std::vector<StepEdge> e;
    const Format s8 = Format::slin(8000), s16 = Format::slin(16000), s48 = Format::slin(48000);
    for (Format g : {Format::ulaw(), Format::alaw()}) {
      e.push_back({g, s8});
      e.push_back({s8, g});
    }
    e.push_back({Format::ulaw(), Format::alaw()});
    e.push_back({Format::alaw(), Format::ulaw()});
    for (Format a : {s8, s16, s48})
      for (Format b : {s8, s16, s48})
        if (!(a == b)) e.push_back({a, b});
    for (Format s : {s8, s16, s48}) {
      e.push_back({Format::opus(), s});
      e.push_back({s, Format::opus()});
    }
    e.push_back({Format::g722(), s16});
    e.push_back({s16, Format::g722()});
    return e;
  }();
  return edges;
}

Result<std::unique_ptr<TranslatorStep>> create_step(Format from, Format to) {
  using Ptr = std::unique_ptr<TranslatorStep>;
  if (is_g711(from) && is_slin(to, 8000)) return Ptr(new G711Decode(from));
  if (is_slin(from, 8000) && is_g711(to)) return Ptr(new G711Encode(to));
  if (is_g711(from) && is_g711(to) && !(from == to)) return Ptr(new G711Transcode(from, to));
  if (is_slin_rate(from) && is_slin_rate(to) && !(from == to)) {
    auto r = Resampler::create(from.rate, to.rate);
    if (!r) return Unexpected<Error>{r.error()};
    return Ptr(new ResampleStep(from, to, std::move(*r)));
  }
  if (is_slin_rate(from) && to.codec == Codec::Opus) {
    auto e = OpusFrameEncoder::create(OpusSettings{.rate = from.rate});
    if (!e) return Unexpected<Error>{e.error()};
    return Ptr(new OpusEncodeStep(from, std::move(*e)));
  }
  if (from.codec == Codec::Opus && is_slin_rate(to)) {
    auto d = OpusFrameDecoder::create(to.rate);
    if (!d) return Unexpected<Error>{d.error()};
    return Ptr(new OpusDecodeStep(to, std::move(*d)));
  }
  if (from.codec == Codec::G722 && is_slin(to, 16000)) return Ptr(new G722DecodeStep());
  if (is_slin(from, 16000) && to.codec == Codec::G722) return Ptr(new G722EncodeStep());
  return fail("no codec step from " + from.name() + " to " + to.name(), "translation graph");
}

}  // namespace telephony::media::detail
