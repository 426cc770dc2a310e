// ConfBridge: named conference rooms on the mixing bridge, with Asterisk's confbridge.conf
// profiles (bridge, user, DTMF menu), the ConfBridge() application, the CONFBRIDGE() and
// CONFBRIDGE_INFO() functions, the Confbridge* events and a registry of live rooms that the AMI
// actions (ConfbridgeList, ConfbridgeMute, ...) and the `confbridge ...` console commands drive.
//
// A room exists while it has users: the first ConfBridge(name) creates it (ConfbridgeStart) on a
// MixingBridge wrapped by a technology that reads the users' DTMF menus; the last user to leave
// ends it (ConfbridgeEnd). Users who must wait for a marked user (wait_marked) stay out of the
// mix, hearing music on hold, until one arrives; end_marked users are sent on when the last
// marked user leaves. Recording joins a listen-only "CBRec/<room>" channel that writes the room's
// mix to a file; join/leave sounds are played into the room by a "CBAnn/<room>" channel.
//
// Threading: the registry is guarded by one mutex; every public call may come from any thread.
// Profiles are an immutable snapshot swapped on reload; rooms keep the profiles they started with.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/channel.hpp"
#include "telephony/config/config.hpp"
#include "telephony/events.hpp"
#include "telephony/media/music_on_hold.hpp"
#include "telephony/module.hpp"
#include "telephony/result.hpp"

namespace telephony {
class Engine;
}

namespace telephony::confbridge {

// ---- profiles (confbridge.conf) ----------------------------------------------------------------

struct BridgeProfile {
  std::string name = "default_bridge";
  unsigned max_members = 0;  // 0: unlimited; admins may always join
  bool record_conference = false;
  std::string record_file;  // empty: confbridge-<room>-<unix time>.wav; relative: under dirs.recordings
  unsigned internal_sample_rate = 0;  // 0: auto (the highest rate of the members)
  unsigned mixing_interval = 20;      // ms; accepted 10/20/40/80, mixing runs at 20 ms
};

struct UserProfile {
  std::string name = "default_user";
  bool admin = false;
  bool marked = false;
  bool startmuted = false;
  bool quiet = false;                // no join/leave sounds, no "only person", no wait prompt
  bool announce_user_count = false;  // tell the joining user how many others are there
  bool announce_only_user = true;    // "conf-onlyperson" to a user who joins an empty room
  bool wait_marked = false;
  bool end_marked = false;
  bool dsp_drop_silence = false;
  bool talk_detection_events = false;  // ConfbridgeTalking events for this user
  std::string announcement;            // prompt played to the user before joining
  // Music on hold while the user is alone in the room or waits for a marked user (Asterisk's
  // music_on_hold_when_empty); without it a lone or waiting user hears silence.
  bool music_on_hold_when_empty = false;
  std::string music_on_hold_class;     // that music (empty: CHANNEL(musicclass), else default)
};

enum class MenuAction {
  ToggleMute,
  LeaveConference,
  AdminKickLast,
  AdminToggleConferenceLock,
  AdminToggleMuteParticipants,
  IncreaseListeningVolume,
  DecreaseListeningVolume,
  ResetListeningVolume,
  IncreaseTalkingVolume,
  DecreaseTalkingVolume,
  ResetTalkingVolume,
  NoOp,
};
std::string_view to_string(MenuAction a);  // confbridge.conf spelling: "toggle_mute", ...
std::optional<MenuAction> menu_action_from_name(std::string_view name);

struct MenuEntry {
  std::string dtmf;  // "1", "*8", "##"
  std::vector<MenuAction> actions;
};

struct Menu {
  std::string name = "default_menu";
  std::vector<MenuEntry> entries;
};

// Setting one option of a profile, as confbridge.conf and CONFBRIDGE() do. Ok(true): applied;
// Ok(false): an Asterisk option we accept and ignore (the caller warns); error: unknown option
// or bad value, message naming both.
Result<bool> set_bridge_option(BridgeProfile& p, std::string_view option, std::string_view value);
Result<bool> set_user_option(UserProfile& p, std::string_view option, std::string_view value);
// `actions` is a comma list such as "toggle_mute" or "leave_conference,no_op".
Result<void> set_menu_entry(Menu& m, std::string_view dtmf, std::string_view actions);

struct Profiles {
  std::map<std::string, BridgeProfile, std::less<>> bridges;
  std::map<std::string, UserProfile, std::less<>> users;
  std::map<std::string, Menu, std::less<>> menus;
  std::vector<Error> warnings;  // ignored options, with file:line

