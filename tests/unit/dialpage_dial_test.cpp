// Dial() through the dialplan executor on Test/ and Local/ channels: answered calls bridge voice
// and set DIALSTATUS/DIALEDPEER*/times, each failure gives its DIALSTATUS, the first answer wins
// (the others go with cause 26), DialBegin/DialEnd per leg, D() digits, b() predial Gosub,
// inheritance, g, and a caller hanging up while the devices ring.
#include <algorithm>
#include "dialpage_support.hpp"

using namespace dialpage_test;

TEST_F(DialPageFixture, DialAnsweredBridgesVoiceAndSetsVariables) {
  load("[c]\nexten => s,1,Set(CALLERID(num)=100)\nsame => n,Set(__FAMILY=smith)\nsame => n,Set(PLAIN=no)\n"
       "same => n,Dial(Test/bob,5,g)\n"
       "same => n,NoOp(${DIALSTATUS}|${DIALEDPEERNUMBER}|${DIALEDPEERNAME}|${ANSWEREDTIME}|${DIALEDTIME})\n");
  auto alice = call("c", "s", "alice");
  auto bob = wait_channel("Test/bob-");
  ASSERT_TRUE(bob);
  ASSERT_TRUE(log->wait_for_type("BridgeEntered", [&](const Event& e) { return e.as<BridgeEntered>()->channel.name == bob->name(); }));
  EXPECT_EQ(bob->caller().number, "100");
  EXPECT_EQ(bob->variable("FAMILY").value_or(""), "smith");
  EXPECT_FALSE(bob->variable("PLAIN"));
  EXPECT_EQ(bob->linkedid(), alice->linkedid());
  // Voice both ways through the bridge.
  feed({{alice, 440}, {bob, 1000}}, 10);
  ASSERT_TRUE(eventually([&] { return heard("bob").size() >= 800 && heard("alice").size() >= 800; }));
  EXPECT_NEAR(media::dominant_frequency(heard("bob"), 8000), 440, 10);
  EXPECT_NEAR(media::dominant_frequency(heard("alice"), 8000), 1000, 10);
  EXPECT_TRUE(driver->endpoint("alice")->answered);

  const std::string bob_name = bob->name();
  bob->request_hangup();
  ASSERT_TRUE(wait_gone(alice->name()));
  EXPECT_EQ(join(trace(alice->name())), "[ANSWER|bob|" + bob_name + "|0|0]");
  EXPECT_EQ(dial_begins(), std::vector<std::string>{"bob"});
  EXPECT_EQ(dial_ends()["Test/bob"], "ANSWER");
}

TEST_F(DialPageFixture, DialFailuresGiveTheirDialstatus) {
  set_on_call("busy", [](Channel& c) { c.queue_frame(Frame::control(Control::Busy)); });
  set_on_call("jam", [](Channel& c) { c.queue_frame(Frame::control(Control::Congestion)); });
  set_on_call("ring", [](Channel& c) { c.queue_frame(Frame::control(Control::Ringing)); });
  struct Case {
    const char* dial;
    const char* status;
  } cases[] = {
      {"Test/busy,5", "BUSY"},
      {"Test/jam,5", "CONGESTION"},
      {"Test/ring,0.3", "NOANSWER"},
      {"Nope/x,5", "CHANUNAVAIL"},           // no such technology
      {"Local/404@nowhere,5", "CHANUNAVAIL"},  // the driver refuses the call
      {"Test/busy&Test/ring,0.3", "NOANSWER"},  // one rang out: the timeout decides
      {"Test/busy&Test/jam,5", "BUSY"},
      {"", "INVALIDARGS"},
  };
  int n = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.dial);
    load(std::string("[c]\nexten => s,1,Dial(") + c.dial + ")\nsame => n,NoOp(${DIALSTATUS})\nsame => n,Hangup()\n");
    auto caller = call("c", "s", "caller" + std::to_string(n++));
    ASSERT_TRUE(wait_gone(caller->name()));
    EXPECT_EQ(join(trace(caller->name())), std::string("[") + c.status + "]");
  }
  EXPECT_EQ(dial_ends()["Test/ring"], "NOANSWER");
  EXPECT_EQ(hangup_cause_of("Test/ring-"), HangupCause::NoAnswer);
  EXPECT_EQ(hangup_cause_of("Test/busy-"), HangupCause::UserBusy);
  // The device's ringing reached the caller that dialed it.
  auto ep = driver->endpoint("caller2");
  std::lock_guard lock(ep->mu);
  EXPECT_NE(std::find(ep->indications.begin(), ep->indications.end(), Control::Ringing), ep->indications.end());
}

