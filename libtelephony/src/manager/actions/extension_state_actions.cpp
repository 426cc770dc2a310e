// ExtensionState (the state of an extension's hint) and DeviceStateList.
//
// A device's state comes from the engine's DeviceStates registry (device_state.hpp): what its
// driver pushed, else its live channels ("SIP/alice" for "SIP/alice-00000001") — NOT_INUSE when
// it has none, INVALID when no driver has the technology. A hint "SIP/alice&Local/200@x" aggregates its devices into Asterisk's extension
// states (0 Idle, 1 InUse, 2 Busy, 4 Unavailable, 8 Ringing, 9 InUse&Ringing, 16 Hold,
// 17 InUse&Hold, -1 no hint).
#include <set>

#include "action_context.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/driver.hpp"

namespace telephony::manager {

namespace {

using ResponderPtr = std::shared_ptr<ActionResponder>;

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
std::optional<std::string> find_hint(const dialplan::Dialplan& plan, std::string_view context, std::string_view exten,
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

void extension_state_action(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const std::string exten(header(*r, "Exten"));
  if (exten.empty()) return r->error("Extension not specified");
  std::string context(header(*r, "Context"));
  if (context.empty()) context = "default";
  auto pbx = std::dynamic_pointer_cast<dialplan::DialplanPbx>(ctx->engine.pbx());
  if (!pbx) return r->error("ExtensionState needs the dialplan module (pbx_config), which is not loaded");
  auto plan = pbx->snapshot();
  if (!plan->context(context)) return r->error("Did not find context " + context);
  std::set<std::string> visited;
  const auto hint = find_hint(*plan, context, exten, visited);
  const int state = hint ? extension_state(ctx->engine, *hint) : -1;
  ami::Message m;
  m.add("Response", "Success").add("Message", "Extension Status").add("Exten", exten).add("Context", context);
  m.add("Hint", hint.value_or("")).add("Status", std::to_string(state)).add("StatusText", extension_state_text(state));
  r->send(std::move(m));
}

void device_state_list(const ActionContextPtr& ctx, const ResponderPtr& r) {
  std::set<std::string> devices;
  for (const auto& [d, state] : ctx->engine.device_states().list()) devices.insert(d);
  if (auto pbx = std::dynamic_pointer_cast<dialplan::DialplanPbx>(ctx->engine.pbx())) {
    auto plan = pbx->snapshot();
    for (const auto& c : plan->contexts())
      for (const auto& g : c.groups)
        for (const auto& e : g.variants)
          if (e.hint)
            for (auto& d : hint_devices(*e.hint)) devices.insert(d);
  }
  r->list_start("Device State Changes will follow");
  for (const auto& d : devices) {
    ami::Message ev;
    ev.add("Event", "DeviceStateChange").add("Device", d).add("State", to_string(device_state(ctx->engine, d)));
    r->list_item(std::move(ev));
  }
  r->list_complete("DeviceStateListComplete");
}

}  // namespace

void register_extension_state_actions(Server& server, const ActionContextPtr& ctx) {
  const PrivilegeSet call = Privilege::Call;
  const PrivilegeSet reporting = Privilege::Reporting;
  server.register_action(
      "ExtensionState", call | reporting,
      ActionDoc{"Check Extension Status",
                "Report the extension state for given extension: the state of its hint's devices (Status -1 "
                "and StatusText Unknown when the extension has no hint).",
                {{"Exten", true, "Extension to check state on."},
                 {"Context", false, "Context for extension (default: default)."}},
                {"DeviceStateList"}},
      [ctx](ResponderPtr r) { extension_state_action(ctx, r); });
  server.register_action(
      "DeviceStateList", call | reporting,
      ActionDoc{"List the current known device states.",
                "Lists the devices of live channels and of dialplan hints with their state as DeviceStateChange "
                "events (Device, State), then DeviceStateListComplete.",
                {},
                {"ExtensionState"}},
      [ctx](ResponderPtr r) { device_state_list(ctx, r); });
}

}  // namespace telephony::manager
