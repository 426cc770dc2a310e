// G.711 from the segment arithmetic of ITU-T G.711 (tables built at compile time).
#include <array>
#include <bit>

#include "telephony/media/codec.hpp"

namespace telephony::media::g711 {
namespace {

// µ-law works on a 14-bit magnitude with a bias of 33 (132 at 16-bit scale) so that every
// segment boundary is a power of two; the code word is transmitted with all bits inverted.
constexpr std::uint8_t ulaw_encode_arith(int x) {
  constexpr int kBias = 0x84;
  constexpr int kClip = 32635;
  int sign = 0;
  if (x < 0) {
    x = -x;
    sign = 0x80;
  }
  if (x > kClip) x = kClip;
  x += kBias;
  int exponent = 7;
  for (int mask = 0x4000; (x & mask) == 0 && exponent > 0; mask >>= 1) --exponent;
  const int mantissa = (x >> (exponent + 3)) & 0x0F;
  return static_cast<std::uint8_t>(~(sign | (exponent << 4) | mantissa));
}

constexpr std::int16_t ulaw_decode_arith(std::uint8_t code) {
  const int v = static_cast<std::uint8_t>(~code);
  int t = ((v & 0x0F) << 3) + 0x84;
  t <<= (v & 0x70) >> 4;
  return static_cast<std::int16_t>((v & 0x80) ? 0x84 - t : t - 0x84);
}

// A-law: 13-bit sign-magnitude, segment 0 and 1 share a step size, even bits inverted (0x55).
constexpr std::uint8_t alaw_encode_arith(int x) {
  const bool positive = x >= 0;
  const int m = (positive ? x : ~x) >> 3;  // 0..4095
  int code = 0;
  if (m < 32) {
    code = m >> 1;
  } else {
    int seg = 1;
    while ((m >> (seg + 5)) != 0) ++seg;  // m in [16<<seg, 32<<seg)
    code = (seg << 4) | ((m >> seg) & 0x0F);
  }
  if (positive) code |= 0x80;
  return static_cast<std::uint8_t>(code ^ 0x55);
}

constexpr std::int16_t alaw_decode_arith(std::uint8_t code) {
  const int v = code ^ 0x55;
  const int seg = (v >> 4) & 0x07;
  const int mant = v & 0x0F;
  int m = seg == 0 ? (mant << 1) + 1 : ((mant << 1) + 33) << (seg - 1);
  m <<= 3;
  return static_cast<std::int16_t>((v & 0x80) ? m : -m);
}

// Encode tables are indexed by the top 14 bits of the sample (the low 2 bits never change the
// code word for µ-law; for A-law only the top 13 matter).
template <class F>
constexpr std::array<std::uint8_t, 16384> make_encode_table(F f) {
  std::array<std::uint8_t, 16384> t{};
  for (int i = 0; i < 16384; ++i) {
    const int sample = static_cast<std::int16_t>(static_cast<std::uint16_t>(i << 2));
    t[static_cast<std::size_t>(i)] = f(sample);
  }
  return t;
}
template <class F>
constexpr std::array<std::int16_t, 256> make_decode_table(F f) {
  std::array<std::int16_t, 256> t{};
  for (int i = 0; i < 256; ++i) t[static_cast<std::size_t>(i)] = f(static_cast<std::uint8_t>(i));
  return t;
}

constexpr auto kUlawEncode = make_encode_table(ulaw_encode_arith);
constexpr auto kUlawDecode = make_decode_table(ulaw_decode_arith);
constexpr auto kAlawEncode = make_encode_table(alaw_encode_arith);
constexpr auto kAlawDecode = make_decode_table(alaw_decode_arith);

constexpr std::size_t index14(std::int16_t s) {
  return static_cast<std::uint16_t>(s) >> 2;
}

}  // namespace

std::uint8_t ulaw_from_linear(std::int16_t s) { return kUlawEncode[index14(s)]; }
std::int16_t ulaw_to_linear(std::uint8_t c) { return kUlawDecode[c]; }
std::uint8_t alaw_from_linear(std::int16_t s) { return kAlawEncode[index14(s)]; }
std::int16_t alaw_to_linear(std::uint8_t c) { return kAlawDecode[c]; }

std::size_t ulaw_encode(std::span<const std::int16_t> in, std::span<std::uint8_t> out) {
  const std::size_t n = std::min(in.size(), out.size());
  for (std::size_t i = 0; i < n; ++i) out[i] = kUlawEncode[index14(in[i])];
  return n;
}
std::size_t ulaw_decode(std::span<const std::uint8_t> in, std::span<std::int16_t> out) {
  const std::size_t n = std::min(in.size(), out.size());
  for (std::size_t i = 0; i < n; ++i) out[i] = kUlawDecode[in[i]];
  return n;
}
std::size_t alaw_encode(std::span<const std::int16_t> in, std::span<std::uint8_t> out) {
  const std::size_t n = std::min(in.size(), out.size());
  for (std::size_t i = 0; i < n; ++i) out[i] = kAlawEncode[index14(in[i])];
  return n;
}
std::size_t alaw_decode(std::span<const std::uint8_t> in, std::span<std::int16_t> out) {
  const std::size_t n = std::min(in.size(), out.size());
  for (std::size_t i = 0; i < n; ++i) out[i] = kAlawDecode[in[i]];
  return n;
}

}  // namespace telephony::media::g711
