#include <gtest/gtest.h>

#include <cstdio>

#include "media_signals.hpp"
#include "telephony/media/codec.hpp"
#include "telephony/media/spectrum.hpp"
#include "telephony/media/translator.hpp"

using namespace telephony::media;

namespace {
const TranslationGraph& graph() { return TranslationGraph::shared(); }

std::vector<std::uint8_t> copy(std::span<const std::uint8_t> s) { return {s.begin(), s.end()}; }
}  // namespace

TEST(MediaTranslation, EveryEdgeHasAMeasuredPositiveCost) {
  for (Format a : graph().formats())
    for (Format b : graph().formats()) {
      if (a == b) continue;
      auto c = graph().path_cost_us(a, b);
      ASSERT_TRUE(c) << a.name() << "->" << b.name();
      EXPECT_GT(*c, 0) << a.name() << "->" << b.name();
    }
  // Opus encoding is real work; a G.711 table lookup is not.
  EXPECT_GT(*graph().step_cost_us(Format::slin(48000), Format::opus()),
            *graph().step_cost_us(Format::slin(8000), Format::ulaw()));
}

TEST(MediaTranslation, DijkstraPrefersCheapDirectSteps) {
  // µ-law -> A-law has a direct table step, far cheaper than decode + encode.
  auto r = graph().route(Format::ulaw(), Format::alaw());
  ASSERT_EQ(r.size(), 2u);
  // µ-law -> Opus must decode first; whichever route wins, it starts at ulaw, ends at opus and
  // is no more expensive than the obvious ulaw->slin->slin48->opus chain.
  auto u2o = graph().route(Format::ulaw(), Format::opus());
  ASSERT_GE(u2o.size(), 3u);
  EXPECT_EQ(u2o.front(), Format::ulaw());
  EXPECT_EQ(u2o.back(), Format::opus());
  const double chain = *graph().step_cost_us(Format::ulaw(), Format::slin(8000)) +
                       *graph().step_cost_us(Format::slin(8000), Format::slin(48000)) +
                       *graph().step_cost_us(Format::slin(48000), Format::opus());
  EXPECT_LE(*graph().path_cost_us(Format::ulaw(), Format::opus()), chain + 1e-9);
}

TEST(MediaTranslation, RoutesNeverNarrowTheBandWithoutNeed) {
  // Wideband audio to Opus is encoded at its own rate, even though encoding at 8 kHz is cheaper.
  EXPECT_EQ(graph().route(Format::slin(48000), Format::opus()),
            (std::vector<Format>{Format::slin(48000), Format::opus()}));
  EXPECT_EQ(graph().route(Format::slin(16000), Format::opus()),
            (std::vector<Format>{Format::slin(16000), Format::opus()}));
  // Opus to µ-law must end at 8 kHz: exactly one step lowers the rate.
  auto r = graph().route(Format::opus(), Format::ulaw());
  int lowering = 0;
  for (std::size_t i = 1; i < r.size(); ++i) lowering += r[i].rate < r[i - 1].rate;
  EXPECT_EQ(lowering, 1);
}

TEST(MediaTranslation, OneKilohertzSurvivesUlawSlin16OpusSlin8) {
  auto p1 = graph().build_path(Format::ulaw(), Format::slin(16000));
  auto p2 = graph().build_path(Format::slin(16000), Format::opus());
  auto p3 = graph().build_path(Format::opus(), Format::slin(8000));
  ASSERT_TRUE(p1 && p2 && p3);
  auto tone = media_test::sine(8000, 1000, 8000, 12000);  // 1 s
  std::vector<std::uint8_t> ulaw(tone.size());
  g711::ulaw_encode(tone, ulaw);
  std::vector<std::int16_t> out;
  for (std::size_t off = 0; off < ulaw.size(); off += 160) {
    auto s16 = p1->convert(std::span(ulaw).subspan(off, 160));
    ASSERT_TRUE(s16) << s16.error().to_string();
    ASSERT_EQ(s16->size(), 320u * 2);
    auto opus = p2->convert(copy(*s16));
    ASSERT_TRUE(opus) << opus.error().to_string();
    ASSERT_FALSE(opus->empty());
    auto s8 = p3->convert(copy(*opus));
    ASSERT_TRUE(s8) << s8.error().to_string();
    auto samples = slin_samples(*s8);
    ASSERT_EQ(samples.size(), 160u);
    out.insert(out.end(), samples.begin(), samples.end());
  }
  std::span<const std::int16_t> steady(out.data() + 1600, out.size() - 1600);
  EXPECT_NEAR(dominant_frequency(steady, 8000, 100, 3900, 5), 1000, 5);
  EXPECT_NEAR(power_dbfs(mean_power(steady)), power_dbfs(12000.0 * 12000 / 2), 3.0);
}

