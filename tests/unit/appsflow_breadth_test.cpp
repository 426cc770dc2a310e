// The flow applications and dialplan-aware functions of issue 16, on real channels through the
// executor: If/ElseIf/Else/EndIf/ExitIf, Exec/TryExec, System/TrySystem, DIALPLAN_EXISTS,
// VALID_EXTEN, EVAL, EVAL_EXTEN, SHELL and LOCK waiting without a thread, ImportVar,
// ChannelRedirect, SoftHangup, HangupCauseClear, ClearHash, DBdeltree, CELGenUserEvent, WaitUntil,
// WaitForCondition, StoreDTMF, Reload. Traces are NoOp steps (DialplanStep events).
#include "breadth_support.hpp"
#include "telephony/astdb.hpp"
#include "telephony/dialplan/app_events.hpp"

using namespace breadth_test;

namespace {

using Flow = Breadth;

struct Case {
  const char* name;
  const char* conf;
  std::vector<std::string> trace;
};

}  // namespace

TEST_F(Flow, ConditionalBlocksTable) {
  const Case cases[] = {
      {"if true runs the branch and skips else",
       "exten => s,1,If($[1=1])\nsame => n,NoOp(yes)\nsame => n,Else()\nsame => n,NoOp(no)\nsame => n,EndIf()\nsame => n,NoOp(after)\n",
       {"yes", "after"}},
      {"if false runs else",
       "exten => s,1,If($[1=2])\nsame => n,NoOp(yes)\nsame => n,Else()\nsame => n,NoOp(no)\nsame => n,EndIf()\nsame => n,NoOp(after)\n",
       {"no", "after"}},
      {"elseif chain picks the first true one",
       "exten => s,1,Set(X=3)\nsame => n,If($[${X}=1])\nsame => n,NoOp(one)\nsame => n,ElseIf($[${X}=2])\nsame => n,NoOp(two)\n"
       "same => n,ElseIf($[${X}=3])\nsame => n,NoOp(three)\nsame => n,Else()\nsame => n,NoOp(other)\nsame => n,EndIf()\nsame => n,NoOp(after)\n",
       {"three", "after"}},
      {"a true branch leaves at its elseif",
       "exten => s,1,If(1)\nsame => n,NoOp(first)\nsame => n,ElseIf(1)\nsame => n,NoOp(second)\nsame => n,EndIf()\nsame => n,NoOp(after)\n",
       {"first", "after"}},
      {"no branch taken without else",
       "exten => s,1,If(0)\nsame => n,NoOp(yes)\nsame => n,ElseIf(0)\nsame => n,NoOp(also)\nsame => n,EndIf()\nsame => n,NoOp(after)\n",
       {"after"}},
      {"nested blocks",
       "exten => s,1,If(1)\nsame => n,If(0)\nsame => n,NoOp(inner yes)\nsame => n,Else()\nsame => n,NoOp(inner no)\nsame => n,EndIf()\n"
       "same => n,NoOp(outer)\nsame => n,Else()\nsame => n,NoOp(outer else)\nsame => n,EndIf()\nsame => n,NoOp(after)\n",
       {"inner no", "outer", "after"}},
      {"exitif leaves the block early",
       "exten => s,1,If(1)\nsame => n,NoOp(start)\nsame => n,ExitIf()\nsame => n,NoOp(skipped)\nsame => n,EndIf()\nsame => n,NoOp(after)\n",
       {"start", "after"}},
      {"if without endif hangs up",
       "exten => s,1,If(0)\nsame => n,NoOp(never)\nexten => h,1,NoOp(h)\n", {"h"}},
  };
  int n = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    load(std::string("[c]\n") + c.conf);
    auto chan = call("c", "s", "if" + std::to_string(n++));
    ASSERT_TRUE(wait_gone(chan));
    EXPECT_EQ(join(trace(chan)), join(c.trace));
  }
}

