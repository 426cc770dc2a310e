// Engine-backed AMI actions on channels, through a real server socket and our Client: Status,
// CoreShowChannels, Hangup, Setvar/Getvar (functions and their allow-list), AbsoluteTimeout,
// PlayDTMF, SendText. Each action: its success reply and its error replies.
#include "amix_test_support.hpp"
#include "telephony/dialplan/application.hpp"
#include "telephony/dialplan/loader.hpp"
#include "telephony/dialplan/module.hpp"

using namespace amix_test;
using telephony::ChannelState;

TEST(AmixStatus, ListsChannelsWithSnapshotFieldsAndVariables) {
  Fixture f;
  auto alice = f.channel("alice");
  auto bob = f.channel("bob");
  alice->set_variable("ACCOUNT", "42");
  Client& c = f.login();

  auto m = action("Status");
  m.add("Variables", "ACCOUNT,MISSING");
  auto list = f.send_list(c, m);
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[0].get("Message"), "Channel status will follow");
  EXPECT_EQ(list[0].get("EventList"), "start");
  std::optional<Message> alice_item;
  for (std::size_t i = 1; i < 3; ++i) {
    EXPECT_EQ(list[i].event(), "Status");
    if (list[i].get_or("Channel") == alice->name()) alice_item = list[i];
  }
  ASSERT_TRUE(alice_item);
  EXPECT_EQ(alice_item->get("ChannelState"), "4");
  EXPECT_EQ(alice_item->get("ChannelStateDesc"), "Ring");
  EXPECT_EQ(alice_item->get("CallerIDNum"), "<unknown>");
  EXPECT_EQ(alice_item->get("Context"), "default");
  EXPECT_EQ(alice_item->get("Exten"), "100");
  EXPECT_EQ(alice_item->get("Uniqueid"), alice->uniqueid());
  EXPECT_EQ(alice_item->get("Type"), "Test");
  const auto vars = alice_item->get_all("Variable");
  ASSERT_EQ(vars.size(), 2u);
  EXPECT_EQ(vars[0], "ACCOUNT=42");
  EXPECT_EQ(vars[1], "MISSING=");
  EXPECT_EQ(list[3].event(), "StatusComplete");
  EXPECT_EQ(list[3].get("ListItems"), "2");
  EXPECT_EQ(list[3].get("Items"), "2");

  auto one = action("Status");
  one.add("Channel", bob->name()).add("AllVariables", "true");
  auto single = f.send_list(c, one);
  ASSERT_EQ(single.size(), 3u);
  EXPECT_EQ(single[1].get("Channel"), bob->name());

  auto missing = action("Status");
  missing.add("Channel", "Test/nobody-00000099");
  auto err = f.send(c, missing);
  EXPECT_EQ(err.response(), "Error");
  EXPECT_EQ(err.get("Message"), "No such channel");
}

TEST(AmixStatus, CoreShowChannelsItemsAndPermission) {
  Fixture f;
  auto alice = f.channel("alice");
  alice->set_application("Wait", "10");
  Client& c = f.login();
  auto list = f.send_list(c, action("CoreShowChannels"));
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].get("Message"), "Channels will follow");
  EXPECT_EQ(list[1].event(), "CoreShowChannel");
  EXPECT_EQ(list[1].get("Channel"), alice->name());
  EXPECT_EQ(list[1].get("Application"), "Wait");
  EXPECT_EQ(list[1].get("ApplicationData"), "10");
  EXPECT_EQ(list[1].get("Duration"), "00:00:00");
  EXPECT_EQ(list[2].event(), "CoreShowChannelsComplete");
  EXPECT_EQ(list[2].get("ListItems"), "1");

  Client& caller = f.login("caller", "pw");  // write=call only: CoreShowChannels needs system/reporting
  auto denied = f.send(caller, action("CoreShowChannels"));
  EXPECT_EQ(denied.response(), "Error");
  EXPECT_EQ(denied.get("Message"), "Permission denied");
}

TEST(AmixHangup, ExactNameWithCauseAndErrors) {
  Fixture f;
  EventLog events;
  auto alice = f.channel("alice");
  Client& c = f.login("admin", "s3cret", &events);
  auto m = action("Hangup");
  m.add("Channel", alice->name()).add("Cause", "17");
  auto r = f.send(c, m);
  EXPECT_EQ(r.response(), "Success");
  EXPECT_EQ(r.get("Message"), "Channel Hungup");
  auto hangup = wait_event(events, "Hangup", "Channel", alice->name());
  ASSERT_TRUE(hangup);
  EXPECT_EQ(hangup->get("Cause"), "17");
  EXPECT_EQ(hangup->get("Cause-txt"), "User busy");

  auto gone = action("Hangup");
  gone.add("Channel", alice->name());
  EXPECT_EQ(f.send(c, gone).get("Message"), "No such channel");
  auto none = f.send(c, action("Hangup"));
  EXPECT_EQ(none.get("Message"), "No channel specified");
  auto bob = f.channel("bob");
  auto bad = action("Hangup");
  bad.add("Channel", bob->name()).add("Cause", "sometimes");
  auto br = f.send(c, bad);
  EXPECT_EQ(br.response(), "Error");
  EXPECT_EQ(br.get("Message"), "Invalid cause: sometimes");
  EXPECT_FALSE(bob->is_hung_up());
}

