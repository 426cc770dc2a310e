// Core seams the drivers and apps of round 2 build on: device states (pushed and derived, with
// DeviceStateChange on AMI), overlap-dialling questions on the Pbx, audio hooks, security events
// on AMI.
#include <gtest/gtest.h>

#include <atomic>

#include "amix_test_support.hpp"
#include "telephony/device_state.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/dialplan/loader.hpp"
#include "telephony/engine.hpp"
#include "testkit/engine_kit.hpp"

using namespace telephony;
using namespace std::chrono_literals;
using testkit::eventually;

namespace {
struct SeamFixture : ::testing::Test {
  Engine engine{EngineOptions{.threads = 2}};
  std::shared_ptr<testkit::TestDriver> driver = std::make_shared<testkit::TestDriver>();
  void SetUp() override {
    ASSERT_TRUE(engine.drivers().add("Test", driver));
    engine.start();
  }
  void TearDown() override { engine.stop(); }
};

std::vector<std::pair<std::string, DeviceState>> changes_of(const testkit::EventLog& log, std::string_view device) {
  std::vector<std::pair<std::string, DeviceState>> out;
  for (const auto& e : log.events())
    if (auto* d = e->as<DeviceStateChanged>(); d && d->device == device) out.emplace_back(d->device, d->state);
  return out;
}
}  // namespace

TEST_F(SeamFixture, DeviceStateFollowsTheDevicesChannels) {
  testkit::EventLog log(engine.events());
  EXPECT_EQ(engine.device_states().get("Test/alice"), DeviceState::NotInUse);
  EXPECT_EQ(engine.device_states().get("Nope/alice"), DeviceState::Invalid);
  auto chan = engine.request("Test/alice");
  ASSERT_TRUE(chan);
  EXPECT_EQ(engine.device_states().get("Test/alice"), DeviceState::NotInUse);  // Down: not yet in use
  (*chan)->set_state(ChannelState::Ringing);
  EXPECT_EQ(engine.device_states().get("Test/alice"), DeviceState::Ringing);
  (*chan)->set_state(ChannelState::Up);
  EXPECT_EQ(engine.device_states().get("Test/alice"), DeviceState::InUse);
  EXPECT_EQ(engine.device_states().get("test/ALICE"), DeviceState::InUse);  // hints are case-insensitive
  (*chan)->hangup();
  ASSERT_TRUE(eventually([&] { return engine.device_states().get("Test/alice") == DeviceState::NotInUse; }));
  ASSERT_TRUE(log.wait_for([&](auto&) { return changes_of(log, "Test/alice").size() >= 3; }));
  auto seen = changes_of(log, "Test/alice");
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].second, DeviceState::Ringing);
  EXPECT_EQ(seen[1].second, DeviceState::InUse);
  EXPECT_EQ(seen[2].second, DeviceState::NotInUse);
}

TEST_F(SeamFixture, PushedStatesWinOverIdleButNotOverCalls) {
  auto& ds = engine.device_states();
  ds.set("Test/bob", DeviceState::Unavailable);
  EXPECT_EQ(ds.get("Test/bob"), DeviceState::Unavailable);
  ds.set("Test/bob", DeviceState::NotInUse);
  auto chan = engine.request("Test/bob");
  ASSERT_TRUE(chan);
  (*chan)->set_state(ChannelState::Up);
  EXPECT_EQ(ds.get("Test/bob"), DeviceState::InUse);  // a registered phone on a call is in use
  ds.set("Test/bob", DeviceState::Busy);               // DND: busy whatever its calls
  EXPECT_EQ(ds.get("Test/bob"), DeviceState::Busy);
  ds.clear("Test/bob");
  EXPECT_EQ(ds.get("Test/bob"), DeviceState::InUse);
  (*chan)->hangup();
  ASSERT_TRUE(eventually([&] { return ds.get("Test/bob") == DeviceState::NotInUse; }));

  EXPECT_EQ(ds.get("Custom:lamp"), DeviceState::Unknown);
  ds.set("Custom:lamp", DeviceState::InUse);
  EXPECT_EQ(ds.get("Custom:lamp"), DeviceState::InUse);
  auto all = ds.list();
  EXPECT_NE(std::find(all.begin(), all.end(), std::pair<std::string, DeviceState>{"Custom:lamp", DeviceState::InUse}),
            all.end());
}