TEST_F(Flow, ExecTryExecAndSystem) {
  pbx->globals().set("REF", "${B}");  // a literal ${B}: Exec substitutes its arguments once more
  load("[c]\nexten => s,1,Set(B=bee)\n"
       "same => n,Exec(Set(A=${REF}))\n"
       "same => n,NoOp(${A})\n"
       "same => n,TryExec(NoSuchApp(x))\nsame => n,NoOp(${TRYSTATUS})\n"
       "same => n,TryExec(Set(FINE=yes))\nsame => n,NoOp(${TRYSTATUS})\n"
       "same => n,TrySystem(exit 3)\nsame => n,NoOp(${SYSTEMSTATUS})\n"
       "same => n,TrySystem(/nonexistent/command)\nsame => n,NoOp(${SYSTEMSTATUS})\n"
       "same => n,System('true')\nsame => n,NoOp(${SYSTEMSTATUS})\n"
       "same => n,TryExec(Hangup())\nsame => n,NoOp(${TRYSTATUS})\n"
       "exten => h,1,NoOp(h ${TRYSTATUS} ${FINE})\n");
  auto chan = call("c", "s", "exec");
  ASSERT_TRUE(wait_gone(chan));
  // TryExec(Hangup()) sets FAILED and the hangup ends the priorities (h runs), as in Asterisk.
  EXPECT_EQ(join(trace(chan)), "[bee][NOAPP][SUCCESS][APPERROR][FAILURE][SUCCESS][h FAILED yes]");
  load("[c]\nexten => s,1,Exec(NoSuchApp(x))\nsame => n,NoOp(not reached)\nexten => h,1,NoOp(h)\n");
  auto c2 = call("c", "s", "exec2");
  ASSERT_TRUE(wait_gone(c2));
  EXPECT_EQ(join(trace(c2)), "[h]");
}

TEST_F(Flow, DialplanQueriesAndEvaluation) {
  load("[call-types]\nexten => _1NNN,1,Return(internal)\nexten => _NXXNXXXXXX,1,Return(external)\n"
       "[udf]\nexten => calleridlen,1,Return(${LEN(${CALLERID(num)})})\nexten => who,1,Return(${EXTEN}@${CONTEXT})\n"
       "[c]\nexten => s,1,Set(CALLERID(num)=5551234)\n"
       "same => n(lbl),NoOp(${DIALPLAN_EXISTS(c)}${DIALPLAN_EXISTS(nope)}${DIALPLAN_EXISTS(c,s)}${DIALPLAN_EXISTS(c,s,lbl)}"
       "${DIALPLAN_EXISTS(c,s,9)}${DIALPLAN_EXISTS(call-types,1234)})\n"
       "same => n,NoOp(${VALID_EXTEN(,s)}${VALID_EXTEN(,t)}${VALID_EXTEN(call-types,5552345678,1)})\n"
       "same => n,NoOp(${EVAL(${INNER})})\n"
       "same => n,NoOp(${EVAL_EXTEN(call-types,1234,1)} ${EVAL_EXTEN(call-types,2125551234,1)} "
       "${EVAL_EXTEN(udf,calleridlen,1)} ${EVAL_EXTEN(udf,who,1)})\n");
  pbx->globals().set("INNER", "${CALLERID(num)}");
  auto chan = call("c", "s", "eval");
  ASSERT_TRUE(wait_gone(chan));
  EXPECT_EQ(join(trace(chan)), "[101101][101][5551234][internal external 7 who@udf]");
}

TEST_F(Flow, ShellRunsOffTheCallThread) {
  load("[c]\nexten => s,1,Set(OUT=${SHELL(sleep 0.3\\; echo hi)})\nsame => n,NoOp(${OUT})\n"
       "same => n,Set(TWO=${SHELL(echo a)}-${SHELL(echo b)})\nsame => n,NoOp(${TWO})\n"
       "exten => quick,1,NoOp(quick)\n");
  auto t0 = std::chrono::steady_clock::now();
  auto chan = call("c", "s", "shell");
  // While the command runs, the engine's threads stay free: another call runs meanwhile.
  auto quick = call("c", "quick", "shell-quick");
  ASSERT_TRUE(wait_gone(quick, 2s));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 300ms);
  ASSERT_TRUE(wait_gone(chan));
  EXPECT_EQ(join(trace(chan)), "[hi\n][a\n-b\n]");
  EXPECT_EQ(last_set(chan, "OUT"), "hi\n");
}

TEST_F(Flow, LockWaitsForTheHolderWithoutBlocking) {
  load("[c]\nexten => holder,1,NoOp(${LOCK(door)})\nsame => n,Wait(0.5)\nsame => n,NoOp(unlocking)\n"
       "same => n,NoOp(unlock ${UNLOCK(door)})\n"
       "same => n,Wait(1)\n"
       "exten => waiter,1,Wait(0.1)\nsame => n,Set(GOT=${LOCK(door)})\nsame => n,NoOp(got ${GOT})\n"
       "exten => stuck,1,Set(GOT=${LOCK(forever)})\nsame => n,NoOp(gave up ${GOT})\n"
       "exten => keeper,1,NoOp(${LOCK(forever)})\nsame => n,Wait(5)\n");
  auto holder = call("c", "holder", "lock-h");
  auto waiter = call("c", "waiter", "lock-w");
  ASSERT_TRUE(wait_gone(waiter, 3s));
  EXPECT_EQ(join(trace(waiter)), "[got 1]");
  // The waiter got the lock only after the holder let go.
  std::uint64_t unlock_seq = 0, got_seq = 0;
  for (auto& e : log->events())
    if (auto* s = e->as<DialplanStep>(); s && s->application == "NoOp") {
      if (s->data == "unlocking") unlock_seq = e->seq;  // the step before UNLOCK
      if (s->data == "got 1") got_seq = e->seq;
    }
  EXPECT_GT(got_seq, unlock_seq);
  ASSERT_TRUE(wait_gone(holder));
  // Someone holding a lock for longer than 3 s: LOCK gives up with 0 after 3 s.
  auto keeper = call("c", "keeper", "lock-k");
  ASSERT_TRUE(eventually([&] { return reached(keeper, "Wait"); }));
  auto t0 = std::chrono::steady_clock::now();
  auto stuck = call("c", "stuck", "lock-s");
  ASSERT_TRUE(wait_gone(stuck, 5s));
  const auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(waited, 2900ms);
  EXPECT_LT(waited, 4s);
  EXPECT_EQ(join(trace(stuck)), "[gave up 0]");
  keeper->request_hangup();
  ASSERT_TRUE(wait_gone(keeper));
}

