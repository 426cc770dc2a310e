// AMI Originate through a real server socket and our Client: Async with OriginateResponse
// (ActionID, Reason 4/0/5/3), synchronous success and failure, Variable lists and CallerID on the
// new channel, the input errors and the dangerous-application checks for users without system.
#include "amiz_test_support.hpp"

using namespace amiz_test;

namespace {
Message originate(std::string_view channel) {
  auto m = action("Originate");
  m.add("Channel", channel);
  return m;
}
std::optional<Message> response_for(EventLog& log, std::string_view action_id) {
  return wait_event(log, "OriginateResponse", "ActionID", action_id);
}
}  // namespace

TEST(AmizOriginate, AsyncExtenAnswersWithOriginateResponseReason4) {
  Fixture f;
  EventLog events;
  Client& c = f.login("admin", "s3cret", &events);
  auto m = originate("Local/100@test");
  m.add("Context", "test").add("Exten", "100").add("Priority", "1").add("Async", "true").add("ActionID", "orig-1");
  m.add("CallerID", "\"Ann\" <555>");
  auto r = f.send(c, m);
  EXPECT_EQ(r.response(), "Success");
  EXPECT_EQ(r.get("Message"), "Originate successfully queued");
  auto ev = response_for(events, "orig-1");
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->get("Response"), "Success");
  EXPECT_EQ(ev->get("Reason"), "4");
  EXPECT_EQ(ev->get("Context"), "test");
  EXPECT_EQ(ev->get("Exten"), "100");
  EXPECT_EQ(ev->get("CallerIDNum"), "555");
  EXPECT_EQ(ev->get("CallerIDName"), "Ann");
  EXPECT_TRUE(ev->get_or("Channel").starts_with("Local/100@test-")) << ev->get_or("Channel");
  EXPECT_TRUE(ev->get_or("Channel").ends_with(";1"));
  EXPECT_FALSE(ev->get_or("Uniqueid").empty());
  // The far side ran the extension and everything hung up at the end.
  EXPECT_TRUE(saw_step(events, "Local/100@test-", "Wait", "0.3"));
  EXPECT_TRUE(wait_event(events, "Hangup", "Channel", ev->get_or("Channel")));
}

TEST(AmizOriginate, AsyncFailuresCarryTheirReason) {
  Fixture f;
  EventLog events;
  Client& c = f.login("admin", "s3cret", &events);
  auto none = originate("Local/nosuch@test");
  none.add("Application", "Wait").add("Data", "1").add("Async", "yes").add("ActionID", "o-none");
  EXPECT_EQ(f.send(c, none).response(), "Success");
  auto ev = response_for(events, "o-none");
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->get("Response"), "Failure");
  EXPECT_EQ(ev->get("Reason"), "0");
  EXPECT_EQ(ev->get("Application"), "Wait");
  EXPECT_EQ(ev->get("Data"), "1");

  auto busy = originate("Local/busy@test");
  busy.add("Application", "Wait").add("Data", "1").add("Async", "1").add("ActionID", "o-busy");
  EXPECT_EQ(f.send(c, busy).response(), "Success");
  auto bev = response_for(events, "o-busy");
  ASSERT_TRUE(bev);
  EXPECT_EQ(bev->get("Reason"), "5");

  auto slow = originate("Local/slow@test");
  slow.add("Application", "Wait").add("Data", "1").add("Async", "1").add("Timeout", "300").add("ActionID", "o-slow");
  EXPECT_EQ(f.send(c, slow).response(), "Success");
  auto sev = response_for(events, "o-slow");
  ASSERT_TRUE(sev);
  EXPECT_EQ(sev->get("Reason"), "3");
  EXPECT_EQ(sev->get("Response"), "Failure");
}

