// Shared setup of the ConfBridge tests: the dialplan executor with a small extensions.conf, the
// confbridge profiles below, Test/<name> devices that dial into it, and helpers to talk into the
// room and measure what each device heard.
#pragma once

#include <gtest/gtest.h>

#include <thread>

#include "mediax_support.hpp"
#include "telephony/confbridge.hpp"
#include "telephony/config/config.hpp"
#include "telephony/dialplan/loader.hpp"
#include "telephony/dialplan/functions.hpp"
#include "telephony/dialplan/module.hpp"
#include "testkit/testkit.hpp"

namespace confbridge_test {

using namespace telephony;
using namespace std::chrono_literals;
using testkit::EventLog;
using testkit::eventually;

inline constexpr const char* kProfiles = R"(
[general]
[quiet_user]
type=user
quiet=yes
talk_detection_events=yes
[muted_user]
type=user
quiet=yes
startmuted=yes
[leader]
type=user
quiet=yes
marked=yes
[follower]
type=user
quiet=yes
wait_marked=yes
end_marked=yes
[boss]
type=user
quiet=yes
admin=yes
[patient]
type=user
quiet=yes
wait_marked=yes
music_on_hold_when_empty=yes
music_on_hold_class=tone1k
[waiter]
type=user
quiet=yes
wait_marked=yes
[lonely]
type=user
quiet=yes
music_on_hold_when_empty=yes
music_on_hold_class=tone1k
[loud]
type=user
announce_only_user=no
[small]
type=bridge
max_members=2
[keys]
type=menu
1=toggle_mute
*8=leave_conference
2=admin_kick_last
4=decrease_listening_volume
6=reset_listening_volume
)";

inline constexpr const char* kDialplan = R"(
[conf]
exten => talk,1,ConfBridge(room1,,quiet_user,keys)
 same => n,NoOp(after ${CONFBRIDGE_RESULT})
 same => n,Wait(30)
exten => muted,1,ConfBridge(room1,,muted_user)
exten => leader,1,ConfBridge(room2,,leader)
exten => follower,1,ConfBridge(room2,,follower)
 same => n,NoOp(after ${CONFBRIDGE_RESULT})
 same => n,Wait(30)
exten => small,1,ConfBridge(room3,small,quiet_user)
 same => n,NoOp(after ${CONFBRIDGE_RESULT})
exten => smalladmin,1,ConfBridge(room3,small,boss)
exten => boss,1,ConfBridge(room1,,boss,keys)
exten => patient,1,ConfBridge(room5,,patient)
exten => waiter,1,ConfBridge(room8,,waiter)
exten => lonely,1,ConfBridge(room6,,lonely)
exten => other,1,ConfBridge(room6,,quiet_user)
exten => loud,1,ConfBridge(room7,,loud,keys)
 same => n,NoOp(after ${CONFBRIDGE_RESULT})
 same => n,Wait(30)
exten => quietkick,1,ConfBridge(room7,,quiet_user,keys)
 same => n,NoOp(after ${CONFBRIDGE_RESULT})
 same => n,Wait(30)
exten => dynamic,1,Set(CONFBRIDGE(user,quiet)=yes)
 same => n,Set(CONFBRIDGE(user,startmuted)=yes)
 same => n,Set(CONFBRIDGE(user,admin)=yes)
 same => n,ConfBridge(room4)
exten => info,1,Set(RESULT=${CONFBRIDGE_INFO(parties,room1)}/${CONFBRIDGE_INFO(admins,room1)}/${CONFBRIDGE_INFO(locked,room1)}/${CONFBRIDGE_INFO(parties,nosuch)})
 same => n,Wait(30)
)";

struct ConfFixture : mediax_test::EngineFixture {
  std::shared_ptr<dialplan::DialplanPbx> dialplan;
  std::shared_ptr<confbridge::ConferenceRegistry> rooms;
  std::unique_ptr<EventLog> log;

