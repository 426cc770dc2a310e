// confbridge.conf: bridge/user profiles and DTMF menus, their built-in defaults, and the
// one-option setters shared by the file parser and CONFBRIDGE().
#include <strings.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "telephony/config/module_config.hpp"
#include "telephony/confbridge.hpp"

namespace telephony::confbridge {

namespace {

bool ieq(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Result<bool> parse_bool(std::string_view option, std::string_view value) {
  value = trim(value);
  if (config::is_true_word(value)) return true;
  if (config::is_false_word(value)) return false;
  return fail("'" + std::string(option) + "' needs yes or no, got '" + std::string(value) + "'");
}

Result<unsigned> parse_unsigned(std::string_view option, std::string_view value) {
  value = trim(value);
  unsigned v = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (value.empty() || ec != std::errc() || p != value.data() + value.size())
    return fail("'" + std::string(option) + "' needs a whole number, got '" + std::string(value) + "'");
  return v;
}

// Asterisk options we accept so that stock files load, but that change nothing here.
constexpr std::array kIgnoredBridgeOptions = {
    "language", "record_file_append", "record_file_timestamp", "record_options", "record_command",
    "regcontext", "video_mode", "video_update_discard", "remb_send_interval", "remb_behavior",
    "remb_estimated_bitrate", "enable_events", "binaural_active", "maximum_sample_rate",
    "sound_join", "sound_leave", "sound_has_joined", "sound_has_left", "sound_kicked", "sound_muted",
    "sound_unmuted", "sound_only_person", "sound_only_one", "sound_there_are", "sound_other_in_party",
    "sound_place_into_conference", "sound_wait_for_leader", "sound_leader_has_left", "sound_get_pin",
    "sound_invalid_pin", "sound_locked", "sound_locked_now", "sound_unlocked_now", "sound_error_menu",
    "sound_participants_muted", "sound_participants_unmuted", "sound_begin", "sound_binaural_on",
    "sound_binaural_off"};
constexpr std::array kIgnoredUserOptions = {
    "announce_join_leave",
    "announce_join_leave_review", "pin", "jitterbuffer", "dsp_talking_threshold",
    "dsp_silence_threshold", "denoise", "dtmf_passthrough", "timeout", "text_messaging",
    "answer_channel", "send_events", "echo_events", "hear_own_join_sound", "talk_detection_events_cached"};

template <std::size_t N>
bool listed(const std::array<const char*, N>& names, std::string_view option) {
  return std::any_of(names.begin(), names.end(), [&](const char* n) { return ieq(n, option); });
}

}  // namespace

std::string_view to_string(MenuAction a) {
  switch (a) {
    case MenuAction::ToggleMute: return "toggle_mute";
    case MenuAction::LeaveConference: return "leave_conference";
    case MenuAction::AdminKickLast: return "admin_kick_last";
    case MenuAction::AdminToggleConferenceLock: return "admin_toggle_conference_lock";
    case MenuAction::AdminToggleMuteParticipants: return "admin_toggle_mute_participants";
    case MenuAction::IncreaseListeningVolume: return "increase_listening_volume";
    case MenuAction::DecreaseListeningVolume: return "decrease_listening_volume";
    case MenuAction::ResetListeningVolume: return "reset_listening_volume";
    case MenuAction::IncreaseTalkingVolume: return "increase_talking_volume";
    case MenuAction::DecreaseTalkingVolume: return "decrease_talking_volume";
    case MenuAction::ResetTalkingVolume: return "reset_talking_volume";
    case MenuAction::NoOp: return "no_op";
  }
  return "no_op";
}

std::optional<MenuAction> menu_action_from_name(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(MenuAction::NoOp); ++i) {
    auto a = static_cast<MenuAction>(i);
    if (ieq(to_string(a), trim(name))) return a;
  }
  return std::nullopt;
}

std::string_view result_name(LeaveReason r) {
  switch (r) {
    case LeaveReason::Hangup: return "HANGUP";
    case LeaveReason::Kicked: return "KICKED";
    case LeaveReason::EndMarked: return "ENDMARKED";
    case LeaveReason::Dtmf: return "DTMF";
    case LeaveReason::Failed: return "FAILED";
    case LeaveReason::None:
    case LeaveReason::BackToWaiting: break;
  }
  return "HANGUP";
}

Result<bool> set_bridge_option(BridgeProfile& p, std::string_view option, std::string_view value) {
  if (ieq(option, "max_members")) {
    auto v = parse_unsigned(option, value);
    if (!v) return Unexpected<Error>{v.error()};
    p.max_members = *v;
  } else if (ieq(option, "record_conference")) {
    auto v = parse_bool(option, value);
    if (!v) return Unexpected<Error>{v.error()};
    p.record_conference = *v;
  } else if (ieq(option, "record_file")) {
    p.record_file = std::string(trim(value));
  } else if (ieq(option, "internal_sample_rate")) {
    if (ieq(trim(value), "auto")) {
      p.internal_sample_rate = 0;
    } else {
      auto v = parse_unsigned(option, value);
      static constexpr unsigned kRates[] = {8000, 12000, 16000, 24000, 32000, 44100, 48000, 96000, 192000};
      if (!v || std::find(std::begin(kRates), std::end(kRates), *v) == std::end(kRates))
        return fail("'internal_sample_rate' must be auto or one of 8000, 12000, 16000, 24000, 32000, 44100, 48000, "
                    "96000, 192000; got '" + std::string(trim(value)) + "'");
      p.internal_sample_rate = *v;
    }
  } else if (ieq(option, "mixing_interval")) {
    auto v = parse_unsigned(option, value);
    if (!v || (*v != 10 && *v != 20 && *v != 40 && *v != 80))
      return fail("'mixing_interval' must be 10, 20, 40 or 80; got '" + std::string(trim(value)) + "'");
    p.mixing_interval = *v;
  } else if (listed(kIgnoredBridgeOptions, option)) {
    return false;
  } else {
    return fail("unknown bridge profile option '" + std::string(option) + "'");
  }
  return true;
}

Result<bool> set_user_option(UserProfile& p, std::string_view option, std::string_view value) {
  struct Flag {
    const char* name;
    bool UserProfile::*member;
  };
  static constexpr Flag kFlags[] = {
      {"admin", &UserProfile::admin},
      {"marked", &UserProfile::marked},
      {"startmuted", &UserProfile::startmuted},
      {"quiet", &UserProfile::quiet},
      {"announce_user_count", &UserProfile::announce_user_count},
      {"announce_only_user", &UserProfile::announce_only_user},
      {"wait_marked", &UserProfile::wait_marked},
      {"end_marked", &UserProfile::end_marked},
      {"dsp_drop_silence", &UserProfile::dsp_drop_silence},
      {"talk_detection_events", &UserProfile::talk_detection_events},
      {"music_on_hold_when_empty", &UserProfile::music_on_hold_when_empty},
  };
  for (const auto& f : kFlags) {
    if (!ieq(option, f.name)) continue;
    auto v = parse_bool(option, value);
    if (!v) return Unexpected<Error>{v.error()};
    p.*(f.member) = *v;
    return true;
  }
  if (ieq(option, "announcement")) {
    p.announcement = std::string(trim(value));
    return true;
  }
  if (ieq(option, "music_on_hold_class")) {
    p.music_on_hold_class = std::string(trim(value));
    return true;
  }
  if (ieq(option, "announce_user_count_all")) {
    // "yes" or a number in Asterisk: announcing to everybody; we accept and ignore it.
    return false;
  }
  if (listed(kIgnoredUserOptions, option)) return false;
  return fail("unknown user profile option '" + std::string(option) + "'");
}

Result<void> set_menu_entry(Menu& m, std::string_view dtmf, std::string_view actions) {
  dtmf = trim(dtmf);
  if (dtmf.empty()) return fail("menu entry without a DTMF sequence");
  for (char c : dtmf)
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '*' && c != '#' && !(c >= 'A' && c <= 'D'))
      return fail("'" + std::string(dtmf) + "' is not a DTMF sequence (0-9, *, #, A-D)");
  MenuEntry e;
  e.dtmf = std::string(dtmf);
  std::string_view rest = actions;
  while (true) {
    // Actions are comma separated; actions with arguments (playback(file)) are not supported.
    auto comma = rest.find(',');
    auto word = trim(rest.substr(0, comma));
    if (!word.empty()) {
      auto a = menu_action_from_name(word);
      if (!a) {
        std::string w(word);
        if (w.find('(') != std::string::npos || w == "participant_count" || w == "set_as_single_video_src" ||
            w == "release_as_single_video_src" || w == "admin_toggle_mute_participants_all")
          return fail("menu action '" + w + "' is not supported (toggle_mute, leave_conference, admin_kick_last, "
                      "admin_toggle_conference_lock, admin_toggle_mute_participants, "
                      "increase/decrease/reset_listening_volume, increase/decrease/reset_talking_volume, no_op)");
        return fail("unknown menu action '" + w + "'");
      }
      e.actions.push_back(*a);
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (e.actions.empty()) return fail("menu entry '" + e.dtmf + "' has no action");
  auto it = std::find_if(m.entries.begin(), m.entries.end(), [&](const MenuEntry& x) { return x.dtmf == e.dtmf; });
  if (it != m.entries.end()) *it = std::move(e);
  else m.entries.push_back(std::move(e));
  return {};
}

Profiles Profiles::defaults() {
  Profiles p;
  p.bridges.emplace("default_bridge", BridgeProfile{});
  p.users.emplace("default_user", UserProfile{});
  // Asterisk's built-in default_menu, minus '*' (playback_and_continue of the menu prompt).
  Menu m;
  const std::pair<const char*, const char*> entries[] = {
      {"*1", "toggle_mute"}, {"1", "toggle_mute"},
      {"*4", "decrease_listening_volume"}, {"4", "decrease_listening_volume"},
      {"*6", "increase_listening_volume"}, {"6", "increase_listening_volume"},
      {"*7", "decrease_talking_volume"}, {"7", "decrease_talking_volume"},
      {"*8", "leave_conference"}, {"8", "leave_conference"},
      {"*9", "increase_talking_volume"}, {"9", "increase_talking_volume"}};
  for (const auto& [d, a] : entries) (void)set_menu_entry(m, d, a);
  p.menus.emplace("default_menu", std::move(m));
  return p;
}

const BridgeProfile* Profiles::bridge(std::string_view name) const {
  auto it = bridges.find(name);
  return it == bridges.end() ? nullptr : &it->second;
}
const UserProfile* Profiles::user(std::string_view name) const {
  auto it = users.find(name);
  return it == users.end() ? nullptr : &it->second;
}
const Menu* Profiles::menu(std::string_view name) const {
  auto it = menus.find(name);
  return it == menus.end() ? nullptr : &it->second;
}

Result<Profiles, Errors> parse_profiles(const config::ConfigFile& file) {
  Profiles out = Profiles::defaults();
  Errors errors;
  std::map<std::string, config::Location> seen;
  for (const auto& sec : file.sections) {
    if (sec.is_template || ieq(sec.name, "general")) continue;
    const auto* type = sec.find("type");
    if (!type) {
      errors.items.push_back({"section [" + sec.name + "] has no type (bridge, user or menu)", sec.where.to_string()});
      continue;
    }
    if (auto prev = seen.find(sec.name); prev != seen.end()) {
      errors.items.push_back({"profile [" + sec.name + "] is defined twice (first at " + prev->second.to_string() + ")",
                              sec.where.to_string()});
      continue;
    }
    seen.emplace(sec.name, sec.where);
    const std::string t = type->value;
    auto option_error = [&](const config::Entry& e, const Error& err) {
      errors.items.push_back({"[" + sec.name + "] " + err.message, e.where.to_string()});
    };
    if (ieq(t, "bridge")) {
      BridgeProfile p;
      p.name = sec.name;
      for (const auto& e : sec.entries) {
        if (ieq(e.name, "type")) continue;
        auto r = set_bridge_option(p, e.name, e.value);
        if (!r) option_error(e, r.error());
        else if (!*r) out.warnings.push_back({"[" + sec.name + "] option '" + e.name + "' is accepted but has no effect",
                                              e.where.to_string()});
      }
      out.bridges[sec.name] = std::move(p);
    } else if (ieq(t, "user")) {
      UserProfile p;
      p.name = sec.name;
      for (const auto& e : sec.entries) {
        if (ieq(e.name, "type")) continue;
        auto r = set_user_option(p, e.name, e.value);
        if (!r) option_error(e, r.error());
        else if (!*r) out.warnings.push_back({"[" + sec.name + "] option '" + e.name + "' is accepted but has no effect",
                                              e.where.to_string()});
      }
      out.users[sec.name] = std::move(p);
    } else if (ieq(t, "menu")) {
      Menu m;
      m.name = sec.name;
      for (const auto& e : sec.entries) {
        if (ieq(e.name, "type")) continue;
        if (auto r = set_menu_entry(m, e.name, e.value); !r) option_error(e, r.error());
      }
      out.menus[sec.name] = std::move(m);
    } else {
      errors.items.push_back({"[" + sec.name + "] unknown type '" + t + "' (bridge, user or menu)", type->where.to_string()});
    }
  }
  if (!errors.items.empty()) return Unexpected<Errors>{std::move(errors)};
  return out;
}

Result<Profiles, Errors> load_profiles(const std::filesystem::path& dir) {
  if (!config::find_module_config(dir, "confbridge.conf")) return Profiles::defaults();
  auto file = config::load_module_config(dir, "confbridge.conf");
  if (!file) return Unexpected<Errors>{file.error()};
  return parse_profiles(*file);
}

}  // namespace telephony::confbridge