TEST(AmizOriginate, SyncWaitsForTheOutcome) {
  Fixture f;
  EventLog events;
  Client& c = f.login("admin", "s3cret", &events);
  auto ok = originate("Local/100@test");
  ok.add("Application", "Wait").add("Data", "0.2");
  ok.add("Variable", "FIRST=1,SECOND=two").add("Variable", "__THIRD=3").add("Account", "acct9");
  auto r = f.send(c, ok);
  EXPECT_EQ(r.response(), "Success");
  EXPECT_EQ(r.get("Message"), "Originate successfully queued");
  EXPECT_EQ(events.count("OriginateResponse"), 0u);  // only Async sends the event
  // The variables reached the new channel (and Local's ;2, which runs the dialplan).
  for (auto [name, value] : {std::pair{"FIRST", "1"}, {"SECOND", "two"}, {"__THIRD", "3"}}) {
    EXPECT_TRUE(events.wait([&, name = name, value = value](const std::vector<Message>& evs) {
      for (const auto& e : evs)
        if (e.event() == "VarSet" && e.get_or("Variable") == name && e.get_or("Value") == value) return true;
      return false;
    })) << name;
  }
  auto failed = originate("Local/nosuch@test");
  failed.add("Application", "Wait").add("Data", "1");
  auto fr = f.send(c, failed);
  EXPECT_EQ(fr.response(), "Error");
  EXPECT_EQ(fr.get("Message"), "Originate failed");
}

TEST(AmizOriginate, InputErrors) {
  Fixture f;
  Client& c = f.login();
  auto msg = [&](Message m) { auto r = f.send(c, std::move(m)); EXPECT_EQ(r.response(), "Error"); return std::string(r.get_or("Message")); };
  EXPECT_EQ(msg(action("Originate")), "Channel not specified");
  EXPECT_EQ(msg(originate("Local/100@test")), "Exten/Context/Priority or Application must be specified");
  auto no_prio = originate("Local/100@test");
  no_prio.add("Exten", "100").add("Context", "test");
  EXPECT_EQ(msg(no_prio), "Priority not specified (needed with Exten)");
  auto bad_timeout = originate("Local/100@test");
  bad_timeout.add("Application", "Wait").add("Timeout", "soon");
  EXPECT_EQ(msg(bad_timeout), "Invalid timeout: soon");
  auto bad_var = originate("Local/100@test");
  bad_var.add("Application", "Wait").add("Variable", "NOEQUALS");
  EXPECT_EQ(msg(bad_var), "Invalid Variable 'NOEQUALS': expected NAME=value");
  auto bad_codec = originate("Local/100@test");
  bad_codec.add("Application", "Wait").add("Codecs", "ulaw,nonsense");
  EXPECT_EQ(msg(bad_codec), "Unknown codec 'nonsense' in Codecs");
  auto bad_tech = originate("Nope/100");
  bad_tech.add("Application", "Wait");
  EXPECT_NE(msg(bad_tech).find("Nope"), std::string::npos);
  auto bad_app = originate("Local/100@test");
  bad_app.add("Application", "NoSuchApp");
  EXPECT_NE(msg(bad_app).find("NoSuchApp"), std::string::npos);
}

TEST(AmizOriginate, DangerousApplicationsNeedSystemWrite) {
  Fixture f;
  Client& orig = f.login("orig", "pw");
  auto sys = originate("Local/100@test");
  sys.add("Application", "System").add("Data", "touch /tmp/x");
  auto r = f.send(orig, sys);
  EXPECT_EQ(r.response(), "Error");
  EXPECT_EQ(r.get("Message"), "Originate Access Forbidden: application System is not in manager.conf "
                              "originateapplications (needs 'system' write access)");
  auto shell = originate("Local/100@test");
  shell.add("Application", "Playback").add("Data", "${SHELL(id)}");
  EXPECT_NE(f.send(orig, shell).get_or("Message").find("function SHELL"), std::string::npos);
  auto var = originate("Local/100@test");
  var.add("Exten", "100").add("Context", "test").add("Priority", "1").add("Variable", "X=${EVAL(${Y})}");
  EXPECT_NE(f.send(orig, var).get_or("Message").find("function EVAL"), std::string::npos);
  // An allowed application with allowed functions is fine for the same user.
  auto ok = originate("Local/100@test");
  ok.add("Application", "Wait").add("Data", "0.1").add("Variable", "L=${LEN(abc)}");
  EXPECT_EQ(f.send(orig, ok).response(), "Success");
  // A system user may run System (not executed here: we only check it is not refused as forbidden).
  Client& admin = f.login();
  auto admin_sys = originate("Local/nosuch@test");
  admin_sys.add("Application", "System").add("Data", "true");
  EXPECT_EQ(f.send(admin, admin_sys).get_or("Message"), "Originate failed");
  // Without the originate class the action is denied outright.
  Client& caller = f.login("caller", "pw");
  EXPECT_EQ(f.send(caller, ok).get_or("Message"), "Permission denied");
}
