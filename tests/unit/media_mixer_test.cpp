#include <gtest/gtest.h>

#include <cmath>

#include "media_signals.hpp"
#include "telephony/media/mixer.hpp"
#include "telephony/media/spectrum.hpp"

using namespace telephony::media;

namespace {
// Runs ticks until every participant is fully faded in, feeding each talker its own tone.
struct Conference {
  Mixer mixer;
  std::vector<ParticipantId> talkers;
  std::vector<double> freqs;
  std::size_t tick_no = 0;
  explicit Conference(std::uint32_t rate) : mixer(MixerSettings{.rate = rate}) {}
  void feed_and_tick() {
    const std::size_t n = mixer.frame_samples();
    for (std::size_t i = 0; i < talkers.size(); ++i) {
      auto t = media_test::sine(mixer.rate(), freqs[i], n, 4000, tick_no * n);
      mixer.put_input(talkers[i], t);
    }
    mixer.tick();
    ++tick_no;
  }
};
}  // namespace

TEST(MediaMixer, MixMinusSelfIsExact) {
  Conference c(8000);
  const double f[3] = {400, 900, 1500};
  for (double hz : f) {
    c.talkers.push_back(c.mixer.join(MixRole::Talker));
    c.freqs.push_back(hz);
  }
  for (int i = 0; i < 3; ++i) c.feed_and_tick();  // past the 5 ms join ramp
  const std::size_t n = c.mixer.frame_samples();
  // Numerically: each talker's output is exactly the sum of the OTHER talkers' input.
  for (std::size_t me = 0; me < 3; ++me) {
    auto out = c.mixer.output(c.talkers[me]);
    ASSERT_EQ(out.size(), n);
    std::vector<std::int32_t> expect(n, 0);
    for (std::size_t o = 0; o < 3; ++o) {
      if (o == me) continue;
      auto t = media_test::sine(8000, c.freqs[o], n, 4000, (c.tick_no - 1) * n);
      for (std::size_t i = 0; i < n; ++i) expect[i] += t[i];
    }
    for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(out[i], expect[i]) << me << " sample " << i;
    // And spectrally: own frequency absent, others present.
    EXPECT_LT(goertzel_power(out, 8000, c.freqs[me]), 1.0);
    for (std::size_t o = 0; o < 3; ++o)
      if (o != me) {
        EXPECT_GT(power_dbfs(goertzel_power(out, 8000, c.freqs[o])), -25);
      }
  }
}

TEST(MediaMixer, ListenersShareOneFullMix) {
  Conference c(48000);
  c.talkers.push_back(c.mixer.join(MixRole::Talker));
  c.freqs.push_back(700);
  std::vector<ParticipantId> listeners;
  for (int i = 0; i < 50; ++i) listeners.push_back(c.mixer.join(MixRole::Listener));
  for (int i = 0; i < 3; ++i) c.feed_and_tick();
  auto shared = c.mixer.listener_mix();
  for (auto l : listeners) EXPECT_EQ(c.mixer.output(l).data(), shared.data());  // one buffer
  auto t = media_test::sine(48000, 700, 960, 4000, 2 * 960);
  for (std::size_t i = 0; i < 960; ++i) ASSERT_EQ(shared[i], t[i]);
  // The lone talker hears nobody (no echo of itself).
  for (auto s : c.mixer.output(c.talkers[0])) ASSERT_EQ(s, 0);
}

TEST(MediaMixer, SaturatesInsteadOfWrapping) {
  Mixer m(MixerSettings{.rate = 8000});
  auto a = m.join(MixRole::Talker), b = m.join(MixRole::Talker), l = m.join(MixRole::Listener);
  std::vector<std::int16_t> loud(160, 30000);
  for (int i = 0; i < 3; ++i) {
    m.put_input(a, loud);
    m.put_input(b, loud);
    m.tick();
  }
  for (auto s : m.output(l)) EXPECT_EQ(s, 32767);
  for (auto s : m.output(a)) EXPECT_EQ(s, 30000);
}

