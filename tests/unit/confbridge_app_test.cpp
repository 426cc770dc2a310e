// ConfBridge() through the dialplan executor on Test/ devices: joining and leaving with the
// Confbridge* events, the mix (each user hears the others, not themselves; a muted user is not
// heard), kick, marked/wait_marked/end_marked, max_members, startmuted, DTMF menus, CONFBRIDGE()
// and CONFBRIDGE_INFO(), talk detection, recording and the console commands.
#include <algorithm>
#include <cmath>
#include <thread>

#include <unistd.h>

#include "confbridge_test_support.hpp"
#include "telephony/dialplan/functions.hpp"
#include "telephony/media/file_format.hpp"
#include "telephony/media/moh_module.hpp"
#include "testkit/testkit.hpp"

using namespace confbridge_test;

namespace {

TEST_F(ConfFixture, JoinAndLeavePublishEventsWithAsteriskFields) {
  auto alice = dial_in("alice", "talk");
  auto bob = dial_in("bob", "talk");
  ASSERT_TRUE(in_room("room1", 2));
  auto info = rooms->room("room1");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->parties, 2u);
  // Events reach the log asynchronously, and the two callers join in whichever order their
  // dialplans get there: wait for both joins, then look each up by channel name.
  ASSERT_TRUE(log->wait_for([](const std::vector<EventPtr>& evs) {
    return std::count_if(evs.begin(), evs.end(), [](const EventPtr& e) { return e->as<confbridge::ConfbridgeJoin>(); }) == 2;
  }));
  auto starts = events_of<confbridge::ConfbridgeStart>();
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_EQ(starts[0]->conference, "room1");
  EXPECT_EQ(starts[0]->bridge.uniqueid, info->bridge_uniqueid);
  auto joins = events_of<confbridge::ConfbridgeJoin>();
  ASSERT_EQ(joins.size(), 2u);
  auto alice_join = std::find_if(joins.begin(), joins.end(), [&](auto* j) { return j->channel.name == alice->name(); });
  auto bob_join = std::find_if(joins.begin(), joins.end(), [&](auto* j) { return j->channel.name == bob->name(); });
  ASSERT_NE(alice_join, joins.end());
  ASSERT_NE(bob_join, joins.end());
  EXPECT_FALSE((*alice_join)->admin);
  EXPECT_FALSE((*alice_join)->muted);
  EXPECT_EQ((*bob_join)->bridge.technology, "softmix");
  EXPECT_EQ(alice->state(), ChannelState::Up) << "ConfBridge answers the channel";

  alice->request_hangup();
  ASSERT_TRUE(log->wait_for_type("ConfbridgeLeave", [&](const Event& e) {
    return e.as<confbridge::ConfbridgeLeave>()->channel.name == alice->name();
  }));
  EXPECT_TRUE(eventually([&] { return rooms->room("room1") && rooms->room("room1")->parties == 1; }));
  bob->request_hangup();
  ASSERT_TRUE(log->wait_for_type("ConfbridgeEnd", [](const Event& e) {
    return e.as<confbridge::ConfbridgeEnd>()->conference == "room1";
  }));
  EXPECT_FALSE(rooms->room("room1"));
  EXPECT_TRUE(rooms->rooms().empty());
}

TEST_F(ConfFixture, EachUserHearsTheOthersButNotThemselvesAndMutedUsersAreNotHeard) {
  auto alice = dial_in("alice", "talk");
  auto bob = dial_in("bob", "talk");
  ASSERT_TRUE(in_room("room1", 2));
  const auto a0 = heard_frames("alice"), b0 = heard_frames("bob");
  speak(alice, 440, 60);
  const double bob_heard = heard_power("bob", 440, b0);
  const double alice_heard = heard_power("alice", 440, a0);
  EXPECT_GT(bob_heard, 1e6) << "bob hears alice's 440 Hz";
  EXPECT_LT(alice_heard, bob_heard / 1000) << "alice does not hear herself";

  ASSERT_EQ(rooms->set_muted("room1", alice->name(), true), confbridge::ControlResult::Ok);
  ASSERT_TRUE(log->wait_for_type("ConfbridgeMute"));
  const auto b1 = heard_frames("bob");
  speak(alice, 440, 60);
  EXPECT_LT(heard_power("bob", 440, b1 + 5), bob_heard / 1000) << "a muted user is not heard";
  auto m = rooms->members("room1");
  ASSERT_TRUE(m);
  auto a = std::find_if(m->begin(), m->end(), [&](const confbridge::MemberInfo& x) { return x.channel.name == alice->name(); });
  ASSERT_NE(a, m->end());
  EXPECT_TRUE(a->muted);
}

