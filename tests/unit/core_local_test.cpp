// Local channel pairs: naming, dialplan start on ;2, answer/hangup/frames across, bridging.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <regex>

#include "telephony/bridge.hpp"
#include "telephony/engine.hpp"
#include "telephony/local/local_driver.hpp"
#include "testkit/engine_kit.hpp"

using namespace telephony;
using namespace std::chrono_literals;
using testkit::EventLog;
using testkit::eventually;

namespace asio = boost::asio;

namespace {
struct LocalFixture : ::testing::Test {
  Engine engine{EngineOptions{.threads = 2}};
  std::shared_ptr<testkit::TestDriver> test_driver = std::make_shared<testkit::TestDriver>();
  std::shared_ptr<testkit::ScriptedPbx> pbx = std::make_shared<testkit::ScriptedPbx>();
  void SetUp() override {
    ASSERT_TRUE(engine.drivers().add("Test", test_driver));
    ASSERT_TRUE(engine.drivers().add("Local", std::make_shared<LocalDriver>()));
    engine.set_pbx(pbx);
    engine.start();
  }
  void TearDown() override { engine.stop(); }
};

// Waits on chan's strand until it is answered, hung up, or a busy indication arrives.
asio::awaitable<std::string> await_outcome(Channel::Ptr chan) {
  for (;;) {
    auto f = co_await chan->read(3000ms);
    if (!f) co_return chan->hangup_requested() ? "hangup:" + std::to_string(static_cast<int>(chan->hangup_cause())) : "timeout";
    if (f->is_control(Control::Answer)) co_return "answer";
    if (f->is_control(Control::Busy)) co_return "busy";
  }
}
}  // namespace

TEST_F(LocalFixture, PairIsNamedLikeAsteriskAndRunsDialplanOnTwo) {
  std::promise<std::string> seen;
  pbx->add("100@ctx", [&](Channel::Ptr c) -> asio::awaitable<void> {
    seen.set_value(c->name() + "|" + c->caller().number + "|" + c->variable("GREETING").value_or("?"));
    co_return;
  });
  auto one = engine.request("Local/100@ctx");
  ASSERT_TRUE(one) << one.error().to_string();
  EXPECT_TRUE(std::regex_match((*one)->name(), std::regex("Local/100@ctx-[0-9a-f]{8};1"))) << (*one)->name();
  auto two = local_peer(**one);
  ASSERT_TRUE(two);
  EXPECT_EQ(two->name().substr(0, two->name().size() - 1), (*one)->name().substr(0, (*one)->name().size() - 1));
  EXPECT_EQ(two->linkedid(), (*one)->linkedid());
  (*one)->set_caller(CallerId{"2000", "Front desk"});
  (*one)->set_variable("__GREETING", "hi");
  auto token = (*one)->hold();
  ASSERT_TRUE((*one)->call("", 5s));
  auto fut = seen.get_future();
  ASSERT_EQ(fut.wait_for(3s), std::future_status::ready);
  EXPECT_EQ(fut.get(), two->name() + "|2000|hi");
  // ;2's dialplan ended: its hangup reaches ;1.
  EXPECT_TRUE(eventually([&] { return (*one)->hangup_requested(); }));
}

TEST_F(LocalFixture, MissingExtensionFailsTheCall) {
  auto one = engine.request("Local/999@nowhere");
  ASSERT_TRUE(one);
  auto r = (*one)->call("", 1s);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("No such extension/context 999@nowhere"), std::string::npos);
  (*one)->hangup();
}

TEST_F(LocalFixture, AnswerBusyAndHangupCrossThePair) {
  pbx->add("answer@ctx", [](Channel::Ptr c) -> asio::awaitable<void> {
    c->answer();
    co_await c->sleep(100ms);
  });
  pbx->add("busy@ctx", [](Channel::Ptr c) -> asio::awaitable<void> {
    c->indicate(Control::Busy);
    c->set_hangup_cause(HangupCause::UserBusy);
    co_await c->sleep(50ms);
  });
  for (auto [exten, want] : {std::pair{"answer", "answer"}, std::pair{"busy", "busy"}}) {
    auto one = *engine.request(std::string("Local/") + exten + "@ctx");
    auto token = one->hold();
    ASSERT_TRUE(one->call("", 5s));
    auto fut = asio::co_spawn(one->strand(), await_outcome(one), asio::use_future);
    ASSERT_EQ(fut.wait_for(4s), std::future_status::ready);
    EXPECT_EQ(fut.get(), want);
    if (std::string(want) == "answer") {
      EXPECT_EQ(one->state(), ChannelState::Up);
    }
    // ;2 ends -> ;1 hangup requested with ;2's cause.
    EXPECT_TRUE(eventually([&] { return one->hangup_requested(); }));
    if (std::string(want) == "busy") {
      EXPECT_EQ(one->hangup_cause(), HangupCause::UserBusy);
    }
    token.reset();
    EXPECT_TRUE(eventually([&] { return one->is_hung_up(); }));
  }
  EXPECT_TRUE(eventually([&] { return engine.channel_count() == 0; }));
}