TEST_F(Flow, ChannelOperationsOnOtherChannels) {
  load("[c]\nexten => victim,1,Answer()\nsame => n,Set(SECRET=s3)\nsame => n,Wait(10)\nsame => n,NoOp(not redirected)\n"
       "exten => moved,1,NoOp(moved here ${EXTEN})\nsame => n,Wait(10)\n"
       "exten => actor,1,Wait(0.3)\nsame => n,ImportVar(GOT=${VICTIM},SECRET)\nsame => n,NoOp(imported ${GOT})\n"
       "same => n,ChannelRedirect(${VICTIM},moved,1)\nsame => n,NoOp(${CHANNELREDIRECT_STATUS})\n"
       "same => n,ChannelRedirect(Test/nobody-1,moved,1)\nsame => n,NoOp(${CHANNELREDIRECT_STATUS})\n"
       "same => n,Wait(0.3)\nsame => n,SoftHangup(${VICTIM})\nsame => n,NoOp(after softhangup)\n");
  auto victim = call("c", "victim", "victim");
  ASSERT_TRUE(eventually([&] { return reached(victim, "Wait"); }));
  // The actor knows the victim's name through a global.
  pbx->globals().set("VICTIM", victim->name());
  auto actor = call("c", "actor", "actor");
  ASSERT_TRUE(wait_gone(actor));
  ASSERT_TRUE(wait_gone(victim));
  EXPECT_EQ(join(trace(actor)), "[imported s3][SUCCESS][NOCHANNEL][after softhangup]");
  EXPECT_EQ(join(trace(victim)), "[moved here moved]");
}

TEST_F(Flow, SoftHangupWithAHangsUpEveryChannelOfTheDevice) {
  load("[c]\nexten => w,1,Answer()\nsame => n,Wait(10)\nexten => kill,1,SoftHangup(Test/dev,a)\n");
  auto a = call("c", "w", "dev");
  auto b = call("c", "w", "dev");
  auto other = call("c", "w", "devother");
  ASSERT_TRUE(eventually([&] { return reached(a, "Wait") && reached(b, "Wait") && reached(other, "Wait"); }));
  auto killer = call("c", "kill", "killer");
  ASSERT_TRUE(wait_gone(a));
  ASSERT_TRUE(wait_gone(b));
  EXPECT_FALSE(other->hangup_requested());
  other->request_hangup();
  ASSERT_TRUE(wait_gone(other));
}

TEST_F(Flow, HashClearAndHangupCauseClearAndDbDeltree) {
  ASSERT_TRUE(engine.astdb().put("fam", "a/1", "x"));
  ASSERT_TRUE(engine.astdb().put("fam", "a/2", "y"));
  ASSERT_TRUE(engine.astdb().put("fam", "b", "z"));
  load("[c]\nexten => s,1,Wait(0.3)\nsame => n,Set(HASH(h,k1)=1)\nsame => n,Set(HASH(h,k2)=2)\nsame => n,Set(HASH(other,k)=3)\n"
       "same => n,ClearHash(h)\nsame => n,NoOp(${HASHKEYS(h)}|${HASH(other,k)})\n"
       "same => n,NoOp(${HANGUPCAUSE_KEYS()})\nsame => n,HangupCauseClear()\nsame => n,NoOp(${HANGUPCAUSE_KEYS()})\n"
       "same => n,DBdeltree(fam/a)\nsame => n,NoOp(${DB_EXISTS(fam/a/1)}${DB_EXISTS(fam/b)})\n");
  auto chan = call("c", "s", "hash");
  dialplan::record_hangup_cause(*chan, "SIP/x-1", HangupCause::UserBusy, "486");
  ASSERT_TRUE(wait_gone(chan));
  EXPECT_EQ(join(trace(chan)), "[|3][SIP/x-1][][01]");
}