TEST(AmixHangup, RegexHangsUpEveryMatch) {
  Fixture f;
  auto a1 = f.channel("sales1");
  auto a2 = f.channel("sales2");
  auto other = f.channel("support");
  Client& c = f.login();
  auto m = action("Hangup");
  m.add("Channel", "/^Test/sales/");
  auto list = f.send_list(c, m);
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[0].get("Message"), "Channels hung up will follow");
  EXPECT_EQ(list[1].event(), "ChannelHungup");
  EXPECT_EQ(list[3].event(), "ChannelsHungupListComplete");
  EXPECT_EQ(list[3].get("ListItems"), "2");
  EXPECT_TRUE(telephony::testkit::eventually([&] { return a1->is_hung_up() && a2->is_hung_up(); }));
  EXPECT_FALSE(other->is_hung_up());

  auto bad = action("Hangup");
  bad.add("Channel", "/([/");
  auto r = f.send(c, bad);
  EXPECT_EQ(r.response(), "Error");
  EXPECT_EQ(r.get("Message"), "Regex compile failed on: ([");
}

TEST(AmixVariables, SetvarGetvarOnChannelWithVarSetEvent) {
  Fixture f;
  EventLog events;
  auto alice = f.channel("alice");
  Client& c = f.login("admin", "s3cret", &events);
  auto set = action("Setvar");
  set.add("Channel", alice->name()).add("Variable", "COLOR").add("Value", "blue");
  auto r = f.send(c, set);
  EXPECT_EQ(r.response(), "Success");
  EXPECT_EQ(r.get("Message"), "Variable Set");
  EXPECT_EQ(alice->variable("COLOR"), "blue");
  auto varset = wait_event(events, "VarSet", "Variable", "COLOR");
  ASSERT_TRUE(varset);
  EXPECT_EQ(varset->get("Value"), "blue");
  EXPECT_EQ(varset->get("Privilege"), "dialplan,all");

  auto get = action("Getvar");
  get.add("Channel", alice->name()).add("Variable", "COLOR");
  auto g = f.send(c, get);
  EXPECT_EQ(g.response(), "Success");
  EXPECT_EQ(g.get("Variable"), "COLOR");
  EXPECT_EQ(g.get("Value"), "blue");

  auto no_var = action("Getvar");
  no_var.add("Channel", alice->name());
  EXPECT_EQ(f.send(c, no_var).get("Message"), "No variable specified");
  auto no_chan = action("Setvar");
  no_chan.add("Channel", "Test/ghost-00000000").add("Variable", "X").add("Value", "1");
  EXPECT_EQ(f.send(c, no_chan).get("Message"), "No such channel");
  auto global = action("Getvar");
  global.add("Variable", "SOMEGLOBAL");
  auto gr = f.send(c, global);
  EXPECT_EQ(gr.response(), "Error");
  // No dialplan module in this engine, so no globals: the error says why (with it, see
  // AmixVariables.WithoutChannelSetvarAndGetvarUseTheGlobalsGlobalSees).
  EXPECT_NE(gr.get_or("Message").find("dialplan module (pbx_config, extensions.conf) is not loaded"),
            std::string_view::npos);
}

