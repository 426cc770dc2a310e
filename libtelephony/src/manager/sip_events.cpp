// The SIP driver's engine events as AMI events: ContactStatus, Registry, and the Asterisk
// security events (InvalidPassword, ChallengeSent, SuccessfulAuth, InvalidAccountID, FailedACL)
// with the field names Asterisk's res_security_log/manager use.
#include <chrono>
#include <cstdio>

#include "engine_events.hpp"
#include "telephony/sip/events.hpp"

namespace telephony::manager {

namespace {
// "1700000000-123456" (seconds-microseconds), Asterisk's EventTV form.
std::string event_tv(std::chrono::system_clock::time_point t) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  char buf[48];
  std::snprintf(buf, sizeof buf, "%lld-%06lld", static_cast<long long>(us / 1000000), static_cast<long long>(us % 1000000));
  return buf;
}
}  // namespace

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
  if (auto* s = ev.as<sip::SecurityEventRaised>()) {
    MappedEvent out{ami::Message{}, Privilege::Security};
    auto& m = out.message;
    m.add("Event", s->event);
    m.add("EventTV", event_tv(s->time));
    const bool info = s->event == "SuccessfulAuth" || s->event == "ChallengeSent";
    m.add("Severity", info ? "Informational" : "Error");
    m.add("Service", s->service);
    m.add("EventVersion", "1");
    m.add("AccountID", s->account);
    m.add("SessionID", s->session_id);
    m.add("LocalAddress", s->local_address);
    m.add("RemoteAddress", s->remote_address);
    if (s->event == "SuccessfulAuth") m.add("UsingPassword", "1");
    return out;
  }
  return std::nullopt;
}

}  // namespace telephony::manager
