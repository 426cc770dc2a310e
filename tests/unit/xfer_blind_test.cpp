// Blind transfer by DTMF inside a Dial() bridge: the blindxfer code (#) then the target digits;
// the other party continues at target@context (TRANSFER_CONTEXT, else the transferrer's context)
// and the transferrer is hung up. Invalid targets keep the call; a target that a longer extension
// could extend waits for the transfer digit timeout.
#include <fstream>

#include "dialpage_support.hpp"
#include "telephony/media/features_module.hpp"
#include "testkit/testkit.hpp"

using namespace dialpage_test;

namespace {

constexpr const char* kPlan =
    "[test]\n"
    "exten => 100,1,Dial(Test/bob,,T)\n"
    " same => n,NoOp(not here)\n"
    "exten => 101,1,Set(TRANSFER_CONTEXT=dst)\n"
    " same => n,Dial(Test/bob,,T)\n"
    "exten => 102,1,Dial(Test/bob,,t)\n"
    " same => n,NoOp(not here either)\n"
    "exten => 103,1,NoOp(landed ${BLINDTRANSFER})\n"
    " same => n,Wait(5)\n"
    "[dst]\n"
    "exten => 500,1,NoOp(transferred ${BLINDTRANSFER})\n"
    " same => n,Wait(5)\n"
    "exten => 55,1,NoOp(short ${BLINDTRANSFER})\n"
    " same => n,Wait(5)\n"
    "exten => 555,1,NoOp(long)\n"
    "exten => 700,1,Answer()\n"
    " same => n,Wait(5)\n";

void press(const Channel::Ptr& chan, const std::string& digits) {
  for (char d : digits) {
    chan->queue_frame(Frame::dtmf_begin(d));
    chan->queue_frame(Frame::dtmf_end(d, 100ms));
  }
}

}  // namespace

struct XferBlind : DialPageFixture {
  Channel::Ptr alice, bob;
  // alice calls `exten`; bob answers; both are bridged.
  void connect(const std::string& exten) {
    load(kPlan);
    alice = call("test", exten, "alice");
    bob = wait_channel("Test/bob-");
    ASSERT_TRUE(bob);
    ASSERT_TRUE(eventually([&] { return !alice->snapshot().bridge_id.empty() && !bob->snapshot().bridge_id.empty(); }));
    std::this_thread::sleep_for(50ms);  // on_join runs on the bridge strand
  }
  bool saw(const Channel::Ptr& chan, const std::string& noop) {
    return eventually([&] {
      for (auto& s : trace(chan->name()))
        if (s == noop) return true;
      return false;
    });
  }
  std::string digits_heard(const std::string& device) {
    auto ep = driver->endpoint(device);
    std::lock_guard lock(ep->mu);
    return ep->digits_sent;  // DTMF frames a bridge writes reach send_digit_end too (Channel::write)
  }
  std::vector<Control> indications(const std::string& device) {
    auto ep = driver->endpoint(device);
    std::lock_guard lock(ep->mu);
    return ep->indications;
  }
};

TEST_F(XferBlind, CallerTransfersCalleeToTransferContext) {
  connect("101");
  press(alice, "#500");
  EXPECT_TRUE(saw(bob, "transferred " + alice->name()));
  EXPECT_TRUE(wait_gone(alice->name()));
  EXPECT_FALSE(bob->is_hung_up());
  EXPECT_EQ(bob->variable("BLINDTRANSFER").value_or(""), alice->name());
  EXPECT_EQ(digits_heard("bob"), "") << "neither the code nor the target reaches the transferee";
  auto ind = indications("bob");
  EXPECT_NE(std::find(ind.begin(), ind.end(), Control::Hold), ind.end()) << "held while the target is dialed";
  EXPECT_TRUE(trace(alice->name()).empty()) << "the transferrer's dialplan does not continue";
  bob->request_hangup();
}

TEST_F(XferBlind, CalleeTransfersCallerInTheCallersContext) {
  connect("102");
  press(bob, "#103");
  EXPECT_TRUE(saw(alice, "landed " + bob->name()));
  EXPECT_TRUE(wait_gone(bob->name()));
  EXPECT_FALSE(alice->is_hung_up());
  EXPECT_EQ(digits_heard("alice"), "");
  auto steps = trace(alice->name());
  EXPECT_EQ(std::find(steps.begin(), steps.end(), "not here either"), steps.end());
  alice->request_hangup();
}

