// SipStack: one engine's SIP user agent — its transports, transaction table, registrar,
// authenticator, dialogs, and the current configuration snapshot. It receives every message
// (parse → 400/505/drop, transaction matching, then routing), identifies and authenticates the
// endpoint a request comes from (nothing unidentified or unauthenticated reaches a dialplan
// context), answers OPTIONS, hands REGISTER to the registrar and INVITEs to new call sessions,
// and sends what sessions and the registrar ask it to.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "authenticator.hpp"
#include "registrar.hpp"
#include "registration_client.hpp"
#include "telephony/engine.hpp"
#include "telephony/sip/options.hpp"
#include "telephony/sip/uri.hpp"
#include "transaction.hpp"
#include "transport.hpp"

namespace telephony::sip {

class CallSession;

// Where to send a request and over what.
struct Destination {
  std::shared_ptr<Transport> transport;
  Address address;
  std::shared_ptr<Connection> connection;
};

class SipStack : public std::enable_shared_from_this<SipStack> {
 public:
  explicit SipStack(Engine& engine);
  ~SipStack();

  // Applies a configuration: the first call starts the transports; later calls (reload) swap the
  // snapshot; transports that changed are reported as needing a restart and keep running.
  Result<void, Errors> apply(SipConfig config);
  void stop();

  Engine& engine() { return engine_; }
  std::shared_ptr<const SipConfig> config() const;
  TransactionTable& transactions() { return *transactions_; }
  Registrar& registrar() { return registrar_; }
  std::vector<std::shared_ptr<Transport>> transports() const;

  // Resolves a target URI to a transport and address (IP literals; other host names through the
  // system resolver). `transport_name` forces an endpoint's transport.
  Result<Destination> resolve(const Uri& target, std::string_view transport_name = {}) const;
  // Sends a request through a new client transaction; the handler runs on `executor`.
  std::shared_ptr<ClientTransaction> send_request(Method method, const std::string& branch, std::string bytes,
                                                  const Destination& to, boost::asio::any_io_executor executor,
                                                  ClientTransaction::Handler handler);
  // Sends bytes outside any transaction (ACK for 2xx).
  void send_raw(const Destination& to, std::string bytes);
  // "SIP/2.0/UDP 127.0.0.1:5060;branch=…;rport"
  std::string via(const Transport& t, std::string_view branch) const;
  // "<sip:user@127.0.0.1:5060>" (";transport=tcp" for streams)
  std::string contact(const Transport& t, std::string_view user) const;
  const std::string& user_agent() const;

  // Outbound registrations (type=registration), in config order.
  std::vector<std::shared_ptr<OutboundRegistration>> registrations() const;

  // Sends OPTIONS to every contact of `aor`; ContactStatus follows (Reachable with the RTT, or
  // Unreachable). Returns how many contacts were asked.
  std::size_t qualify(const std::string& aor);

  // Dialogs by Call-ID and our tag.
  void add_dialog(const std::string& call_id, const std::string& local_tag, const std::shared_ptr<CallSession>& s);
  void remove_dialog(const std::string& call_id, const std::string& local_tag);
  std::shared_ptr<CallSession> find_dialog(std::string_view call_id, std::string_view local_tag) const;
  std::size_t call_count() const { return calls_.load(); }
  std::vector<std::shared_ptr<CallSession>> sessions() const;

  // Security log line (the form fail2ban's asterisk filter reads) plus a SecurityEvent.
  void log_failed_request(const Message& req, const Source& src, std::string_view reason);

  // `pjsip set logger on|off`: full messages in the log.
  void set_message_logging(bool on) { log_messages_ = on; }
  bool message_logging() const { return log_messages_.load(); }
  void log_message(bool received, std::string_view bytes, const Address& peer);

  struct Counters {
    std::atomic<std::uint64_t> received{0};
    std::atomic<std::uint64_t> malformed{0};
    std::atomic<std::uint64_t> overload_rejections{0};
    std::atomic<std::uint64_t> auth_failures{0};
  };
  const Counters& counters() const { return counters_; }

 private:
  friend class CallSession;
  void on_receive(std::string_view bytes, const Source& src);
  void on_request(const Message& req, std::string_view bytes, const Source& src);
  void on_new_request(std::shared_ptr<ServerTransaction> txn, std::shared_ptr<ServerTransaction> cancelled);
  void on_stray_response(const Message& resp, std::string_view bytes, const Source& src);
  // Identification by source address (identify sections) then by From user.
  std::shared_ptr<const EndpointOptions> identify(const SipConfig& cfg, const Message& req, const Source& src) const;
  bool acl_permits(const SipConfig& cfg, const EndpointOptions& ep, const Address& from) const;
  // True when the request may proceed; otherwise it has been answered (401/403).
  bool authenticate(const SipConfig& cfg, const EndpointOptions& ep, ServerTransaction& txn);
  void answer_options(ServerTransaction& txn);
  void respond_stateless(const Message& req, const Source& src, int code, std::string_view reason);
  void housekeeping();
  void restart_registrations();  // with mu_ held

  Engine& engine_;
  mutable std::mutex mu_;
  std::shared_ptr<const SipConfig> config_;
  std::vector<std::shared_ptr<Transport>> transports_;
  std::vector<std::shared_ptr<OutboundRegistration>> registrations_;
  std::unique_ptr<TransactionTable> transactions_;
  Registrar registrar_;
  Authenticator auth_;
  std::atomic<bool> log_messages_{false};
  std::atomic<bool> stopped_{false};
  Counters counters_;
  std::atomic<std::size_t> calls_{0};
  std::unique_ptr<boost::asio::steady_timer> housekeeping_;
  std::map<std::string, std::chrono::steady_clock::time_point> last_qualify_;  // guarded by mu_

  static constexpr std::size_t kDialogShards = 32;
  struct DialogShard {
    mutable std::mutex mu;
    std::unordered_map<std::string, std::weak_ptr<CallSession>> map;
  };
  std::array<DialogShard, kDialogShards> dialogs_;
  DialogShard& dialog_shard(std::string_view key) const {
    return const_cast<DialogShard&>(dialogs_[std::hash<std::string_view>{}(key) % kDialogShards]);
  }
};

// Asterisk's SIP ↔ Q.850 mappings (behaviour of hangup_sip2cause / hangup_cause2sip).
HangupCause cause_from_sip(int status);
int sip_from_cause(HangupCause cause);

}  // namespace telephony::sip
