// ConfBridge(): the application, its one-time installation per engine (application, functions,
// console commands, the registry), and app_confbridge as a Module over confbridge.conf.
#include <utility>  // before asio
#include <boost/asio/use_awaitable.hpp>

#include <cstdio>

#include "apps/confbridge_room.hpp"
#include "apps/dialplan_apps.hpp"
#include "apps/media_apps.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/engine.hpp"
#include "telephony/media/music_on_hold.hpp"
#include "telephony/media/playback.hpp"

// GCC 12 reports -Wmismatched-new-delete on coroutines whose frame it inlines (asio's awaitable
// frame has its own operator new/delete pair); a known false positive, silenced for this file.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace telephony::confbridge {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// One registry per engine. The engine owns it through the application/commands that capture it;
// this table only finds it again (weakly, so an engine that is gone leaves nothing behind).
std::mutex g_registries_mu;
std::vector<std::pair<Engine*, std::weak_ptr<ConferenceRegistry>>> g_registries;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string arg(const std::vector<std::string>& a, std::size_t i) {
  return i < a.size() ? std::string(trim(a[i])) : std::string();
}

asio::awaitable<void> say(const Channel::Ptr& chan, std::vector<std::string> prompts) {
  if (prompts.empty() || chan->hangup_requested()) co_return;
  media::PlayOptions o;
  o.skip_missing = true;
  co_await media::play_files(chan, std::move(prompts), o);
}

asio::awaitable<dialplan::AppResult> run_confbridge(std::shared_ptr<ConferenceRegistry> reg, dialplan::Execution& x,
                                                    std::string data) {
  using dialplan::AppResult;
  auto chan = x.channel_ptr();
  auto& log = x.engine().log();
  const auto args = dialplan::split_args(data);
  const std::string name = arg(args, 0);
  if (name.empty()) {
    log.warning("app_confbridge", "ConfBridge requires an argument (conference name[,bridge_profile[,user_profile[,menu]]])");
    chan->set_variable("CONFBRIDGE_RESULT", "FAILED");
    co_return AppResult::Hangup;
  }
  const auto profiles = reg->profiles();
  BridgeProfile bridge;
  UserProfile user;
  Menu menu;
  {
    auto dyn = std::static_pointer_cast<DynamicProfiles>(chan->datastore(kDynamicProfilesKey));
    std::unique_lock<std::mutex> dyn_lock;
    if (dyn) dyn_lock = std::unique_lock(dyn->mu);
    std::string missing;
    // A named profile wins; without one the CONFBRIDGE() profile of the channel, then the default.
    if (auto n = arg(args, 1); !n.empty()) {
      if (auto* p = profiles->bridge(n)) bridge = *p;
      else missing = "Conference bridge profile " + n + " does not exist";
    } else if (dyn && dyn->bridge) {
      bridge = *dyn->bridge;
    } else if (auto* p = profiles->bridge("default_bridge")) {
      bridge = *p;
    }
    if (auto n = arg(args, 2); !n.empty()) {
      if (auto* p = profiles->user(n)) user = *p;
      else missing = "Conference user profile " + n + " does not exist";
    } else if (dyn && dyn->user) {
      user = *dyn->user;
    } else if (auto* p = profiles->user("default_user")) {
      user = *p;
    }
    if (auto n = arg(args, 3); !n.empty()) {
      if (auto* p = profiles->menu(n)) menu = *p;
      else missing = "Conference menu " + n + " does not exist";
    } else if (dyn && dyn->menu) {
      menu = *dyn->menu;
    } else if (auto* p = profiles->menu("default_menu")) {
      menu = *p;
    }
    if (!missing.empty()) {
      log.warning("app_confbridge", missing);
      chan->set_variable("CONFBRIDGE_RESULT", "FAILED");
      co_return AppResult::Hangup;
    }
  }
  if (chan->state() != ChannelState::Up) chan->answer();

  // A named object, not a braced temporary in the co_await expression: GCC 12 destroys such a
  // temporary argument of a coroutine twice (its strings were freed twice under valgrind).
  ConferenceUser who{name, bridge, user, menu,
                     dialplan::media_apps::resolve_moh_class(x, user.music_on_hold_class, "ConfBridge")};
  auto left = co_await run_conference_user(reg, chan, std::move(who));
  if (!left) {
    chan->set_variable("CONFBRIDGE_RESULT", "FAILED");
    co_return AppResult::Hangup;
  }
  chan->set_variable("CONFBRIDGE_RESULT", std::string(result_name(*left)));
  co_return *left == LeaveReason::Hangup ? AppResult::Hangup : AppResult::Continue;
}

