// Confbridge* engine events -> AMI events, with Asterisk's field order: Conference, the bridge
// snapshot, the channel snapshot, then Admin / Muted / TalkingStatus. Class call.
#include "engine_events.hpp"
#include "telephony/confbridge.hpp"

namespace telephony::manager {

std::optional<MappedEvent> map_confbridge_event(const Event& ev, const ChannelVarLookup& vars) {
  auto* c = dynamic_cast<const confbridge::ConfbridgeEvent*>(&ev);
  if (!c) return std::nullopt;
  MappedEvent out{ami::Message{}, Privilege::Call};
  out.message.add("Event", ev.type());
  out.message.add("Conference", c->conference);
  add_bridge_snapshot(out.message, c->bridge);
  if (auto* u = dynamic_cast<const confbridge::ConfbridgeUserEvent*>(&ev)) {
    add_channel_snapshot(out.message, u->channel, {}, vars ? vars(u->channel) : ChannelVars{});
    if (auto* t = ev.as<confbridge::ConfbridgeTalking>()) out.message.add("TalkingStatus", t->talking ? "on" : "off");
    out.message.add("Admin", u->admin ? "Yes" : "No");
    if (auto* j = ev.as<confbridge::ConfbridgeJoin>()) out.message.add("Muted", j->muted ? "Yes" : "No");
  }
  return out;
}

}  // namespace telephony::manager
