// PresenceState and PresenceStateList: the CustomPresence states of presence.hpp over AMI.
#include "action_context.hpp"
#include "telephony/presence.hpp"

namespace telephony::manager {

namespace {

using ResponderPtr = std::shared_ptr<ActionResponder>;

void presence_state_action(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const std::string provider(header(*r, "Provider"));
  if (provider.empty()) return r->error("No provider specified");
  ctx->engine.run_blocking([ctx, r, provider] {
    auto info = presence_state(ctx->engine, provider);
    if (!info) return r->error("Invalid presence state provider: " + info.error().message);
    ami::Message m;
    m.add("Response", "Success").add("Message", "Presence State").add("State", info->state);
    if (!info->subtype.empty()) m.add("Subtype", info->subtype);
    if (!info->message.empty()) m.add("Message", info->message);
    r->send(std::move(m));
  });
}

void presence_state_list(const ActionContextPtr& ctx, const ResponderPtr& r) {
  ctx->engine.run_blocking([ctx, r] {
    r->list_start("Presence State Changes will follow");
    for (const auto& [presentity, info] : presence_states(ctx->engine)) {
      ami::Message ev;
      ev.add("Event", "PresenceStateChange")
          .add("Presentity", presentity)
          .add("Status", info.state)
          .add("Subtype", info.subtype)
          .add("Message", info.message);
      r->list_item(std::move(ev));
    }
    r->list_complete("PresenceStateListComplete");
  });
}

}  // namespace

void register_presence_actions(Server& server, const ActionContextPtr& ctx) {
  server.register_action("PresenceState", Privilege::Call | Privilege::Reporting,
                         ActionDoc{"Check Presence State",
                                   "Reports the presence state of a presentity: State, Subtype, Message.",
                                   {{"Provider", true, "Presence Provider to check the state of (CustomPresence:<name>)."}},
                                   {"PresenceStateList", "PRESENCE_STATE"}},
                         [ctx](ResponderPtr r) { presence_state_action(ctx, r); });
  server.register_action("PresenceStateList", Privilege::Call | Privilege::Reporting,
                         ActionDoc{"List the current known presence states.",
                                   "An EventList of PresenceStateChange (Presentity, Status, Subtype, Message), then "
                                   "PresenceStateListComplete.",
                                   {},
                                   {"PresenceState"}},
                         [ctx](ResponderPtr r) { presence_state_list(ctx, r); });
}

}  // namespace telephony::manager