std::string pad(std::string_view s, std::size_t n) {
  std::string out(s);
  if (out.size() < n) out.append(n - out.size(), ' ');
  return out;
}

std::string rpad(std::string_view s, std::size_t n) {
  std::string out;
  if (s.size() < n) out.append(n - s.size(), ' ');
  return out.append(s);
}

ConsoleResult list_command(ConferenceRegistry& reg, const std::vector<std::string>& a) {
  if (a.size() > 1) return {2, ""};
  if (a.empty()) {
    std::string out = "Conference Bridge Name           Users  Marked Locked Muted\n"
                      "================================ ====== ====== ====== =====\n";
    for (const auto& r : reg.rooms())
      out += pad(r.name, 32) + " " + rpad(std::to_string(r.parties), 6) + " " + rpad(std::to_string(r.marked), 6) + " " +
             pad(r.locked ? "Yes" : "No", 6) + " " + (r.muted ? "Yes" : "No") + "\n";
    return {0, out};
  }
  auto members = reg.members(a[0]);
  if (!members) return {1, "No conference bridge named '" + a[0] + "' found!\n"};
  std::string out = "Channel                        Flags  User Profile     Bridge Profile   Menu             CallerID\n"
                    "============================== ====== ================ ================ ================ ================\n";
  for (const auto& m : *members) {
    // Asterisk's flag letters: Admin, Marked, Waitmarked, Endmarked, waiting, muted.
    std::string flags;
    if (m.admin) flags += 'A';
    if (m.marked) flags += 'M';
    if (m.wait_marked) flags += 'W';
    if (m.end_marked) flags += 'E';
    if (m.waiting) flags += 'w';
    if (m.muted) flags += 'm';
    out += pad(m.channel.name, 30) + " " + pad(flags, 6) + " " + pad(m.user_profile, 16) + " " + pad(m.bridge_profile, 16) +
           " " + pad(m.menu, 16) + " " + (m.channel.caller.number.empty() ? "<unknown>" : m.channel.caller.number) + "\n";
  }
  return {0, out};
}

