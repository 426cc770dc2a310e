// Engine-wide AMI actions (Command, CoreStatus, CoreSettings, Reload, ModuleCheck, LoggerRotate,
// UserEvent), the bridge actions over Engine::bridges(), and the actions that must say which
// module they still need.
#include <utility>  // before asio: Boost 1.74 awaitable.hpp needs std::exchange
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "amix_test_support.hpp"
#include "telephony/bridge.hpp"
#include "telephony/core_commands.hpp"

using namespace amix_test;

TEST(AmixCommand, OutputLinesErrorsAndRefusals) {
  Fixture f;
  telephony::register_core_commands(f.engine);
  Client& c = f.login();
  auto m = action("Command");
  m.add("Command", "core show version");
  auto r = f.send(c, m);
  EXPECT_EQ(r.response(), "Success");
  EXPECT_EQ(r.get("Message"), "Command output follows");
  ASSERT_EQ(r.get_all("Output").size(), 1u);
  EXPECT_EQ(r.get_all("Output")[0].substr(0, 13), "libtelephony ");

  f.channel("alice");
  auto chans = action("Command");
  chans.add("Command", "core show channels count");
  auto cr = f.send(c, chans);
  const auto out = cr.get_all("Output");
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out[0], "1 active channel");

  auto unknown = action("Command");
  unknown.add("Command", "core frobnicate");
  auto ur = f.send(c, unknown);
  EXPECT_EQ(ur.response(), "Error");
  ASSERT_FALSE(ur.get_all("Output").empty());
  EXPECT_EQ(ur.get_all("Output")[0].substr(0, 15), "No such command");

  for (const char* refused : {"module unload manager", "Core  Restart now", "module load x"}) {
    auto bad = action("Command");
    bad.add("Command", refused);
    auto br = f.send(c, bad);
    EXPECT_EQ(br.response(), "Error") << refused;
    EXPECT_EQ(br.get("Message"), "Command blacklisted") << refused;
  }
  EXPECT_EQ(f.send(c, action("Command")).get("Message"), "No command provided");

  Client& nocmd = f.login("nocmd", "pw");
  EXPECT_EQ(f.send(nocmd, m).get("Message"), "Permission denied");
}

TEST(AmixCore, StatusAndSettings) {
  Fixture f;
  f.channel("alice");
  f.channel("bob");
  Client& c = f.login();
  auto s = f.send(c, action("CoreStatus"));
  EXPECT_EQ(s.response(), "Success");
  EXPECT_EQ(s.get("CoreCurrentCalls"), "2");
  EXPECT_EQ(s.get_or("CoreStartupDate").size(), 10u);  // YYYY-MM-DD
  EXPECT_EQ(s.get_or("CoreStartupTime").size(), 8u);   // HH:MM:SS
  auto st = f.send(c, action("CoreSettings"));
  EXPECT_EQ(st.get("AMIversion"), "5.0.0");
  EXPECT_EQ(st.get_or("AsteriskVersion").substr(0, 12), "libtelephony");
  Client& caller = f.login("caller", "pw");
  EXPECT_EQ(f.send(caller, action("CoreStatus")).get("Message"), "Permission denied");
}

TEST(AmixReload, ReloadsModulesAndEmitsReloadEvents) {
  Fixture f;
  auto fake = std::make_shared<FakeModule>("fake");
  f.engine.add_module(fake);
  EventLog events;
  Client& c = f.login("admin", "s3cret", &events);
  auto m = action("Reload");
  m.add("Module", "fake.so");
  auto r = f.send(c, m);
  EXPECT_EQ(r.response(), "Success");
  EXPECT_EQ(r.get("Message"), "Module Reloaded");
  EXPECT_EQ(fake->reloads.load(), 1);
  auto ev = wait_event(events, "Reload", "Module", "fake");
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->get("Status"), "0");
  EXPECT_EQ(ev->get("Privilege"), "system,all");

  fake->broken = true;
  auto br = f.send(c, m);
  EXPECT_EQ(br.response(), "Error");
  EXPECT_NE(br.get_or("Message").find("fake.conf:3: bad value"), std::string_view::npos);
  EXPECT_TRUE(events.wait([](const std::vector<Message>& evs) {
    for (const auto& e : evs)
      if (e.event() == "Reload" && e.get_or("Status") == "3") return true;
    return false;
  }));

  auto none = action("Reload");
  none.add("Module", "nosuch");
  EXPECT_EQ(f.send(c, none).get("Message"), "No such module");
}

