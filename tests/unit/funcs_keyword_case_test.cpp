// Keyword arguments of dialplan functions are case-insensitive, as Asterisk compares them with
// strcasecmp: every function that takes one is read (and, where writable, written) from a real
// dialplan in lower and in upper case, and both must give the same result.
#include <gtest/gtest.h>

#include "confbridge_test_support.hpp"

using namespace telephony;
using namespace std::chrono_literals;

namespace {

struct KeywordCase : confbridge_test::ConfFixture {
  // Loads `body` as the one extension s@kw (both spellings substituted for @K@), runs a call
  // through it and returns the NoOp trace.
  std::vector<std::string> run(const std::string& body, const std::string& device) {
    auto plan = dialplan::load_dialplan_string(std::string(confbridge_test::kDialplan) + "[kw]\n" + body,
                                               "extensions.conf");
    EXPECT_TRUE(plan) << plan.error().to_string();
    if (!plan) return {};
    dialplan->replace(*plan);
    auto chan = test_driver->inbound(engine, device, "kw", "s");
    EXPECT_TRUE(log->wait_for_type(
        "ChannelHungUp", [&](const Event& e) { return e.as<ChannelHungUp>()->channel.name == chan->name(); }, 5s));
    std::vector<std::string> out;
    for (auto& e : log->events())
      if (auto* s = e->as<DialplanStep>(); s && s->channel.name == chan->name() && s->application == "NoOp")
        out.push_back(s->data);
    return out;
  }
};

struct Spelling {
  const char* name;
  const char* lower;  // the dialplan with keywords in lower case
  const char* upper;  // the same dialplan as dialplans in the wild write it
  std::vector<std::string> want;
};

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (auto& x : v) s += "[" + x + "]";
  return s;
}

