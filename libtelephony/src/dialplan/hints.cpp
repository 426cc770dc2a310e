#include "telephony/dialplan/hints.hpp"

#include <cstdio>

#include "telephony/dialplan/executor.hpp"
#include "telephony/engine.hpp"
#include "telephony/presence.hpp"

namespace telephony::dialplan {

// "SIP/alice-00000001" -> "SIP/alice"; "Local/100@ctx-0000000a;1" -> "Local/100@ctx".
std::string device_of(std::string_view channel_name) { return DeviceStates::device_of(channel_name); }

// The engine's registry: what the driver pushed, else the device's live channels.
DeviceState device_state(Engine& engine, std::string_view device) { return engine.device_states().get(device); }

std::vector<std::string> hint_devices(std::string_view hint) {
  // A presence part after ',' is not a device.
  if (auto comma = hint.find(','); comma != std::string_view::npos) hint = hint.substr(0, comma);
  std::vector<std::string> out;
  while (!hint.empty()) {
    auto amp = hint.find('&');
    auto d = hint.substr(0, amp);
    if (!d.empty()) out.emplace_back(d);
    hint = amp == std::string_view::npos ? std::string_view() : hint.substr(amp + 1);
  }
  return out;
}

int extension_state(Engine& engine, std::string_view hint) {
  bool ringing = false, in_use = false, busy = false, hold = false, all_unavailable = true;
  for (const auto& d : hint_devices(hint)) {
    switch (device_state(engine, d)) {
      case DeviceState::Ringing: ringing = true; all_unavailable = false; break;
      case DeviceState::RingInUse: ringing = in_use = true; all_unavailable = false; break;
      case DeviceState::InUse: in_use = true; all_unavailable = false; break;
      case DeviceState::Busy: busy = true; all_unavailable = false; break;
      case DeviceState::OnHold: hold = true; all_unavailable = false; break;
      case DeviceState::Invalid:
      case DeviceState::Unavailable: break;
      case DeviceState::Unknown:
      case DeviceState::NotInUse: all_unavailable = false; break;
    }
  }
  if (busy) return 2;
  if (ringing) return in_use ? 9 : 8;
  if (hold) return in_use ? 17 : 16;
  if (in_use) return 1;
  if (all_unavailable) return 4;
  return 0;
}

std::string_view extension_state_text(int s) {
  switch (s) {
    case 0: return "Idle";
    case 1: return "InUse";
    case 2: return "Busy";
    case 4: return "Unavailable";
    case 8: return "Ringing";
    case 9: return "InUse&Ringing";
    case 16: return "Hold";
    case 17: return "InUse&Hold";
    default: return "Unknown";
  }
}

// The hint of exten@context (includes searched, as Asterisk's ast_get_hint).
std::optional<std::string> find_hint(const Dialplan& plan, std::string_view context, std::string_view exten,
                                     std::set<std::string>& visited) {
  const auto* c = plan.context(context);
  if (!c || !visited.insert(std::string(context)).second) return std::nullopt;
  for (const auto& g : c->groups)
    for (const auto& e : g.variants)
      if (e.hint && (e.name == exten || g.pattern.match(exten).match)) return e.hint;
  for (const auto& inc : c->includes)
    if (auto h = find_hint(plan, inc.context, exten, visited)) return h;
  return std::nullopt;
}

std::string hint_presence(std::string_view hint) {
  const auto comma = hint.find(',');
  return comma == std::string_view::npos ? std::string() : std::string(hint.substr(comma + 1));
}

std::vector<HintEntry> list_hints(const Dialplan& plan) {
  std::vector<HintEntry> out;
  for (const auto& c : plan.contexts())
    for (const auto& g : c.groups)
      for (const auto& e : g.variants)
        if (e.hint) out.push_back({c.name, e.cid.empty() ? e.name : e.name + "/" + e.cid, *e.hint});
  return out;
}

void register_hint_commands(Engine& engine) {
  Engine* e = &engine;
  (void)engine.commands().add(ConsoleCommand{
      "core show hints",
      {"Show dialplan hints", "core show hints",
       "Lists every hint of the dialplan with its extension state and presence state, in Asterisk's layout.", {},
       {"core show hint", "dialplan show"}},
      [e](const std::vector<std::string>& a) {
        if (!a.empty()) return ConsoleResult{2, ""};
        auto pbx = std::dynamic_pointer_cast<DialplanPbx>(e->pbx());
        if (!pbx) return ConsoleResult{1, "No dialplan is loaded.\n"};
        const auto hints = list_hints(*pbx->snapshot());
        if (hints.empty()) return ConsoleResult{0, "There are no registered dialplan hints\n"};
        std::string out = "\n    -= Registered Asterisk Dial Plan Hints =-\n";
        for (const auto& h : hints) {
          std::string presence = "not_set";
          if (const auto p = hint_presence(h.hint); !p.empty())
            if (auto info = presence_state(*e, p)) presence = info->state;
          const std::string devices = h.hint.substr(0, h.hint.find(','));
          char line[256];
          std::snprintf(line, sizeof line, "%20s@%-20.20s: %-20.20s  State:%-15.15s Presence:%-15.15s Watchers %2d\n",
                        h.exten.c_str(), h.context.c_str(), devices.c_str(),
                        std::string(extension_state_text(extension_state(*e, h.hint))).c_str(), presence.c_str(), 0);
          out += line;
        }
        out += "----------------\n- " + std::to_string(hints.size()) + " hints registered\n";
        return ConsoleResult{0, out};
      }});
}

}  // namespace telephony::dialplan
