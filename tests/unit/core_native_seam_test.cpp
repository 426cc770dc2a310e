// The native-media seam (driver_abilities.hpp DriverNativeMedia): a two-party bridge names each
// member's one peer to its driver, and the channel says whether either leg's audio is tapped —
// through join/leave, a third member, audio hooks, audio mute, a generator and inband DTMF
// detection — while a mixing bridge never names peers. The drivers here only record what they
// are told (SIP's use of the seam is tested with real phones: test_sip_native_relay.sh).
#include "mediax_support.hpp"
#include "telephony/driver_abilities.hpp"
#include "telephony/media/channel_media.hpp"
#include "telephony/media/mixing_bridge.hpp"

using namespace mediax_test;

namespace {

// What one channel's driver was told, in order: "peer=<name or ->,tapped=<0|1>".
struct SeamLog {
  std::mutex mu;
  std::vector<std::string> told;
  std::string last_reason;
  std::string last() {
    std::lock_guard lock(mu);
    return told.empty() ? std::string() : told.back();
  }
  std::size_t count() {
    std::lock_guard lock(mu);
    return told.size();
  }
  std::string reason() {
    std::lock_guard lock(mu);
    return last_reason;
  }
};

class SeamTech : public ChannelTech, public DriverNativeMedia {
 public:
  explicit SeamTech(std::shared_ptr<SeamLog> log) : log_(std::move(log)) {}
  void bridge_peer_changed(Channel& chan, const BridgePeerState& s) override {
    EXPECT_TRUE(chan.strand().running_in_this_thread());
    std::lock_guard lock(log_->mu);
    log_->told.push_back("peer=" + (s.peer ? s.peer->name() : std::string("-")) +
                         ",tapped=" + (s.tapped ? "1" : "0"));
    log_->last_reason = s.tap_reason;
  }

 private:
  std::shared_ptr<SeamLog> log_;
};

class SilentHook : public AudioHook {
 public:
  std::string_view kind() const override { return "MixMonitor"; }
  void on_frame(Channel&, Direction, Frame&) override {}
};

struct NativeSeam : EngineFixture {
  Channel::Ptr seam_channel(const std::string& name, std::shared_ptr<SeamLog>& log) {
    log = std::make_shared<SeamLog>();
    Engine::ChannelInit init;
    init.tech = "Seam";
    init.resource = name;
    init.impl = std::make_unique<SeamTech>(log);
    return engine.create_channel(std::move(init));
  }
  static bool told(SeamLog& log, const std::string& what) {
    return testkit::eventually([&] { return log.last() == what; }, 3s);
  }
};

}  // namespace

TEST_F(NativeSeam, TwoPartyBridgeNamesPeersAndFollowsTaps) {
  std::shared_ptr<SeamLog> la, lb;
  auto a = seam_channel("a", la), b = seam_channel("b", lb);
  auto br = Bridge::create(engine);
  auto ja = join(br, a);
  ASSERT_TRUE(told(*la, "peer=-,tapped=0"));  // alone: no peer
  auto jb = join(br, b);
  ASSERT_TRUE(told(*la, "peer=" + b->name() + ",tapped=0"));
  ASSERT_TRUE(told(*lb, "peer=" + a->name() + ",tapped=0"));

  // An audio hook (MixMonitor) on b taps both legs; detaching it untaps them.
  auto hook = std::make_shared<SilentHook>();
  b->attach_audio_hook(hook);
  ASSERT_TRUE(told(*la, "peer=" + b->name() + ",tapped=1"));
  ASSERT_TRUE(told(*lb, "peer=" + a->name() + ",tapped=1"));
  EXPECT_NE(la->reason().find("MixMonitor"), std::string::npos) << la->reason();
  EXPECT_NE(la->reason().find(b->name()), std::string::npos) << la->reason();
  EXPECT_FALSE(media_tap_reason(*b).empty());
  EXPECT_TRUE(media_tap_reason(*a).empty());
  b->detach_audio_hook(hook);
  ASSERT_TRUE(told(*la, "peer=" + b->name() + ",tapped=0"));
  ASSERT_TRUE(told(*lb, "peer=" + a->name() + ",tapped=0"));

  // Audio mute on a.
  a->set_audio_mute(Channel::MuteDirection::In, true);
  ASSERT_TRUE(told(*lb, "peer=" + a->name() + ",tapped=1"));
  EXPECT_NE(lb->reason().find("mute"), std::string::npos) << lb->reason();
  a->set_audio_mute(Channel::MuteDirection::In, false);
  ASSERT_TRUE(told(*lb, "peer=" + a->name() + ",tapped=0"));

  // A generator (tones) on b, then stopped.
  ASSERT_TRUE(media::play_tones(b, "440/100000"));
  ASSERT_TRUE(told(*la, "peer=" + b->name() + ",tapped=1"));
  EXPECT_NE(la->reason().find("generator"), std::string::npos) << la->reason();
  media::stop_generator(b);
  ASSERT_TRUE(told(*la, "peer=" + b->name() + ",tapped=0"));

  // Inband DTMF detection on a.
  a->set_dtmf_detection(true);
  ASSERT_TRUE(told(*lb, "peer=" + a->name() + ",tapped=1"));
  EXPECT_NE(lb->reason().find("DTMF"), std::string::npos) << lb->reason();
  a->set_dtmf_detection(false);
  ASSERT_TRUE(told(*lb, "peer=" + a->name() + ",tapped=0"));

  // A tap while the peer is gone: a is alone (the bridge dissolves), b no longer in any bridge.
  const auto before = la->count();
  br->kick(b);
  ASSERT_EQ(jb.wait_for(3s), std::future_status::ready);
  ASSERT_EQ(ja.wait_for(3s), std::future_status::ready);
  ASSERT_TRUE(told(*la, "peer=-,tapped=0"));
  ASSERT_TRUE(told(*lb, "peer=-,tapped=0"));
  EXPECT_GT(la->count(), before);
  a->hangup();
  b->hangup();
}

