#include "telephony/security_log.hpp"

#include <cstdio>
#include <ctime>

namespace telephony {

namespace {
void field(std::string& out, std::string_view name, std::string_view value) {
  if (!out.empty()) out += ',';
  out.append(name).append("=\"");
  for (char c : value) out += c == '"' ? '\'' : c;
  out += '"';
}
}  // namespace

std::string format_security_event(const SecurityLogEntry& e) {
  // EventTV as Asterisk writes it: local time with microseconds and the UTC offset.
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(e.time.time_since_epoch()).count();
  const std::time_t tt = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  ::localtime_r(&tt, &tm);
  char date[32], zone[8], tv[64];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
  std::strftime(zone, sizeof zone, "%z", &tm);
  std::snprintf(tv, sizeof tv, "%s.%06lld%s", date, static_cast<long long>(us % 1000000), zone);
  std::string out;
  field(out, "SecurityEvent", e.event);
  field(out, "EventTV", tv);
  field(out, "Severity", e.severity);
  field(out, "Service", e.service);
  field(out, "EventVersion", "1");
  field(out, "AccountID", e.account);
  field(out, "SessionID", e.session_id);
  field(out, "LocalAddress", e.local_address);
  field(out, "RemoteAddress", e.remote_address);
  for (const auto& [k, v] : e.fields) field(out, k, v);
  return out;
}

}  // namespace telephony
