// DTMF features in a two-party bridge: disconnect, pass-through of non-feature digits, the
// transfer hook, and features.conf parsing.
#include "mediax_support.hpp"
#include "telephony/config/config.hpp"
#include "telephony/media/features.hpp"

using namespace mediax_test;

namespace {
struct MediaFeatures : EngineFixture {
  media::FeatureRelay* relay = nullptr;
  Bridge::Ptr make_bridge(media::FeatureMap map = {}) {
    map.digit_timeout = 200ms;
    auto tech = std::make_unique<media::FeatureRelay>(map);
    relay = tech.get();
    return Bridge::create(engine, {}, std::move(tech));
  }
  static void press(const Channel::Ptr& c, char d) {
    c->queue_frame(Frame::dtmf_begin(d));
    c->queue_frame(Frame::dtmf_end(d, 100ms));
  }
  static std::string digits_seen(testkit::TestEndpoint& e) {
    std::lock_guard lock(e.mu);
    std::string s;
    for (auto& f : e.written) {
      if (f.kind == FrameKind::DtmfBegin) s += std::string("<") + f.digit();
      if (f.kind == FrameKind::DtmfEnd) s += std::string(">") + f.digit();
    }
    return s;
  }
};
}  // namespace

TEST_F(MediaFeatures, DisconnectEndsTheBridge) {
  auto br = make_bridge();
  auto a = test_channel("fa"), b = test_channel("fb");
  auto ja = join(br, a), jb = join(br, b);
  ASSERT_TRUE(testkit::eventually([&] { return br->members().size() == 2; }));
  std::this_thread::sleep_for(30ms);
  press(a, '*');  // "*" is also the start of atxfer "*2": it fires after the digit timeout
  ASSERT_EQ(ja.wait_for(2s), std::future_status::ready);
  ASSERT_EQ(jb.wait_for(2s), std::future_status::ready);
  EXPECT_EQ(ja.get(), BridgeExit::Kicked);
  EXPECT_EQ(jb.get(), BridgeExit::Dissolved);
  EXPECT_EQ(digits_seen(*ep("fb")), "");  // the peer never heard the feature code
}

TEST_F(MediaFeatures, OtherDigitsPassThroughInOrder) {
  auto br = make_bridge();
  auto a = test_channel("pa"), b = test_channel("pb");
  auto ja = join(br, a), jb = join(br, b);
  ASSERT_TRUE(testkit::eventually([&] { return br->members().size() == 2; }));
  std::this_thread::sleep_for(30ms);
  press(a, '5');
  press(a, '*');
  press(a, '9');  // "*9" is no feature: both digits go through
  ASSERT_TRUE(testkit::eventually([&] { return digits_seen(*ep("pb")) == "<5>5<*>*<9>9"; }))
      << digits_seen(*ep("pb"));
  // A member without features is relayed untouched.
  relay->set_features(*b, media::FeatureSet::none());
  press(b, '*');
  ASSERT_TRUE(testkit::eventually([&] { return digits_seen(*ep("pa")) == "<*>*"; }));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(br->members().size(), 2u);
  br->dissolve();
  ja.wait_for(2s);
  jb.wait_for(2s);
}

TEST_F(MediaFeatures, TransfersCallTheHook) {
  auto br = make_bridge();
  std::promise<std::string> seen;
  std::atomic<int> calls{0};
  relay->on_transfer = [&](const media::FeatureActivation& act) {
    if (calls++ == 0) seen.set_value(std::string(to_string(act.feature)) + "|" + act.who->name() + "|" + act.peer->name());
  };
  auto a = test_channel("xa"), b = test_channel("xb");
  auto ja = join(br, a), jb = join(br, b);
  ASSERT_TRUE(testkit::eventually([&] { return br->members().size() == 2; }));
  std::this_thread::sleep_for(30ms);
  press(b, '#');
  auto fut = seen.get_future();
  ASSERT_EQ(fut.wait_for(1s), std::future_status::ready);
  EXPECT_EQ(fut.get(), "blindxfer|" + b->name() + "|" + a->name());
  press(a, '*');
  press(a, '2');
  ASSERT_TRUE(testkit::eventually([&] { return calls.load() == 2; }));
  EXPECT_EQ(digits_seen(*ep("xa")) + digits_seen(*ep("xb")), "");
  EXPECT_EQ(br->members().size(), 2u);  // the hook decides what happens next
  br->dissolve();
  ja.wait_for(2s);
  jb.wait_for(2s);
}

TEST(MediaFeatureMap, ReadsFeaturesConfAndNamesBadLines) {
  auto conf = config::parse_string(
      "[general]\nfeaturedigittimeout = 1500\n[featuremap]\nblindxfer => #1\ndisconnect => *0\natxfer => *2\n",
      "features.conf");
  ASSERT_TRUE(conf);
  auto map = media::feature_map_from_config(*conf);
  ASSERT_TRUE(map) << map.error().to_string();
  EXPECT_EQ(map->blindxfer, "#1");
  EXPECT_EQ(map->disconnect, "*0");
  EXPECT_EQ(map->digit_timeout, 1500ms);

  auto bad = config::parse_string("[general]\nfeaturedigittimeout=soon\n[featuremap]\nblindxfer => x1\nparkcall => #72\n",
                                  "features.conf");
  auto err = media::feature_map_from_config(*bad);
  ASSERT_FALSE(err);
  const auto text = err.error().to_string();
  EXPECT_NE(text.find("features.conf:2"), std::string::npos) << text;
  EXPECT_NE(text.find("features.conf:4"), std::string::npos) << text;
  EXPECT_NE(text.find("features.conf:5: unsupported feature 'parkcall'"), std::string::npos) << text;
}
