// The text of a security event as Asterisk's res_security_log writes it at the SECURITY level —
// the form fail2ban's asterisk filter reads:
//   SecurityEvent="InvalidPassword",EventTV="2026-12-06T05:01:00.123456+0000",Severity="Error",
//   Service="AMI",EventVersion="1",AccountID="admin",SessionID="0x7",
//   LocalAddress="IPV4/TCP/127.0.0.1/5038",RemoteAddress="IPV4/TCP/127.0.0.1/54321",...
// Values cannot carry a double quote (it would end the field): one is written as a single quote.
//
// SecurityLogWriter is res_security_log itself: one event-bus subscription that writes every
// SecurityEvent of every service (AMI, PJSIP, …) at the SECURITY level, so each service only
// publishes events and the log — and fail2ban — sees them all in one form.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "telephony/events.hpp"

namespace telephony {

class Engine;

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
SecurityLogEntry security_log_entry(const SecurityEvent& ev);

class SecurityLogWriter {
 public:
  // Subscribes to `engine`'s bus; lines are written while the logger wants SECURITY.
  explicit SecurityLogWriter(Engine& engine);
  SecurityLogWriter(const SecurityLogWriter&) = delete;
  SecurityLogWriter& operator=(const SecurityLogWriter&) = delete;
  std::uint64_t written() const { return written_->load(); }

 private:
  std::shared_ptr<std::atomic<std::uint64_t>> written_ = std::make_shared<std::atomic<std::uint64_t>>(0);
  EventBus::Subscription sub_;
};

}  // namespace telephony
