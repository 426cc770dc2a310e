// Registrar (RFC 3261 §10.3) for the AORs of pjsip.conf: bindings with expiry, max_contacts and
// remove_existing, minimum/default/maximum_expiration (423 with Min-Expires below the minimum),
// "Contact: *" removal, and the contacts that outbound calls ring. Bindings live in shards keyed
// by AOR; expiry is swept once a second by the stack.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "telephony/sip/options.hpp"
#include "transport.hpp"

namespace telephony {
class Engine;
}

namespace telephony::sip {

class ServerTransaction;

struct Binding {
  std::string aor;
  std::string endpoint;
  std::string uri;         // the Contact URI as registered
  std::string user_agent;
  std::string call_id;
  std::uint32_t cseq = 0;
  std::chrono::steady_clock::time_point expires_at;
  std::chrono::system_clock::time_point expires_wall;
  Address source;          // where the REGISTER came from: calls go there (NAT, rport)
  std::shared_ptr<Transport> transport;
  std::shared_ptr<Connection> connection;
  std::string status = "Unknown";  // qualify: Reachable / Unreachable / Unknown
  long rtt_us = 0;
  bool is_static = false;
};

class Registrar {
 public:
  explicit Registrar(Engine& engine);

  // Answers a REGISTER from `ep` (already identified and authenticated) on `txn`.
  void handle(ServerTransaction& txn, const EndpointOptions& ep, const SipConfig& cfg);
  // Bindings of one AOR (static contacts of the config first), and of all AORs.
  std::vector<Binding> contacts(const SipConfig& cfg, std::string_view aor) const;
  std::vector<Binding> all() const;
  std::size_t count() const;
  // Removes expired bindings (events, device state).
  void expire();
  void set_status(const std::string& aor, const std::string& uri, const std::string& status, long rtt_us);
  void remove_aor(const std::string& aor);

 private:
  void changed(const Binding& b, std::string_view what);
  static constexpr std::size_t kShards = 16;
  struct Shard {
    mutable std::mutex mu;
    std::map<std::string, std::vector<Binding>, std::less<>> by_aor;
  };
  Shard& shard(std::string_view aor) const;

  Engine& engine_;
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace telephony::sip