TEST_F(DialPageFixture, DialFirstAnswerWinsOthersGoWithCause26) {
  for (auto d : {"b1", "b2", "b3"}) set_on_call(d, [](Channel& c) { c.queue_frame(Frame::control(Control::Ringing)); });
  load("[c]\nexten => s,1,Dial(Test/b1&Test/b2&Test/b3,10)\nexten => h,1,NoOp(${DIALSTATUS} ${DIALEDPEERNUMBER})\n");
  auto alice = call("c", "s", "alice");
  Channel::Ptr b[3];
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(b[i] = wait_channel("Test/b" + std::to_string(i + 1) + "-"));
  ASSERT_TRUE(eventually([&] { return b[0]->state() == ChannelState::Ringing && b[2]->state() == ChannelState::Ringing; }));
  b[1]->queue_frame(Frame::control(Control::Answer));
  ASSERT_TRUE(wait_gone(b[0]->name()));
  ASSERT_TRUE(wait_gone(b[2]->name()));
  EXPECT_EQ(hangup_cause_of("Test/b1-"), HangupCause::AnsweredElsewhere);
  EXPECT_EQ(hangup_cause_of("Test/b3-"), HangupCause::AnsweredElsewhere);
  EXPECT_FALSE(b[1]->is_hung_up());
  // One DialBegin per leg; each leg's monitor publishes on its own strand, so the three may
  // arrive in any order (docs/dial.md).
  auto begins = dial_begins();
  std::sort(begins.begin(), begins.end());
  EXPECT_EQ(begins, (std::vector<std::string>{"b1", "b2", "b3"}));
  auto ends = dial_ends();
  EXPECT_EQ(ends["Test/b1"], "CANCEL");
  EXPECT_EQ(ends["Test/b2"], "ANSWER");
  EXPECT_EQ(ends["Test/b3"], "CANCEL");
  // The caller hanging up ends the bridge and the winner's call.
  alice->request_hangup();
  ASSERT_TRUE(wait_gone(b[1]->name()));
  ASSERT_TRUE(wait_gone(alice->name()));
  EXPECT_EQ(join(trace(alice->name())), "[ANSWER b2]");
}

TEST_F(DialPageFixture, DialSendsDigitsAfterAnswerAndRunsPredialGosub) {
  load("[c]\nexten => s,1,Dial(Test/bob,5,D(12#)b(pre^s^1(hello)))\n"
       "[pre]\nexten => s,1,Set(PREDIAL=${ARG1}@${CHANNEL(state)})\nsame => n,Return()\n");
  auto alice = call("c", "s", "alice");
  auto bob = wait_channel("Test/bob-");
  ASSERT_TRUE(bob);
  auto ep = driver->endpoint("bob");
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(ep->mu);
    return ep->digits_sent == "12#";
  }));
  // The predial Gosub ran on the new channel before it was called.
  EXPECT_EQ(var_set("Test/bob-", "PREDIAL").value_or(""), "hello@Down");
  alice->request_hangup();
  ASSERT_TRUE(wait_gone(bob->name()));
}

TEST_F(DialPageFixture, DialWithoutGHangsUpTheCallerWhenTheCalleeHangsUp) {
  load("[c]\nexten => s,1,Dial(Local/callee@far,5)\nsame => n,NoOp(not reached)\nexten => h,1,NoOp(h ${DIALSTATUS})\n"
       "[far]\nexten => callee,1,Answer()\nsame => n,Wait(0.3)\nsame => n,Hangup()\n");
  auto alice = call("c", "s", "alice");
  ASSERT_TRUE(wait_gone(alice->name()));
  EXPECT_EQ(join(trace(alice->name())), "[h ANSWER]");
  EXPECT_EQ(dial_ends()["Local/callee@far"], "ANSWER");
}

TEST_F(DialPageFixture, DialCallerHangupWhileRingingIsCancel) {
  set_on_call("bob", [](Channel& c) { c.queue_frame(Frame::control(Control::Ringing)); });
  load("[c]\nexten => s,1,Dial(Test/bob,,r)\nexten => h,1,NoOp(${DIALSTATUS})\n");
  auto alice = call("c", "s", "alice");
  auto bob = wait_channel("Test/bob-");
  ASSERT_TRUE(bob);
  ASSERT_TRUE(eventually([&] { return bob->state() == ChannelState::Ringing; }));
  alice->request_hangup();
  ASSERT_TRUE(wait_gone(bob->name()));
  ASSERT_TRUE(wait_gone(alice->name()));
  EXPECT_EQ(join(trace(alice->name())), "[CANCEL]");
  EXPECT_EQ(dial_ends()["Test/bob"], "CANCEL");
  // r: the caller was told it rings at once.
  auto ep = driver->endpoint("alice");
  std::lock_guard lock(ep->mu);
  ASSERT_FALSE(ep->indications.empty());
  EXPECT_EQ(ep->indications.front(), Control::Ringing);
}

TEST_F(DialPageFixture, DialLimitsHangUpBothPartiesAfterTheAnswer) {
  // L(x[:warn]) in milliseconds and S(x) in seconds, measured from the answer. Both parties are
  // hung up, so even with g the caller's dialplan does not continue: h runs.
  load("[c]\nexten => l,1,Dial(Test/bob,5,gL(700:300))\nsame => n,NoOp(not reached)\n"
       "exten => s,1,Dial(Test/carol,5,S(1))\nsame => n,NoOp(not reached)\n"
       "exten => h,1,NoOp(${DIALSTATUS} ${ANSWEREDTIME_MS})\n");
  for (const auto& [exten, device, min_ms] : {std::tuple{"l", "bob", 700}, std::tuple{"s", "carol", 1000}}) {
    SCOPED_TRACE(exten);
    auto caller = call("c", exten, std::string("caller-") + exten);
    auto callee = wait_channel(std::string("Test/") + device + "-");
    ASSERT_TRUE(callee);
    ASSERT_TRUE(wait_gone(callee->name(), 5000ms));
    ASSERT_TRUE(wait_gone(caller->name(), 5000ms));
    auto t = trace(caller->name());
    ASSERT_EQ(t.size(), 1u) << join(t);
    ASSERT_EQ(t[0].rfind("ANSWER ", 0), 0u) << t[0];
    const long ms = std::stol(t[0].substr(7));
    EXPECT_GE(ms, min_ms - 20) << "the limit counts from the answer";
    EXPECT_LT(ms, min_ms + 3000);
  }
}