TEST(AmixReload, ModuleCheckAndLoggerRotate) {
  Fixture f;
  Client& c = f.login();
  auto rotate = f.send(c, action("LoggerRotate"));
  EXPECT_EQ(rotate.response(), "Error");
  EXPECT_EQ(rotate.get("Message"), "The logger module is not loaded");
  auto logger = std::make_shared<FakeModule>("logger");
  f.engine.add_module(logger);
  EXPECT_EQ(f.send(c, action("LoggerRotate")).response(), "Success");
  EXPECT_EQ(logger->reloads.load(), 1);

  auto check = action("ModuleCheck");
  check.add("Module", "logger");
  auto ok = f.send(c, check);
  EXPECT_EQ(ok.response(), "Success");
  EXPECT_TRUE(ok.has("Version"));
  auto missing = action("ModuleCheck");
  missing.add("Module", "chan_sip.so");
  EXPECT_EQ(f.send(c, missing).get("Message"), "Module not loaded");
  EXPECT_EQ(f.send(c, action("ModuleCheck")).get("Message"), "Module name not specified");
}

TEST(AmixUserEvent, EmitsUserEventWithHeaders) {
  Fixture f;
  EventLog events;
  Client& c = f.login("admin", "s3cret", &events);
  auto m = action("UserEvent");
  m.add("UserEvent", "Deploy").add("Stage", "canary").add("Build", "17");
  auto r = f.send(c, m);
  EXPECT_EQ(r.response(), "Success");
  auto ev = wait_event(events, "UserEvent", "UserEvent", "Deploy");
  ASSERT_TRUE(ev);
  EXPECT_EQ(keys(*ev), (std::vector<std::string>{"Event", "Privilege", "UserEvent", "Stage", "Build"}));
  EXPECT_EQ(ev->get("Privilege"), "user,all");
  EXPECT_EQ(ev->get("Stage"), "canary");
  EXPECT_EQ(f.send(c, action("UserEvent")).get("Message"), "No UserEvent specified");
}

namespace {
// Joins `chan` to `bridge` on the channel's strand (as Dial would) and keeps it there.
void join(const telephony::Bridge::Ptr& bridge, const telephony::Channel::Ptr& chan) {
  auto token = chan->hold();
  boost::asio::co_spawn(
      chan->strand(),
      [bridge, chan, token]() -> boost::asio::awaitable<void> { co_await bridge->join(chan); },
      boost::asio::detached);
}
}  // namespace

