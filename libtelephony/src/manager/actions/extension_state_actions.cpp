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
#include "telephony/dialplan/hints.hpp"
#include "telephony/driver.hpp"

namespace telephony::manager {

namespace {

using ResponderPtr = std::shared_ptr<ActionResponder>;
using dialplan::device_of;
using dialplan::device_state;
using dialplan::extension_state;
using dialplan::extension_state_text;
using dialplan::find_hint;
using dialplan::hint_devices;

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

void extension_state_list(const ActionContextPtr& ctx, const ResponderPtr& r) {
  auto pbx = std::dynamic_pointer_cast<dialplan::DialplanPbx>(ctx->engine.pbx());
  if (!pbx) return r->error("ExtensionStateList needs the dialplan module (pbx_config), which is not loaded");
  r->list_start("Extension Statuses will follow");
  for (const auto& h : dialplan::list_hints(*pbx->snapshot())) {
    const int state = extension_state(ctx->engine, h.hint);
    ami::Message ev;
    ev.add("Event", "ExtensionStatus")
        .add("Exten", h.exten)
        .add("Context", h.context)
        .add("Hint", h.hint)
        .add("Status", std::to_string(state))
        .add("StatusText", extension_state_text(state));
    r->list_item(std::move(ev));
  }
  r->list_complete("ExtensionStateListComplete");
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
  server.register_action(
      "ExtensionStateList", call | reporting,
      ActionDoc{"List the current known extension states.",
                "An EventList of ExtensionStatus (Exten, Context, Hint, Status, StatusText) for every hint of the "
                "dialplan, then ExtensionStateListComplete.",
                {},
                {"ExtensionState", "DeviceStateList"}},
      [ctx](ResponderPtr r) { extension_state_list(ctx, r); });
}

}  // namespace telephony::manager