TEST_F(Flow, CelUserEventCarriesTheChannel) {
  load("[c]\nexten => s,1,Set(CHANNEL(userfield)=uf)\nsame => n,CELGenUserEvent(MyEvent,some \"extra\")\n");
  auto chan = call("c", "s", "cel");
  ASSERT_TRUE(wait_gone(chan));
  bool seen = false;
  for (auto& e : log->events())
    if (auto* c = e->as<CelUserEvent>()) {
      seen = true;
      EXPECT_EQ(c->name, "MyEvent");
      EXPECT_EQ(c->extra, "some extra");  // standard argument parsing drops the quotes
      EXPECT_EQ(c->userfield, "uf");
      EXPECT_EQ(c->channel.name, chan->name());
      EXPECT_EQ(c->channel.application, "CELGenUserEvent");
    }
  EXPECT_TRUE(seen);
}

TEST_F(Flow, WaitUntilAndWaitForCondition) {
  const auto soon = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count() + 0.4;
  char epoch[64];
  std::snprintf(epoch, sizeof epoch, "%.3f", soon);
  load(std::string("[c]\nexten => s,1,WaitUntil(") + epoch + ")\nsame => n,NoOp(${WAITUNTILSTATUS})\n"
       "same => n,WaitUntil(1000)\nsame => n,NoOp(${WAITUNTILSTATUS})\nsame => n,WaitUntil(soon)\nsame => n,NoOp(${WAITUNTILSTATUS})\n"
       "exten => cond,1,WaitForCondition(#,#[\"#{READY}\"=\"1\"],5,0.05)\nsame => n,NoOp(${WAITFORCONDITIONSTATUS})\n"
       "same => n,WaitForCondition(#,#[0],0.2)\nsame => n,NoOp(${WAITFORCONDITIONSTATUS})\n"
       "same => n,WaitForCondition($[1])\nsame => n,NoOp(${WAITFORCONDITIONSTATUS})\n");
  auto t0 = std::chrono::steady_clock::now();
  auto chan = call("c", "s", "until");
  ASSERT_TRUE(wait_gone(chan));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 350ms);
  EXPECT_EQ(join(trace(chan)), "[OK][PAST][FAILURE]");
  auto cond = call("c", "cond", "cond");
  ASSERT_TRUE(eventually([&] { return reached(cond, "WaitForCondition"); }));
  std::this_thread::sleep_for(200ms);
  cond->set_variable("READY", "1");  // another party sets it
  ASSERT_TRUE(wait_gone(cond));
  EXPECT_EQ(join(trace(cond)), "[TRUE][TIMEOUT][FAILURE]");
}

TEST_F(Flow, StoreDtmfAppendsDigitsOfOneDirection) {
  // One setting per channel: the second StoreDTMF is refused (as Asterisk: "already set").
  load("[c]\nexten => s,1,StoreDTMF(RX,rx,3)\nsame => n,StoreDTMF(TX,tx)\nsame => n,Wait(0.3)\n"
       "same => n,SendDTMF(98,50,60)\nsame => n,Wait(0.3)\nsame => n,NoOp(${rx}/${tx})\nsame => n,StoreDTMF(remove)\n"
       "same => n,Wait(0.3)\nsame => n,NoOp(${rx})\n"
       "exten => t,1,StoreDTMF(tx,sent)\nsame => n,SendDTMF(98,50,60)\nsame => n,Wait(0.2)\nsame => n,NoOp(${sent})\n");
  auto chan = call("c", "s", "store");
  ASSERT_TRUE(eventually([&] { return reached(chan, "Wait"); }));
  for (char d : std::string("1234")) chan->queue_frame(Frame::dtmf_end(d, 80ms));
  ASSERT_TRUE(eventually([&] { return reached(chan, "StoreDTMF", "remove"); }, 5s));
  chan->queue_frame(Frame::dtmf_end('7', 80ms));  // after remove: not stored
  ASSERT_TRUE(wait_gone(chan));
  EXPECT_EQ(join(trace(chan)), "[123/][123]");  // at most 3 received digits; sent ones not
  auto sender = call("c", "t", "store-tx");
  sender->queue_frame(Frame::dtmf_end('5', 80ms));  // received: not stored
  ASSERT_TRUE(wait_gone(sender));
  EXPECT_EQ(join(trace(sender)), "[98]");
}

TEST_F(Flow, ReloadReportsItsStatus) {
  load("[c]\nexten => s,1,Reload(no_such_module.so)\nsame => n,NoOp(${RELOADSTATUS})\n");
  auto chan = call("c", "s", "reload");
  ASSERT_TRUE(wait_gone(chan));
  EXPECT_EQ(join(trace(chan)), "[FAILURE]");
}
