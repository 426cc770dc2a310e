// Internal: what a live conference room is made of — its users, the bridge with the mixing
// technology wrapped to read DTMF menus, and the helper channels that record the room
// (CBRec/<room>) and play sounds into it (CBAnn/<room>). Shared by app_confbridge*.cpp.
#pragma once

#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "telephony/bridge.hpp"
#include "telephony/confbridge.hpp"
#include "telephony/media/mixing_bridge.hpp"
#include "telephony/media/music_on_hold.hpp"

namespace telephony::confbridge {

struct Member {
  Channel::Ptr chan;
  UserProfile user;
  std::string bridge_profile;
  Menu menu;
  std::uint64_t order = 0;  // join order, for admin_kick_last
  std::chrono::system_clock::time_point joined = std::chrono::system_clock::now();
  bool muted = false;
  bool waiting = false;
  bool talking = false;
  bool in_bridge = false;
  double talk_gain_db = 0;
  double listen_gain_db = 0;
  LeaveReason leave = LeaveReason::None;
  // What the user hears instead of the room (registry lock): prompts to them alone, queued and
  // playing, and music while alone (music_on_hold_when_empty).
  media::MohClass moh;
  std::deque<std::string> private_prompts;
  bool prompt_playing = false;
  bool moh_playing = false;
  bool private_audio = false;
  // DTMF menu state; bridge strand only.
  std::string dtmf;
  std::unique_ptr<boost::asio::steady_timer> dtmf_timer;
};

// The room's bridge technology: mixing as MixingBridge does it, plus DTMF to the menu of the
// user who pressed it (DTMF is never relayed to the others).
class ConferenceTechnology : public BridgeTechnology {
 public:
  ConferenceTechnology(std::weak_ptr<ConferenceRegistry> registry, media::MixingBridgeSettings settings)
      : registry_(std::move(registry)), mixing_(settings) {}
  std::string_view name() const override { return mixing_.name(); }
  void on_join(Bridge& bridge, Channel& chan) override;
  void on_leave(Bridge& bridge, Channel& chan) override { mixing_.on_leave(bridge, chan); }
  void on_frame(Bridge& bridge, Channel& from, const Frame& f) override;
  media::MixingBridge& mixing() { return mixing_; }
  void set_conference(std::weak_ptr<Conference> c) { conference_ = std::move(c); }

 private:
  std::weak_ptr<ConferenceRegistry> registry_;
  std::weak_ptr<Conference> conference_;
  media::MixingBridge mixing_;
};

struct Conference {
  std::string name;
  BridgeProfile profile;
  Bridge::Ptr bridge;
  ConferenceTechnology* tech = nullptr;  // owned by bridge
  bool locked = false;
  bool muted = false;
  bool ended = false;
  std::uint64_t next_order = 0;
  std::vector<std::shared_ptr<Member>> members;
  // Recording: the CBRec channel while recording, and the file it writes.
  Channel::Ptr recorder;
  std::string record_file;
  // Announcements: the CBAnn channel (joined lazily) and the prompts waiting to play.
  Channel::Ptr announcer;
  std::deque<std::string> prompts;
  bool announcer_busy = false;
};

// The mixing options that follow from a member's state (registry lock).
inline media::MixingMemberOptions mixing_options(const Member& m) {
  return {.listen_only = false,
          .muted = m.muted,
          .detect_talking = m.user.talk_detection_events,
          .private_audio = m.private_audio,
          .gain_db = m.talk_gain_db,
          .listen_gain_db = m.listen_gain_db};
}

// One user's time in a conference, from entering to leaving: the intro prompts, waiting for a
// marked user, the room (again after waiting), the conf-kicked prompt, then leave(). What
// ConfBridge() runs for its channel, and Page() for the caller and for each paged phone. Runs on
// the channel's strand; a refused entry (locked, full) plays conf-locked and returns the refusal.
struct ConferenceUser {
  std::string conference;
  BridgeProfile bridge;
  UserProfile user;
  Menu menu;
  media::MohClass moh;
};
boost::asio::awaitable<Result<LeaveReason, ConferenceRegistry::JoinRefusal>> run_conference_user(
    std::shared_ptr<ConferenceRegistry> reg, Channel::Ptr chan, ConferenceUser who);

// Creates the CBRec/<room> channel that writes what it hears to `path` and joins it listen-only.
Result<Channel::Ptr> start_room_recorder(Engine& engine, Conference& conf, const std::filesystem::path& path);
// Creates the CBAnn/<room> channel that plays prompts into the room (a talker that hears nothing).
Channel::Ptr start_room_announcer(Engine& engine, Conference& conf);
// Plays `prompt` from the announcer into the room, paced at 20 ms; calls done() at the end.
void play_into_room(const Channel::Ptr& announcer, std::string prompt, std::function<void()> done);

}  // namespace telephony::confbridge

namespace telephony::confbridge {

// CONFBRIDGE(type,option)=value writes these on the channel; the next ConfBridge() without a
// profile argument uses them (Asterisk's dynamic profiles).
struct DynamicProfiles {
  std::mutex mu;
  std::optional<BridgeProfile> bridge;
  std::optional<UserProfile> user;
  std::optional<Menu> menu;
};
inline constexpr std::string_view kDynamicProfilesKey = "confbridge.dynamic_profiles";

// func_confbridge.cpp: CONFBRIDGE() and CONFBRIDGE_INFO().
void register_confbridge_functions(Engine& engine, const std::shared_ptr<ConferenceRegistry>& registry);

}  // namespace telephony::confbridge
