// The SIP driver's engine events as AMI events: ContactStatus and Registry. (Its security events
// are the core SecurityEvent, mapped in events.cpp.)
#include "engine_events.hpp"
#include "telephony/sip/events.hpp"

namespace telephony::manager {

std::optional<MappedEvent> map_sip_event(const Event& ev) {
  if (auto* c = ev.as<sip::ContactStatusChanged>()) {
    MappedEvent out{ami::Message{}, Privilege::System};
    auto& m = out.message;
    m.add("Event", "ContactStatus");
    m.add("URI", c->uri);
    m.add("ContactStatus", c->status);
    m.add("AOR", c->aor);
    m.add("EndpointName", c->endpoint);
    m.add("RoundtripUsec", std::to_string(c->rtt_us));
    m.add("UserAgent", c->user_agent);
    m.add("RegExpire", std::to_string(c->reg_expire));
    m.add("ViaAddress", c->via_address);
    m.add("CallID", c->call_id);
    return out;
  }
  if (auto* r = ev.as<sip::RegistryStateChanged>()) {
    MappedEvent out{ami::Message{}, Privilege::System};
    auto& m = out.message;
    m.add("Event", "Registry");
    m.add("ChannelType", "PJSIP");
    m.add("Username", r->username);
    m.add("Domain", r->domain);
    m.add("Status", r->status);
    if (!r->cause.empty()) m.add("Cause", r->cause);
    return out;
  }
  return std::nullopt;
}

}  // namespace telephony::manager
