// MixingBridge: mix-minus for talkers, one shared mix for listeners (Page), mute, talk events.
#include "mediax_support.hpp"
#include "telephony/media/mixing_bridge.hpp"

using namespace mediax_test;

namespace {
struct MediaMixing : EngineFixture {
  // Feeds each talker its own tone in real time (one frame per 20 ms) for `frames` frames.
  void feed(const std::vector<std::pair<Channel::Ptr, double>>& talkers, std::size_t frames) {
    const auto t0 = std::chrono::steady_clock::now();
    for (std::size_t k = 0; k < frames; ++k) {
      for (auto& [chan, hz] : talkers) chan->queue_frame(tone_frame(chan->native_format(), hz, k));
      std::this_thread::sleep_until(t0 + (k + 1) * 20ms);
    }
  }
  static double dbfs_at(std::span<const std::int16_t> pcm, std::uint32_t rate, double hz) {
    return media::power_dbfs(media::goertzel_power(pcm, rate, hz));
  }
};
}  // namespace

TEST_F(MediaMixing, ThreeTalkersEachHearTheOtherTwoNeverThemselves) {
  auto tech = std::make_unique<media::MixingBridge>();
  auto* mix = tech.get();
  auto br = Bridge::create(engine, {.type = "conference", .dissolve_when_alone = false}, std::move(tech));
  struct P { const char* name; media::Format fmt; double hz; };
  const P people[] = {{"t1", media::Format::ulaw(), 400}, {"t2", media::Format::slin(16000), 700},
                      {"t3", media::Format::slin(), 1100}};
  std::vector<Channel::Ptr> chans;
  std::vector<std::future<BridgeExit>> joins;
  for (auto& p : people) {
    chans.push_back(test_channel(p.name, {p.fmt}));
    joins.push_back(join(br, chans.back()));
  }
  ASSERT_TRUE(testkit::eventually([&] { return br->members().size() == 3; }));
  std::this_thread::sleep_for(40ms);
  EXPECT_EQ(mix->rate(), 16000u);  // the wideband member raised the internal rate
  feed({{chans[0], 400}, {chans[1], 700}, {chans[2], 1100}}, 40);
  for (std::size_t i = 0; i < 3; ++i) {
    const auto rate = people[i].fmt.rate;
    auto pcm = decoded(*ep(people[i].name), rate);
    auto last = tail(pcm, rate / 2);  // the last 0.5 s, long after the join fades
    ASSERT_GE(pcm.size(), rate / 2) << people[i].name;
    for (std::size_t j = 0; j < 3; ++j) {
      const double level = dbfs_at(last, rate, people[j].hz);
      if (i == j)
        EXPECT_LT(level, -50) << people[i].name << " hears itself";
      else
        EXPECT_GT(level, -30) << people[i].name << " does not hear " << people[j].name;
    }
  }
  br->dissolve();
  for (auto& j : joins) EXPECT_EQ(j.wait_for(2s), std::future_status::ready);
}

TEST_F(MediaMixing, PageOneTalkerTwentyListenersOneSharedEncodePerFormat) {
  auto tech = std::make_unique<media::MixingBridge>();
  auto* mix = tech.get();
  auto br = Bridge::create(engine, {.type = "page", .dissolve_when_alone = false}, std::move(tech));
  auto talker = test_channel("pager");
  std::vector<Channel::Ptr> listeners;
  std::vector<std::future<BridgeExit>> joins;
  joins.push_back(join(br, talker));
  for (int i = 0; i < 20; ++i) {
    auto c = test_channel("phone" + std::to_string(i), {i % 2 ? media::Format::ulaw() : media::Format::alaw()});
    mix->set_member_options(*c, {.listen_only = true});
    listeners.push_back(c);
    joins.push_back(join(br, c));
  }
  ASSERT_TRUE(testkit::eventually([&] { return br->members().size() == 21; }));
  std::this_thread::sleep_for(40ms);
  const auto before = mix->stats();
  feed({{talker, 440}}, 30);
  const auto after = mix->stats();
  for (int i = 0; i < 20; ++i) {
    auto e = ep("phone" + std::to_string(i));
    auto pcm = decoded(*e, 8000);
    ASSERT_GE(pcm.size(), 2400u);
    const auto heard = loudest_window(pcm, 2400, 8000, 440);
    EXPECT_NEAR(media::dominant_frequency(heard, 8000), 440, 5) << i;
    // Present and loud (the fed tone has amplitude 8000; a listener that does not hear it
    // measures below -60).
    EXPECT_GT(dbfs_at(heard, 8000, 440), -30);
  }
  // Same tick, same format: one payload object shared by every listener of that format.
  {
    auto e1 = ep("phone1"), e3 = ep("phone3");
    std::lock_guard l1(e1->mu), l3(e3->mu);
    ASSERT_GE(e1->written.size(), 10u);
    ASSERT_GE(e3->written.size(), 10u);
    EXPECT_EQ(e1->written[5].payload.get(), e3->written[5].payload.get());
  }
  const double ticks = static_cast<double>(after.ticks - before.ticks);
  EXPECT_NEAR(static_cast<double>(after.shared_encodes - before.shared_encodes) / ticks, 2.0, 0.1);  // ulaw + alaw
  // The talker hears nobody: its mix-minus is silence.
  auto heard = decoded(*ep("pager"), 8000);
  EXPECT_LT(media::power_dbfs(media::mean_power(tail(heard, 2400))), -80);
  br->dissolve();
  for (auto& j : joins) EXPECT_EQ(j.wait_for(2s), std::future_status::ready);
}

TEST_F(MediaMixing, MuteSilencesAMemberAndTalkingIsReported) {
  testkit::EventLog log(engine.events());
  auto tech = std::make_unique<media::MixingBridge>();
  auto* mix = tech.get();
  auto br = Bridge::create(engine, {.type = "conference", .dissolve_when_alone = false}, std::move(tech));
  auto a = test_channel("ma"), b = test_channel("mb");
  auto ja = join(br, a), jb = join(br, b);
  ASSERT_TRUE(testkit::eventually([&] { return br->members().size() == 2; }));
  std::this_thread::sleep_for(40ms);
  feed({{a, 500}}, 20);
  EXPECT_TRUE(log.wait_for_type("BridgeMemberTalking", [&](const Event& ev) {
    auto* t = ev.as<BridgeMemberTalking>();
    return t && t->channel.name == a->name() && t->talking && t->bridge.uniqueid == br->uniqueid();
  }));
  auto heard = decoded(*ep("mb"), 8000);
  EXPECT_GT(dbfs_at(loudest_window(heard, 1600, 8000, 500), 8000, 500), -20);
  const std::size_t mark = voice_frames(*ep("mb"));
  mix->set_muted(*a, true);
  feed({{a, 500}}, 20);
  auto muted = decoded(*ep("mb"), 8000, mark + 3);  // after the 5 ms fade
  ASSERT_GE(muted.size(), 1600u);
  EXPECT_LT(dbfs_at(tail(muted, 1600), 8000, 500), -70);
  // A muted talker still reports talking (a moderator sees who speaks while muted), and stops
  // after the hangover once quiet.
  feed({{a, 0}}, 25);
  EXPECT_TRUE(log.wait_for_type("BridgeMemberTalking", [&](const Event& ev) {
    auto* t = ev.as<BridgeMemberTalking>();
    return t && t->channel.name == a->name() && !t->talking;
  }));
  br->dissolve();
  ja.wait_for(2s);
  jb.wait_for(2s);
}
