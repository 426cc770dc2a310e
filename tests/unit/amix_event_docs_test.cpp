// AMI event reference (manager/event_reference.hpp) and describe_event (manager/
// event_description.hpp): field lists read off the mapping, every field described, the console
// commands that print them, and events without an AMI form.
#include <gtest/gtest.h>

#include "telephony/engine.hpp"
#include "telephony/manager/event_description.hpp"
#include "telephony/manager/event_docs.hpp"
#include "telephony/manager/event_reference.hpp"
#include "telephony/manager/module.hpp"
#include "telephony/media/playback.hpp"

namespace {

using namespace telephony;

TEST(AmiEventDocs, EveryMappedFieldIsDescribed) {
  const auto& docs = manager::event_reference();
  ASSERT_GE(docs.size(), 25u);
  for (const auto& d : docs) {
    EXPECT_FALSE(d.synopsis.empty()) << d.name;
    EXPECT_FALSE(d.privilege.empty()) << d.name;
    EXPECT_FALSE(d.fields.empty()) << d.name;
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

TEST(AmiEventDocs, ConsoleAndReferenceAgreeOnNames) {
  // The console prints manager/event_docs.hpp's table; the generated reference reads the mapping.
  // Every event the console documents and the mapping sends must be in the reference too.
  Engine engine({.threads = 1});
  manager::ManagerModule ami(engine);
  manager::ManagerConfig cfg;
  cfg.options.port = 0;
  ASSERT_TRUE(ami.apply(cfg));
  auto list = engine.commands().execute("manager show events");
  EXPECT_EQ(list.status, 0);
  EXPECT_NE(list.output.find("Hangup"), std::string::npos);
  auto one = engine.commands().execute("manager show event Hangup");
  EXPECT_EQ(one.status, 0);
  EXPECT_NE(one.output.find("Cause-txt"), std::string::npos);
  for (const char* name : {"Hangup", "Newchannel", "DialBegin", "BridgeEnter", "VarSet"}) {
    EXPECT_NE(manager::find_event_doc(name), nullptr) << name;
    EXPECT_NE(manager::find_event_reference(name), nullptr) << name;
  }
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
