// manager::Server: the AMI (Asterisk Manager Interface) listener and its sessions.
//
// It owns TCP (and optionally TLS) listeners, authenticates sessions (plain Login or MD5
// Challenge), answers the session-level actions itself (Login, Logoff, Challenge, Ping, Events,
// Filter, ListCommands, WaitEvent) and dispatches every other action through its ActionTable,
// where the engine registers Originate, Hangup, Status ... with their documentation.
// It knows nothing of channels: events arrive ready-made through publish(), which serialises
// once and fans the bytes out to each logged-in session whose read classes, event mask and
// filters accept them. Every session has a bounded queue and its own writer, so a stuck client
// is cut off (queue over limit, or a write making no progress for writetimeout) without
// delaying publish() or any other session.
// Thread-safety: publish(), register_action(), reload(), stats() may be called from any thread;
// the server's sockets run on the io_context given to the constructor (any number of threads).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>

#include "telephony/manager/action_table.hpp"
#include "telephony/manager/event_filter.hpp"
#include "telephony/manager/message.hpp"
#include "telephony/manager/privilege.hpp"
#include "telephony/result.hpp"

namespace telephony::manager {

// One permit= / deny= line. Rules apply in order; the last matching rule wins; no match permits
// (Asterisk's ACL semantics).
struct AclRule {
  bool permit = true;
  boost::asio::ip::address network;
  unsigned prefix = 0;  // bits
  // "192.168.0.0/255.255.0.0", "10.0.0.0/8", "::1", "0.0.0.0/0.0.0.0".
  static Result<AclRule> parse(bool permit, std::string_view text);
  bool matches(const boost::asio::ip::address& a) const;
};
bool acl_permits(const std::vector<AclRule>& rules, const boost::asio::ip::address& a);

struct UserOptions {
  std::string name;
  std::string secret;
  std::vector<AclRule> acl;
  PrivilegeSet read;
  PrivilegeSet write;
  std::chrono::milliseconds writetimeout{100};  // Asterisk's default
  std::vector<EventFilter> eventfilters;
  std::vector<std::pair<std::string, std::string>> setvar;  // for Originate, kept for the engine
};

struct ServerOptions {
  bool enabled = true;
  std::string bindaddr = "127.0.0.1";  // Asterisk defaults to 0.0.0.0; we default to loopback
  std::uint16_t port = 5038;           // 0 = any free port (read back with Server::port())
  bool tls_enabled = false;
  std::string tls_bindaddr = "127.0.0.1";
  std::uint16_t tls_port = 5039;
  std::string tls_cert_file;           // PEM (tlscertfile)
  std::string tls_private_key;         // PEM (tlsprivatekey); defaults to tls_cert_file
  bool timestampevents = false;
  bool displayconnects = true;
  bool allowmultiplelogin = true;
  std::chrono::seconds authtimeout{30};
  unsigned authlimit = 50;             // concurrent unauthenticated sessions
  std::vector<std::string> channelvars;     // for the engine's channel events
  std::vector<std::string> disabledevents;  // event names never published
  std::size_t session_queue_limit = 10000;  // queued messages per session before disconnect
  std::chrono::milliseconds auth_failure_delay{1000};  // before "Authentication failed"
  std::string version = "5.0.0";       // AMI version in the banner
};

// What an action handler may know about the session that sent the action.
struct SessionInfo {
  std::uint64_t id = 0;
  std::string user;
  PrivilegeSet read;
  PrivilegeSet write;
  std::string remote;  // "address:port"
  std::vector<std::pair<std::string, std::string>> setvar;
};

// Handed to an action handler; replies may be sent now or later (the handler can keep it).
// Every message sent through it carries the request's ActionID.
class ActionResponder {
 public:
  virtual ~ActionResponder() = default;
  virtual const SessionInfo& session() const = 0;
  virtual const ami::Message& request() const = 0;
  virtual bool connected() const = 0;
  // Sends `m` as is, plus ActionID (placed second, after Response:/Event:).
  virtual void send(ami::Message m) = 0;