TEST_F(NativeSeam, ThirdMemberClearsThePeerAndLeavingRestoresIt) {
  std::shared_ptr<SeamLog> la, lb, lc;
  auto a = seam_channel("a3", la), b = seam_channel("b3", lb), c = seam_channel("c3", lc);
  auto br = Bridge::create(engine, BridgeOptions{.dissolve_when_alone = false});
  auto ja = join(br, a), jb = join(br, b);
  ASSERT_TRUE(told(*la, "peer=" + b->name() + ",tapped=0"));
  auto jc = join(br, c);
  ASSERT_TRUE(told(*la, "peer=-,tapped=0"));  // three members: nobody has one peer
  ASSERT_TRUE(told(*lb, "peer=-,tapped=0"));
  ASSERT_TRUE(told(*lc, "peer=-,tapped=0"));
  // Taps are still reported to a member without a peer (its own leg).
  c->set_audio_mute(Channel::MuteDirection::Both, true);
  ASSERT_TRUE(told(*lc, "peer=-,tapped=1"));
  c->set_audio_mute(Channel::MuteDirection::Both, false);
  ASSERT_TRUE(told(*lc, "peer=-,tapped=0"));
  br->kick(c);
  ASSERT_EQ(jc.wait_for(3s), std::future_status::ready);
  ASSERT_TRUE(told(*la, "peer=" + b->name() + ",tapped=0"));
  ASSERT_TRUE(told(*lb, "peer=" + a->name() + ",tapped=0"));
  // c left: a tap on it no longer reaches a or b.
  const auto na = la->count(), nb = lb->count();
  c->set_audio_mute(Channel::MuteDirection::Both, true);
  ASSERT_TRUE(told(*lc, "peer=-,tapped=1"));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(la->count(), na);
  EXPECT_EQ(lb->count(), nb);
  br->dissolve();
  ja.wait_for(3s);
  jb.wait_for(3s);
  for (auto& ch : {a, b, c}) ch->hangup();
}

TEST_F(NativeSeam, MixingBridgeNeverNamesPeers) {
  std::shared_ptr<SeamLog> la, lb;
  auto a = seam_channel("ma", la), b = seam_channel("mb", lb);
  auto br = Bridge::create(engine, {}, std::make_unique<media::MixingBridge>());
  auto ja = join(br, a), jb = join(br, b);
  ASSERT_TRUE(testkit::eventually([&] { return br->members().size() == 2; }));
  std::this_thread::sleep_for(200ms);
  for (auto& l : {la, lb}) {
    std::lock_guard lock(l->mu);
    for (auto& t : l->told) EXPECT_EQ(t.rfind("peer=-", 0), 0u) << t;
  }
  br->dissolve();
  ja.wait_for(3s);
  jb.wait_for(3s);
  a->hangup();
  b->hangup();
}