TEST(MediaMixer, JoinMuteAndLeaveRampWithoutClicks) {
  Mixer m(MixerSettings{.rate = 8000, .ramp_ms = 5});
  auto a = m.join(MixRole::Talker);
  auto l = m.join(MixRole::Listener);
  std::vector<std::int16_t> dc(160, 10000);
  std::vector<std::int16_t> heard;
  auto run = [&](int ticks) {
    for (int i = 0; i < ticks; ++i) {
      m.put_input(a, dc);
      m.tick();
      auto o = m.output(l);
      heard.insert(heard.end(), o.begin(), o.end());
    }
  };
  run(2);
  m.set_muted(a, true);
  run(2);
  m.set_muted(a, false);
  run(2);
  m.leave(a);
  run(2);
  // A constant input must never jump by more than one ramp step (10000 / 40 samples) per sample.
  int max_step = 0;
  int prev = 0;
  for (auto s : heard) {
    max_step = std::max(max_step, std::abs(s - prev));
    prev = s;
  }
  EXPECT_LE(max_step, 10000 / 40 + 1);
  EXPECT_EQ(heard[100], 10000);      // fully in after 5 ms
  EXPECT_EQ(heard[320 + 100], 0);    // muted
  EXPECT_EQ(heard[640 + 100], 10000);
  EXPECT_EQ(heard.back(), 0);        // gone
  EXPECT_EQ(m.participant_count(), 1u);
  EXPECT_TRUE(m.output(a).empty());
}

TEST(MediaMixer, GainAndTalkDetectionWithHangover) {
  Mixer m(MixerSettings{.rate = 16000, .talk_hangover_ms = 100});
  auto a = m.join(MixRole::Talker), b = m.join(MixRole::Talker);
  m.set_gain_db(a, -6.0206);  // half amplitude
  auto tone = media_test::sine(16000, 500, 320, 8000);
  std::vector<std::int16_t> quiet(320, 0);
  for (int i = 0; i < 3; ++i) {
    m.put_input(a, tone);
    m.put_input(b, quiet);
    m.tick();
  }
  auto heard = m.output(b);
  for (std::size_t i = 0; i < 320; ++i) EXPECT_NEAR(heard[i], tone[i] / 2.0, 1.0);
  EXPECT_TRUE(m.talking(a));
  EXPECT_FALSE(m.talking(b));
  // Stop talking: the state holds for the 100 ms hangover (5 ticks), then drops with an event.
  int ticks_until_quiet = 0;
  bool saw_event = false;
  while (m.talking(a) && ticks_until_quiet < 50) {
    m.put_input(a, quiet);
    m.tick();
    ++ticks_until_quiet;
    for (auto e : m.talk_events())
      if (e.id == a && !e.talking) saw_event = true;
  }
  EXPECT_EQ(ticks_until_quiet, 6);
  EXPECT_TRUE(saw_event);
}

TEST(MediaMixer, ListenGainScalesOnlyThatTalkersMixMinus) {
  Conference c(8000);
  for (double hz : {500.0, 1200.0}) {
    c.talkers.push_back(c.mixer.join(MixRole::Talker));
    c.freqs.push_back(hz);
  }
  auto listener = c.mixer.join(MixRole::Listener);
  c.mixer.set_listen_gain_db(c.talkers[0], -6.0206);  // amplitude x0.5
  for (int i = 0; i < 3; ++i) c.feed_and_tick();
  const std::size_t n = c.mixer.frame_samples();
  auto other = media_test::sine(8000, 1200, n, 4000, (c.tick_no - 1) * n);
  auto mine = media_test::sine(8000, 500, n, 4000, (c.tick_no - 1) * n);
  auto heard0 = c.mixer.output(c.talkers[0]);
  auto heard1 = c.mixer.output(c.talkers[1]);
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_NEAR(heard0[i], other[i] * 0.5, 1.0) << i;  // talker 0 hears talker 1 at half amplitude
    ASSERT_EQ(heard1[i], mine[i]) << i;                 // talker 1 unaffected
  }
  // The shared listener mix is untouched by a talker's listening volume.
  auto shared = c.mixer.output(listener);
  for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(shared[i], mine[i] + other[i]) << i;
}
