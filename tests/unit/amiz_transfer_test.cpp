// Redirect (with ExtraChannel), Bridge, BlindTransfer through AMI on channels running the dialplan,
// the input errors of Atxfer, and the Originate() dialplan application's
// ORIGINATE_STATUS values.
#include "amiz_test_support.hpp"

using namespace amiz_test;

TEST(AmizRedirect, MovesARunningCallAndTheExtraChannel) {
  Fixture f;
  EventLog events;
  Client& c = f.login("admin", "s3cret", &events);
  auto a = f.call_in("alice", "test", "200");
  auto b = f.call_in("bob", "test", "200");
  ASSERT_TRUE(saw_step(events, "Test/alice", "Wait", "20"));
  ASSERT_TRUE(saw_step(events, "Test/bob", "Wait", "20"));
  auto m = action("Redirect");
  m.add("Channel", a->name()).add("Context", "dst").add("Exten", "500").add("Priority", "1");
  m.add("ExtraChannel", b->name()).add("ExtraExten", "600").add("ExtraContext", "dst").add("ExtraPriority", "1");
  auto r = f.send(c, m);
  EXPECT_EQ(r.response(), "Success");
  EXPECT_EQ(r.get("Message"), "Dual Redirect successful");
  EXPECT_TRUE(saw_step(events, "Test/alice", "NoOp", "redirected 500"));
  EXPECT_TRUE(saw_step(events, "Test/bob", "NoOp", "extra 600"));
  EXPECT_FALSE(a->is_hung_up());

  // A label priority, single channel.
  auto again = action("Redirect");
  again.add("Channel", a->name()).add("Context", "test").add("Exten", "200").add("Priority", "waiting");
  EXPECT_EQ(f.send(c, again).get("Message"), "Redirect successful");
  EXPECT_TRUE(events.wait([&](const std::vector<Message>& evs) {
    int n = 0;
    for (const auto& e : evs)
      n += e.event() == "Newexten" && e.get_or("Channel") == a->name() && e.get_or("Exten") == "200" &&
           e.get_or("Priority") == "2";
    return n >= 2;
  }));

  auto err = [&](Message msg) { auto x = f.send(c, std::move(msg)); EXPECT_EQ(x.response(), "Error"); return std::string(x.get_or("Message")); };
  EXPECT_EQ(err(action("Redirect")), "Channel not specified");
  auto nochan = action("Redirect");
  nochan.add("Channel", "Test/nobody-1").add("Exten", "500");
  EXPECT_EQ(err(nochan), "Channel does not exist: Test/nobody-1");
  auto noexten = action("Redirect");
  noexten.add("Channel", a->name());
  EXPECT_EQ(err(noexten), "Exten not specified");
  auto badprio = action("Redirect");
  badprio.add("Channel", a->name()).add("Context", "dst").add("Exten", "500").add("Priority", "nolabel");
  EXPECT_EQ(err(badprio), "Invalid priority");
  auto nowhere = action("Redirect");
  nowhere.add("Channel", a->name()).add("Context", "dst").add("Exten", "999").add("Priority", "1");
  EXPECT_EQ(err(nowhere), "Extension does not exist: 999@dst:1");
  a->request_hangup();
  b->request_hangup();
}