void register_commands(Engine& engine, const std::shared_ptr<ConferenceRegistry>& reg) {
  auto add = [&](std::string cmd, std::string synopsis, std::string syntax, std::string description,
                 std::vector<std::pair<std::string, std::string>> arguments,
                 std::function<ConsoleResult(const std::vector<std::string>&)> fn) {
    (void)engine.commands().add(ConsoleCommand{
        std::move(cmd),
        Documentation{std::move(synopsis), std::move(syntax), std::move(description), std::move(arguments),
                      {"confbridge list", "confbridge kick", "confbridge mute", "confbridge lock", "confbridge record start"}},
        std::move(fn)});
  };
  add("confbridge list", "List conference bridges and participants", "confbridge list [<name>]",
      "Lists all currently active conference bridges (users, marked users, locked, muted), or the participants of "
      "one bridge with their flags (A admin, M marked, W wait_marked, E end_marked, w waiting, m muted), profiles, "
      "menu and caller ID.",
      {{"name", "the conference whose participants to list"}},
      [reg](const std::vector<std::string>& a) { return list_command(*reg, a); });
  add("confbridge kick", "Kick participants out of conference bridges", "confbridge kick <conference> <channel>",
      "Kicks a channel out of the conference bridge; it continues in the dialplan with CONFBRIDGE_RESULT=KICKED. "
      "'all' kicks everybody, 'participants' everybody but admins.",
      {{"conference", "the conference"}, {"channel", "a channel name, all or participants"}},
      [reg](const std::vector<std::string>& a) -> ConsoleResult {
        if (a.size() != 2) return {2, ""};
        auto r = reg->kick(a[0], a[1]);
        if (r == ControlResult::NoConference) return {1, "No conference bridge named '" + a[0] + "' found!\n"};
        if (r == ControlResult::NoMember)
          return {1, a[1] == "all" || a[1] == "participants" ? "No participants found!\n"
                                                              : "No participant named '" + a[1] + "' found!\n"};
        return {0, "Kicked '" + a[1] + "' out of conference '" + a[0] + "'\n"};
      });
  for (bool mute : {true, false}) {
    add(mute ? "confbridge mute" : "confbridge unmute", mute ? "Mute participants in a conference" : "Unmute participants in a conference",
        std::string("confbridge ") + (mute ? "mute" : "unmute") + " <conference> <channel>",
        std::string(mute ? "Mutes" : "Unmutes") +
            " a channel in a conference ('all': every user, 'participants': every user but admins). A muted user still "
            "hears the conference; what they say is not mixed.",
        {{"conference", "the conference"}, {"channel", "a channel name, all or participants"}},
        [reg, mute](const std::vector<std::string>& a) -> ConsoleResult {
          if (a.size() != 2) return {2, ""};
          auto r = reg->set_muted(a[0], a[1], mute);
          if (r == ControlResult::NoConference) return {1, "No conference bridge named '" + a[0] + "' found!\n"};
          if (r == ControlResult::NoMember)
            return {1, a[1] == "all" || a[1] == "participants"
                           ? "No participants found in conference bridge '" + a[0] + "'!\n"
                           : "No channel named '" + a[1] + "' found in conference bridge '" + a[0] + "'!\n"};
          return {0, std::string(mute ? "Muting" : "Unmuting") + " " + a[1] + " from confbridge " + a[0] + "\n"};
        });
  }
  for (bool lock : {true, false}) {
    add(lock ? "confbridge lock" : "confbridge unlock", lock ? "Lock a conference" : "Unlock a conference",
        std::string("confbridge ") + (lock ? "lock" : "unlock") + " <conference>",
        lock ? "Locks a conference: only admin users may join it." : "Unlocks a conference: anybody may join it again.",
        {{"conference", "the conference"}},
        [reg, lock](const std::vector<std::string>& a) -> ConsoleResult {
          if (a.size() != 1) return {2, ""};
          if (reg->set_locked(a[0], lock) != ControlResult::Ok) return {1, "Conference " + a[0] + " is not found.\n"};
          return {0, "Conference " + a[0] + " is " + (lock ? "locked" : "unlocked") + ".\n"};
        });
  }
  add("confbridge record start", "Start recording a conference", "confbridge record start <conference> [<file>]",
      "Starts recording the conference's mix to <file> (relative names go to the recordings directory; without an "
      "extension .wav), else to the bridge profile's record_file, else confbridge-<conference>-<time>.wav.",
      {{"conference", "the conference"}, {"file", "where to record"}},
      [reg](const std::vector<std::string>& a) -> ConsoleResult {
        if (a.empty() || a.size() > 2) return {2, ""};
        switch (reg->start_recording(a[0], a.size() > 1 ? a[1] : std::string())) {
          case ControlResult::Ok: return {0, "Recording started\n"};
          case ControlResult::NoConference: return {1, "Conference not found.\n"};
          case ControlResult::AlreadyRecording: return {1, "Conference is already being recorded.\n"};
          default: return {1, "Could not start recording due to internal error.\n"};
        }
      });
  add("confbridge record stop", "Stop recording a conference", "confbridge record stop <conference>",
      "Stops the conference's recording and closes the file.", {{"conference", "the conference"}},
      [reg](const std::vector<std::string>& a) -> ConsoleResult {
        if (a.size() != 1) return {2, ""};
        switch (reg->stop_recording(a[0])) {
          case ControlResult::Ok: return {0, "Recording stopped.\n"};
          case ControlResult::NoConference: return {1, "Conference not found.\n"};
          default: return {1, "Recording could not be stopped.\n"};
        }
      });
}

}  // namespace