TEST_F(LocalFixture, FramesAndDigitsPassBothWays) {
  std::promise<std::string> heard;
  pbx->add("echo@ctx", [&](Channel::Ptr c) -> asio::awaitable<void> {
    c->answer();
    std::string got;
    while (got.size() < 3) {
      auto f = co_await c->read(2000ms);
      if (!f) break;
      if (f->kind == FrameKind::DtmfEnd) got += f->digit();
      if (f->kind == FrameKind::Voice) c->write(*f);  // echo voice back through the pair
    }
    heard.set_value(got);
    co_await c->sleep(200ms);
  });
  auto one = *engine.request("Local/echo@ctx");
  auto token = one->hold();
  ASSERT_TRUE(one->call("", 5s));
  auto voice = Frame::voice(media::Format::slin(), std::vector<std::uint8_t>(320, 7), 160);
  auto fut = asio::co_spawn(
      one->strand(),
      [one, voice]() -> asio::awaitable<std::size_t> {
        for (;;) {
          auto f = co_await one->read(2000ms);
          if (!f) co_return 0;
          if (f->is_control(Control::Answer)) break;
        }
        one->write(voice);
        for (char d : std::string("123")) one->send_digit(d);
        for (;;) {
          auto f = co_await one->read(2000ms);
          if (!f) co_return 0;
          if (f->kind == FrameKind::Voice) co_return f->data().size();
        }
      },
      asio::use_future);
  ASSERT_EQ(fut.wait_for(4s), std::future_status::ready);
  EXPECT_EQ(fut.get(), 320u);
  auto h = heard.get_future();
  ASSERT_EQ(h.wait_for(4s), std::future_status::ready);
  EXPECT_EQ(h.get(), "123");
}

TEST_F(LocalFixture, BridgeRelaysBetweenDeviceAndLocalAndDissolvesOnHangup) {
  EventLog log(engine.events());
  // Local ;2 answers and sends a tone-like frame, then hangs up after a while.
  pbx->add("talk@ctx", [](Channel::Ptr c) -> asio::awaitable<void> {
    c->answer();
    co_await c->sleep(50ms);
    c->write(Frame::voice(media::Format::slin(), std::vector<std::uint8_t>(320, 9), 160));
    co_await c->sleep(300ms);
  });
  auto device = *engine.request("Test/phone");
  auto local = *engine.request("Local/talk@ctx");
  auto dev_token = device->hold();
  auto loc_token = local->hold();
  ASSERT_TRUE(local->call("", 5s));
  auto bridge = Bridge::create(engine, {.name = "test"});
  auto f1 = asio::co_spawn(device->strand(), bridge->join(device), asio::use_future);
  auto f2 = asio::co_spawn(local->strand(), bridge->join(local), asio::use_future);
  ASSERT_EQ(f2.wait_for(4s), std::future_status::ready);
  ASSERT_EQ(f1.wait_for(4s), std::future_status::ready);
  EXPECT_EQ(f2.get(), BridgeExit::Hangup);
  EXPECT_EQ(f1.get(), BridgeExit::Dissolved);
  // The device heard the Local side's voice frame through the bridge.
  auto ep = test_driver->endpoint("phone");
  std::lock_guard lock(ep->mu);
  ASSERT_FALSE(ep->written.empty());
  bool voice = false;
  for (auto& f : ep->written)
    if (f.kind == FrameKind::Voice && f.data().size() == 320 && f.data()[0] == 9) voice = true;
  EXPECT_TRUE(voice);
  ASSERT_TRUE(log.wait_for_type("BridgeDestroyed"));
  std::vector<std::string> bridge_types;
  for (auto& e : log.events())
    if (e->as<BridgeEvent>()) bridge_types.emplace_back(e->type());
  std::vector<std::string> want = {"BridgeCreated", "BridgeEntered", "BridgeEntered", "BridgeLeft", "BridgeLeft", "BridgeDestroyed"};
  EXPECT_EQ(bridge_types, want);
}
