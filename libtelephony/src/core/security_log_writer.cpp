// res_security_log: every SecurityEvent on the bus, whichever service published it, written at
// the SECURITY level in the form format_security_event() gives.
#include <optional>

#include "telephony/engine.hpp"
#include "telephony/security_log.hpp"

namespace telephony {

SecurityLogEntry security_log_entry(const SecurityEvent& ev) {
  SecurityLogEntry e{ev.name,       ev.severity,      ev.service,        ev.account_id,
                     ev.session_id, ev.local_address, ev.remote_address, ev.fields};
  e.time = ev.time;
  return e;
}

SecurityLogWriter::SecurityLogWriter(Engine& engine) {
  Engine* eng = &engine;
  auto written = written_;
  // Security events are rare and every one matters to fail2ban: a deep queue, never a slow call.
  sub_ = engine.events().subscribe(
      {.name = "security-log", .capacity = 1u << 14}, [eng, written](const EventPtr& ev) {
        auto& log = eng->log();
        if (!log.enabled(LogLevel::Security)) return;
        std::optional<SecurityLogEntry> entry;
        if (const auto* s = ev->as<SecurityEvent>()) entry = security_log_entry(*s);
        if (!entry) return;
        log.security("security", format_security_event(*entry));
        written->fetch_add(1);
      });
}

}  // namespace telephony
