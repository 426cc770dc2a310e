// The pbx loop on real Test/ channels: control-flow apps (table-driven, traced through NoOp
// steps), special extensions, autofallthrough both ways, digit collection from injected DTMF,
// absolute timeout, hangup during Wait, reload during a call.
#include <gtest/gtest.h>

#include "telephony/dialplan/loader.hpp"
#include "telephony/dialplan/module.hpp"
#include "telephony/engine.hpp"
#include "testkit/engine_kit.hpp"

using namespace telephony;
using namespace telephony::dialplan;
using namespace std::chrono_literals;
using testkit::EventLog;
using testkit::eventually;

namespace {

struct PbxFixture : ::testing::Test {
  Engine engine{EngineOptions{.threads = 2}};
  std::shared_ptr<testkit::TestDriver> driver = std::make_shared<testkit::TestDriver>();
  std::shared_ptr<DialplanPbx> pbx;
  std::unique_ptr<EventLog> log;

  void SetUp() override {
    ASSERT_TRUE(engine.drivers().add("Test", driver));
    engine.log().set_level(LogLevel::Error);
    pbx = install_dialplan(engine);
    engine.start();
    log = std::make_unique<EventLog>(engine.events());
  }
  void TearDown() override { engine.stop(); }

  void load(const std::string& text) {
    auto p = load_dialplan_string(text, "extensions.conf");
    ASSERT_TRUE(p) << p.error().to_string();
    pbx->replace(*p);
  }
  Channel::Ptr call(const std::string& ctx, const std::string& exten, const std::string& caller = "",
                    const std::string& device = "alice") {
    auto chan = *engine.request("Test/" + device);
    if (!caller.empty()) chan->set_caller(CallerId{caller, "", 0});
    chan->set_state(ChannelState::Ring);
    chan->set_location({ctx, exten, 1});
    pbx->start(chan);
    return chan;
  }
  bool wait_gone(const Channel::Ptr& chan, std::chrono::milliseconds t = 5s) {
    return log->wait_for_type("ChannelHungUp", [&](const Event& e) { return e.as<ChannelHungUp>()->channel.name == chan->name(); }, t);
  }
  // "exten:priority App(data)" of every step of `chan`.
  std::vector<std::string> steps(const Channel::Ptr& chan) {
    std::vector<std::string> out;
    for (auto& e : log->events())
      if (auto* s = e->as<DialplanStep>(); s && s->channel.name == chan->name())
        out.push_back(s->channel.exten + ":" + std::to_string(s->channel.priority) + " " + s->application + "(" + s->data + ")");
    return out;
  }
  // The data of every NoOp step: the tests' trace.
  std::vector<std::string> trace(const Channel::Ptr& chan) {
    std::vector<std::string> out;
    for (auto& e : log->events())
      if (auto* s = e->as<DialplanStep>(); s && s->channel.name == chan->name() && s->application == "NoOp")
        out.push_back(s->data);
    return out;
  }
};

struct FlowCase {
  const char* name;
  const char* conf;
  const char* exten;
  const char* caller;
  std::vector<std::string> trace;
};

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (auto& x : v) s += "[" + x + "]";
  return s;
}

}  // namespace

