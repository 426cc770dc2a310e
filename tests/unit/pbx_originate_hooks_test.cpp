// The executor behind originate: the application form runs one app and hangs up; a predial
// Gosub runs on the new channel before it is dialed (variables it sets reach the far side).
#include <gtest/gtest.h>

#include <future>

#include "telephony/dialplan/loader.hpp"
#include "telephony/dialplan/module.hpp"
#include "telephony/engine.hpp"
#include "telephony/local/local_driver.hpp"
#include "telephony/originate.hpp"
#include "testkit/engine_kit.hpp"

using namespace telephony;
using namespace std::chrono_literals;

namespace {
struct HooksFixture : ::testing::Test {
  Engine engine{EngineOptions{.threads = 2}};
  std::shared_ptr<dialplan::DialplanPbx> pbx;
  std::unique_ptr<testkit::EventLog> log;
  void SetUp() override {
    engine.log().set_level(LogLevel::Error);
    ASSERT_TRUE(engine.drivers().add("Local", std::make_shared<LocalDriver>()));
    pbx = dialplan::install_dialplan(engine);
    auto plan = dialplan::load_dialplan_string(
        "[test]\n"
        "exten => 100,1,Answer()\n"
        " same => n,NoOp(seen ${PREDIAL})\n"
        " same => n,Wait(0.2)\n"
        "[pre]\n"
        "exten => s,1,Set(__PREDIAL=${ARG1})\n"
        " same => n,Return()\n",
        "extensions.conf");
    ASSERT_TRUE(plan) << plan.error().to_string();
    pbx->replace(*plan);
    engine.start();
    log = std::make_unique<testkit::EventLog>(engine.events());
  }
  void TearDown() override { engine.stop(); }
  OriginateResult run(OriginateRequest req) {
    std::promise<OriginateResult> p;
    originate(engine, std::move(req), [&](const OriginateResult& r) { p.set_value(r); });
    auto f = p.get_future();
    EXPECT_EQ(f.wait_for(5s), std::future_status::ready);
    return f.get();
  }
};
}  // namespace

TEST_F(HooksFixture, ApplicationFormRunsTheAppThenHangsUp) {
  OriginateRequest req;
  req.dial = "Local/100@test";
  req.application = "Set";
  req.data = "FROMAPP=yes";
  auto r = run(req);
  ASSERT_EQ(r.reason, OriginateReason::Answered) << r.error;
  EXPECT_TRUE(log->wait_for_type("ChannelVarSet", [&](const Event& e) {
    auto* v = e.as<ChannelVarSet>();
    return v->channel.name == r.channel_name() && v->variable == "FROMAPP" && v->value == "yes";
  }));
  EXPECT_TRUE(log->wait_for_type("ChannelHungUp", [&](const Event& e) { return e.as<ChannelHungUp>()->channel.name == r.channel_name(); }));
}

TEST_F(HooksFixture, PredialGosubRunsBeforeDialing) {
  OriginateRequest req;
  req.dial = "Local/100@test";
  req.predial_gosub = "pre^s^1(hello)";
  req.context = "test";
  req.exten = "100";
  auto r = run(req);
  ASSERT_EQ(r.reason, OriginateReason::Answered) << r.error;
  // ;2 ran the dialplan with the variable the predial handler set on ;1 before the call.
  EXPECT_TRUE(log->wait_for_type("DialplanStep", [&](const Event& e) {
    auto* s = e.as<DialplanStep>();
    return s->application == "NoOp" && s->data == "seen hello";
  })) << "predial variable did not reach the dialplan";
}

TEST_F(HooksFixture, UnknownApplicationIsRefused) {
  OriginateRequest req;
  req.dial = "Local/100@test";
  req.application = "NoSuchApp";
  auto r = run(req);
  EXPECT_EQ(r.reason, OriginateReason::Failure);
  EXPECT_FALSE(r.error.empty());
}