TEST_F(ConfFixture, ListeningVolumeScalesWhatTheUserHears) {
  // The median 440 Hz power over the 20 ms frames bob heard that carry the tone: frames a loaded
  // machine delivered late (silence in between) do not pull the figure down.
  auto level = [&](std::size_t from) {
    auto pcm = mediax_test::decoded(*ep("bob"), 8000, from);
    std::vector<double> p;
    for (std::size_t off = 0; off + 160 <= pcm.size(); off += 160) {
      const double f = media::goertzel_power(std::span<const std::int16_t>(pcm).subspan(off, 160), 8000, 440);
      if (f > 1e4) p.push_back(f);
    }
    if (p.size() < 10) return 0.0;
    std::nth_element(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(p.size() / 2), p.end());
    return p[p.size() / 2];
  };
  auto alice = dial_in("alice", "talk");
  auto bob = dial_in("bob", "talk");
  ASSERT_TRUE(in_room("room1", 2));
  const auto b0 = heard_frames("bob");
  speak(alice, 440, 40);
  const double normal = level(b0);
  ASSERT_GT(normal, 1e6);
  // Two steps down (3 dB each): bob hears alice 6 dB quieter, i.e. a quarter of the power.
  bob->queue_frame(Frame::dtmf_end('4', 100ms));
  bob->queue_frame(Frame::dtmf_end('4', 100ms));
  std::this_thread::sleep_for(300ms);
  const auto b1 = heard_frames("bob");
  speak(alice, 440, 40);
  EXPECT_NEAR(10 * std::log10(level(b1) / normal), -6.0, 1.0);
  bob->queue_frame(Frame::dtmf_end('6', 100ms));  // reset
  std::this_thread::sleep_for(300ms);
  const auto b2 = heard_frames("bob");
  speak(alice, 440, 40);
  EXPECT_NEAR(10 * std::log10(level(b2) / normal), 0.0, 1.0);
}

TEST_F(ConfFixture, KickedUserContinuesInTheDialplanWithKicked) {
  auto alice = dial_in("alice", "talk");
  auto bob = dial_in("bob", "talk");
  ASSERT_TRUE(in_room("room1", 2));
  EXPECT_EQ(rooms->kick("room1", "Test/nobody"), confbridge::ControlResult::NoMember);
  EXPECT_EQ(rooms->kick("nosuch", alice->name()), confbridge::ControlResult::NoConference);
  ASSERT_EQ(rooms->kick("room1", alice->name()), confbridge::ControlResult::Ok);
  EXPECT_TRUE(eventually([&] { return noops(alice) == std::vector<std::string>{"after KICKED"}; }));
  EXPECT_FALSE(alice->hangup_requested());
  EXPECT_TRUE(in_room("room1", 1));
}

TEST_F(ConfFixture, WaitMarkedUsersWaitForTheLeaderAndEndMarkedUsersLeaveWithIt) {
  auto f = dial_in("fred", "follower");
  ASSERT_TRUE(eventually([&] {
    auto m = rooms->members("room2");
    return m && m->size() == 1 && (*m)[0].waiting;
  }));
  EXPECT_EQ(bridged("room2"), 0u) << "a waiting user is not in the mix";
  auto l = dial_in("lara", "leader");
  ASSERT_TRUE(in_room("room2", 2));
  EXPECT_EQ(rooms->room("room2")->marked, 1u);
  l->request_hangup();
  EXPECT_TRUE(eventually([&] { return noops(f) == std::vector<std::string>{"after ENDMARKED"}; }));
  EXPECT_TRUE(log->wait_for_type("ConfbridgeEnd"));
}

TEST_F(ConfFixture, MaxMembersRefusesUsersButNotAdmins) {
  dial_in("a", "small");
  dial_in("b", "small");
  ASSERT_TRUE(in_room("room3", 2));
  auto c = dial_in("c", "small");
  EXPECT_TRUE(log->wait_for_type("ChannelVarSet", [&](const Event& e) {
    auto* v = e.as<ChannelVarSet>();
    return v->channel.name == c->name() && v->variable == "CONFBRIDGE_RESULT" && v->value == "FAILED";
  }));
  EXPECT_TRUE(eventually([&] { return c->is_hung_up(); }));
  dial_in("d", "smalladmin");
  EXPECT_TRUE(in_room("room3", 3));
}

TEST_F(ConfFixture, StartMutedAndLockedConference) {
  auto m = dial_in("mia", "muted");
  ASSERT_TRUE(log->wait_for_type("ConfbridgeJoin", [](const Event& e) { return e.as<confbridge::ConfbridgeJoin>()->muted; }));
  ASSERT_TRUE(in_room("room1", 1));
  EXPECT_TRUE((*rooms->members("room1"))[0].muted);
  ASSERT_EQ(rooms->set_locked("room1", true), confbridge::ControlResult::Ok);
  auto late = dial_in("late", "talk");
  EXPECT_TRUE(eventually([&] { return late->is_hung_up(); }));
  auto boss = dial_in("boss", "boss");
  EXPECT_TRUE(in_room("room1", 2)) << "admins join locked conferences";
}