// Asterisk: "If not set, a global variable is set" -- the same globals GLOBAL() and [globals] use.
TEST(AmixVariables, WithoutChannelSetvarAndGetvarUseTheGlobalsGlobalSees) {
  Fixture f;
  auto pbx = telephony::dialplan::install_dialplan(f.engine);
  auto plan = telephony::dialplan::load_dialplan_string("[globals]\nG=one\n[default]\nexten => 100,1,Wait(30)\n",
                                                        "extensions.conf");
  ASSERT_TRUE(plan) << plan.error().to_string();
  pbx->replace(*plan);
  EventLog events;
  Client& c = f.login("admin", "s3cret", &events);

  auto get = action("Getvar");
  get.add("Variable", "G");
  auto g = f.send(c, get);
  EXPECT_EQ(g.response(), "Success") << g.get_or("Message");
  EXPECT_EQ(g.get("Value"), "one");

  auto set = action("Setvar");
  set.add("Variable", "NEWG").add("Value", "two");
  auto s = f.send(c, set);
  EXPECT_EQ(s.response(), "Success") << s.get_or("Message");
  EXPECT_EQ(s.get("Message"), "Variable Set");
  EXPECT_EQ(pbx->globals().get("NEWG"), "two");
  auto varset = wait_event(events, "VarSet", "Variable", "NEWG");
  ASSERT_TRUE(varset);
  EXPECT_EQ(varset->get("Channel"), "none");
  EXPECT_EQ(varset->get("Uniqueid"), "none");
  EXPECT_EQ(varset->get("Value"), "two");

  // GLOBAL() reads and writes the same variables.
  auto via_function = action("Getvar");
  via_function.add("Variable", "GLOBAL(NEWG)");
  EXPECT_EQ(f.send(c, via_function).get("Value"), "two");
  auto write_function = action("Setvar");
  write_function.add("Variable", "GLOBAL(G)").add("Value", "three");
  EXPECT_EQ(f.send(c, write_function).response(), "Success");
  EXPECT_EQ(f.send(c, get).get("Value"), "three");

  // A channel without the variable sees the global, as the dialplan does; its own one wins.
  auto alice = f.channel("alice");
  auto on_chan = action("Getvar");
  on_chan.add("Channel", alice->name()).add("Variable", "G");
  EXPECT_EQ(f.send(c, on_chan).get("Value"), "three");
  alice->set_variable("G", "mine");
  EXPECT_EQ(f.send(c, on_chan).get("Value"), "mine");

  // Unsetting: an empty value removes it.
  auto unset = action("Setvar");
  unset.add("Variable", "NEWG").add("Value", "");
  EXPECT_EQ(f.send(c, unset).response(), "Success");
  EXPECT_FALSE(pbx->globals().get("NEWG"));
}

// VarSet's Value and the CallerIDName/ConnectedLineName of every channel snapshot are C-escaped
// as Asterisk's ast_escape_c does, so Set(X="a") arrives as Value: \"a\".
TEST(AmixVariables, VarSetValueAndCallerNamesAreEscapedAsAsteriskDoes) {
  Fixture f;
  EventLog events;
  Client& c = f.login("admin", "s3cret", &events);
  auto alice = f.channel("alice");
  const std::string raw = "\"a\" b\\c\td?'e";
  auto set = action("Setvar");
  set.add("Channel", alice->name()).add("Variable", "QUOTED").add("Value", raw);
  EXPECT_EQ(f.send(c, set).response(), "Success");
  EXPECT_EQ(alice->variable("QUOTED"), raw);  // the channel keeps the value as it was set
  auto varset = wait_event(events, "VarSet", "Variable", "QUOTED");
  ASSERT_TRUE(varset);
  EXPECT_EQ(varset->get("Value"), "\\\"a\\\" b\\\\c\\td\\?\\'e");
  EXPECT_EQ(telephony::ami::unescape_c(varset->get_or("Value")), raw);
  // Getvar answers with the value itself (Asterisk does not escape responses).
  auto get = action("Getvar");
  get.add("Channel", alice->name()).add("Variable", "QUOTED");
  EXPECT_EQ(f.send(c, get).get("Value"), raw);

  alice->set_caller({"100", "O'Brien \"Bob\"", 0});
  auto status = action("Status");
  status.add("Channel", alice->name());
  auto list = f.send_list(c, status);
  ASSERT_GE(list.size(), 2u);
  EXPECT_EQ(list[1].get("CallerIDName"), "O\\'Brien \\\"Bob\\\"");
  EXPECT_EQ(list[1].get("CallerIDNum"), "100");
}

TEST(AmixVariables, FunctionsNeedSystemWriteOrTheAllowList) {
  auto cfg = default_config();
  cfg.actions.allowed_functions = {"UPPER"};
  Fixture f(cfg);
  auto reg = [&](std::string name) {
    telephony::dialplan::Function fn;
    fn.name = name;
    fn.doc.synopsis = "test";
    fn.read = [](const telephony::dialplan::FunctionCall& call) -> Result<std::string> {
      std::string out(call.args);
      for (auto& ch : out) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      return out;
    };
    (void)f.engine.functions().add(name, std::make_shared<telephony::dialplan::Function>(fn));
  };
  reg("UPPER");
  reg("SHELL");
  Client& admin = f.login();
  Client& caller = f.login("caller", "pw");

  auto upper = action("Getvar");
  upper.add("Variable", "UPPER(abc)");
  EXPECT_EQ(f.send(caller, upper).get("Value"), "ABC");
  auto shell = action("Getvar");
  shell.add("Variable", "SHELL(id)");
  auto refused = f.send(caller, shell);
  EXPECT_EQ(refused.response(), "Error");
  EXPECT_NE(refused.get_or("Message").find("SHELL is not allowed"), std::string_view::npos);
  EXPECT_EQ(f.send(admin, shell).get("Value"), "ID");  // system write may call anything

  auto unknown = action("Getvar");
  unknown.add("Variable", "NOSUCH(x)");
  EXPECT_EQ(f.send(admin, unknown).get("Message"), "Unknown function NOSUCH");
  auto write = action("Setvar");
  write.add("Variable", "UPPER(x)").add("Value", "1");
  EXPECT_EQ(f.send(admin, write).get("Message"), "Function UPPER cannot be written");
}