asio::awaitable<Result<LeaveReason, ConferenceRegistry::JoinRefusal>> run_conference_user(
    std::shared_ptr<ConferenceRegistry> reg, Channel::Ptr chan, ConferenceUser who) {
  auto& log = chan->engine().log();
  const auto& user = who.user;
  auto entered = reg->enter(who.conference, who.bridge, user, who.menu, who.moh, chan);
  if (!entered) {
    log.notice("app_confbridge", chan->name() + " cannot join conference '" + who.conference + "': " +
                                     (entered.error() == ConferenceRegistry::JoinRefusal::Locked ? "locked" : "full"));
    co_await say(chan, std::vector<std::string>(1, std::string("conf-locked")));
    co_return Unexpected<ConferenceRegistry::JoinRefusal>{entered.error()};
  }
  const auto j = *entered;

  // What the joining user hears first, then the room hears the join sound.
  std::vector<std::string> intro;
  if (!user.announcement.empty()) intro.push_back(user.announcement);
  const auto parties = reg->parties(j);
  if (!user.quiet && user.announce_only_user && parties == 1 && !reg->must_wait(j)) intro.push_back("conf-onlyperson");
  if (user.announce_user_count && parties > 1) {
    if (parties == 2) {
      intro.push_back("conf-onlyone");
    } else {
      intro.push_back("conf-thereare");
      for (auto& p : media::number_prompts(static_cast<long long>(parties - 1))) intro.push_back(p);
      intro.push_back("conf-otherinparty");
    }
  }
  co_await say(chan, std::move(intro));
  if (!user.quiet && parties > 1) reg->announce(j.conference, "confbridge-join");

  LeaveReason why = LeaveReason::None;
  while (true) {
    if (chan->hangup_requested()) {
      why = LeaveReason::Hangup;
      break;
    }
    reg->clear_back_to_waiting(j);
    if (auto pending = reg->pending_leave(j); pending != LeaveReason::None) {
      why = pending;
      break;
    }
    if (reg->must_wait(j)) {
      reg->set_waiting(j, true);
      if (!user.quiet) co_await say(chan, std::vector<std::string>(1, std::string("conf-waitforleader")));
      // As Asterisk: music while waiting only with music_on_hold_when_empty, else silence.
      if (user.music_on_hold_when_empty) media::start_moh(chan, who.moh);
      co_await chan->wait_until([&] { return !reg->must_wait(j) || reg->pending_leave(j) != LeaveReason::None; },
                                std::chrono::milliseconds(-1));
      if (user.music_on_hold_when_empty) media::stop_moh(chan);
      reg->set_waiting(j, false);
      continue;
    }
    reg->prepare_join(j);
    const auto exit = co_await j.conference->bridge->join(chan);
    reg->end_private_audio(j);
    if (exit == BridgeExit::Hangup || chan->hangup_requested()) {
      why = LeaveReason::Hangup;
      break;
    }
    const auto pending = reg->pending_leave(j);
    if (pending == LeaveReason::BackToWaiting) continue;
    // Kicked by BridgeKick or the room dissolving counts as kicked, as in Asterisk.
    why = pending == LeaveReason::None ? LeaveReason::Kicked : pending;
    break;
  }
  // As Asterisk: a kicked user who is not quiet hears conf-kicked before leaving.
  if (why == LeaveReason::Kicked && !user.quiet && !chan->hangup_requested())
    co_await say(chan, std::vector<std::string>(1, std::string("conf-kicked")));
  reg->leave(j, why);
  co_return why;
}

std::shared_ptr<ConferenceRegistry> conference_registry(Engine& engine) {
  std::lock_guard lock(g_registries_mu);
  for (auto it = g_registries.begin(); it != g_registries.end();) {
    if (it->second.expired()) {
      it = g_registries.erase(it);
      continue;
    }
    if (it->first == &engine) return it->second.lock();
    ++it;
  }
  return nullptr;
}

std::shared_ptr<ConferenceRegistry> install_confbridge(Engine& engine) {
  if (auto existing = conference_registry(engine)) return existing;
  auto reg = std::make_shared<ConferenceRegistry>(engine);
  reg->subscribe_talk_events();
  dialplan::add_application(
      engine, "ConfBridge",
      Documentation{
          "Conference bridge application.",
          "ConfBridge(conference[,bridge_profile[,user_profile[,menu]]])",
          "Enters the user into the named conference bridge, created on first use on a mixing bridge. The profiles "
          "come from confbridge.conf (default_bridge, default_user, default_menu when not given; a profile set with "
          "CONFBRIDGE() is used when the argument is empty). The user stays until they hang up, are kicked, press "
          "the menu's leave_conference sequence, or (end_marked) the last marked user leaves; then the dialplan "
          "continues with ${CONFBRIDGE_RESULT} set to FAILED, HANGUP, KICKED, ENDMARKED or DTMF. A locked or full "
          "conference refuses non-admin users (CONFBRIDGE_RESULT=FAILED, hangup).",
          {{"conference", "Name of the conference bridge. You are not limited to just numbers."},
           {"bridge_profile", "The bridge profile name from confbridge.conf."},
           {"user_profile", "The user profile name from confbridge.conf."},
           {"menu", "The name of the DTMF menu in confbridge.conf to be applied to this channel."}},
          {"CONFBRIDGE", "CONFBRIDGE_INFO"}},
      [reg](dialplan::Execution& x, std::string_view data) { return run_confbridge(reg, x, std::string(data)); });
  register_confbridge_functions(engine, reg);
  register_commands(engine, reg);
  std::lock_guard lock(g_registries_mu);
  g_registries.emplace_back(&engine, reg);
  return reg;
}

Result<void, Errors> ConfBridgeModule::check(const std::filesystem::path& dir) {
  auto p = load_profiles(dir);
  if (!p) return Unexpected<Errors>{p.error()};
  return {};
}

Result<void, Errors> ConfBridgeModule::load(const std::filesystem::path& dir) {
  auto p = load_profiles(dir);
  if (!p) return Unexpected<Errors>{p.error()};
  for (const auto& w : p->warnings) engine_.log().warning("app_confbridge", w.to_string());
  install_confbridge(engine_)->set_profiles(std::make_shared<const Profiles>(std::move(*p)));
  return {};
}

}  // namespace telephony::confbridge
