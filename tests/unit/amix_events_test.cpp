// Engine events as AMI clients see them: names, Privilege classes, Asterisk 13+ field order,
// Dest-prefixed dial snapshots, ChanVariable lines, delivery by read class, disabledevents.
#include "amix_test_support.hpp"
#include "telephony/events.hpp"

using namespace amix_test;

namespace {
const std::vector<std::string> kSnapshot = {"Channel",          "ChannelState",     "ChannelStateDesc", "CallerIDNum",
                                            "CallerIDName",     "ConnectedLineNum", "ConnectedLineName", "Language",
                                            "AccountCode",      "Context",          "Exten",            "Priority",
                                            "Uniqueid",         "Linkedid"};

std::vector<std::string> with(std::vector<std::string> head, const std::vector<std::string>& mid,
                              std::vector<std::string> tail = {}) {
  head.insert(head.end(), mid.begin(), mid.end());
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

std::vector<std::string> prefixed(const std::string& p) {
  std::vector<std::string> out;
  for (const auto& k : kSnapshot) out.push_back(p + k);
  return out;
}
}  // namespace

TEST(AmixEvents, ChannelLifecycleFieldsAndOrder) {
  Fixture f;
  EventLog events;
  f.login("admin", "s3cret", &events);
  auto alice = f.channel("alice");
  auto nc = wait_event(events, "Newchannel", "Channel", alice->name());
  ASSERT_TRUE(nc);
  EXPECT_EQ(keys(*nc), with({"Event", "Privilege"}, kSnapshot));
  EXPECT_EQ(nc->get("Privilege"), "call,all");
  EXPECT_EQ(nc->get("CallerIDNum"), "<unknown>");
  EXPECT_EQ(nc->get("ConnectedLineName"), "<unknown>");
  EXPECT_EQ(nc->get("Language"), "en");
  EXPECT_EQ(nc->get("Uniqueid"), alice->uniqueid());
  EXPECT_EQ(nc->get("Linkedid"), alice->uniqueid());

  auto ring = wait_event(events, "Newstate", "ChannelStateDesc", "Ring");
  ASSERT_TRUE(ring);
  EXPECT_EQ(ring->get("ChannelState"), "4");

  alice->set_caller(telephony::CallerId{"2001", "Alice", 0});
  auto cid = wait_event(events, "NewCallerid");
  ASSERT_TRUE(cid);
  EXPECT_EQ(cid->get("CallerIDNum"), "2001");
  EXPECT_EQ(cid->get("CallerIDName"), "Alice");
  EXPECT_EQ(cid->get("CID-CallingPres"), "0 (Presentation Allowed, Not Screened)");

  alice->request_hangup(telephony::HangupCause::NormalClearing);
  auto req = wait_event(events, "HangupRequest");
  ASSERT_TRUE(req);
  EXPECT_EQ(req->get("Cause"), "16");
  auto hup = wait_event(events, "Hangup");
  ASSERT_TRUE(hup);
  EXPECT_EQ(keys(*hup), with({"Event", "Privilege"}, kSnapshot, {"Cause", "Cause-txt"}));
  EXPECT_EQ(hup->get("Cause-txt"), "Normal Clearing");
}

TEST(AmixEvents, NewextenDialAndUserEventsFromTheBus) {
  Fixture f;
  EventLog events;
  f.login("admin", "s3cret", &events);
  auto caller = f.channel("alice");
  auto callee = f.channel("bob");

  telephony::DialplanStep step;
  step.channel = caller->snapshot();
  step.application = "Dial";
  step.data = "Test/bob,30";
  f.engine.events().emit(std::move(step));
  auto nx = wait_event(events, "Newexten");
  ASSERT_TRUE(nx);
  EXPECT_EQ(nx->get("Privilege"), "dialplan,all");
  EXPECT_EQ(keys(*nx), with({"Event", "Privilege"}, kSnapshot, {"Extension", "Application", "AppData"}));
  EXPECT_EQ(nx->get("Extension"), "100");
  EXPECT_EQ(nx->get("AppData"), "Test/bob,30");

  telephony::DialBegin begin;
  begin.caller = caller->snapshot();
  begin.dest = callee->snapshot();
  begin.dialstring = "bob";
  f.engine.events().emit(std::move(begin));
  auto db = wait_event(events, "DialBegin");
  ASSERT_TRUE(db);
  EXPECT_EQ(keys(*db), with(with({"Event", "Privilege"}, kSnapshot), prefixed("Dest"), {"DialString"}));
  EXPECT_EQ(db->get("Channel"), caller->name());
  EXPECT_EQ(db->get("DestChannel"), callee->name());

  telephony::DialEnd end;
  end.dest = callee->snapshot();  // no caller: an originated call
  end.dialstatus = "ANSWER";
  f.engine.events().emit(std::move(end));
  auto de = wait_event(events, "DialEnd");
  ASSERT_TRUE(de);
  EXPECT_EQ(keys(*de), with({"Event", "Privilege"}, prefixed("Dest"), {"DialStatus"}));
  EXPECT_EQ(de->get("DialStatus"), "ANSWER");

  telephony::UserEventRaised ue;
  ue.channel = caller->snapshot();
  ue.name = "Hello";
  ue.headers = {{"Key", "v"}};
  f.engine.events().emit(std::move(ue));
  auto u = wait_event(events, "UserEvent", "UserEvent", "Hello");
  ASSERT_TRUE(u);
  EXPECT_EQ(keys(*u), with({"Event", "Privilege"}, kSnapshot, {"UserEvent", "Key"}));

  telephony::EngineShutdown sd;
  f.engine.events().emit(std::move(sd));
  auto s = wait_event(events, "Shutdown");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->get("Shutdown"), "Uncleanly");
  EXPECT_EQ(s->get("Restart"), "False");
  EXPECT_EQ(s->get("Privilege"), "system,all");
}

