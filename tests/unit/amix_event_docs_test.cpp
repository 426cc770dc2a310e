// AMI event reference (manager/event_reference.hpp) and describe_event (manager/
// event_description.hpp): field lists read off the mapping, every field described, the console
// commands that print that one table, and events without an AMI form.
#include <gtest/gtest.h>

#include <algorithm>

#include "telephony/engine.hpp"
#include "telephony/manager/event_description.hpp"
#include "telephony/manager/event_reference.hpp"
#include "telephony/manager/module.hpp"
#include "telephony/media/playback.hpp"

namespace {

using namespace telephony;

TEST(AmiEventDocs, EveryMappedFieldIsDescribed) {
  const auto& docs = manager::event_reference();
  ASSERT_GE(docs.size(), 90u);
  for (const auto& d : docs) {
    EXPECT_FALSE(d.synopsis.empty()) << d.name;
    // No class: a list item or a Complete event, sent only to the session that asked.
    if (d.privilege.empty()) {
      EXPECT_NE(d.description.find("Sent only to the session"), std::string::npos) << d.name;
    }
    if (d.name != "WaitEventComplete") {
      EXPECT_FALSE(d.fields.empty()) << d.name;
    }
    for (const auto& f : d.fields) EXPECT_FALSE(f.description.empty()) << d.name << "." << f.name;
  }
}

TEST(AmiEventDocs, FieldsComeFromTheMappingInWireOrder) {
  const auto* hangup = manager::find_event_reference("hangup");
  ASSERT_NE(hangup, nullptr);
  EXPECT_EQ(hangup->name, "Hangup");
  EXPECT_EQ(hangup->engine_type, "ChannelHungUp");
  EXPECT_EQ(hangup->privilege, "call");
  std::vector<std::string> names;
  for (const auto& f : hangup->fields) names.push_back(f.name);
  ASSERT_GE(names.size(), 16u);
  EXPECT_EQ(names.front(), "Channel");
  EXPECT_EQ(names[names.size() - 2], "Cause");
  EXPECT_EQ(names.back(), "Cause-txt");
  const auto* dial = manager::find_event_reference("DialBegin");
  ASSERT_NE(dial, nullptr);
  bool dest = false;
  for (const auto& f : dial->fields)
    if (f.name == "DestChannel") dest = f.description.find("dialed channel") != std::string::npos;
  EXPECT_TRUE(dest);
  EXPECT_NE(manager::find_event_reference("OriginateResponse"), nullptr);
  EXPECT_NE(manager::find_event_reference("ConfbridgeJoin"), nullptr);
  EXPECT_EQ(manager::find_event_reference("NoSuchEvent"), nullptr);
}

TEST(AmiEventDocs, EventsAddedSinceAreDescribed) {
  // Security events, device state, CDR, parking, AGI, SIP contacts: every one with its class and
  // a field list from the mapping.
  const std::vector<std::pair<const char*, const char*>> expected = {
      {"InvalidPassword", "security"}, {"ChallengeSent", "security"},  {"SuccessfulAuth", "security"},
      {"FailedACL", "security"},       {"InvalidAccountID", "security"}, {"ChallengeResponseFailed", "security"},
      {"DeviceStateChange", "call"},   {"Cdr", "cdr"},                   {"ParkedCall", "call"},
      {"UnParkedCall", "call"},        {"ParkedCallTimeOut", "call"},    {"ParkedCallGiveUp", "call"},
      {"AGIExecStart", "agi"},         {"AsyncAGIStart", "agi"},         {"ContactStatus", "system"},
      {"Registry", "system"},          {"RTCPReceived", "reporting"},    {"LocalOptimizationBegin", "call"},
      {"MixMonitorStart", "call"},     {"BlindTransfer", "call"},        {"CEL", "call"}};
  for (const auto& [name, privilege] : expected) {
    const auto* d = manager::find_event_reference(name);
    ASSERT_NE(d, nullptr) << name;
    EXPECT_EQ(d->privilege, privilege) << name;
  }
  auto field_names = [](const char* event) {
    std::vector<std::string> names;
    for (const auto& f : manager::find_event_reference(event)->fields) names.push_back(f.name);
    return names;
  };
  auto pw = field_names("InvalidPassword");
  ASSERT_GE(pw.size(), 10u);
  EXPECT_EQ(pw.front(), "EventTV");
  EXPECT_EQ(pw.back(), "ReceivedHash");
  auto parked = field_names("ParkedCall");
  EXPECT_EQ(parked.front(), "ParkeeChannel");
  EXPECT_NE(std::find(parked.begin(), parked.end(), "ParkingSpace"), parked.end());
  EXPECT_EQ(manager::describe_field("ParkeeChannel"), "Of the parkee: " + manager::describe_field("Channel"));
  // List items come from the actions' snapshot writers; they reach only the asking session.
  const auto* item = manager::find_event_reference("CoreShowChannel");
  ASSERT_NE(item, nullptr);
  EXPECT_TRUE(item->privilege.empty());
  EXPECT_EQ(item->fields.front().name, "Channel");
  EXPECT_EQ(item->fields.back().name, "Duration");
}

TEST(AmiEventDocs, ConsolePrintsTheReference) {
  // `manager show events|event` print event_reference() in Asterisk's console layout.
  Engine engine({.threads = 1});
  manager::ManagerModule ami(engine);
  manager::ManagerConfig cfg;
  cfg.options.port = 0;
  ASSERT_TRUE(ami.apply(cfg));
  auto list = engine.commands().execute("manager show events");
  EXPECT_EQ(list.status, 0);
  for (const auto& d : manager::event_reference())
    EXPECT_NE(list.output.find(" " + d.name), std::string::npos) << d.name;
  EXPECT_NE(list.output.find(std::to_string(manager::event_reference().size()) + " events documented."),
            std::string::npos);
  auto one = engine.commands().execute("manager show event hangup");
  EXPECT_EQ(one.status, 0);
  EXPECT_EQ(one.output, manager::render_event_reference(*manager::find_event_reference("Hangup")));
  for (const char* part : {"  -= Info about event 'Hangup' =- \n\n[Synopsis]\nRaised when a channel is hung up.\n",
                           "[Syntax]\nEvent: Hangup\nChannel: <value>\nChannelState: <value>\n",
                           "\nCause: <value>\nCause-txt: <value>\n\n[Arguments]\n    Channel: The channel's name",
                           "    Cause-txt: The cause as text", "[See Also]\nNewchannel, HangupRequest\n",
                           "[Class]\ncall\n"})
    EXPECT_NE(one.output.find(part), std::string::npos) << part << "\n" << one.output;
  auto item = engine.commands().execute("manager show event CoreShowChannel");
  EXPECT_NE(item.output.find("[Class]\n(the requesting session only)\n"), std::string::npos) << item.output;
  auto none = engine.commands().execute("manager show event NoSuchEvent");
  EXPECT_EQ(none.status, 1);
  EXPECT_EQ(none.output, "Could not find event 'NoSuchEvent'\n");
  ami.unload();
}

TEST(DescribeEvent, AmiFormOrEngineType) {
  ChannelHungUp h;
  h.channel.name = "Local/1@x-00000001;1";
  h.cause = HangupCause::UserBusy;
  auto d = manager::describe_event(h);
  EXPECT_TRUE(d.ami);
  EXPECT_EQ(d.name, "Hangup");
  EXPECT_EQ(d.fields.get_or("Cause"), "17");
  EXPECT_EQ(d.fields.get_or("Cause-txt"), "User busy");

  EventsLost lost;
  lost.count = 7;
  d = manager::describe_event(lost);
  EXPECT_FALSE(d.ami);
  EXPECT_EQ(d.name, "EventsLost");
  EXPECT_EQ(d.fields.event(), "EventsLost");
  EXPECT_EQ(d.fields.get_or("Count"), "7");

  PlaybackStarted p;
  p.channel.name = "Local/1@x-00000001;2";
  p.prompt = "hello-world";
  d = manager::describe_event(p);
  EXPECT_FALSE(d.ami);
  EXPECT_EQ(d.fields.get_or("Channel"), "Local/1@x-00000001;2");
  EXPECT_EQ(d.fields.get_or("Prompt"), "hello-world");
}

}  // namespace