TEST_F(XferBlind, InvalidTargetKeepsTheCallAndTimeoutEndsTheDigits) {
  connect("101");
  // "9" can match nothing in [dst]: the transfer fails at once and the call goes on.
  press(alice, "#9");
  ASSERT_TRUE(eventually([&] {
    auto ind = indications("bob");
    return std::find(ind.begin(), ind.end(), Control::Unhold) != ind.end();
  }));
  EXPECT_FALSE(alice->hangup_requested());
  EXPECT_FALSE(bob->hangup_requested());
  // Digits that are no feature reach the peer again after the failed transfer.
  press(alice, "7");
  EXPECT_TRUE(eventually([&] { return digits_heard("bob") == "7"; }));
  // "55" exists but "555" extends it: the target is taken when the 3 s digit timeout passes.
  const auto t0 = std::chrono::steady_clock::now();
  press(alice, "#55");
  EXPECT_TRUE(eventually([&] {
    for (auto& s : trace(bob->name()))
      if (s == "short " + alice->name()) return true;
    return false;
  }, 6s));
  const auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(waited, 2900ms);
  EXPECT_LT(waited, 4500ms);
  EXPECT_TRUE(wait_gone(alice->name()));
  bob->request_hangup();
}

// The atxfer code (*2) in the same bridge: the target is collected like a blind transfer's, then
// the callee waits on hold while alice consults Local/700@dst; alice's hangup connects them.
TEST_F(XferBlind, AttendedCodeConsultsThenConnectsOnHangup) {
  connect("101");
  press(alice, "*2700");
  Channel::Ptr target;
  ASSERT_TRUE(eventually([&] {
    target = nullptr;
    for (auto& c : engine.channels())
      if (c->name().starts_with("Local/700@dst-") && c->name().ends_with(";1")) target = c;
    return target && !target->snapshot().bridge_id.empty() &&
           target->snapshot().bridge_id == alice->snapshot().bridge_id;
  }));
  EXPECT_TRUE(bob->snapshot().bridge_id.empty()) << "the transferee waits outside, on hold";
  EXPECT_EQ(digits_heard("bob"), "");
  alice->request_hangup();
  EXPECT_TRUE(wait_gone(alice->name()));
  EXPECT_TRUE(eventually([&] {
    auto id = bob->snapshot().bridge_id;
    return !id.empty() && id == target->snapshot().bridge_id;
  }));
  EXPECT_FALSE(bob->is_hung_up());
  bob->request_hangup();
}

// features.conf through the "features" module: Dial bridges use the loaded codes, a broken file
// keeps the running map and names file:line.
TEST_F(XferBlind, FeaturesConfChangesTheBlindTransferCode) {
  testkit::TempDir dir{"features-conf"};
  auto write = [&](const std::string& text) {
    std::ofstream(dir.path() / "features.conf") << text;
  };
  write("[general]\ntransferdigittimeout => 2\n[featuremap]\nblindxfer => *9\n");
  auto mod = std::make_shared<media::FeaturesModule>();
  ASSERT_TRUE(mod->load(dir.path()));
  engine.add_module(mod);
  EXPECT_EQ(media::active_feature_map(engine).blindxfer, "*9");
  EXPECT_EQ(media::active_feature_map(engine).transfer_digit_timeout, 2000ms);

  write("[featuremap]\nblindxfer => *9\nbogus => 1\n");
  auto bad = mod->reload(dir.path());
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().to_string().find("features.conf:3"), std::string::npos) << bad.error().to_string();
  EXPECT_EQ(media::active_feature_map(engine).blindxfer, "*9") << "a broken reload keeps the running map";

  connect("101");
  press(alice, "#");  // the default code is no longer a feature: it passes to bob as a digit
  press(alice, "*9500");
  EXPECT_TRUE(saw(bob, "transferred " + alice->name()));
  EXPECT_TRUE(wait_gone(alice->name()));
  EXPECT_EQ(digits_heard("bob"), "#");
}
