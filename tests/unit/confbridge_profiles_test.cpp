// confbridge.conf: Asterisk's defaults without a file, every error with file:line at once, and
// app_confbridge reloads that keep the running profiles when the new file is broken.
#include <gtest/gtest.h>

#include <fstream>

#include "telephony/confbridge.hpp"
#include "telephony/engine.hpp"

using namespace telephony;
using namespace telephony::confbridge;

namespace {

Result<Profiles, Errors> parse(const std::string& text) {
  auto file = config::parse_string(text, "confbridge.conf");
  if (!file) return Unexpected<Errors>{file.error()};
  return parse_profiles(*file);
}

TEST(ConfbridgeProfiles, DefaultsMatchAsterisk) {
  auto p = Profiles::defaults();
  ASSERT_TRUE(p.bridge("default_bridge"));
  EXPECT_EQ(p.bridge("default_bridge")->max_members, 0u);
  EXPECT_FALSE(p.bridge("default_bridge")->record_conference);
  EXPECT_EQ(p.bridge("default_bridge")->mixing_interval, 20u);
  ASSERT_TRUE(p.user("default_user"));
  EXPECT_FALSE(p.user("default_user")->admin);
  EXPECT_FALSE(p.user("default_user")->quiet);
  EXPECT_TRUE(p.user("default_user")->announce_only_user);
  auto* menu = p.menu("default_menu");
  ASSERT_TRUE(menu);
  auto find = [&](std::string d) {
    for (auto& e : menu->entries)
      if (e.dtmf == d) return e.actions;
    return std::vector<MenuAction>{};
  };
  EXPECT_EQ(find("1"), std::vector<MenuAction>{MenuAction::ToggleMute});
  EXPECT_EQ(find("*8"), std::vector<MenuAction>{MenuAction::LeaveConference});
  EXPECT_EQ(find("9"), std::vector<MenuAction>{MenuAction::IncreaseTalkingVolume});
}

TEST(ConfbridgeProfiles, ParsesProfilesAndMenus) {
  auto p = parse(
      "[general]\n[b]\ntype=bridge\nmax_members=5\nrecord_conference=yes\nrecord_file=conf/x.wav\n"
      "internal_sample_rate=16000\nmixing_interval=40\nlanguage=en\n"
      "[u]\ntype=user\nadmin=yes\nmarked=yes\nstartmuted=yes\nquiet=yes\nannounce_user_count=yes\nwait_marked=yes\n"
      "end_marked=yes\ndsp_drop_silence=yes\ntalk_detection_events=yes\nannouncement=hello-world\npin=1234\n"
      "[m]\ntype=menu\n*1=toggle_mute\n0=leave_conference,no_op\n5=admin_kick_last\n");
  ASSERT_TRUE(p) << p.error().to_string();
  auto* b = p->bridge("b");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->max_members, 5u);
  EXPECT_TRUE(b->record_conference);
  EXPECT_EQ(b->record_file, "conf/x.wav");
  EXPECT_EQ(b->internal_sample_rate, 16000u);
  auto* u = p->user("u");
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->admin && u->marked && u->startmuted && u->quiet && u->announce_user_count && u->wait_marked &&
              u->end_marked && u->dsp_drop_silence && u->talk_detection_events);
  EXPECT_EQ(u->announcement, "hello-world");
  ASSERT_TRUE(p->menu("m"));
  EXPECT_EQ(p->menu("m")->entries.size(), 3u);
  EXPECT_EQ(p->menu("m")->entries[1].actions, (std::vector<MenuAction>{MenuAction::LeaveConference, MenuAction::NoOp}));
  ASSERT_EQ(p->warnings.size(), 2u) << "language and pin are accepted without effect";
  EXPECT_EQ(p->warnings[0].where, "confbridge.conf:9");
  EXPECT_TRUE(p->bridge("default_bridge")) << "the built-in defaults stay";
}

TEST(ConfbridgeProfiles, EveryErrorNamesFileAndLine) {
  auto p = parse("[b]\ntype=bridge\nmax_members=lots\nmixing_interval=30\n[u]\ntype=user\nadmin=maybe\nvolume=3\n"
                 "[x]\nmarked=yes\n[m]\ntype=menu\n1=dance\n2=playback(tt-monkeys)\n[t]\ntype=room\n");
  ASSERT_FALSE(p);
  const auto text = p.error().to_string();
  EXPECT_NE(text.find("confbridge.conf:3: [b] 'max_members' needs a whole number, got 'lots'"), std::string::npos) << text;
  EXPECT_NE(text.find("confbridge.conf:4: [b] 'mixing_interval' must be 10, 20, 40 or 80"), std::string::npos) << text;
  EXPECT_NE(text.find("confbridge.conf:7: [u] 'admin' needs yes or no, got 'maybe'"), std::string::npos) << text;
  EXPECT_NE(text.find("confbridge.conf:8: [u] unknown user profile option 'volume'"), std::string::npos) << text;
  EXPECT_NE(text.find("confbridge.conf:9: section [x] has no type"), std::string::npos) << text;
  EXPECT_NE(text.find("confbridge.conf:13: [m] unknown menu action 'dance'"), std::string::npos) << text;
  EXPECT_NE(text.find("confbridge.conf:14: [m] menu action 'playback(tt-monkeys)' is not supported"), std::string::npos) << text;
  EXPECT_NE(text.find("confbridge.conf:16: [t] unknown type 'room'"), std::string::npos) << text;
  EXPECT_EQ(p.error().items.size(), 8u) << text;
}

TEST(ConfbridgeProfiles, ReloadKeepsTheRunningProfilesWhenTheFileIsBroken) {
  const auto dir = std::filesystem::temp_directory_path() / ("cb-conf-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  Engine engine({.threads = 1});
  ConfBridgeModule module(engine);
  ASSERT_TRUE(module.load(dir)) << "no file: the defaults";
  auto reg = conference_registry(engine);
  ASSERT_TRUE(reg);
  EXPECT_TRUE(reg->profiles()->user("default_user"));
  std::ofstream(dir / "confbridge.conf") << "[vip]\ntype=user\nadmin=yes\n";
  ASSERT_TRUE(module.reload(dir));
  ASSERT_TRUE(reg->profiles()->user("vip"));
  std::ofstream(dir / "confbridge.conf") << "[vip]\ntype=user\nadmin=yes\n[other]\ntype=user\nmarked=perhaps\n";
  auto r = module.reload(dir);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().to_string().find("confbridge.conf:6:"), std::string::npos) << r.error().to_string();
  EXPECT_TRUE(reg->profiles()->user("vip")) << "the running profiles are kept";
  EXPECT_FALSE(reg->profiles()->user("other"));
  EXPECT_FALSE(module.check(dir));
  std::filesystem::remove_all(dir);
}

}  // namespace