  // default_bridge, default_user and default_menu as Asterisk builds them without a file.
  static Profiles defaults();
  const BridgeProfile* bridge(std::string_view name) const;
  const UserProfile* user(std::string_view name) const;
  const Menu* menu(std::string_view name) const;
};

// Every section with type=bridge|user|menu ([general] is skipped). Sections without a type,
// unknown types, unknown options, bad values and bad menu actions are errors naming file:line,
// all reported at once. The built-in defaults stay unless the file redefines them.
Result<Profiles, Errors> parse_profiles(const config::ConfigFile& file);
// `dir`/confbridge.conf (or .yaml); a missing file gives the defaults.
Result<Profiles, Errors> load_profiles(const std::filesystem::path& dir);

// ---- events -------------------------------------------------------------------------------------

// Asterisk's Confbridge* stasis messages: the room name, the bridge snapshot and, for user
// events, the channel snapshot and whether the user is an admin.
struct ConfbridgeEvent : BridgeEvent {
  std::string conference;
};
struct ConfbridgeUserEvent : ConfbridgeEvent {
  ChannelSnapshot channel;
  bool admin = false;
};

#define TELEPHONY_CONFBRIDGE_EVENT(name, base) \
  struct name : base { \
    static constexpr std::string_view kType = #name; \
    std::string_view type() const override { return kType; } \
  }

TELEPHONY_CONFBRIDGE_EVENT(ConfbridgeStart, ConfbridgeEvent);
TELEPHONY_CONFBRIDGE_EVENT(ConfbridgeEnd, ConfbridgeEvent);
TELEPHONY_CONFBRIDGE_EVENT(ConfbridgeRecord, ConfbridgeEvent);
TELEPHONY_CONFBRIDGE_EVENT(ConfbridgeStopRecord, ConfbridgeEvent);
TELEPHONY_CONFBRIDGE_EVENT(ConfbridgeLeave, ConfbridgeUserEvent);
TELEPHONY_CONFBRIDGE_EVENT(ConfbridgeMute, ConfbridgeUserEvent);
TELEPHONY_CONFBRIDGE_EVENT(ConfbridgeUnmute, ConfbridgeUserEvent);
#undef TELEPHONY_CONFBRIDGE_EVENT

struct ConfbridgeJoin : ConfbridgeUserEvent {
  static constexpr std::string_view kType = "ConfbridgeJoin";
  std::string_view type() const override { return kType; }
  bool muted = false;
};
struct ConfbridgeTalking : ConfbridgeUserEvent {
  static constexpr std::string_view kType = "ConfbridgeTalking";
  std::string_view type() const override { return kType; }
  bool talking = false;  // TalkingStatus: on/off
};

// ---- the registry of live rooms -----------------------------------------------------------------

struct MemberInfo {
  ChannelSnapshot channel;
  std::string user_profile;
  std::string bridge_profile;
  std::string menu;
  bool admin = false;
  bool marked = false;
  bool wait_marked = false;
  bool end_marked = false;
  bool waiting = false;  // out of the mix until a marked user arrives
  bool muted = false;
  bool talking = false;
  std::chrono::system_clock::time_point joined;
};

struct ConferenceInfo {
  std::string name;
  std::string bridge_uniqueid;
  std::string bridge_profile;
  std::size_t parties = 0;  // active + waiting users
  std::size_t admins = 0;
  std::size_t marked = 0;
  std::size_t waiting = 0;
  bool locked = false;
  bool muted = false;  // every non-admin muted (admin_toggle_mute_participants)
  bool recording = false;
  std::string record_file;
};

enum class ControlResult {
  Ok,
  NoConference,      // "No Conference by that name found."
  NoMember,          // "No Channel by that name found in Conference."
  AlreadyRecording,  // "Conference is already being recorded."
  NotRecording,
  Failed,            // the recording file could not be opened, ...
};

// Why a user left, as ConfBridge() sets ${CONFBRIDGE_RESULT}.
enum class LeaveReason { None, Hangup, Kicked, EndMarked, Dtmf, Failed, BackToWaiting };
std::string_view result_name(LeaveReason r);  // "HANGUP", "KICKED", "ENDMARKED", "DTMF", "FAILED"

struct Conference;
struct Member;

class ConferenceRegistry : public std::enable_shared_from_this<ConferenceRegistry> {
 public:
  explicit ConferenceRegistry(Engine& engine);
  ~ConferenceRegistry();
  ConferenceRegistry(const ConferenceRegistry&) = delete;
  ConferenceRegistry& operator=(const ConferenceRegistry&) = delete;