TEST_F(ConfFixture, DtmfMenuTogglesMuteLeavesAndAdminKicksLast) {
  // One after the other: "kick last" means the last to join, so the join order must be known.
  auto alice = dial_in("alice", "talk");
  ASSERT_TRUE(in_room("room1", 1));
  auto boss = dial_in("boss", "boss");
  ASSERT_TRUE(in_room("room1", 2));
  auto bob = dial_in("bob", "talk");
  ASSERT_TRUE(in_room("room1", 3));
  alice->queue_frame(Frame::dtmf_end('1', 100ms));
  ASSERT_TRUE(log->wait_for_type("ConfbridgeMute", [&](const Event& e) {
    return e.as<confbridge::ConfbridgeMute>()->channel.name == alice->name();
  }));
  alice->queue_frame(Frame::dtmf_end('1', 100ms));
  ASSERT_TRUE(log->wait_for_type("ConfbridgeUnmute", [&](const Event& e) {
    return e.as<confbridge::ConfbridgeUnmute>()->channel.name == alice->name();
  }));
  bob->queue_frame(Frame::dtmf_end('2', 100ms));  // not an admin: nothing happens
  boss->queue_frame(Frame::dtmf_end('2', 100ms));
  EXPECT_TRUE(eventually([&] { return noops(bob) == std::vector<std::string>{"after KICKED"}; }));
  alice->queue_frame(Frame::dtmf_end('*', 100ms));
  alice->queue_frame(Frame::dtmf_end('8', 100ms));
  EXPECT_TRUE(eventually([&] { return noops(alice) == std::vector<std::string>{"after DTMF"}; }));
  EXPECT_TRUE(in_room("room1", 1));
}

TEST_F(ConfFixture, ConfbridgeFunctionSetsTheNextJoinsProfileAndInfoReadsRooms) {
  auto d = dial_in("dyn", "dynamic");
  ASSERT_TRUE(log->wait_for_type("ConfbridgeJoin", [&](const Event& e) {
    auto* j = e.as<confbridge::ConfbridgeJoin>();
    return j->channel.name == d->name() && j->muted && j->admin;
  }));
  dial_in("alice", "talk");
  dial_in("boss", "boss");
  ASSERT_TRUE(in_room("room1", 2));
  auto i = dial_in("inf", "info");
  EXPECT_TRUE(eventually([&] { return i->variable("RESULT") == std::optional<std::string>("2/1/0/0"); }))
      << i->variable("RESULT").value_or("(unset)");

  auto fn = engine.functions().find("CONFBRIDGE");
  ASSERT_TRUE(fn);
  dialplan::FunctionCall bad{engine, d.get(), "CONFBRIDGE", "user,volume"};
  auto r = fn->write(bad, "3");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("unknown user profile option 'volume'"), std::string::npos) << r.error().message;
  dialplan::FunctionCall bad_type{engine, d.get(), "CONFBRIDGE", "room,quiet"};
  EXPECT_FALSE(fn->write(bad_type, "yes"));
  auto info = engine.functions().find("CONFBRIDGE_INFO");
  dialplan::FunctionCall bad_info{engine, nullptr, "CONFBRIDGE_INFO", "colour,room1"};
  EXPECT_FALSE(info->read(bad_info));
}

TEST_F(ConfFixture, TalkDetectionEventsForUsersThatAskForThem) {
  auto alice = dial_in("alice", "talk");
  dial_in("bob", "talk");
  ASSERT_TRUE(in_room("room1", 2));
  speak(alice, 440, 30);
  ASSERT_TRUE(log->wait_for_type("ConfbridgeTalking", [&](const Event& e) {
    auto* t = e.as<confbridge::ConfbridgeTalking>();
    return t->channel.name == alice->name() && t->talking && t->conference == "room1";
  }));
  EXPECT_TRUE(log->wait_for_type("ConfbridgeTalking", [&](const Event& e) {
    auto* t = e.as<confbridge::ConfbridgeTalking>();
    return t->channel.name == alice->name() && !t->talking;
  }));
}