TEST(AmixBridges, ListInfoKickDestroy) {
  Fixture f;
  EventLog events;
  Client& c = f.login("admin", "s3cret", &events);
  auto alice = f.channel("alice");
  auto bob = f.channel("bob");
  auto bridge = telephony::Bridge::create(f.engine, {.type = "basic", .name = "desk", .dissolve_when_alone = false});
  join(bridge, alice);
  join(bridge, bob);
  ASSERT_TRUE(telephony::testkit::eventually([&] { return bridge->members().size() == 2; }));

  auto list = f.send_list(c, action("BridgeList"));
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[1].event(), "BridgeListItem");
  EXPECT_EQ(list[1].get("BridgeUniqueid"), bridge->uniqueid());
  EXPECT_EQ(list[1].get("BridgeNumChannels"), "2");
  EXPECT_EQ(list[1].get("BridgeName"), "desk");
  EXPECT_EQ(list[2].event(), "BridgeListComplete");
  auto filtered = action("BridgeList");
  filtered.add("BridgeType", "holding");
  EXPECT_EQ(f.send_list(c, filtered).size(), 2u);  // no items

  auto info = action("BridgeInfo");
  info.add("BridgeUniqueid", bridge->uniqueid());
  auto il = f.send_list(c, info);
  ASSERT_EQ(il.size(), 4u);
  EXPECT_EQ(il[1].event(), "BridgeInfoChannel");
  EXPECT_EQ(il[3].event(), "BridgeInfoComplete");
  EXPECT_EQ(il[3].get("BridgeUniqueid"), bridge->uniqueid());
  EXPECT_EQ(il[3].get("ListItems"), "2");
  EXPECT_EQ(f.send(c, action("BridgeInfo")).get("Message"), "BridgeUniqueid must be provided");
  auto ghost = action("BridgeInfo");
  ghost.add("BridgeUniqueid", "nope");
  EXPECT_EQ(f.send(c, ghost).get("Message"), "Bridge not found");

  auto kick = action("BridgeKick");
  kick.add("Channel", alice->name());
  EXPECT_EQ(f.send(c, kick).get("Message"), "Channel has been kicked");
  auto leave = wait_event(events, "BridgeLeave", "Channel", alice->name());
  ASSERT_TRUE(leave);
  EXPECT_EQ(leave->get("BridgeUniqueid"), bridge->uniqueid());
  ASSERT_TRUE(telephony::testkit::eventually([&] { return bridge->members().size() == 1; }));
  EXPECT_EQ(f.send(c, kick).get("Message"), "Channel is not in a bridge");
  auto no_chan = action("BridgeKick");
  no_chan.add("Channel", "Test/ghost-1");
  EXPECT_EQ(f.send(c, no_chan).get("Message"), "Channel does not exist");

  auto destroy = action("BridgeDestroy");
  destroy.add("BridgeUniqueid", bridge->uniqueid());
  EXPECT_EQ(f.send(c, destroy).get("Message"), "Bridge has been destroyed");
  EXPECT_TRUE(wait_event(events, "BridgeDestroy", "BridgeUniqueid", bridge->uniqueid()));
  EXPECT_EQ(f.send(c, destroy).get("Message"), "Bridge not found");
  EXPECT_EQ(f.send_list(c, action("BridgeList")).size(), 2u);
  EXPECT_TRUE(f.engine.bridges().empty());
}

TEST(AmixPending, ActionsNeedingTheDialplanSaySoWhenItIsNotLoaded) {
  // This fixture loads no dialplan module: the actions that need it answer a clear error (the
  // complete behaviour is tested in amiz_*_test.cpp).
  Fixture f;
  Client& c = f.login();
  const std::pair<const char*, std::vector<std::pair<const char*, const char*>>> expected[] = {
      {"ShowDialPlan", {}},
      {"DialplanExtensionAdd", {{"Context", "c"}, {"Extension", "1"}, {"Priority", "1"}, {"Application", "NoOp"}}},
      {"DialplanExtensionRemove", {{"Context", "c"}, {"Extension", "1"}}},
      {"ExtensionState", {{"Exten", "1"}}}};
  for (const auto& [name, headers] : expected) {
    auto m = action(name);
    for (const auto& [k, v] : headers) m.add(k, v);
    auto r = f.send(c, m);
    EXPECT_EQ(r.response(), "Error") << name;
    EXPECT_NE(r.get_or("Message").find("pbx_config"), std::string_view::npos) << name << ": " << r.get_or("Message");
    EXPECT_NE(r.get_or("Message").find("not loaded"), std::string_view::npos) << name;
  }
  auto help = f.module.server()->action_help("Originate");
  ASSERT_TRUE(help);
  EXPECT_NE(help->find("[Synopsis]"), std::string::npos);
  EXPECT_NE(help->find("Originate a call."), std::string::npos);
  auto cmds = f.send(c, action("ListCommands"));
  EXPECT_TRUE(cmds.has("Status"));
  EXPECT_TRUE(cmds.has("BridgeKick"));
  EXPECT_TRUE(cmds.has("DBGet"));
  auto console = f.engine.commands().execute("manager show command Hangup");
  EXPECT_EQ(console.status, 0);
  EXPECT_NE(console.output.find("Hangup channel."), std::string::npos);
}
