// Engine events the SIP driver publishes on the EventBus: contact changes of the registrar and
// qualify (AMI ContactStatus) and outbound registration states (AMI Registry).
#pragma once

#include <string>

#include "telephony/events.hpp"

namespace telephony::sip {

struct ContactStatusChanged : Event {
  static constexpr std::string_view kType = "SipContactStatus";
  std::string_view type() const override { return kType; }
  std::string uri;
  std::string status;  // Created, Removed, Updated, Reachable, Unreachable, Unknown
  std::string aor;
  std::string endpoint;
  long rtt_us = 0;
  std::string user_agent;
  long long reg_expire = 0;  // seconds since the epoch
  std::string via_address;   // "ip:port"
  std::string call_id;
};

struct RegistryStateChanged : Event {
  static constexpr std::string_view kType = "SipRegistry";
  std::string_view type() const override { return kType; }
  std::string username;  // client_uri
  std::string domain;    // server_uri
  std::string status;    // Registered, Unregistered, Rejected, Failed
  std::string cause;
};

// Asterisk security events of the SIP service (ChallengeSent, SuccessfulAuth, InvalidPassword,
// InvalidAccountID, FailedACL). Temporary home until the core SecurityEvent seam lands in
// events.hpp; then the driver publishes that type instead (same fields).
struct SecurityEventRaised : Event {
  static constexpr std::string_view kType = "SipSecurityEvent";
  std::string_view type() const override { return kType; }
  std::string event;           // "InvalidPassword" …
  std::string service = "PJSIP";
  std::string account;
  std::string session_id;      // the Call-ID
  std::string remote_address;  // "IPV4/UDP/127.0.0.1/5061"
  std::string local_address;
};

}  // namespace telephony::sip
