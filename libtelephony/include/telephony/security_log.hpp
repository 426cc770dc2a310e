// The text of a security event as Asterisk's res_security_log writes it at the SECURITY level —
// the form fail2ban's asterisk filter reads:
//   SecurityEvent="InvalidPassword",EventTV="2026-12-06T05:01:00.123456+0000",Severity="Error",
//   Service="AMI",EventVersion="1",AccountID="admin",SessionID="0x7",
//   LocalAddress="IPV4/TCP/127.0.0.1/5038",RemoteAddress="IPV4/TCP/127.0.0.1/54321",...
// Values cannot carry a double quote (it would end the field): one is written as a single quote.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace telephony {

struct SecurityLogEntry {
  std::string event;               // InvalidAccountID, InvalidPassword, ChallengeResponseFailed, FailedACL, ...
  std::string severity = "Error";  // or "Informational"
  std::string service;             // "AMI", "PJSIP"
  std::string account;
  std::string session_id;
  std::string local_address;       // "IPV4/TCP/127.0.0.1/5038"
  std::string remote_address;
  std::vector<std::pair<std::string, std::string>> fields;
  std::chrono::system_clock::time_point time = std::chrono::system_clock::now();
};

std::string format_security_event(const SecurityLogEntry& e);

}  // namespace telephony