  void respond(ami::Message m) { send(std::move(m)); }
  void success(std::string_view message = {});
  void error(std::string_view message);
  // List actions: "Response: Success / EventList: start / Message: <message>", the items (each
  // an event), then "Event: <complete_event> / EventList: Complete / ListItems: N".
  void list_start(std::string_view message);
  void list_item(ami::Message event) { ++list_items_; send(std::move(event)); }
  void list_complete(std::string_view complete_event);

 private:
  std::size_t list_items_ = 0;
};

// One connected session (`manager show connected`).
struct SessionSummary {
  std::uint64_t id = 0;
  std::string user;    // empty until logged in
  std::string remote;  // "address:port"
  std::chrono::system_clock::time_point since;
  bool authenticated = false;
  PrivilegeSet read;
  PrivilegeSet write;
  std::size_t queued = 0;      // messages waiting to be written
  std::size_t high_water = 0;  // the deepest the queue has been
  std::size_t queue_limit = 0;
  std::uint64_t sent = 0;      // messages queued since login
};

// An authentication outcome, in Asterisk's security-event terms (AMI is the service): failures
// are InvalidAccountID, InvalidPassword, ChallengeResponseFailed, FailedACL, SessionLimit;
// successes SuccessfulAuth; ChallengeSent when a Challenge is handed out. Addresses are
// "IPV4/TCP/127.0.0.1/5038" (IPV6/… and TLS likewise).
struct SecurityReport {
  std::string event;
  std::string severity = "Error";  // "Informational" for SuccessfulAuth / ChallengeSent
  std::string account;
  std::string session_id;          // "0x…"
  std::string local_address;
  std::string remote_address;
  std::vector<std::pair<std::string, std::string>> fields;  // Challenge, ReceivedChallenge, ...
};

struct ServerStats {
  std::uint64_t sessions = 0;             // open now
  std::uint64_t authenticated = 0;        // logged in now
  std::uint64_t events_published = 0;
  std::uint64_t auth_failures = 0;
  std::uint64_t write_timeout_disconnects = 0;
  std::uint64_t queue_overflow_disconnects = 0;
  std::uint64_t authtimeout_disconnects = 0;
  std::uint64_t authlimit_rejections = 0;
};

class Server {
 public:
  using LogSink = std::function<void(std::string_view line)>;

  Server(boost::asio::io_context& io, ServerOptions options, std::vector<UserOptions> users);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts accepting; the error names the address:port (or certificate file).
  Result<void> start();
  // Closes listeners and every session.
  void stop();
  std::uint16_t port() const;
  std::uint16_t tls_port() const;

  // Fans `event` (which must start with Event:) out to accepting sessions. Adds
  // "Privilege: <classes>,all" after Event: and Timestamp: when timestampevents is on.
  void publish(const ami::Message& event, PrivilegeSet classes);

  void register_action(std::string name, PrivilegeSet privilege, ActionDoc doc, ActionHandler handler);
  std::vector<std::shared_ptr<const ActionEntry>> actions() const;
  std::optional<std::string> action_help(std::string_view name) const;

  // New options and users for logins from now on; open sessions keep what they logged in with.
  // Listener addresses are not rebound (restart the server for that).
  void reload(ServerOptions options, std::vector<UserOptions> users);

  ServerStats stats() const;
  std::vector<SessionSummary> sessions() const;
  // The users logins are checked against now (manager.conf as last applied).
  std::vector<UserOptions> users() const;
  // Where log lines go (connects, auth failures, slow-client disconnects); default std::clog.
  void set_log(LogSink sink);
  // Where authentication outcomes go (the security log, the event bus). Default: nowhere.
  using SecuritySink = std::function<void(const SecurityReport&)>;
  void set_security_sink(SecuritySink sink);

  struct Core;  // shared with sessions; defined in src/manager

 private:
  std::shared_ptr<Core> core_;
};

}  // namespace telephony::manager