TEST(MediaTranslation, PathRebuildsWhenInputFormatChanges) {
  auto p = graph().build_path(Format::ulaw(), Format::slin(8000));
  ASSERT_TRUE(p);
  auto tone = media_test::sine(8000, 700, 160, 8000);
  std::vector<std::uint8_t> alaw(160);
  g711::alaw_encode(tone, alaw);
  // Mid-call the peer switches to A-law: the same path object keeps producing slin.
  auto out = p->convert(Format::alaw(), alaw);
  ASSERT_TRUE(out);
  EXPECT_EQ(p->from(), Format::alaw());
  auto s = slin_samples(*out);
  ASSERT_EQ(s.size(), 160u);
  for (std::size_t i = 0; i < 160; ++i) EXPECT_NEAR(s[i], tone[i], 300);
  // And to slin16 (a wideband re-INVITE) — now a resampler step.
  auto wide = media_test::sine(16000, 700, 320, 8000);
  auto out2 = p->convert(Format::slin(16000), slin_bytes(wide));
  ASSERT_TRUE(out2);
  EXPECT_EQ(slin_samples(*out2).size(), 160u);
}

TEST(MediaTranslation, ConcealUsesOpusPlcOrSilence) {
  auto enc = graph().build_path(Format::slin(48000), Format::opus());
  auto dec = graph().build_path(Format::opus(), Format::ulaw());
  ASSERT_TRUE(enc && dec);
  auto tone = media_test::sine(48000, 400, 960 * 10, 8000);
  for (int f = 0; f < 10; ++f) {
    auto pkt = enc->convert(slin_bytes(std::span(tone).subspan(static_cast<std::size_t>(f) * 960, 960)));
    ASSERT_TRUE(pkt);
    ASSERT_TRUE(dec->convert(copy(*pkt)));
  }
  auto lost = dec->conceal();
  ASSERT_TRUE(lost);
  ASSERT_EQ(lost->size(), 160u);  // 20 ms of µ-law
  std::vector<std::int16_t> pcm(160);
  g711::ulaw_decode(*lost, pcm);
  EXPECT_GT(power_dbfs(mean_power(pcm)), -30);  // PLC, not silence
}

TEST(MediaTranslation, UnknownFormatsFailClearly) {
  auto p = graph().build_path(Format::slin(44100), Format::ulaw());
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("slin44"), std::string::npos);
  EXPECT_FALSE(graph().build_path(Format::ulaw(), Format::telephone_event()));
}

TEST(MediaTranslation, G722KeepsTheWidebandHalf) {
  // 1 kHz and 5.5 kHz through opus-free wideband: slin16 -> g722 -> slin16. The 5.5 kHz tone
  // lives in G.722's upper sub-band and must survive; narrowband codecs would remove it.
  auto enc = graph().build_path(Format::slin(16000), Format::g722());
  auto dec = graph().build_path(Format::g722(), Format::slin(16000));
  ASSERT_TRUE(enc && dec);
  auto a = media_test::sine(16000, 1000, 16000, 8000);
  auto b = media_test::sine(16000, 5500, 16000, 4000);
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<std::int16_t>(a[i] + b[i]);
  std::vector<std::int16_t> out;
  for (std::size_t off = 0; off < a.size(); off += 320) {
    auto code = enc->convert(slin_bytes(std::span(a).subspan(off, 320)));
    ASSERT_TRUE(code);
    ASSERT_EQ(code->size(), 160u);  // 64 kbit/s
    auto pcm = dec->convert(copy(*code));
    ASSERT_TRUE(pcm);
    auto s = slin_samples(*pcm);
    out.insert(out.end(), s.begin(), s.end());
  }
  std::span<const std::int16_t> steady(out.data() + 1600, out.size() - 1600);
  EXPECT_NEAR(power_dbfs(goertzel_power(steady, 16000, 1000)), power_dbfs(8000.0 * 8000 / 2), 1.5);
  EXPECT_NEAR(power_dbfs(goertzel_power(steady, 16000, 5500)), power_dbfs(4000.0 * 4000 / 2), 3.0);
  // The QMF delays by 22 samples; aligned, the waveform SNR of 64 kbit/s ADPCM is well above 15 dB.
  EXPECT_GT(media_test::snr_db(a, out, 40, 1600), 15.0);
}

TEST(MediaTranslation, ShowTranslationTable) {
  const std::string t = graph().show_translation();
  std::printf("%s", t.c_str());
  for (const char* n : {"ulaw", "alaw", "slin", "slin16", "slin48", "g722", "opus"})
    EXPECT_NE(t.find(n), std::string::npos) << n;
  EXPECT_NE(t.find("Source Format (Rows)"), std::string::npos);
  // One header line for columns plus one row per format.
  EXPECT_EQ(std::count(t.begin(), t.end(), '\n'), 3 + 1 + 7);
}
