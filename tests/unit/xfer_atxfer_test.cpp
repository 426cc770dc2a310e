// AMI Atxfer on two calls bridged by the AMI Bridge action: the transferee waits on hold while
// the transferrer talks to Local/<exten>@xfer; the transferrer's hangup bridges transferee and
// target; a target that hangs up first sends the transferrer back to the transferee.
#include "amiz_test_support.hpp"

using namespace amiz_test;
using namespace std::chrono_literals;
using telephony::Channel;
using telephony::testkit::eventually;

namespace {

constexpr const char* kXfer =
    "[xfer]\n"
    "exten => 700,1,Answer()\n"
    " same => n,Wait(20)\n"
    "exten => 701,1,Answer()\n"
    " same => n,Wait(1)\n"
    " same => n,Hangup()\n";

struct Bridged {
  Fixture f;
  EventLog events;
  Client* c = nullptr;
  Channel::Ptr alice, bob;

  Bridged() {
    auto plan = telephony::dialplan::load_dialplan_string(std::string(kDialplan) + kXfer, "extensions.conf");
    EXPECT_TRUE(plan) << plan.error().to_string();
    f.pbx->replace(*plan);
    c = &f.login("admin", "s3cret", &events);
    alice = f.call_in("alice", "test", "200");
    bob = f.call_in("bob", "test", "200");
    EXPECT_TRUE(saw_step(events, "Test/alice", "Wait", "20"));
    EXPECT_TRUE(saw_step(events, "Test/bob", "Wait", "20"));
    auto m = action("Bridge");
    m.add("Channel1", alice->name()).add("Channel2", bob->name());
    EXPECT_EQ(f.send(*c, m).response(), "Success");
    EXPECT_TRUE(eventually([&] { return together(alice, bob); }));
  }
  static bool together(const Channel::Ptr& a, const Channel::Ptr& b) {
    auto x = a->snapshot().bridge_id;
    return !x.empty() && x == b->snapshot().bridge_id;
  }
  Message atxfer(const std::string& exten) {
    auto m = action("Atxfer");
    m.add("Channel", alice->name()).add("Exten", exten).add("Context", "xfer");
    return f.send(*c, m);
  }
  Channel::Ptr target(const std::string& exten) {
    Channel::Ptr found;
    eventually([&] {
      for (auto& ch : f.engine.channels())
        if (ch->name().starts_with("Local/" + exten + "@xfer-") && ch->name().ends_with(";1")) found = ch;
      return found != nullptr;
    });
    return found;
  }
  std::size_t voice_to(const std::string& device) {
    auto ep = f.driver->endpoint(device);
    std::lock_guard lock(ep->mu);
    std::size_t n = 0;
    for (auto& fr : ep->written) n += fr.kind == telephony::FrameKind::Voice;
    return n;
  }
};

}  // namespace

TEST(XferAtxfer, TransferrerHangupBridgesTransfereeWithTarget) {
  Bridged b;
  auto r = b.atxfer("700");
  EXPECT_EQ(r.response(), "Success");
  EXPECT_EQ(r.get("Message"), "Atxfer successfully queued");
  auto local = b.target("700");
  ASSERT_TRUE(local);
  // Consultation: alice talks to the target; bob is alone, hearing music on hold.
  ASSERT_TRUE(eventually([&] { return Bridged::together(b.alice, local); }));
  EXPECT_TRUE(b.bob->snapshot().bridge_id.empty());
  const auto before = b.voice_to("bob");
  EXPECT_TRUE(eventually([&] { return b.voice_to("bob") >= before + 10; })) << "music on hold reaches the transferee";
  EXPECT_FALSE(b.bob->is_hung_up());

  b.alice->request_hangup();
  EXPECT_TRUE(wait_event(b.events, "Hangup", "Channel", b.alice->name()));
  EXPECT_TRUE(eventually([&] { return Bridged::together(b.bob, local); })) << "transferee now talks to the target";
  EXPECT_FALSE(b.bob->is_hung_up());
  // The target hanging up ends the call for the transferee too.
  local->request_hangup();
  EXPECT_TRUE(wait_event(b.events, "Hangup", "Channel", b.bob->name()));
}

TEST(XferAtxfer, TargetHangupReturnsTransferrerToTransferee) {
  Bridged b;
  ASSERT_EQ(b.atxfer("701").response(), "Success");
  auto local = b.target("701");
  ASSERT_TRUE(local);
  // Consultation (seen as events: it lasts only until 701 hangs up, 1 s after answering).
  EXPECT_TRUE(wait_event(b.events, "BridgeEnter", "Channel", local->name()));
  // 701 hangs up: alice is back with bob.
  EXPECT_TRUE(eventually([&] { return Bridged::together(b.alice, b.bob); }, 4s));
  EXPECT_FALSE(b.alice->is_hung_up());
  EXPECT_FALSE(b.bob->is_hung_up());
  b.bob->request_hangup();
  EXPECT_TRUE(wait_event(b.events, "Hangup", "Channel", b.alice->name()));
}

TEST(XferAtxfer, InputErrors) {
  Bridged b;
  auto err = [&](std::vector<std::pair<const char*, std::string>> headers) {
    auto m = action("Atxfer");
    for (auto& [k, v] : headers) m.add(k, v);
    auto r = b.f.send(*b.c, m);
    EXPECT_EQ(r.response(), "Error");
    return std::string(r.get_or("Message"));
  };
  EXPECT_EQ(err({{"Exten", "700"}}), "No channel specified");
  EXPECT_EQ(err({{"Channel", b.alice->name()}}), "No extension specified");
  EXPECT_EQ(err({{"Channel", "Test/nobody-1"}, {"Exten", "700"}}), "Channel specified does not exist");
  EXPECT_EQ(err({{"Channel", b.alice->name()}, {"Exten", "999"}, {"Context", "xfer"}}),
            "Transfer failed: extension 999@xfer does not exist");
  EXPECT_TRUE(Bridged::together(b.alice, b.bob)) << "a refused transfer leaves the call alone";
  b.alice->request_hangup();
  b.bob->request_hangup();
}