TEST_F(KeywordCase, EveryKeywordArgumentReadsTheSameInEitherCase) {
  const std::vector<Spelling> cases = {
      {"EXCEPTION",
       "exten => s,1,RaiseException(BOOM)\nexten => e,1,NoOp(${EXCEPTION(reason)}|${EXCEPTION(context)}|"
       "${EXCEPTION(exten)}|${EXCEPTION(priority)})\n",
       "exten => s,1,RaiseException(BOOM)\nexten => e,1,NoOp(${EXCEPTION(REASON)}|${EXCEPTION(Context)}|"
       "${EXCEPTION(EXTEN)}|${EXCEPTION(PRIORITY)})\n",
       {"BOOM|kw|s|1"}},
      {"TIMEOUT",
       "exten => s,1,Set(TIMEOUT(digit)=2.5)\nsame => n,Set(TIMEOUT(response)=7)\nsame => n,Set(TIMEOUT(absolute)=60)\n"
       "same => n,NoOp(${TIMEOUT(digit)}|${TIMEOUT(response)}|${IF($[${TIMEOUT(absolute)} > 50]?set:unset)})\n",
       "exten => s,1,Set(TIMEOUT(DIGIT)=2.5)\nsame => n,Set(TIMEOUT(RESPONSE)=7)\nsame => n,Set(TIMEOUT(Absolute)=60)\n"
       "same => n,NoOp(${TIMEOUT(DIGIT)}|${TIMEOUT(RESPONSE)}|${IF($[${TIMEOUT(ABSOLUTE)} > 50]?set:unset)})\n",
       {"2.500|7.000|set"}},
      {"CHANNEL",
       "exten => s,1,Set(CHANNEL(language)=de)\nsame => n,Set(CHANNEL(musicclass)=jazz)\n"
       "same => n,NoOp(${CHANNEL(language)}|${CHANNEL(musicclass)}|${CHANNEL(channeltype)}|${CHANNEL(context)})\n",
       "exten => s,1,Set(CHANNEL(LANGUAGE)=de)\nsame => n,Set(CHANNEL(MusicClass)=jazz)\n"
       "same => n,NoOp(${CHANNEL(LANGUAGE)}|${CHANNEL(MUSICCLASS)}|${CHANNEL(CHANNELTYPE)}|${CHANNEL(CONTEXT)})\n",
       {"de|jazz|Test|kw"}},
      {"CALLERID",
       "exten => s,1,Set(CALLERID(all)=\"Alice\" <1001>)\nsame => n,Set(CALLERID(pres)=prohib)\n"
       "same => n,Set(CALLERID(rdnis)=555)\n"
       "same => n,NoOp(${CALLERID(name)}|${CALLERID(num)}|${CALLERID(number)}|${CALLERID(pres)}|${CALLERID(rdnis)})\n",
       "exten => s,1,Set(CALLERID(ALL)=\"Alice\" <1001>)\nsame => n,Set(CALLERID(PRES)=prohib)\n"
       "same => n,Set(CALLERID(RDNIS)=555)\n"
       "same => n,NoOp(${CALLERID(NAME)}|${CALLERID(NUM)}|${CALLERID(Number)}|${CALLERID(PRES)}|${CALLERID(RDNIS)})\n",
       {"Alice|1001|1001|prohib|555"}},
      {"CONNECTEDLINE",
       "exten => s,1,Set(CONNECTEDLINE(name)=Bob)\nsame => n,Set(CONNECTEDLINE(num)=2002)\n"
       "same => n,NoOp(${CONNECTEDLINE(all)}|${CONNECTEDLINE(name)})\n",
       "exten => s,1,Set(CONNECTEDLINE(NAME)=Bob)\nsame => n,Set(CONNECTEDLINE(NUM)=2002)\n"
       "same => n,NoOp(${CONNECTEDLINE(ALL)}|${CONNECTEDLINE(Name)})\n",
       {"\"Bob\" <2002>|Bob"}},
      {"CONFBRIDGE and CONFBRIDGE_INFO",
       "exten => s,1,Set(CONFBRIDGE(user,quiet)=yes)\nsame => n,Set(CONFBRIDGE(user,template)=boss)\n"
       "same => n,Set(CONFBRIDGE(bridge,max_members)=5)\nsame => n,Set(CONFBRIDGE(menu,5)=toggle_mute)\n"
       "same => n,Set(CONFBRIDGE(user,clear)=)\n"
       "same => n,NoOp(${CONFBRIDGE_INFO(parties,none)}|${CONFBRIDGE_INFO(locked,none)}|${CONFBRIDGE_INFO(muted,none)})\n",
       "exten => s,1,Set(CONFBRIDGE(USER,QUIET)=yes)\nsame => n,Set(CONFBRIDGE(User,TEMPLATE)=boss)\n"
       "same => n,Set(CONFBRIDGE(BRIDGE,MAX_MEMBERS)=5)\nsame => n,Set(CONFBRIDGE(MENU,5)=toggle_mute)\n"
       "same => n,Set(CONFBRIDGE(USER,CLEAR)=)\n"
       "same => n,NoOp(${CONFBRIDGE_INFO(PARTIES,none)}|${CONFBRIDGE_INFO(LOCKED,none)}|${CONFBRIDGE_INFO(Muted,none)})\n",
       {"0|0|0"}},
      {"MATH result type",
       "exten => s,1,NoOp(${MATH(255+0,hex)}|${MATH(7/2,int)}|${MATH(65+0,char)}|${MATH(1/4,float)})\n",
       "exten => s,1,NoOp(${MATH(255+0,HEX)}|${MATH(7/2,INT)}|${MATH(65+0,CHAR)}|${MATH(1/4,FLOAT)})\n",
       {"ff|3|A|0.25"}},
  };
  int n = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(joined(run(c.lower, "lower" + std::to_string(n))), joined(c.want)) << c.name << " in lower case";
    EXPECT_EQ(joined(run(c.upper, "upper" + std::to_string(n))), joined(c.want)) << c.name << " in upper case";
    ++n;
  }
}

// The keyword decides which conference profile the next ConfBridge() uses: an upper-case
// CONFBRIDGE(USER,ADMIN) must make the caller an admin, as the lower-case spelling does.
TEST_F(KeywordCase, ConfBridgeProfileWrittenInUpperCaseTakesEffect) {
  auto plan = dialplan::load_dialplan_string(
      std::string(confbridge_test::kDialplan) +
          "[kw]\nexten => s,1,Set(CONFBRIDGE(USER,QUIET)=YES)\nsame => n,Set(CONFBRIDGE(USER,ADMIN)=yes)\n"
          "same => n,Set(CONFBRIDGE(BRIDGE,MAX_MEMBERS)=3)\nsame => n,ConfBridge(kwroom)\n",
      "extensions.conf");
  ASSERT_TRUE(plan) << plan.error().to_string();
  dialplan->replace(*plan);
  auto chan = test_driver->inbound(engine, "kwadmin", "kw", "s");
  ASSERT_TRUE(in_room("kwroom", 1));
  auto members = rooms->members("kwroom");
  ASSERT_TRUE(members && members->size() == 1);
  EXPECT_TRUE((*members)[0].admin);
  auto room = rooms->room("kwroom");
  ASSERT_TRUE(room);
  EXPECT_EQ(room->admins, 1u);
  chan->request_hangup();
}

}  // namespace
