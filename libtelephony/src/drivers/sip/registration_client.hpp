// Outbound registration (pjsip.conf type=registration): REGISTER to a provider, answering 401/407
// with the outbound_auth credentials, refreshed before the granted expiry, retried every
// retry_interval after a failure (up to max_retries; 403 waits forbidden_retry_interval, or
// stops when it is 0). Each state change publishes RegistryStateChanged (AMI Registry).
// All work runs on the registration's own strand.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <mutex>
#include <string>

#include "telephony/sip/options.hpp"
#include "transaction.hpp"

namespace telephony::sip {

class SipStack;

class OutboundRegistration : public std::enable_shared_from_this<OutboundRegistration> {
 public:
  OutboundRegistration(std::shared_ptr<SipStack> stack, RegistrationOptions options);
  const RegistrationOptions& options() const { return options_; }
  void start();
  // REGISTER with Expires: 0 (PJSIPUnregister); start() registers again.
  void unregister();
  void stop();
  std::string status() const;        // Registered, Unregistered, Rejected, Failed
  long long next_refresh() const;    // seconds from now, 0 when none is scheduled

 private:
  void send(unsigned expires, const std::string& authorization);
  void on_response(StoredPtr resp, unsigned expires);
  void set_status(const std::string& status, const std::string& cause);
  void schedule(std::chrono::seconds after);

  std::shared_ptr<SipStack> stack_;
  RegistrationOptions options_;
  Strand strand_;
  boost::asio::steady_timer timer_;
  std::string call_id_;
  std::string from_tag_;
  std::uint32_t cseq_ = 0;
  unsigned retries_ = 0;
  bool auth_tried_ = false;
  bool stopped_ = false;
  unsigned nc_ = 0;
  mutable std::mutex mu_;
  std::string status_ = "Unregistered";
  std::chrono::steady_clock::time_point next_;
};

}  // namespace telephony::sip