  Engine& engine() { return engine_; }
  std::shared_ptr<const Profiles> profiles() const;
  void set_profiles(std::shared_ptr<const Profiles> p);

  // Rooms in name order; one room; a room's users in join order (nullopt: no such room).
  std::vector<ConferenceInfo> rooms() const;
  std::optional<ConferenceInfo> room(std::string_view name) const;
  std::optional<std::vector<MemberInfo>> members(std::string_view conference) const;

  // `who`: a channel name, "all" (every user) or "participants" (every non-admin user).
  // set_muted also takes a prefix of a name: the first member (join order) it starts.
  ControlResult set_muted(std::string_view conference, std::string_view who, bool muted);
  ControlResult kick(std::string_view conference, std::string_view who);
  ControlResult set_locked(std::string_view conference, bool locked);
  // `file` empty: the profile's record_file, else confbridge-<room>-<time>.wav.
  ControlResult start_recording(std::string_view conference, std::string file = {});
  ControlResult stop_recording(std::string_view conference);

  // --- for ConfBridge() (internal use) -----------------------------------------------------
  struct Joined {
    std::shared_ptr<Conference> conference;
    std::shared_ptr<Member> member;
  };
  enum class JoinRefusal { Locked, Full };
  // `moh` is what the user hears alone or waiting when the profile asks for music.
  Result<Joined, JoinRefusal> enter(std::string_view name, const BridgeProfile& bridge, const UserProfile& user,
                                    const Menu& menu, media::MohClass moh, const Channel::Ptr& chan);
  void leave(const Joined& j, LeaveReason why);
  bool must_wait(const Joined& j) const;
  LeaveReason pending_leave(const Joined& j) const;
  void clear_back_to_waiting(const Joined& j);
  void set_waiting(const Joined& j, bool waiting);
  std::size_t parties(const Joined& j) const;
  // Mixing options (mute, talking volume) for the user's next join of the bridge.
  void prepare_join(const Joined& j);
  // Called on the bridge strand by the room's technology.
  void on_dtmf(const std::shared_ptr<Conference>& conf, Channel& chan, char digit);
  void on_bridge_join(const std::shared_ptr<Conference>& conf, Channel& chan);
  // Plays a prompt into the whole room (join/leave sounds).
  void announce(const std::shared_ptr<Conference>& conf, std::string prompt);
  // Plays a prompt to one user while they stay in the room (conf-muted after toggle_mute); the
  // room's audio to them pauses meanwhile.
  void play_to_user(const Joined& j, std::string prompt);
  // The user is out of the bridge (left, kicked, back to waiting): stops their private prompt or
  // music. Channel strand.
  void end_private_audio(const Joined& j);
  // Turns the mixing bridge's BridgeMemberTalking into ConfbridgeTalking (install_confbridge).
  void subscribe_talk_events();

 private:
  using Deferred = std::vector<std::function<void()>>;
  void run_menu_actions(const std::shared_ptr<Conference>& conf, const std::shared_ptr<Member>& who,
                        const std::vector<MenuAction>& actions);
  // With the registry lock held: decides what each user of `conf` in the bridge hears instead of
  // the room -- their queued prompts first, then music when alone (music_on_hold_when_empty) --
  // and defers starting/stopping it until the lock is released.
  void refresh_private_audio(Deferred& after, const std::shared_ptr<Conference>& conf);
  void private_prompt_done(const std::shared_ptr<Conference>& conf, const std::shared_ptr<Member>& m);
  struct Impl;
  Engine& engine_;
  std::unique_ptr<Impl> impl_;
};

// Installs ConfBridge(), CONFBRIDGE(), CONFBRIDGE_INFO() and the `confbridge ...` console
// commands once per engine, with the built-in default profiles; returns the engine's registry.
std::shared_ptr<ConferenceRegistry> install_confbridge(Engine& engine);
// The engine's registry, or null when install_confbridge() was never called for it.
std::shared_ptr<ConferenceRegistry> conference_registry(Engine& engine);

// app_confbridge: confbridge.conf as a module (check/load/reload keeping the old profiles on
// error). load() installs ConfBridge() if needed; a missing file gives the defaults.
class ConfBridgeModule : public Module {
 public:
  explicit ConfBridgeModule(Engine& engine) : engine_(engine) {}
  std::string_view name() const override { return "app_confbridge"; }
  std::string_view config_file() const override { return "confbridge.conf"; }
  Result<void, Errors> check(const std::filesystem::path& config_dir) override;
  Result<void, Errors> load(const std::filesystem::path& config_dir) override;

 private:
  Engine& engine_;
};

}  // namespace telephony::confbridge
