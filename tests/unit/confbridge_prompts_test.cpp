// What ConfBridge plays to one user, as Asterisk does: conf-muted / conf-unmuted to the user who
// toggles mute from the menu (while they stay in the room), conf-kicked to a kicked user who is
// not quiet, and music on hold to a user alone in the room or waiting for a marked user only
// when their profile has music_on_hold_when_empty (a 1 kHz tone class, measured in what the
// device heard).
#include <cmath>
#include <unistd.h>

#include "confbridge_test_support.hpp"
#include "telephony/media/file_format.hpp"
#include "telephony/media/moh_module.hpp"
#include "telephony/media/playback.hpp"
#include "testkit/testkit.hpp"

using namespace confbridge_test;

namespace {

struct ConfPrompts : ConfFixture {
  std::filesystem::path moh_dir;

  void TearDown() override {
    ConfFixture::TearDown();
    if (!moh_dir.empty()) std::filesystem::remove_all(moh_dir);
  }
  // musiconhold.conf with class tone1k: one file of a 1 kHz tone, loaded as telephonyd does.
  void load_tone_moh() {
    moh_dir = std::filesystem::temp_directory_path() / ("cb-prompts-" + std::to_string(::getpid()) + "-" +
                                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(moh_dir / "tone1k");
    auto w = media::AudioFileWriter::create(moh_dir / "tone1k" / "t.wav");
    ASSERT_TRUE(w);
    std::vector<std::int16_t> pcm(8000);
    for (std::size_t i = 0; i < pcm.size(); ++i)
      pcm[i] = static_cast<std::int16_t>(8000 * std::sin(2 * M_PI * 1000 * static_cast<double>(i) / 8000.0));
    ASSERT_TRUE(w->write(pcm));
    ASSERT_TRUE(w->close());
    testkit::write_file(moh_dir / "musiconhold.conf", "[tone1k]\nmode=files\ndirectory=" + (moh_dir / "tone1k").string() + "\n");
    auto moh = std::make_shared<media::MusicOnHoldModule>(engine);
    ASSERT_TRUE(moh->load(moh_dir));
    engine.add_module(moh);
  }
  // Prompt names PlaybackStarted reported for `chan`, in order.
  std::vector<std::string> prompts(const Channel::Ptr& chan) {
    std::vector<std::string> out;
    for (auto* p : events_of<PlaybackStarted>())
      if (p->channel.name == chan->name()) out.push_back(p->prompt);
    return out;
  }
  // Mean power of what `device` heard from voice frame `from` on (0 when too little).
  double heard_energy(const std::string& device, std::size_t from) {
    auto pcm = mediax_test::decoded(*ep(device), 8000, from);
    if (pcm.size() < 800) return 0;
    return media::mean_power(pcm);
  }
};

TEST_F(ConfPrompts, ToggleMuteFromTheMenuPlaysConfMutedThenConfUnmutedToThatUserOnly) {
  auto alice = dial_in("alice", "talk");
  ASSERT_TRUE(in_room("room1", 1));
  auto bob = dial_in("bob", "talk");
  ASSERT_TRUE(in_room("room1", 2));
  const auto alice_from = heard_frames("alice");
  const auto bob_from = heard_frames("bob");
  alice->queue_frame(Frame::dtmf_end('1', 100ms));
  ASSERT_TRUE(eventually([&] { return prompts(alice) == std::vector<std::string>{"conf-muted"}; }, 3s));
  EXPECT_TRUE((*rooms->members("room1"))[0].muted);
  // Nobody speaks in the room: what alice hears now is the prompt; bob hears silence.
  ASSERT_TRUE(eventually([&] { return heard_frames("alice") >= alice_from + 40; }));
  EXPECT_GT(heard_energy("alice", alice_from), 1e4) << "alice heard conf-muted";
  EXPECT_LT(heard_energy("bob", bob_from), 10) << "the prompt is for alice alone";
  // She stayed in the room throughout.
  EXPECT_EQ(bridged("room1"), 2u);

  alice->queue_frame(Frame::dtmf_end('1', 100ms));
  ASSERT_TRUE(eventually([&] { return prompts(alice) == std::vector<std::string>{"conf-muted", "conf-unmuted"}; }, 3s));
  EXPECT_TRUE(prompts(bob).empty());
  ASSERT_TRUE(log->wait_for_type("ConfbridgeUnmute", [&](const Event& e) {
    return e.as<confbridge::ConfbridgeUnmute>()->channel.name == alice->name();
  }));
  // After the prompt the room is heard again: bob's voice reaches alice.
  ASSERT_TRUE(eventually([&] { return heard_frames("alice") >= alice_from + 200; }, 6s));
  const auto before_talk = heard_frames("alice");
  speak(bob, 440, 40);
  EXPECT_GT(media::power_dbfs(heard_power("alice", 440, before_talk)), -30);
}

TEST_F(ConfPrompts, AKickedUserHearsConfKickedUnlessQuiet) {
  auto loud = dial_in("loud", "loud");
  ASSERT_TRUE(in_room("room7", 1));
  auto hush = dial_in("hush", "quietkick");
  ASSERT_TRUE(in_room("room7", 2));
  ASSERT_EQ(rooms->kick("room7", loud->name()), confbridge::ControlResult::Ok);
  ASSERT_TRUE(eventually([&] { return noops(loud) == std::vector<std::string>{"after KICKED"}; }, 5s));
  auto heard = prompts(loud);
  ASSERT_FALSE(heard.empty());
  EXPECT_EQ(heard.back(), "conf-kicked");
  ASSERT_EQ(rooms->kick("room7", hush->name()), confbridge::ControlResult::Ok);
  ASSERT_TRUE(eventually([&] { return noops(hush) == std::vector<std::string>{"after KICKED"}; }, 5s));
  for (const auto& p : prompts(hush)) EXPECT_NE(p, "conf-kicked") << "quiet users are kicked without a prompt";
}

TEST_F(ConfPrompts, MusicOnHoldWhenEmptyPlaysToALoneUserUntilSomebodyJoins) {
  load_tone_moh();
  auto lone = dial_in("lone", "lonely");
  ASSERT_TRUE(in_room("room6", 1));
  // Alone: the 1 kHz class plays to the user.
  ASSERT_TRUE(eventually([&] { return mediax_test::decoded(*ep("lone"), 8000, 0).size() >= 8000; }, 5s));
  EXPECT_NEAR(media::dominant_frequency(mediax_test::decoded(*ep("lone"), 8000, 0), 8000), 1000, 20);

  // A second user: the music stops and the room is heard instead.
  auto other = dial_in("other", "other");
  ASSERT_TRUE(in_room("room6", 2));
  std::this_thread::sleep_for(200ms);
  const auto from = heard_frames("lone");
  speak(other, 440, 50);
  auto pcm = mediax_test::decoded(*ep("lone"), 8000, from);
  ASSERT_GE(pcm.size(), 4000u);
  const auto window = mediax_test::loudest_window(pcm, 3200, 8000, 440);
  EXPECT_NEAR(media::dominant_frequency(window, 8000), 440, 10);
  EXPECT_LT(media::power_dbfs(media::goertzel_power(pcm, 8000, 1000)), -50) << "no music once somebody joined";

  // Alone again: the music comes back.
  other->request_hangup();
  ASSERT_TRUE(in_room("room6", 1));
  const auto again = heard_frames("lone");
  ASSERT_TRUE(eventually([&] { return heard_frames("lone") >= again + 50; }, 5s));
  EXPECT_NEAR(media::dominant_frequency(mediax_test::decoded(*ep("lone"), 8000, again), 8000), 1000, 20);
  lone->request_hangup();
}

TEST_F(ConfPrompts, WithoutMusicOnHoldWhenEmptyAWaitingUserHearsSilence) {
  load_tone_moh();
  auto w = dial_in("wait", "waiter");
  ASSERT_TRUE(eventually([&] {
    auto m = rooms->members("room8");
    return m && m->size() == 1 && (*m)[0].waiting;
  }));
  std::this_thread::sleep_for(600ms);
  EXPECT_LT(heard_energy("wait", 0), 10) << "Asterisk plays music to waiting users only with music_on_hold_when_empty";
  w->request_hangup();
}

}  // namespace