TEST_F(SeamFixture, PushingTheSameStateTwicePublishesOnce) {
  testkit::EventLog log(engine.events());
  engine.device_states().set("Custom:x", DeviceState::InUse);
  engine.device_states().set("Custom:x", DeviceState::InUse);
  engine.device_states().set("Custom:x", DeviceState::NotInUse);
  ASSERT_TRUE(log.wait_for([&](auto&) { return changes_of(log, "Custom:x").size() >= 2; }));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(changes_of(log, "Custom:x").size(), 2u);
}

TEST(CoreSeams, PbxAnswersOverlapDiallingQuestions) {
  Engine engine{EngineOptions{.threads = 1}};
  auto plan = dialplan::load_dialplan_string(
      "[lines]\nexten => 100,1,NoOp()\nexten => _2XX,1,NoOp()\nexten => _9.,1,NoOp()\nexten => 3,1,NoOp()\n"
      "exten => 31,1,NoOp()\n",
      "extensions.conf");
  ASSERT_TRUE(plan);
  auto pbx = std::make_shared<dialplan::DialplanPbx>(engine, *plan);
  std::shared_ptr<Pbx> seam = pbx;
  EXPECT_TRUE(seam->can_match("lines", "1", ""));
  EXPECT_TRUE(seam->match_more("lines", "1", ""));
  EXPECT_TRUE(seam->can_match("lines", "100", ""));
  EXPECT_FALSE(seam->match_more("lines", "100", ""));  // digit collection ends here
  EXPECT_TRUE(seam->match_more("lines", "20", ""));
  EXPECT_FALSE(seam->match_more("lines", "201", ""));
  EXPECT_TRUE(seam->can_match("lines", "3", ""));
  EXPECT_TRUE(seam->match_more("lines", "3", ""));  // "3" exists, yet "31" could follow
  EXPECT_TRUE(seam->match_more("lines", "9", ""));
  EXPECT_TRUE(seam->match_more("lines", "9123", ""));
  EXPECT_FALSE(seam->can_match("lines", "5", ""));
  EXPECT_FALSE(seam->can_match("nowhere", "1", ""));
}

namespace {
// Records the directions it saw and doubles every sample of written slin audio.
struct Doubler : AudioHook {
  std::atomic<int> reads{0}, writes{0}, detached{0};
  std::string_view kind() const override { return "Doubler"; }
  void on_frame(Channel&, Direction dir, Frame& f) override {
    if (dir == Direction::Read) {
      ++reads;
      return;
    }
    ++writes;
    std::vector<std::uint8_t> out(f.data().begin(), f.data().end());
    auto* s = reinterpret_cast<std::int16_t*>(out.data());
    for (std::size_t i = 0; i < out.size() / 2; ++i) s[i] = static_cast<std::int16_t>(s[i] * 2);
    f = Frame::voice(f.format, std::move(out), f.samples);
  }
  void on_detach(Channel&) override { ++detached; }
};

Frame slin_frame(std::int16_t value) {
  std::vector<std::uint8_t> bytes(320);
  auto* s = reinterpret_cast<std::int16_t*>(bytes.data());
  for (int i = 0; i < 160; ++i) s[i] = value;
  return Frame::voice(media::Format::slin(), std::move(bytes), 160);
}
}  // namespace

