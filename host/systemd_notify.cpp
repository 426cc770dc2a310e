#include "systemd_notify.hpp"

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>

#ifdef TELEPHONY_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

namespace telephonyd {

namespace {
void notify(const std::string& state) {
#ifdef TELEPHONY_HAVE_SYSTEMD
  (void)::sd_notify(0, state.c_str());
#else
  (void)state;
#endif
}
}  // namespace

struct SystemdNotifier::Impl {
  explicit Impl(boost::asio::io_context& io) : timer(io) {}
  boost::asio::steady_timer timer;
  std::chrono::microseconds interval{0};
  bool running = false;
  void arm() {
    timer.expires_after(interval / 2);
    timer.async_wait([this](boost::system::error_code ec) {
      if (ec || !running) return;
      notify("WATCHDOG=1");
      arm();
    });
  }
};

SystemdNotifier::SystemdNotifier(boost::asio::io_context& io) : impl_(std::make_unique<Impl>(io)) {}
SystemdNotifier::~SystemdNotifier() { stop_watchdog(); }

bool SystemdNotifier::available() {
#ifdef TELEPHONY_HAVE_SYSTEMD
  return true;
#else
  return false;
#endif
}

void SystemdNotifier::ready(const std::string& status) { notify("READY=1\nSTATUS=" + status); }
void SystemdNotifier::reloading() { notify("RELOADING=1"); }
void SystemdNotifier::stopping() { notify("STOPPING=1"); }
void SystemdNotifier::status(const std::string& text) { notify("STATUS=" + text); }

void SystemdNotifier::start_watchdog() {
#ifdef TELEPHONY_HAVE_SYSTEMD
  std::uint64_t usec = 0;
  if (::sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return;
  impl_->interval = std::chrono::microseconds(usec);
  impl_->running = true;
  notify("WATCHDOG=1");
  impl_->arm();
#endif
}

void SystemdNotifier::stop_watchdog() {
  impl_->running = false;
  impl_->timer.cancel();
}

}  // namespace telephonyd