TEST(AmizBridge, BridgesTwoCallsThenBlindTransferMovesThePeer) {
  Fixture f;
  EventLog events;
  Client& c = f.login("admin", "s3cret", &events);
  auto a = f.call_in("alice", "test", "200");
  auto b = f.call_in("bob", "test", "200");
  ASSERT_TRUE(saw_step(events, "Test/alice", "Wait", "20"));
  ASSERT_TRUE(saw_step(events, "Test/bob", "Wait", "20"));
  auto m = action("Bridge");
  m.add("Channel1", a->name()).add("Channel2", b->name());
  auto r = f.send(c, m);
  EXPECT_EQ(r.response(), "Success");
  EXPECT_EQ(r.get("Message"), "Channels have been bridged");
  ASSERT_TRUE(wait_event(events, "BridgeEnter", "Channel", a->name()));
  ASSERT_TRUE(wait_event(events, "BridgeEnter", "Channel", b->name()));
  ASSERT_TRUE(telephony::testkit::eventually([&] { return !a->snapshot().bridge_id.empty(); }));

  auto xfer = action("BlindTransfer");
  xfer.add("Channel", a->name()).add("Context", "dst").add("Exten", "500");
  auto xr = f.send(c, xfer);
  EXPECT_EQ(xr.response(), "Success");
  EXPECT_EQ(xr.get("Message"), "Transfer succeeded");
  EXPECT_TRUE(saw_step(events, "Test/bob", "NoOp", "redirected 500"));
  EXPECT_TRUE(wait_event(events, "Hangup", "Channel", a->name()));
  EXPECT_EQ(b->variable("BLINDTRANSFER").value_or(""), a->name());

  auto err = [&](Message msg) { auto x = f.send(c, std::move(msg)); EXPECT_EQ(x.response(), "Error"); return std::string(x.get_or("Message")); };
  auto not_bridged = action("BlindTransfer");
  not_bridged.add("Channel", b->name()).add("Exten", "500").add("Context", "dst");
  EXPECT_EQ(err(not_bridged), "Transfer failed: the channel is not in a bridge");
  EXPECT_EQ(err(action("BlindTransfer")), "No channel specified");
  auto bad1 = action("Bridge");
  bad1.add("Channel1", "Test/x-1").add("Channel2", b->name());
  EXPECT_EQ(err(bad1), "Channel1 does not exist: Test/x-1");
  auto bad2 = action("Bridge");
  bad2.add("Channel1", b->name()).add("Channel2", "Test/y-1");
  EXPECT_EQ(err(bad2), "Channel2 does not exist: Test/y-1");
  EXPECT_EQ(err(action("Bridge")), "Channel1 and Channel2 must be specified");

  auto atx = action("Atxfer");
  atx.add("Channel", b->name()).add("Exten", "500");
  EXPECT_EQ(err(atx), "Transfer failed: the channel is not in a bridge");
  EXPECT_EQ(err(action("Atxfer")), "No channel specified");
  b->request_hangup();
}

namespace {
// Runs `app_data` through Originate() on a fresh Test channel and returns ORIGINATE_STATUS.
std::string originate_status(Fixture& f, EventLog& events, const std::string& device, const std::string& data) {
  auto plan = telephony::dialplan::load_dialplan_string(
      std::string(kDialplan) + "[orig]\nexten => " + device + ",1,Originate(" + data + ")\n same => n,NoOp(status ${ORIGINATE_STATUS})\n",
      "extensions.conf");
  EXPECT_TRUE(plan) << plan.error().to_string();
  f.pbx->replace(*plan);
  auto chan = f.call_in(device, "orig", device);
  std::string status;
  events.wait([&](const std::vector<Message>& evs) {
    for (const auto& e : evs)
      if (e.event() == "Newexten" && e.get_or("Channel") == chan->name() && e.get_or("Application") == "NoOp") {
        status = std::string(e.get_or("AppData")).substr(7);
        return true;
      }
    return false;
  }, std::chrono::milliseconds(8000));
  return status;
}
}  // namespace

TEST(AmizOriginateApp, SetsOriginateStatus) {
  Fixture f;
  EventLog events;
  (void)f.login("admin", "s3cret", &events);
  EXPECT_EQ(originate_status(f, events, "ok", "Local/100@test,exten,test,100,1"), "SUCCESS");
  EXPECT_TRUE(saw_step(events, "Local/100@test-", "Wait", "0.3"));
  EXPECT_EQ(originate_status(f, events, "busy", "Local/busy@test,app,Wait,1"), "BUSY");
  EXPECT_EQ(originate_status(f, events, "slow", "Local/slow@test,app,Wait,1,,0.3"), "NOANSWER");
  EXPECT_EQ(originate_status(f, events, "none", "Local/nosuch@test,app,Wait,1"), "CHANUNAVAIL");
  EXPECT_EQ(originate_status(f, events, "bad", "Local/100@test,sideways,x"), "FAILED");
  EXPECT_EQ(originate_status(f, events, "async", "Local/100@test,app,Wait,0.1,,,a"), "SUCCESS");
  // The type is a keyword: Asterisk compares it without regard to case.
  EXPECT_EQ(originate_status(f, events, "upper", "Local/100@test,EXTEN,test,100,1"), "SUCCESS");
  EXPECT_EQ(originate_status(f, events, "upperapp", "Local/100@test,App,Wait,0.1"), "SUCCESS");
  // v(): variables of the new channel; c: this channel's caller id.
  EXPECT_EQ(originate_status(f, events, "vars", "Local/100@test,exten,test,100,1,,v(ONE=1^TWO=2)c"), "SUCCESS");
  EXPECT_TRUE(events.wait([&](const std::vector<Message>& evs) {
    for (const auto& e : evs)
      if (e.event() == "VarSet" && e.get_or("Variable") == "TWO" && e.get_or("Value") == "2" &&
          e.get_or("Channel").starts_with("Local/100@test-"))
        return true;
    return false;
  }));
}