TEST_F(PbxFixture, ControlFlowTable) {
  const FlowCase cases[] = {
      {"goto label and relative", "[c]\nexten => s,1,Goto(there)\nsame => n,NoOp(skipped)\nsame => n(there),NoOp(a)\n"
                                  "same => n,Goto(+2)\nsame => n,NoOp(skipped)\nsame => n,Goto(x,1)\nexten => x,1,NoOp(b)\n",
       "s", "", {"a", "b"}},
      {"gotoif both ways", "[c]\nexten => s,1,GotoIf($[1=1]?t)\nsame => n(t),GotoIf($[1=2]?s,t:f)\nsame => n(f),NoOp(false branch)\n"
                           "same => n,GotoIf(0?t)\nsame => n,NoOp(no branch)\n",
       "s", "", {"false branch", "no branch"}},
      {"gosub args return local", "[c]\nexten => s,1,Set(X=outer)\nsame => n,Gosub(sub,s,1(a,b c))\nsame => n,NoOp(${GOSUB_RETVAL} ${X} ${ARG1})\n"
                                  "[sub]\nexten => s,1,Set(LOCAL(X)=inner)\nsame => n,NoOp(${ARGC} ${ARG1} ${ARG2} ${X})\nsame => n,Return(ret)\n",
       "s", "", {"2 a b c inner", "ret outer "}},
      {"nested gosub peeks", "[c]\nexten => s,1,Gosub(sub,s,1(1))\nsame => n,NoOp(back)\n"
                             "[sub]\nexten => s,1,Set(LOCAL(V)=L${ARG1})\nsame => n,GotoIf($[${ARG1}>1]?done)\nsame => n,Gosub(s,1(2))\n"
                             "same => n(done),NoOp(${ARG1} ${V} ${LOCAL_PEEK(1,V)} ${STACK_PEEK(0,l)})\nsame => n,Return\n",
       "s", "", {"2 L2 L1 sub,s,4", "1 L1  c,s,2", "back"}},
      {"gosubif and stackpop", "[c]\nexten => s,1,GosubIf($[1]?sub,s,1:nope,1)\nsame => n,NoOp(after)\n"
                               "[sub]\nexten => s,1,StackPop()\nsame => n,Return()\n",
       "s", "", {}},
      {"while loop counts", "[c]\nexten => s,1,Set(I=0)\nsame => n,While($[${I}<3])\nsame => n,Set(I=$[${I}+1])\nsame => n,NoOp(i=${I})\n"
                            "same => n,EndWhile()\nsame => n,NoOp(done ${I})\n",
       "s", "", {"i=1", "i=2", "i=3", "done 3"}},
      {"nested while exit continue", "[c]\nexten => s,1,Set(I=0)\nsame => n,While($[${I}<3])\nsame => n,Set(I=$[${I}+1])\n"
                                     "same => n,ExecIf($[${I}=2]?ContinueWhile())\nsame => n,Set(J=0)\nsame => n,While(1)\n"
                                     "same => n,Set(J=$[${J}+1])\nsame => n,ExecIf($[${J}=2]?ExitWhile())\nsame => n,EndWhile()\n"
                                     "same => n,NoOp(${I}/${J})\nsame => n,EndWhile()\nsame => n,NoOp(end)\n",
       "s", "", {"1/2", "3/2", "end"}},
      {"execif both branches", "[c]\nexten => s,1,ExecIf($[1]?Set(R=yes):Set(R=no))\nsame => n,NoOp(${R})\n"
                               "same => n,ExecIf(0?Set(R=yes):Set(R=no, really))\nsame => n,NoOp(${R})\n",
       "s", "", {"yes", "no, really"}},
      {"macro vars and offset", "[c]\nexten => 42,1,Set(ARG1=keep)\nsame => n,Macro(m,x,y)\nsame => n,NoOp(skipped by offset)\n"
                                "same => n,NoOp(after ${ARG1} ${MACRO_EXTEN})\n"
                                "[macro-m]\nexten => s,1,NoOp(${MACRO_EXTEN}@${MACRO_CONTEXT}:${MACRO_PRIORITY} ${ARG1}${ARG2} d${MACRO_DEPTH})\n"
                                "same => n,Set(MACRO_OFFSET=1)\nsame => n,MacroExit()\nsame => n,NoOp(never)\n",
       "42", "", {"42@c:2 xy d1", "after keep "}},
      {"macro recursion limit", "[c]\nexten => s,1,Macro(r)\nsame => n,NoOp(out)\n[macro-r]\nexten => s,1,NoOp(d${MACRO_DEPTH})\nsame => n,Macro(r)\n",
       "s", "", {"d1", "d2", "d3", "d4", "d5", "d6", "d7", "out"}},
      {"invalid extension goes to i", "[c]\nexten => s,1,Goto(999,1)\nexten => i,1,NoOp(invalid ${INVALID_EXTEN})\n", "s", "",
       {"invalid 999"}},
      {"exception goes to e", "[c]\nexten => s,1,RaiseException(BOOM)\nexten => e,1,NoOp(${EXCEPTION(reason)} at ${EXCEPTION(exten)}:${EXCEPTION(priority)})\n",
       "s", "", {"BOOM at s:1"}},
      {"h runs after hangup with EXTEN=h", "[c]\nexten => s,1,Hangup()\nexten => h,1,NoOp(h ${EXTEN} ${CONTEXT})\nsame => n,Wait(10)\nsame => n,NoOp(not reached)\n",
       "s", "", {"h h c"}},
      {"h found through include", "[c]\ninclude => hs\nexten => s,1,NoOp(body)\n[hs]\nexten => h,1,NoOp(included h)\n", "s", "",
       {"body", "included h"}},
      {"start falls back to s", "[c]\nexten => s,1,NoOp(fallback ${EXTEN})\n", "nonexistent", "", {"fallback s"}},
      {"caller id picks the variant", "[c]\nexten => 7,1,NoOp(plain)\nexten => 7/_1XX,1,NoOp(cid ${CALLERID(num)})\n", "7", "123",
       {"cid "}},
      {"globals and GLOBAL()", "[globals]\nG=one\n[c]\nexten => s,1,NoOp(${G})\nsame => n,Set(GLOBAL(G)=two)\nsame => n,NoOp(${G} ${GLOBAL(G)})\n",
       "s", "", {"one", "two two"}},
      {"gosub to nowhere hangs up", "[c]\nexten => s,1,Gosub(nowhere,s,1)\nsame => n,NoOp(not reached)\nexten => h,1,NoOp(h)\n", "s", "",
       {"h"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    load(c.conf);
    auto chan = call("c", c.exten, c.caller, std::string("t") + std::to_string(&c - cases));
    ASSERT_TRUE(wait_gone(chan)) << c.name;
    EXPECT_EQ(join(trace(chan)), join(c.trace)) << c.name << "\nsteps: " << join(steps(chan));
  }
}

TEST_F(PbxFixture, AutofallthroughYesGivesBusyCause) {
  load("[c]\nexten => s,1,Set(DIALSTATUS=BUSY)\n");
  auto chan = call("c", "s");
  auto ep = driver->endpoint("alice");
  ASSERT_TRUE(eventually([&] { return chan->hangup_cause() == HangupCause::UserBusy; }));
  {
    std::lock_guard lock(ep->mu);
    ASSERT_EQ(ep->indications.size(), 1u);
    EXPECT_EQ(ep->indications[0], Control::Busy);
  }
  EXPECT_EQ(chan->state(), ChannelState::Busy);
  chan->request_hangup(HangupCause::UserBusy);
  ASSERT_TRUE(wait_gone(chan));

  load("[c]\nexten => s,1,Set(DIALSTATUS=CHANUNAVAIL)\n");
  auto c2 = call("c", "s", "", "bob");
  ASSERT_TRUE(eventually([&] { return c2->hangup_cause() == HangupCause::NormalCircuitCongestion; }));
  c2->request_hangup(HangupCause::NormalCircuitCongestion);
  ASSERT_TRUE(wait_gone(c2));

  load("[c]\nexten => s,1,NoOp(plain end)\n");
  auto c3 = call("c", "s", "", "carol");
  ASSERT_TRUE(wait_gone(c3, 1s)) << "autofallthrough with no DIALSTATUS must hang up at once";
  EXPECT_EQ(c3->hangup_cause(), HangupCause::NormalClearing);
}

TEST_F(PbxFixture, AutofallthroughNoWaitsThenGoesToT) {
  load("[general]\nautofallthrough=no\n[c]\nexten => s,1,Set(TIMEOUT(response)=0.2)\nexten => t,1,NoOp(timeout ${TIMEOUT(response)})\n"
       "same => n,Hangup()\n");
  auto t0 = std::chrono::steady_clock::now();
  auto chan = call("c", "s");
  ASSERT_TRUE(wait_gone(chan));
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(took, 180ms);
  EXPECT_LT(took, 2s);
  EXPECT_EQ(join(trace(chan)), "[timeout 0.200]");
}

TEST_F(PbxFixture, WaitExtenCollectsDigitsMatchMoreDriven) {
  const char* conf =
      "[c]\nexten => s,1,Set(TIMEOUT(digit)=0.3)\nsame => n,WaitExten(1)\nexten => 1,1,NoOp(one)\nexten => 12,1,NoOp(twelve)\n"
      "exten => 123,1,NoOp(one-two-three)\nexten => i,1,NoOp(invalid ${INVALID_EXTEN})\nexten => t,1,NoOp(timeout)\n";
  struct Case {
    const char* digits;
    const char* want;
  } cases[] = {{"123", "one-two-three"}, {"12", "twelve"}, {"9", "invalid 9"}, {"", "timeout"}, {"15", "invalid 15"}};
  load(conf);
  int n = 0;
  for (auto& c : cases) {
    auto chan = call("c", "s", "", "d" + std::to_string(n++));
    ASSERT_TRUE(eventually([&] { return !steps(chan).empty() && steps(chan).back().find("WaitExten") != std::string::npos; }));
    for (const char* d = c.digits; *d; ++d) chan->queue_frame(Frame::dtmf_end(*d, 80ms));
    ASSERT_TRUE(wait_gone(chan, 5s)) << c.digits;
    EXPECT_EQ(join(trace(chan)), "[" + std::string(c.want) + "]") << "digits " << c.digits;
  }
}

TEST_F(PbxFixture, AbsoluteTimeoutRunsT) {
  load("[c]\nexten => s,1,Set(TIMEOUT(absolute)=0.2)\nsame => n,Wait(5)\nsame => n,NoOp(not reached)\n"
       "exten => T,1,NoOp(absolute ${EXTEN})\nexten => h,1,NoOp(h)\n");
  auto t0 = std::chrono::steady_clock::now();
  auto chan = call("c", "s");
  ASSERT_TRUE(wait_gone(chan));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  EXPECT_EQ(join(trace(chan)), "[absolute T][h]");
}

TEST_F(PbxFixture, HangupDuringWaitCancelsPromptlyAndRunsH) {
  load("[c]\nexten => s,1,Answer()\nsame => n,Wait(30)\nsame => n,NoOp(not reached)\nexten => h,1,NoOp(h cause ${HANGUPCAUSE})\n");
  auto chan = call("c", "s");
  ASSERT_TRUE(eventually([&] { return !steps(chan).empty() && steps(chan).back().find("Wait(30)") != std::string::npos; }));
  auto t0 = std::chrono::steady_clock::now();
  chan->request_hangup(HangupCause::NormalClearing);
  ASSERT_TRUE(wait_gone(chan));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 500ms);
  EXPECT_EQ(join(trace(chan)), "[h cause 16]");
  EXPECT_TRUE(driver->endpoint("alice")->answered);
}

TEST_F(PbxFixture, ReloadDuringCallKeepsItsSnapshotUntilItJumps) {
  load("[c]\nexten => s,1,Wait(0.3)\nsame => n,NoOp(old 2)\nsame => n,Goto(x,1)\nexten => x,1,NoOp(old x)\n");
  auto chan = call("c", "s");
  ASSERT_TRUE(eventually([&] { return !steps(chan).empty(); }));
  load("[c]\nexten => s,1,Wait(0.3)\nsame => n,NoOp(new 2)\nsame => n,Goto(x,1)\nexten => x,1,NoOp(new x)\n");
  ASSERT_TRUE(wait_gone(chan));
  EXPECT_EQ(join(trace(chan)), "[old 2][new x]");  // same extension: old plan; after the jump: new plan
  auto fresh = call("c", "s", "", "bob");
  ASSERT_TRUE(wait_gone(fresh));
  EXPECT_EQ(join(trace(fresh)), "[new 2][new x]");
}

TEST_F(PbxFixture, UserEventSystemAndUnknownApplication) {
  load("[c]\nexten => s,1,UserEvent(Ping,Key: v1,Other: two words)\nsame => n,System(exit 3)\nsame => n,NoOp(${SYSTEMSTATUS})\n"
       "same => n,System(true)\nsame => n,NoOp(${SYSTEMSTATUS})\nsame => n,NoSuchApp(x)\nsame => n,NoOp(not reached)\n");
  auto chan = call("c", "s");
  ASSERT_TRUE(wait_gone(chan));
  EXPECT_EQ(join(trace(chan)), "[APPERROR][SUCCESS]");
  bool seen = false;
  for (auto& e : log->events())
    if (auto* u = e->as<UserEventRaised>()) {
      seen = true;
      EXPECT_EQ(u->name, "Ping");
      ASSERT_EQ(u->headers.size(), 2u);
      EXPECT_EQ(u->headers[1], (std::pair<std::string, std::string>{"Other", "two words"}));
      EXPECT_EQ(u->channel->name, chan->name());
    }
  EXPECT_TRUE(seen);
}

TEST_F(PbxFixture, VariableWritesPublishVarSetAndFailedExtensionRuns) {
  load("[c]\nexten => s,1,MSet(A=1,__B=2)\nexten => failed,1,NoOp(failed ${REASON} ${ORIG})\n");
  auto chan = call("c", "s");
  ASSERT_TRUE(wait_gone(chan));
  std::vector<std::string> sets;
  for (auto& e : log->events())
    if (auto* v = e->as<ChannelVarSet>(); v && v->channel.name == chan->name()) sets.push_back(v->variable + "=" + v->value);
  EXPECT_EQ(join(sets), "[A=1][__B=2]");
  ASSERT_TRUE(run_failed_extension(engine, "c", {{"ORIG", "x"}}, "5"));
  ASSERT_TRUE(log->wait_for_type("DialplanStep", [](const Event& e) {
    auto* s = e.as<DialplanStep>();
    return s->data == "failed 5 x" && s->channel.name.rfind("OutgoingSpoolFailed/", 0) == 0;
  }));
  EXPECT_FALSE(run_failed_extension(engine, "nowhere", {}, "3"));
}
