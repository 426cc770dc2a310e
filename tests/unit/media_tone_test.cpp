#include <gtest/gtest.h>

#include "media_signals.hpp"
#include "telephony/media/codec.hpp"
#include "telephony/media/spectrum.hpp"
#include "telephony/media/tone.hpp"

using namespace telephony::media;

TEST(MediaTone, ParsesIndicationsSyntax) {
  auto s = parse_tone_spec("!480+620/500,0/500");
  ASSERT_TRUE(s) << s.error().to_string();
  ASSERT_EQ(s->parts.size(), 2u);
  EXPECT_EQ(s->parts[0], (TonePart{480, 620, false, 500, true}));
  EXPECT_EQ(s->parts[1], (TonePart{0, 0, false, 500, false}));
  EXPECT_EQ(s->repeat_from, 1u);

  auto m = parse_tone_spec("440*20/1000, M69/200");
  ASSERT_TRUE(m) << m.error().to_string();
  EXPECT_TRUE(m->parts[0].modulate);
  EXPECT_DOUBLE_EQ(m->parts[1].freq1, 440.0);  // MIDI 69 = A4
  EXPECT_EQ(m->parts[1].duration_ms, 200u);

  auto once = parse_tone_spec("!950/330,!1400/330,!1800/330");
  ASSERT_TRUE(once);
  EXPECT_FALSE(once->repeat_from);
}

TEST(MediaTone, RejectsBadSpecsWithOffset) {
  auto e1 = parse_tone_spec("350+abc");
  ASSERT_FALSE(e1);
  EXPECT_EQ(e1.error().where, "offset 4");
  auto e2 = parse_tone_spec("350,,440");
  ASSERT_FALSE(e2);
  EXPECT_EQ(e2.error().where, "offset 4");
  auto e3 = parse_tone_spec("440/x");
  ASSERT_FALSE(e3);
  EXPECT_EQ(e3.error().where, "offset 4");
  EXPECT_FALSE(parse_tone_spec("99999"));
  EXPECT_FALSE(parse_tone_spec("M200"));
  EXPECT_FALSE(parse_tone_spec("440-"));
}

TEST(MediaTone, EveryBuiltinZoneParsesAndHasTheCoreTones) {
  ASSERT_EQ(builtin_tone_zones().size(), 7u);
  for (const auto& z : builtin_tone_zones()) {
    for (const char* name : {"dial", "busy", "ring", "congestion", "callwaiting", "record", "info"})
      EXPECT_TRUE(find_indication(z.country, name)) << z.country << " " << name;
    for (const auto& i : z.indications) EXPECT_TRUE(parse_tone_spec(i.tones)) << z.country << " " << i.name;
  }
  EXPECT_EQ(*find_indication("us", "busy"), "480+620/500,0/500");
  EXPECT_EQ(*find_indication("uk", "ring"), "400+450/400,0/200,400+450/400,0/2000");
  EXPECT_EQ(*find_indication("de", "dial"), "425");
  EXPECT_FALSE(find_indication("xx", "dial"));
}

TEST(MediaTone, BusyToneCadenceAndFrequencies) {
  auto spec = parse_tone_spec(*find_indication("us", "busy"));
  ASSERT_TRUE(spec);
  ToneGenerator gen(*spec, 8000);
  std::vector<std::int16_t> out(16000);  // 2 s: two full on/off cycles
  ASSERT_EQ(gen.generate(out), out.size());
  EXPECT_FALSE(gen.finished());
  std::span<const std::int16_t> on(out.data() + 400, 3200), off(out.data() + 4000, 4000);
  // The 500 ms on-phase carries both 480 and 620 Hz at the PlayTones level; the off-phase is silent.
  EXPECT_NEAR(power_dbfs(goertzel_power(on, 8000, 480)), power_dbfs(kDefaultToneAmplitude * kDefaultToneAmplitude / 2), 0.5);
  EXPECT_NEAR(power_dbfs(goertzel_power(on, 8000, 620)), power_dbfs(kDefaultToneAmplitude * kDefaultToneAmplitude / 2), 0.5);
  EXPECT_EQ(mean_power(off), 0.0);
  // The cycle repeats: second on-phase too.
  EXPECT_GT(mean_power(std::span<const std::int16_t>(out.data() + 8400, 3200)), 1e6);
}

TEST(MediaTone, OnceOnlyToneStops) {
  auto spec = parse_tone_spec("!950/330,!1400/330,!1800/330");
  ASSERT_TRUE(spec);
  ToneGenerator gen(*spec, 16000);
  std::vector<std::int16_t> out(16000 * 2);
  const std::size_t n = gen.generate(out);
  EXPECT_EQ(n, 16000u * 990 / 1000);
  EXPECT_TRUE(gen.finished());
  EXPECT_NEAR(dominant_frequency(std::span<const std::int16_t>(out.data() + 5280 + 500, 4000), 16000, 500, 2500, 5), 1400, 5);
}

TEST(MediaTone, MilliwattIsZeroDbm0) {
  MilliwattGenerator mw(8000, MilliwattKind::DigitalMilliwatt);
  std::vector<std::int16_t> out(8000);
  mw.generate(out);
  // The digital milliwatt pattern repeats every 8 samples: 1 kHz.
  EXPECT_NEAR(dominant_frequency(out, 8000, 200, 3800, 5), 1000, 3);
  EXPECT_NEAR(power_dbfs(mean_power(out)), power_dbfs(kZeroDbm0Amplitude * kZeroDbm0Amplitude / 2), 0.3);
  // It encodes back to exactly the G.711 digital milliwatt byte sequence.
  const std::uint8_t expect[8] = {0x1E, 0x0B, 0x0B, 0x1E, 0x9E, 0x8B, 0x8B, 0x9E};
  for (int i = 0; i < 16; ++i) EXPECT_EQ(g711::ulaw_from_linear(out[static_cast<std::size_t>(i)]), expect[i % 8]);

  for (std::uint32_t rate : {8000u, 16000u, 48000u}) {
    MilliwattGenerator tone(rate);  // default: 1004 Hz
    std::vector<std::int16_t> w(rate);
    tone.generate(w);
    EXPECT_NEAR(dominant_frequency(w, rate, 500, 2000, 1), 1004, 1) << rate;
    EXPECT_NEAR(power_dbfs(mean_power(w)), power_dbfs(kZeroDbm0Amplitude * kZeroDbm0Amplitude / 2), 0.1);
  }
}