TEST_F(SeamFixture, AudioHooksSeeBothDirectionsAndMayReplaceTheAudio) {
  auto chan = engine.request("Test/carol");
  ASSERT_TRUE(chan);
  auto ep = driver->endpoint("carol");
  auto hook = std::make_shared<Doubler>();
  EXPECT_FALSE((*chan)->has_audio_hooks());
  (*chan)->attach_audio_hook(hook);
  ASSERT_TRUE(eventually([&] { return (*chan)->has_audio_hooks(); }));
  (*chan)->write(slin_frame(100));
  (*chan)->queue_frame(slin_frame(7));
  ASSERT_TRUE(eventually([&] { return hook->reads.load() == 1 && hook->writes.load() == 1; }));
  {
    std::lock_guard lock(ep->mu);
    ASSERT_EQ(ep->written.size(), 1u);
    auto* s = reinterpret_cast<const std::int16_t*>(ep->written[0].data().data());
    EXPECT_EQ(s[0], 200);  // the device got what the hook made of it
  }
  (*chan)->detach_audio_hook(hook);
  ASSERT_TRUE(eventually([&] { return !(*chan)->has_audio_hooks() && hook->detached.load() == 1; }));
  (*chan)->write(slin_frame(100));
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(ep->mu);
    return ep->written.size() == 2;
  }));
  std::lock_guard lock(ep->mu);
  EXPECT_EQ(reinterpret_cast<const std::int16_t*>(ep->written[1].data().data())[0], 100);
  EXPECT_EQ(hook->writes.load(), 1);
}

TEST_F(SeamFixture, HangupDetachesEveryHook) {
  auto chan = engine.request("Test/dave");
  ASSERT_TRUE(chan);
  auto a = std::make_shared<Doubler>(), b = std::make_shared<Doubler>();
  (*chan)->attach_audio_hook(a);
  (*chan)->attach_audio_hook(b);
  ASSERT_TRUE(eventually([&] { return (*chan)->has_audio_hooks(); }));
  (*chan)->hangup();
  ASSERT_TRUE(eventually([&] { return a->detached.load() == 1 && b->detached.load() == 1; }));
  EXPECT_FALSE((*chan)->has_audio_hooks());
  auto late = std::make_shared<Doubler>();
  (*chan)->attach_audio_hook(late);  // after hangup: detached at once, never attached
  ASSERT_TRUE(eventually([&] { return late->detached.load() == 1; }));
  EXPECT_FALSE((*chan)->has_audio_hooks());
}

TEST(CoreSeamsAmi, DeviceStateAndSecurityEventsReachAmiClients) {
  amix_test::Fixture f;
  amix_test::EventLog events;
  f.login("admin", "s3cret", &events);
  f.engine.device_states().set("Custom:lamp", DeviceState::InUse);
  auto ds = amix_test::wait_event(events, "DeviceStateChange", "Device", "Custom:lamp");
  ASSERT_TRUE(ds);
  EXPECT_EQ(ds->get("State"), "INUSE");
  EXPECT_EQ(ds->get("Privilege"), "call,all");

  SecurityEvent sec;
  sec.name = "InvalidPassword";
  sec.service = "PJSIP";
  sec.account_id = "alice";
  sec.session_id = "abc@127.0.0.1";
  sec.local_address = security_address("udp", "127.0.0.1", 5060);
  sec.remote_address = security_address("UDP", "::1", 5061);
  sec.fields = {{"Challenge", "1234"}, {"ReceivedChallenge", "1234"}, {"ReceivedHash", "ffff"}};
  f.engine.events().emit(sec);
  auto ip = amix_test::wait_event(events, "InvalidPassword");
  ASSERT_TRUE(ip);
  EXPECT_EQ(ip->get("Privilege"), "security,all");
  EXPECT_EQ(ip->get("Severity"), "Error");
  EXPECT_EQ(ip->get("Service"), "PJSIP");
  EXPECT_EQ(ip->get("AccountID"), "alice");
  EXPECT_EQ(ip->get("LocalAddress"), "IPV4/UDP/127.0.0.1/5060");
  EXPECT_EQ(ip->get("RemoteAddress"), "IPV6/UDP/::1/5061");
  EXPECT_EQ(ip->get("ReceivedHash"), "ffff");
  EXPECT_TRUE(ip->get("EventTV").has_value() && !ip->get("EventTV")->empty());
}
