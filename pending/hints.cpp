#include "dialplan/hints.hpp"

#include <set>

#include "telephony/dialplan/dialplan.hpp"
#include "telephony/engine.hpp"

namespace telephony::dialplan {

std::vector<std::string> hint_devices(std::string_view hint) {
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

std::string hint_name(std::string_view hint) {
  auto comma = hint.find(',');
  return comma == std::string_view::npos ? std::string() : std::string(hint.substr(comma + 1));
}

namespace {
std::optional<std::string> search(const Dialplan& plan, std::string_view context, std::string_view exten,
                                  std::set<std::string, std::less<>>& visited) {
  const auto* c = plan.context(context);
  if (!c || !visited.emplace(context).second) return std::nullopt;
  for (const auto& g : c->groups)
    for (const auto& e : g.variants)
      if (e.hint && (e.name == exten || g.pattern.match(exten).match)) return e.hint;
  for (const auto& inc : c->includes)
    if (auto h = search(plan, inc.context, exten, visited)) return h;
  return std::nullopt;
}
}  // namespace

std::optional<std::string> find_hint(const Dialplan& plan, std::string_view context, std::string_view exten) {
  std::set<std::string, std::less<>> visited;
  return search(plan, context, exten, visited);
}

ExtensionState extension_state(Engine& engine, std::string_view hint) {
  bool ringing = false, in_use = false, busy = false, hold = false, all_unavailable = true;
  for (const auto& d : hint_devices(hint)) {
    switch (engine.device_states().get(d)) {
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
  if (busy) return ExtensionState::Busy;
  if (ringing) return in_use ? ExtensionState::RingInUse : ExtensionState::Ringing;
  if (hold) return in_use ? ExtensionState::HoldInUse : ExtensionState::OnHold;
  if (in_use) return ExtensionState::InUse;
  if (all_unavailable) return ExtensionState::Unavailable;
  return ExtensionState::NotInUse;
}

std::string_view extension_state_word(ExtensionState s) {
  switch (s) {
    case ExtensionState::NotInUse: return "NOT_INUSE";
    case ExtensionState::InUse: return "INUSE";
    case ExtensionState::Busy: return "BUSY";
    case ExtensionState::Unavailable: return "UNAVAILABLE";
    case ExtensionState::Ringing: return "RINGING";
    case ExtensionState::RingInUse: return "RINGINUSE";
    case ExtensionState::HoldInUse: return "HOLDINUSE";
    case ExtensionState::OnHold: return "ONHOLD";
    default: return "UNKNOWN";
  }
}

}  // namespace telephony::dialplan