  void SetUp() override {
    // Users who are not quiet hear Debian's conference prompts; recordings are measured with sox.
    TELEPHONY_REQUIRE(testkit::missing_prompts({"conf-onlyperson", "conf-hasjoin", "conf-hasleft", "beep"}));
    engine.log().set_level(LogLevel::Error);
    ASSERT_TRUE(engine.drivers().add("Test", test_driver));
    ASSERT_TRUE(engine.drivers().add("Local", std::make_shared<LocalDriver>()));
    dialplan::register_builtin_functions(engine);
    dialplan = dialplan::install_dialplan(engine);
    rooms = confbridge::install_confbridge(engine);
    auto file = config::parse_string(kProfiles, "confbridge.conf");
    ASSERT_TRUE(file) << file.error().to_string();
    auto profiles = confbridge::parse_profiles(*file);
    ASSERT_TRUE(profiles) << profiles.error().to_string();
    rooms->set_profiles(std::make_shared<const confbridge::Profiles>(std::move(*profiles)));
    auto plan = dialplan::load_dialplan_string(kDialplan, "extensions.conf");
    ASSERT_TRUE(plan) << plan.error().to_string();
    dialplan->replace(*plan);
    engine.start();
    log = std::make_unique<EventLog>(engine.events());
  }

  // A Test/<device> call into conf,<exten>.
  Channel::Ptr dial_in(const std::string& device, const std::string& exten) {
    return test_driver->inbound(engine, device, "conf", exten);
  }
  bool in_room(const std::string& room, std::size_t n) {
    return eventually([&] {
      auto m = rooms->members(room);
      std::size_t active = 0;
      if (m)
        for (auto& x : *m) active += !x.waiting;
      return m && active == n && bridged(room) == n;
    });
  }
  // Users of `room` that are members of its bridge right now.
  std::size_t bridged(const std::string& room) {
    auto info = rooms->room(room);
    if (!info) return 0;
    auto b = engine.find_bridge(info->bridge_uniqueid);
    if (!b) return 0;
    std::size_t n = 0;
    for (auto& c : b->members()) n += c->tech_name() == "Test";
    return n;
  }
  // Sends `frames` 20 ms frames of `hz` from the device side of `chan`, paced in real time.
  static void speak(const Channel::Ptr& chan, double hz, int frames) {
    auto next = std::chrono::steady_clock::now();
    for (int k = 0; k < frames; ++k) {
      chan->queue_frame(mediax_test::tone_frame(media::Format::slin(), hz, static_cast<std::size_t>(k)));
      next += 20ms;
      std::this_thread::sleep_until(next);
    }
  }
  std::size_t heard_frames(const std::string& device) { return mediax_test::voice_frames(*ep(device)); }
  // Power of `hz` in what `device` heard from voice frame `from` on.
  double heard_power(const std::string& device, double hz, std::size_t from) {
    auto pcm = mediax_test::decoded(*ep(device), 8000, from);
    if (pcm.size() < 1600) return 0;
    // The loudest 400 ms: a loaded machine can leave silent ticks anywhere in a real-time feed,
    // and they would dilute a whole-range figure.
    return media::goertzel_power(mediax_test::loudest_window(pcm, 3200, 8000, hz), 8000, hz);
  }
  std::vector<std::string> noops(const Channel::Ptr& chan) {
    std::vector<std::string> out;
    for (auto& e : log->events())
      if (auto* s = e->as<DialplanStep>(); s && s->channel.name == chan->name() && s->application == "NoOp")
        out.push_back(s->data);
    return out;
  }
  template <class E>
  std::vector<const E*> events_of() {
    std::vector<const E*> out;
    keep_ = log->events();
    for (auto& e : keep_)
      if (auto* x = e->as<E>()) out.push_back(x);
    return out;
  }

 private:
  std::vector<EventPtr> keep_;
};

}  // namespace confbridge_test
