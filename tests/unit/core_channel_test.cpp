// Channel lifecycle, naming, state codes, causes, variables and inheritance.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <regex>

#include "telephony/engine.hpp"
#include "testkit/engine_kit.hpp"

using namespace telephony;
using namespace std::chrono_literals;
using testkit::EventLog;
using testkit::eventually;

namespace {
struct EngineFixture : ::testing::Test {
  Engine engine{EngineOptions{.threads = 2}};
  std::shared_ptr<testkit::TestDriver> driver = std::make_shared<testkit::TestDriver>();
  void SetUp() override {
    ASSERT_TRUE(engine.drivers().add("Test", driver));
    engine.start();
  }
  void TearDown() override { engine.stop(); }
};
}  // namespace

TEST(ChannelState, NumericCodesAndTextsMatchAsterisk) {
  EXPECT_EQ(static_cast<int>(ChannelState::Up), 6);
  EXPECT_EQ(static_cast<int>(ChannelState::PreRing), 9);
  EXPECT_EQ(to_string(ChannelState::Reserved), "Rsrvd");
  EXPECT_EQ(to_string(ChannelState::DialingOffhook), "Dialing Offhook");
  EXPECT_EQ(to_string(ChannelState::PreRing), "Pre-ring");
  EXPECT_EQ(to_string(ChannelState::Ringing), "Ringing");
}

TEST(HangupCauses, Q850NumbersNamesAndTexts) {
  EXPECT_EQ(cause_text(HangupCause::NormalClearing), "Normal Clearing");
  EXPECT_EQ(cause_text(HangupCause::UserBusy), "User busy");
  EXPECT_EQ(cause_text(HangupCause::NormalCircuitCongestion), "Circuit/channel congestion");
  EXPECT_EQ(cause_text(HangupCause::NotDefined), "Unknown");
  EXPECT_EQ(cause_name(HangupCause::NoAnswer), "NO_ANSWER");
  EXPECT_EQ(cause_from_name("17"), HangupCause::UserBusy);
  EXPECT_EQ(cause_from_name("user_busy"), HangupCause::UserBusy);
  EXPECT_EQ(cause_from_name("NOPE"), std::nullopt);
  EXPECT_EQ(cause_from_name("500"), std::nullopt);
}

TEST(CallerIdText, ParsesTheCallerIdForms) {
  auto a = CallerId::parse("\"Alice Smith\" <1001>");
  EXPECT_EQ(a.name, "Alice Smith");
  EXPECT_EQ(a.number, "1001");
  auto b = CallerId::parse("Bob <+4930123>");
  EXPECT_EQ(b.name, "Bob");
  EXPECT_EQ(b.number, "+4930123");
  auto c = CallerId::parse("5551234");
  EXPECT_EQ(c.number, "5551234");
  EXPECT_TRUE(c.name.empty());
  auto d = CallerId::parse("Reception");
  EXPECT_EQ(d.name, "Reception");
  EXPECT_EQ(a.to_string(), "\"Alice Smith\" <1001>");
}

TEST_F(EngineFixture, ChannelNamesCarryEightHexDigitsAndUniqueIds) {
  auto a = engine.request("Test/alice");
  auto b = engine.request("Test/bob");
  ASSERT_TRUE(a && b);
  std::regex name_re("Test/alice-[0-9a-f]{8}");
  EXPECT_TRUE(std::regex_match((*a)->name(), name_re)) << (*a)->name();
  EXPECT_NE((*a)->uniqueid(), (*b)->uniqueid());
  EXPECT_TRUE(std::regex_match((*a)->uniqueid(), std::regex("[0-9]+\\.[0-9]+"))) << (*a)->uniqueid();
  EXPECT_EQ((*a)->linkedid(), (*a)->uniqueid());
  EXPECT_EQ(engine.channel_count(), 2u);
  (*a)->hangup();
  (*b)->hangup();
  EXPECT_TRUE(eventually([&] { return engine.channel_count() == 0; }));
}

TEST_F(EngineFixture, UnknownTechnologyAndBadDialStringAreClearErrors) {
  auto r = engine.request("Nope/x");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("No such channel technology 'Nope'"), std::string::npos);
  auto r2 = engine.request("justtext");
  ASSERT_FALSE(r2);
  EXPECT_NE(r2.error().message.find("not Tech/resource"), std::string::npos);
}