TEST(AmixEvents, ChannelvarsAddChanVariableLines) {
  auto cfg = default_config();
  cfg.options.channelvars = {"ACCOUNT", "TEAM"};
  Fixture f(cfg);
  EventLog events;
  f.login("admin", "s3cret", &events);
  auto alice = f.channel("alice");
  alice->set_variable("__ACCOUNT", "acme");
  auto vs = wait_event(events, "VarSet", "Variable", "__ACCOUNT");
  ASSERT_TRUE(vs);
  const auto vars = vs->get_all("ChanVariable");
  ASSERT_EQ(vars.size(), 2u);
  EXPECT_EQ(vars[0], "ACCOUNT=acme");
  EXPECT_EQ(vars[1], "TEAM=");
  alice->request_hangup();
  auto hup = wait_event(events, "Hangup");
  ASSERT_TRUE(hup);  // the channel is gone by now: the values come from the event stream
  EXPECT_EQ(hup->get_all("ChanVariable")[0], "ACCOUNT=acme");
}

TEST(AmixEvents, DeliveredByReadClassAndDisabledEvents) {
  auto cfg = default_config();
  cfg.options.disabledevents = {"Newstate"};
  Fixture f(cfg);
  EventLog admin_events, caller_events;
  f.login("admin", "s3cret", &admin_events);
  f.login("caller", "pw", &caller_events);  // read = call only
  auto alice = f.channel("alice");
  telephony::DialplanStep step;
  step.channel = alice->snapshot();
  step.application = "Answer";
  f.engine.events().emit(std::move(step));
  alice->request_hangup();
  ASSERT_TRUE(wait_event(admin_events, "Hangup"));
  ASSERT_TRUE(wait_event(caller_events, "Hangup"));
  EXPECT_EQ(admin_events.count("Newexten"), 1u);
  EXPECT_EQ(caller_events.count("Newexten"), 0u);  // dialplan class not readable by caller
  EXPECT_EQ(caller_events.count("Newchannel"), 1u);
  EXPECT_EQ(admin_events.count("Newstate"), 0u);  // disabledevents
  const auto stats = f.module.event_stats();
  EXPECT_GE(stats.published, 3u);
  EXPECT_EQ(stats.lost, 0u);
}