TEST(AmixChannelControl, AbsoluteTimeoutRaisesSoftHangupRequest) {
  Fixture f;
  EventLog events;
  auto alice = f.channel("alice");
  auto token = alice->hold();  // someone runs the channel: the timeout only signals
  Client& c = f.login("admin", "s3cret", &events);
  auto m = action("AbsoluteTimeout");
  m.add("Channel", alice->name()).add("Timeout", "1");
  auto r = f.send(c, m);
  EXPECT_EQ(r.get("Message"), "Timeout Set");
  auto soft = wait_event(events, "SoftHangupRequest", "Channel", alice->name());
  ASSERT_TRUE(soft);
  EXPECT_TRUE(alice->timeout_fired());

  auto bad = action("AbsoluteTimeout");
  bad.add("Channel", alice->name()).add("Timeout", "soon");
  EXPECT_EQ(f.send(c, bad).response(), "Error");
  auto none = action("AbsoluteTimeout");
  none.add("Timeout", "5");
  EXPECT_EQ(f.send(c, none).get("Message"), "No channel specified");
}

TEST(AmixChannelControl, PlayDtmfSendsOrReceivesDigits) {
  Fixture f;
  EventLog events;
  auto alice = f.channel("alice");
  Client& c = f.login("admin", "s3cret", &events);
  auto m = action("PlayDTMF");
  m.add("Channel", alice->name()).add("Digit", "5").add("Duration", "250");
  auto r = f.send(c, m);
  EXPECT_EQ(r.response(), "Success");
  EXPECT_EQ(r.get("Message"), "DTMF successfully queued");
  auto ep = f.driver->endpoint("alice");
  EXPECT_TRUE(telephony::testkit::eventually([&] {
    std::lock_guard lock(ep->mu);
    return ep->digits_sent == "5";
  }));
  auto sent = wait_event(events, "DTMFEnd", "Direction", "Sent");
  ASSERT_TRUE(sent);
  EXPECT_EQ(sent->get("Digit"), "5");
  EXPECT_EQ(sent->get("DurationMs"), "250");
  EXPECT_EQ(sent->get("Privilege"), "dtmf,all");

  auto recv = action("PlayDTMF");
  recv.add("Channel", alice->name()).add("Digit", "#").add("Receive", "yes");
  EXPECT_EQ(f.send(c, recv).response(), "Success");
  auto begin = wait_event(events, "DTMFBegin", "Direction", "Received");
  ASSERT_TRUE(begin);
  EXPECT_EQ(begin->get("Digit"), "#");

  auto no_digit = action("PlayDTMF");
  no_digit.add("Channel", alice->name());
  EXPECT_EQ(f.send(c, no_digit).get("Message"), "No digit specified");
  auto bad_digit = action("PlayDTMF");
  bad_digit.add("Channel", alice->name()).add("Digit", "x");
  EXPECT_EQ(f.send(c, bad_digit).response(), "Error");
  auto no_chan = action("PlayDTMF");
  no_chan.add("Channel", "Test/ghost-1").add("Digit", "1");
  EXPECT_EQ(f.send(c, no_chan).get("Message"), "No such channel");
}

TEST(AmixChannelControl, SendTextReachesTheDevice) {
  Fixture f;
  auto alice = f.channel("alice");
  Client& c = f.login();
  auto m = action("SendText");
  m.add("Channel", alice->name()).add("Message", "hello there");
  EXPECT_EQ(f.send(c, m).response(), "Success");
  auto ep = f.driver->endpoint("alice");
  EXPECT_TRUE(telephony::testkit::eventually([&] {
    std::lock_guard lock(ep->mu);
    return ep->texts_sent.size() == 1 && ep->texts_sent[0] == "hello there";
  }));
  auto no_msg = action("SendText");
  no_msg.add("Channel", alice->name());
  EXPECT_EQ(f.send(c, no_msg).get("Message"), "No Message specified");
  auto no_chan = action("SendText");
  no_chan.add("Message", "x");
  EXPECT_EQ(f.send(c, no_chan).get("Message"), "No channel specified");
}