TEST_F(ConfFixture, RecordingWritesTheRoomsMix) {
  auto alice = dial_in("alice", "talk");
  dial_in("bob", "talk");
  ASSERT_TRUE(in_room("room1", 2));
  const auto path = std::filesystem::temp_directory_path() / ("cb-rec-" + std::to_string(::getpid()) + ".wav");
  ASSERT_EQ(rooms->start_recording("room1", path.string()), confbridge::ControlResult::Ok);
  EXPECT_EQ(rooms->start_recording("room1", path.string()), confbridge::ControlResult::AlreadyRecording);
  ASSERT_TRUE(log->wait_for_type("ConfbridgeRecord"));
  std::this_thread::sleep_for(100ms);
  speak(alice, 600, 50);
  ASSERT_EQ(rooms->stop_recording("room1"), confbridge::ControlResult::Ok);
  EXPECT_EQ(rooms->stop_recording("room1"), confbridge::ControlResult::NotRecording);
  ASSERT_TRUE(log->wait_for_type("ChannelHungUp", [](const Event& e) {
    return e.as<ChannelHungUp>()->channel.name.rfind("CBRec/room1-", 0) == 0;
  }));
  auto reader = media::AudioFileReader::open(path);
  ASSERT_TRUE(reader) << reader.error().to_string();
  EXPECT_GT(reader->duration_seconds(), 0.8);
  std::vector<std::int16_t> pcm;
  for (auto s = reader->read_slin(); !s.empty(); s = reader->read_slin()) pcm.insert(pcm.end(), s.begin(), s.end());
  EXPECT_NEAR(media::dominant_frequency(pcm, 8000, 100, 2000), 600, 10);
  std::filesystem::remove(path);
}

TEST_F(ConfFixture, ConsoleCommandsListKickMuteLock) {
  auto alice = dial_in("alice", "talk");
  dial_in("boss", "boss");
  ASSERT_TRUE(in_room("room1", 2));
  auto list = engine.commands().execute("confbridge list");
  EXPECT_EQ(list.status, 0);
  EXPECT_NE(list.output.find("Conference Bridge Name           Users  Marked Locked Muted"), std::string::npos);
  EXPECT_NE(list.output.find("room1                                 2      0 No     No"), std::string::npos) << list.output;
  auto people = engine.commands().execute("confbridge list room1");
  EXPECT_NE(people.output.find(alice->name()), std::string::npos);
  EXPECT_NE(people.output.find("boss"), std::string::npos);
  EXPECT_EQ(engine.commands().execute("confbridge list nosuch").output, "No conference bridge named 'nosuch' found!\n");
  EXPECT_EQ(engine.commands().execute("confbridge mute room1 " + alice->name()).output,
            "Muting " + alice->name() + " from confbridge room1\n");
  EXPECT_NE(engine.commands().execute("confbridge list room1").output.find(" m "), std::string::npos);
  EXPECT_EQ(engine.commands().execute("confbridge lock room1").output, "Conference room1 is locked.\n");
  EXPECT_NE(engine.commands().execute("confbridge list").output.find("Yes"), std::string::npos);
  EXPECT_EQ(engine.commands().execute("confbridge kick room1 Test/nobody").output, "No participant named 'Test/nobody' found!\n");
  EXPECT_EQ(engine.commands().execute("confbridge kick room1 " + alice->name()).output,
            "Kicked '" + alice->name() + "' out of conference 'room1'\n");
  EXPECT_TRUE(eventually([&] { return noops(alice) == std::vector<std::string>{"after KICKED"}; }));
}

}  // namespace

TEST_F(ConfFixture, WaitingUserHearsTheProfilesMusicOnHoldClass) {
  // A musiconhold.conf class whose only file is a 1 kHz tone (the default class is Debian's
  // music or a 440 Hz pattern), loaded through the module as telephonyd does.
  const auto dir = std::filesystem::temp_directory_path() / ("cb-moh-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "tone1k");
  {
    auto w = media::AudioFileWriter::create(dir / "tone1k" / "t.wav");
    ASSERT_TRUE(w);
    std::vector<std::int16_t> pcm(8000);
    for (std::size_t i = 0; i < pcm.size(); ++i) pcm[i] = static_cast<std::int16_t>(8000 * std::sin(2 * M_PI * 1000 * i / 8000.0));
    ASSERT_TRUE(w->write(pcm));
    ASSERT_TRUE(w->close());
  }
  testkit::write_file(dir / "musiconhold.conf", "[tone1k]\nmode=files\ndirectory=" + (dir / "tone1k").string() + "\n");
  auto moh = std::make_shared<media::MusicOnHoldModule>(engine);
  ASSERT_TRUE(moh->load(dir));
  engine.add_module(moh);

  auto p = dial_in("pat", "patient");
  ASSERT_TRUE(eventually([&] {
    auto m = rooms->members("room5");
    return m && m->size() == 1 && (*m)[0].waiting;
  }));
  ASSERT_TRUE(eventually([&] { return mediax_test::decoded(*ep("pat"), 8000, 0).size() >= 8000; }));
  EXPECT_NEAR(media::dominant_frequency(mediax_test::decoded(*ep("pat"), 8000, 0), 8000), 1000, 20);
  p->request_hangup();
  std::filesystem::remove_all(dir);
}
