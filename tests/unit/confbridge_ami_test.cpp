// The Confbridge* AMI actions and events against a real manager::Server with our ami::Client:
// list shapes (EventList items + Complete), success replies and Asterisk's error texts.
#include "amix_test_support.hpp"
#include "telephony/confbridge.hpp"
#include "telephony/dialplan/loader.hpp"
#include "telephony/dialplan/module.hpp"
#include "testkit/engine_kit.hpp"

using namespace amix_test;

namespace {

struct ConfAmi : ::testing::Test {
  Fixture f;
  std::shared_ptr<telephony::confbridge::ConferenceRegistry> rooms;
  void SetUp() override {
    f.engine.log().set_level(telephony::LogLevel::Error);
    auto pbx = telephony::dialplan::install_dialplan(f.engine);
    rooms = telephony::confbridge::install_confbridge(f.engine);
    auto file = telephony::config::parse_string("[q]\ntype=user\nquiet=yes\n[a]\ntype=user\nquiet=yes\nadmin=yes\n",
                                                "confbridge.conf");
    ASSERT_TRUE(file);
    rooms->set_profiles(std::make_shared<const telephony::confbridge::Profiles>(*telephony::confbridge::parse_profiles(*file)));
    auto plan = telephony::dialplan::load_dialplan_string(
        "[default]\nexten => 100,1,ConfBridge(1111,,q)\n same => n,Wait(30)\nexten => 200,1,ConfBridge(1111,,a)\n",
        "extensions.conf");
    ASSERT_TRUE(plan);
    pbx->replace(*plan);
  }
  bool members(std::size_t n) {
    return telephony::testkit::eventually([&] {
      auto m = rooms->members("1111");
      return m && m->size() == n;
    });
  }
  Message with(std::string_view act, std::vector<std::pair<std::string, std::string>> headers) {
    auto m = action(act);
    for (auto& [k, v] : headers) m.add(k, v);
    return m;
  }
};

TEST_F(ConfAmi, ErrorsBeforeAnyConferenceExists) {
  auto& c = f.login();
  auto r = f.send(c, with("ConfbridgeListRooms", {}));
  EXPECT_EQ(r.get_or("Response"), "Error");
  EXPECT_EQ(r.get_or("Message"), "No active conferences.");
  r = f.send(c, with("ConfbridgeList", {}));
  EXPECT_EQ(r.get_or("Message"), "No Conference name provided.");
  r = f.send(c, with("ConfbridgeMute", {{"Conference", "1111"}}));
  EXPECT_EQ(r.get_or("Message"), "No channel name provided.");
  r = f.send(c, with("ConfbridgeLock", {{"Conference", "1111"}}));
  EXPECT_EQ(r.get_or("Message"), "No active conferences.");
}

TEST_F(ConfAmi, ListsMutesKicksLocksAndRecords) {
  EventLog events;
  auto& c = f.login("admin", "s3cret", &events);
  // One at a time, so the join order (and with it the list order) is fixed.
  auto alice = f.channel("alice", "100");
  ASSERT_TRUE(members(1));
  auto boss = f.channel("boss", "200");
  ASSERT_TRUE(members(2));
  auto join = wait_event(events, "ConfbridgeJoin", "Channel", alice->name());
  ASSERT_TRUE(join);
  auto k = keys(*join);
  ASSERT_GE(k.size(), 4u);
  EXPECT_EQ(k[0], "Event");
  EXPECT_EQ(join->get_or("Conference"), "1111");
  EXPECT_EQ(join->get_or("BridgeTechnology"), "softmix");
  EXPECT_EQ(join->get_or("Admin"), "No");
  EXPECT_EQ(join->get_or("Muted"), "No");
  EXPECT_EQ(k.back(), "Muted");
  ASSERT_TRUE(wait_event(events, "ConfbridgeStart", "Conference", "1111"));

  auto rooms_list = f.send_list(c, with("ConfbridgeListRooms", {}));
  ASSERT_EQ(rooms_list.size(), 3u);
  EXPECT_EQ(rooms_list[0].get_or("EventList"), "start");
  EXPECT_EQ(rooms_list[0].get_or("Message"), "Confbridge conferences will follow");
  EXPECT_EQ(rooms_list[1].get_or("Event"), "ConfbridgeListRooms");
  EXPECT_EQ(rooms_list[1].get_or("Parties"), "2");
  EXPECT_EQ(rooms_list[1].get_or("Locked"), "No");
  EXPECT_EQ(rooms_list[2].get_or("Event"), "ConfbridgeListRoomsComplete");
  EXPECT_EQ(rooms_list[2].get_or("ListItems"), "1");

  auto users = f.send_list(c, with("ConfbridgeList", {{"Conference", "1111"}}));
  ASSERT_EQ(users.size(), 4u);
  EXPECT_EQ(users[0].get_or("Message"), "Confbridge user list will follow");
  EXPECT_EQ(users[1].get_or("Event"), "ConfbridgeList");
  EXPECT_EQ(users[1].get_or("Channel"), alice->name());
  EXPECT_EQ(users[1].get_or("Admin"), "No");
  EXPECT_EQ(users[2].get_or("Admin"), "Yes");
  EXPECT_EQ(users[3].get_or("Event"), "ConfbridgeListComplete");
  EXPECT_EQ(users[3].get_or("ListItems"), "2");
  EXPECT_EQ(f.send(c, with("ConfbridgeList", {{"Conference", "9999"}})).get_or("Message"), "No Conference by that name found.");

  auto r = f.send(c, with("ConfbridgeMute", {{"Conference", "1111"}, {"Channel", alice->name()}}));
  EXPECT_EQ(r.get_or("Response"), "Success");
  EXPECT_EQ(r.get_or("Message"), "User muted");
  auto mute = wait_event(events, "ConfbridgeMute", "Channel", alice->name());
  ASSERT_TRUE(mute);
  EXPECT_EQ(mute->get_or("Admin"), "No");
  EXPECT_EQ(f.send_list(c, with("ConfbridgeList", {{"Conference", "1111"}}))[1].get_or("Muted"), "Yes");
  EXPECT_EQ(f.send(c, with("ConfbridgeUnmute", {{"Conference", "1111"}, {"Channel", alice->name()}})).get_or("Message"),
            "User unmuted");
  EXPECT_TRUE(wait_event(events, "ConfbridgeUnmute", "Channel", alice->name()));
  // Not a complete name: the first member whose channel name starts with it (Asterisk's rule).
  const auto prefix = alice->name().substr(0, alice->name().find('-'));
  const auto mutes_before = events.count("ConfbridgeMute");
  EXPECT_EQ(f.send(c, with("ConfbridgeMute", {{"Conference", "1111"}, {"Channel", prefix}})).get_or("Message"), "User muted");
  EXPECT_TRUE(events.wait([&](const std::vector<Message>& evs) {
    return static_cast<std::size_t>(std::count_if(evs.begin(), evs.end(), [](const Message& m) {
             return m.event() == "ConfbridgeMute";
           })) > mutes_before;
  }));
  auto listed = f.send_list(c, with("ConfbridgeList", {{"Conference", "1111"}}));
  ASSERT_EQ(listed.size(), 4u);
  EXPECT_EQ(listed[1].get_or("Muted"), "Yes");
  EXPECT_EQ(listed[2].get_or("Muted"), "No") << "only the first match";
  EXPECT_EQ(f.send(c, with("ConfbridgeUnmute", {{"Conference", "1111"}, {"Channel", prefix}})).get_or("Message"), "User unmuted");
  EXPECT_TRUE(telephony::testkit::eventually([&] { return f.send_list(c, with("ConfbridgeList", {{"Conference", "1111"}}))[1].get_or("Muted") == "No"; }));
  EXPECT_EQ(f.send(c, with("ConfbridgeMute", {{"Conference", "1111"}, {"Channel", "Test/ghost"}})).get_or("Message"),
            "No Channel by that name found in Conference.");
  EXPECT_EQ(f.send(c, with("ConfbridgeMute", {{"Conference", "9999"}, {"Channel", alice->name()}})).get_or("Message"),
            "No Conference by that name found.");

  EXPECT_EQ(f.send(c, with("ConfbridgeLock", {{"Conference", "1111"}})).get_or("Message"), "Conference locked");
  EXPECT_EQ(f.send_list(c, with("ConfbridgeListRooms", {}))[1].get_or("Locked"), "Yes");
  EXPECT_EQ(f.send(c, with("ConfbridgeUnlock", {{"Conference", "1111"}})).get_or("Message"), "Conference unlocked");
  EXPECT_EQ(f.send(c, with("ConfbridgeLock", {{"Conference", "9999"}})).get_or("Message"), "No Conference by that name found.");

  const auto file = std::filesystem::temp_directory_path() / ("cb-ami-" + std::to_string(::getpid()) + ".wav");
  EXPECT_EQ(f.send(c, with("ConfbridgeStopRecord", {{"Conference", "1111"}})).get_or("Message"),
            "Internal error while stopping recording.");
  EXPECT_EQ(f.send(c, with("ConfbridgeStartRecord", {{"Conference", "1111"}, {"RecordFile", file.string()}})).get_or("Message"),
            "Conference Recording Started.");
  EXPECT_TRUE(wait_event(events, "ConfbridgeRecord", "Conference", "1111"));
  EXPECT_EQ(f.send(c, with("ConfbridgeStartRecord", {{"Conference", "1111"}})).get_or("Message"),
            "Conference is already being recorded.");
  EXPECT_EQ(f.send(c, with("ConfbridgeStopRecord", {{"Conference", "1111"}})).get_or("Message"), "Conference Recording Stopped.");
  EXPECT_TRUE(wait_event(events, "ConfbridgeStopRecord", "Conference", "1111"));
  EXPECT_TRUE(telephony::testkit::eventually([&] { return std::filesystem::exists(file); }));
  std::filesystem::remove(file);

  EXPECT_EQ(f.send(c, with("ConfbridgeKick", {{"Conference", "1111"}, {"Channel", "Test/ghost"}})).get_or("Message"),
            "No Channel by that name found in Conference.");
  r = f.send(c, with("ConfbridgeKick", {{"Conference", "1111"}, {"Channel", alice->name()}}));
  EXPECT_EQ(r.get_or("Response"), "Success");
  EXPECT_EQ(r.get_or("Message"), "User kicked");
  auto leave = wait_event(events, "ConfbridgeLeave", "Channel", alice->name());
  ASSERT_TRUE(leave);
  EXPECT_EQ(leave->get_or("Conference"), "1111");
  EXPECT_TRUE(members(1));
  boss->request_hangup();
  EXPECT_TRUE(wait_event(events, "ConfbridgeEnd", "Conference", "1111"));
}

TEST_F(ConfAmi, CallClassUsersCannotRecord) {
  auto& c = f.login("caller", "pw");
  auto r = f.send(c, with("ConfbridgeStartRecord", {{"Conference", "1111"}}));
  EXPECT_EQ(r.get_or("Response"), "Error");
  EXPECT_EQ(r.get_or("Message"), "Permission denied");
}

}  // namespace
