// The systemd side of telephonyd (Type=notify): READY=1 once the control socket listens,
// RELOADING=1/READY=1 around reloads, STOPPING=1 at shutdown, STATUS= lines, and WATCHDOG=1 pings
// at half of WatchdogSec from a timer on the engine's io_context, so a wedged event loop stops the
// pings and systemd restarts the daemon. Through libsystemd's sd_notify when telephonyd was built
// with it (TELEPHONY_HAVE_SYSTEMD); without it every call is a no-op. Outside systemd
// (no NOTIFY_SOCKET) sd_notify does nothing, so the calls are always safe.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

namespace telephonyd {

class SystemdNotifier {
 public:
  explicit SystemdNotifier(boost::asio::io_context& io);
  ~SystemdNotifier();
  void ready(const std::string& status);
  void reloading();
  void stopping();
  void status(const std::string& text);
  // Starts the watchdog pings when systemd asked for them (WATCHDOG_USEC).
  void start_watchdog();
  void stop_watchdog();
  static bool available();  // built with libsystemd

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace telephonyd
