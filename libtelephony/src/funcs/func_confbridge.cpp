// CONFBRIDGE() (write: dynamic profiles for the channel's next ConfBridge) and CONFBRIDGE_INFO()
// (read: a live conference's counts and states).
#include <strings.h>

#include "apps/confbridge_room.hpp"
#include "funcs/function_support.hpp"

namespace telephony::confbridge {

namespace {

using funcs::func_error;

bool ieq(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

Result<void> write_confbridge(const std::weak_ptr<ConferenceRegistry>& weak, const dialplan::FunctionCall& call,
                              std::string_view value) {
  auto chan = funcs::need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  auto args = funcs::split_at_most(call.args, 2);
  if (args.size() < 2 || funcs::trim(args[1]).empty()) return func_error(call, "requires type,option (e.g. user,admin)");
  const auto type = funcs::to_lower(funcs::trim(args[0]));
  const std::string option(funcs::trim(args[1]));
  if (type != "bridge" && type != "user" && type != "menu")
    return func_error(call, "type must be bridge, user or menu, got '" + type + "'");
  auto reg = weak.lock();
  auto profiles = reg ? reg->profiles() : std::make_shared<const Profiles>(Profiles::defaults());
  auto dyn = funcs::channel_store<DynamicProfiles>(**chan, kDynamicProfilesKey);
  std::lock_guard lock(dyn->mu);
  const std::string v(funcs::trim(value));
  if (ieq(option, "clear")) {
    if (type == "bridge") dyn->bridge.reset();
    else if (type == "user") dyn->user.reset();
    else dyn->menu.reset();
    return {};
  }
  if (ieq(option, "template")) {
    if (type == "bridge") {
      auto* p = profiles->bridge(v);
      if (!p) return func_error(call, "no bridge profile named '" + v + "'");
      dyn->bridge = *p;
    } else if (type == "user") {
      auto* p = profiles->user(v);
      if (!p) return func_error(call, "no user profile named '" + v + "'");
      dyn->user = *p;
    } else {
      auto* p = profiles->menu(v);
      if (!p) return func_error(call, "no menu named '" + v + "'");
      dyn->menu = *p;
    }
    return {};
  }
  // The first option set starts from the configured default profile of that type.
  if (type == "bridge") {
    if (!dyn->bridge) dyn->bridge = profiles->bridge("default_bridge") ? *profiles->bridge("default_bridge") : BridgeProfile{};
    auto r = set_bridge_option(*dyn->bridge, option, v);
    if (!r) return func_error(call, r.error().message);
  } else if (type == "user") {
    if (!dyn->user) dyn->user = profiles->user("default_user") ? *profiles->user("default_user") : UserProfile{};
    auto r = set_user_option(*dyn->user, option, v);
    if (!r) return func_error(call, r.error().message);
  } else {
    if (!dyn->menu) dyn->menu = profiles->menu("default_menu") ? *profiles->menu("default_menu") : Menu{};
    auto r = set_menu_entry(*dyn->menu, option, v);
    if (!r) return func_error(call, r.error().message);
  }
  return {};
}

Result<std::string> read_info(const std::weak_ptr<ConferenceRegistry>& weak, const dialplan::FunctionCall& call) {
  auto args = funcs::split_at_most(call.args, 2);
  if (args.size() < 2 || funcs::trim(args[1]).empty()) return func_error(call, "requires type,conference");
  const auto type = funcs::to_lower(funcs::trim(args[0]));
  if (type != "parties" && type != "admins" && type != "marked" && type != "locked" && type != "muted")
    return func_error(call, "type must be parties, admins, marked, locked or muted, got '" + type + "'");
  auto reg = weak.lock();
  auto room = reg ? reg->room(funcs::trim(args[1])) : std::nullopt;
  // A conference that does not exist has no parties and is neither locked nor muted (Asterisk: 0).
  if (!room) return std::string("0");
  if (type == "parties") return std::to_string(room->parties);
  if (type == "admins") return std::to_string(room->admins);
  if (type == "marked") return std::to_string(room->marked);
  if (type == "locked") return std::string(room->locked ? "1" : "0");
  return std::string(room->muted ? "1" : "0");
}

}  // namespace

void register_confbridge_functions(Engine& engine, const std::shared_ptr<ConferenceRegistry>& registry) {
  std::weak_ptr<ConferenceRegistry> weak = registry;
  funcs::add_function(
      engine, "CONFBRIDGE",
      {"Set a custom dynamic bridge, user, or menu profile on a channel for the ConfBridge application using the "
       "same options available in confbridge.conf.",
       "CONFBRIDGE(type,option)",
       "Write only. Sets an option of the channel's own bridge, user or menu profile; the next ConfBridge() on "
       "the channel whose corresponding profile argument is empty uses it. The first option set starts from "
       "default_bridge/default_user/default_menu; option 'template' starts from the named profile instead; "
       "option 'clear' removes the channel's profile of that type. For menus the option is the DTMF sequence and "
       "the value the action(s): Set(CONFBRIDGE(menu,5)=toggle_mute).",
       {{"type", "bridge, user or menu"},
        {"option", "any bridge/user option of confbridge.conf, template, clear, or a menu's DTMF sequence"}},
       {"ConfBridge", "CONFBRIDGE_INFO"}},
      nullptr,
      [weak](const dialplan::FunctionCall& call, std::string_view value) { return write_confbridge(weak, call, value); });
  funcs::add_function(
      engine, "CONFBRIDGE_INFO",
      {"Get information about a ConfBridge conference.",
       "CONFBRIDGE_INFO(type,conf)",
       "Read only. parties: users in the conference (waiting ones included); admins; marked: marked users; "
       "locked: 1 or 0; muted: 1 when every participant is muted by an admin, else 0. A conference that does "
       "not exist gives 0.",
       {{"type", "parties, admins, marked, locked or muted"}, {"conf", "the conference name"}},
       {"ConfBridge", "CONFBRIDGE"}},
      [weak](const dialplan::FunctionCall& call) { return read_info(weak, call); });
}

}  // namespace telephony::confbridge
