#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "media_signals.hpp"
#include "telephony/media/codec.hpp"
#include "telephony/media/resampler.hpp"
#include "telephony/media/spectrum.hpp"

using namespace telephony::media;

TEST(MediaG711, KnownCodeWords) {
  // Silence, the G.711 code words every implementation agrees on.
  EXPECT_EQ(g711::ulaw_from_linear(0), 0xFF);
  EXPECT_EQ(g711::alaw_from_linear(0), 0xD5);
  EXPECT_EQ(g711::ulaw_to_linear(0xFF), 0);
  EXPECT_EQ(g711::ulaw_to_linear(0x80), 32124);   // positive full scale
  EXPECT_EQ(g711::ulaw_to_linear(0x00), -32124);  // negative full scale
  EXPECT_EQ(g711::alaw_to_linear(0xAA), 32256);
  EXPECT_EQ(g711::alaw_to_linear(0x2A), -32256);
  EXPECT_EQ(g711::alaw_to_linear(0xD5), 8);       // smallest positive step
}

TEST(MediaG711, RoundTripErrorWithinHalfStep) {
  // Every code word decodes to a value that re-encodes to itself, and every 16-bit sample comes
  // back within the quantisation step of its segment (relative error < 1/16 above segment 0).
  for (int c = 0; c < 256; ++c) {
    const auto code = static_cast<std::uint8_t>(c);
    if (code != 0x7F) {  // 0x7F is µ-law "negative zero", which re-encodes as 0xFF
      EXPECT_EQ(g711::ulaw_from_linear(g711::ulaw_to_linear(code)), code) << c;
    }
    EXPECT_EQ(g711::alaw_from_linear(g711::alaw_to_linear(code)), code) << c;
  }
  for (int s = -32768; s <= 32767; s += 7) {
    const auto x = static_cast<std::int16_t>(s);
    const int u = g711::ulaw_to_linear(g711::ulaw_from_linear(x));
    const int a = g711::alaw_to_linear(g711::alaw_from_linear(x));
    const int tol_u = std::max(16, std::abs(s) / 16 + 8);
    const int tol_a = std::max(16, std::abs(s) / 16 + 8);
    if (std::abs(s) < 32100) {
      ASSERT_LE(std::abs(u - s), tol_u) << s;
    }
    ASSERT_LE(std::abs(a - s), tol_a + (std::abs(s) > 32256 ? 600 : 0)) << s;
  }
}

TEST(MediaG711, MonotonicDecode) {
  // Larger magnitude code words decode to larger magnitudes (sign-magnitude order).
  for (int seg = 0; seg < 128 - 1; ++seg) {
    const auto a = static_cast<std::uint8_t>(0xFF - seg), b = static_cast<std::uint8_t>(0xFF - seg - 1);
    EXPECT_LT(g711::ulaw_to_linear(a), g711::ulaw_to_linear(b));
  }
}

TEST(MediaOpus, RoundTripSnrAbove12dB) {
  // Stated threshold: a 2 s 440 Hz + 1 kHz signal through Opus at 32 kb/s (VoIP mode, 20 ms)
  // must come back with SNR > 12 dB after delay alignment. Opus is a perceptual codec, so
  // waveform SNR is a loose bound; a broken wrapper (wrong rate, frame size, byte order) scores
  // below 0 dB.
  auto enc = OpusFrameEncoder::create();
  auto dec = OpusFrameDecoder::create(48000);
  ASSERT_TRUE(enc && dec);
  const std::size_t frames = 100, n = 960;
  auto a = media_test::sine(48000, 440, frames * n, 8000);
  auto b = media_test::sine(48000, 1000, frames * n, 4000);
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<std::int16_t>(a[i] + b[i]);
  std::vector<std::int16_t> out;
  std::vector<std::uint8_t> packet(kMaxOpusPacket);
  std::vector<std::int16_t> pcm(5760);
  std::size_t bytes = 0;
  for (std::size_t f = 0; f < frames; ++f) {
    auto len = enc->encode(std::span(a).subspan(f * n, n), packet);
    ASSERT_TRUE(len) << len.error().to_string();
    bytes += *len;
    auto got = dec->decode(std::span(packet).first(*len), pcm);
    ASSERT_TRUE(got);
    ASSERT_EQ(*got, n);
    out.insert(out.end(), pcm.begin(), pcm.begin() + static_cast<long>(*got));
  }
  const double snr = media_test::snr_db(a, out, 1000, 4800);
  std::printf("opus round-trip SNR %.1f dB\n", snr);
  EXPECT_GT(snr, 12.0) << "SNR " << snr;
  // ~32 kb/s => ~80 bytes per 20 ms frame on average.
  EXPECT_NEAR(static_cast<double>(bytes) / frames, 80, 30);
}

TEST(MediaOpus, ConcealmentContinuesTheSignal) {
  auto enc = OpusFrameEncoder::create();
  auto dec = OpusFrameDecoder::create(48000);
  ASSERT_TRUE(enc && dec);
  std::vector<std::uint8_t> packet(kMaxOpusPacket);
  std::vector<std::int16_t> pcm(5760);
  auto tone = media_test::sine(48000, 500, 960 * 20, 8000);
  for (int f = 0; f < 20; ++f) {
    auto len = enc->encode(std::span(tone).subspan(static_cast<std::size_t>(f) * 960, 960), packet);
    ASSERT_TRUE(len);
    ASSERT_TRUE(dec->decode(std::span(packet).first(*len), pcm));
  }
  auto n = dec->conceal(pcm, 960);
  ASSERT_TRUE(n);
  ASSERT_EQ(*n, 960u);
  std::span<const std::int16_t> plc(pcm.data(), 960);
  // PLC extrapolates the 500 Hz tone instead of emitting silence.
  EXPECT_GT(power_dbfs(mean_power(plc)), -30);
  EXPECT_NEAR(dominant_frequency(plc, 48000, 100, 2000, 10), 500, 20);
}

TEST(MediaOpus, RejectsWrongFrameSizeAndRate) {
  EXPECT_FALSE(OpusFrameEncoder::create(OpusSettings{.rate = 44100}));
  auto enc = OpusFrameEncoder::create();
  ASSERT_TRUE(enc);
  std::vector<std::int16_t> shortframe(100);
  std::vector<std::uint8_t> out(kMaxOpusPacket);
  auto r = enc->encode(shortframe, out);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("960"), std::string::npos);
}

TEST(MediaResampler, KeepsToneFrequencyBetweenRates) {
  for (auto [from, to] : {std::pair{8000u, 48000u}, {48000u, 8000u}, {8000u, 16000u}, {16000u, 48000u}}) {
    auto r = Resampler::create(from, to);
    ASSERT_TRUE(r);
    auto in = media_test::sine(from, 1000, from / 2);
    std::vector<std::int16_t> out;
    std::vector<std::int16_t> buf(2000);
    for (std::size_t off = 0; off < in.size(); off += from / 50) {
      const std::size_t n = r->process(std::span(in).subspan(off, from / 50), buf);
      EXPECT_EQ(n, static_cast<std::size_t>(to / 50)) << from << "->" << to;
      out.insert(out.end(), buf.begin(), buf.begin() + static_cast<long>(n));
    }
    std::span<const std::int16_t> steady(out.data() + to / 10, out.size() - to / 10);
    EXPECT_NEAR(dominant_frequency(steady, to, 200, 3000, 10), 1000, 5) << from << "->" << to;
    // Level preserved within 1 dB.
    EXPECT_NEAR(power_dbfs(mean_power(steady)), power_dbfs(10000.0 * 10000.0 / 2), 1.0);
  }
}