TEST_F(EngineFixture, LifecycleEventsArriveInOrder) {
  EventLog log(engine.events());
  auto chan = *engine.request("Test/alice");
  chan->set_state(ChannelState::Ringing);
  chan->set_variable("FOO", "bar");
  chan->set_state(ChannelState::Up);
  chan->request_hangup(HangupCause::UserBusy);
  ASSERT_TRUE(log.wait_for_type("ChannelHungUp"));
  auto types = log.types_for_channel(chan->name());
  std::vector<std::string> want = {"ChannelCreated", "ChannelStateChanged", "ChannelVarSet",
                                   "ChannelStateChanged", "ChannelHangupRequest", "ChannelHungUp"};
  EXPECT_EQ(types, want);
  for (auto& e : log.events())
    if (auto* h = e->as<ChannelHungUp>()) {
      EXPECT_EQ(h->cause, HangupCause::UserBusy);
    }
  // Sequence numbers strictly increase in delivery order.
  auto evs = log.events();
  for (std::size_t i = 1; i < evs.size(); ++i) EXPECT_LT(evs[i - 1]->seq, evs[i]->seq);
  EXPECT_TRUE(driver->endpoint("alice")->hung_up);
}

TEST_F(EngineFixture, HangupRequestWaitsForTheOwner) {
  auto chan = *engine.request("Test/alice");
  auto token = chan->hold();
  chan->request_hangup();
  EXPECT_TRUE(chan->hangup_requested());
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(chan->is_hung_up());
  token.reset();
  EXPECT_TRUE(eventually([&] { return chan->is_hung_up(); }));
}

TEST_F(EngineFixture, VariablesInheritOneOrAllGenerations) {
  auto parent = *engine.request("Test/p");
  parent->set_variable("PLAIN", "1");
  parent->set_variable("_ONCE", "2");
  parent->set_variable("__ALWAYS", "3");
  EXPECT_EQ(parent->variable("ONCE"), "2");
  EXPECT_EQ(parent->variable("_ONCE"), "2");  // lookups ignore the prefix
  auto child = *engine.request("Test/c", parent.get());
  EXPECT_EQ(child->variable("PLAIN"), std::nullopt);
  EXPECT_EQ(child->variable("ONCE"), "2");
  EXPECT_EQ(child->variable("ALWAYS"), "3");
  EXPECT_EQ(child->linkedid(), parent->uniqueid());
  auto grandchild = *engine.request("Test/g", child.get());
  EXPECT_EQ(grandchild->variable("ONCE"), std::nullopt);
  EXPECT_EQ(grandchild->variable("ALWAYS"), "3");
  EXPECT_EQ(grandchild->linkedid(), parent->uniqueid());
  for (auto& c : {parent, child, grandchild}) c->hangup();
}

TEST_F(EngineFixture, ReadReturnsInjectedFramesAndWakesOnHangup) {
  auto chan = *engine.request("Test/alice");
  auto token = chan->hold();
  chan->queue_frame(Frame::dtmf_end('5', 80ms));
  auto fut = boost::asio::co_spawn(
      chan->strand(),
      [chan]() -> boost::asio::awaitable<std::string> {
        std::string got;
        auto f = co_await chan->read(1000ms);
        if (f && f->kind == FrameKind::DtmfEnd) got += f->digit();
        auto none = co_await chan->read(30ms);  // timeout
        got += none ? "frame" : "timeout";
        auto t0 = std::chrono::steady_clock::now();
        auto hung = co_await chan->read(-1ms);  // forever, until hangup
        got += (!hung && chan->hangup_requested()) ? "+hangup" : "+?";
        if (std::chrono::steady_clock::now() - t0 > 2s) got += "+slow";
        co_return got;
      },
      boost::asio::use_future);
  std::this_thread::sleep_for(100ms);
  chan->request_hangup();
  ASSERT_EQ(fut.wait_for(3s), std::future_status::ready);
  EXPECT_EQ(fut.get(), "5timeout+hangup");
}

TEST_F(EngineFixture, AbsoluteTimeoutFiresAsSoftHangupThatCanBeCleared) {
  auto chan = *engine.request("Test/alice");
  auto token = chan->hold();
  chan->set_absolute_timeout(50ms);
  EXPECT_TRUE(eventually([&] { return chan->timeout_fired(); }, 2s));
  EXPECT_TRUE(chan->hangup_requested());
  chan->clear_timeout_hangup();
  EXPECT_FALSE(chan->hangup_requested());
  EXPECT_FALSE(chan->is_hung_up());
}

TEST_F(EngineFixture, StopHangsUpEveryChannel) {
  EventLog log(engine.events());
  std::vector<Channel::Ptr> chans;
  for (int i = 0; i < 20; ++i) chans.push_back(*engine.request("Test/x" + std::to_string(i)));
  engine.stop(std::chrono::milliseconds(2000));
  EXPECT_EQ(engine.channel_count(), 0u);
  for (auto& c : chans) EXPECT_TRUE(c->is_hung_up());
}
