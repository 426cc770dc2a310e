#include "telephony/manager/server.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <iostream>

#include "session.hpp"
#include "telephony/manager/writer.hpp"

namespace telephony::manager {

namespace asio = boost::asio;
using boost::system::error_code;

// ---- ACL ---------------------------------------------------------------------------------------

Result<AclRule> AclRule::parse(bool permit, std::string_view text) {
  AclRule rule;
  rule.permit = permit;
  const auto slash = text.find('/');
  error_code ec;
  rule.network = asio::ip::make_address(std::string(text.substr(0, slash)), ec);
  if (ec) return fail("bad address '" + std::string(text.substr(0, slash)) + "'", permit ? "permit" : "deny");
  const unsigned max = rule.network.is_v4() ? 32 : 128;
  rule.prefix = max;
  if (slash != std::string_view::npos) {
    const std::string mask(text.substr(slash + 1));
    if (mask.find('.') != std::string::npos) {  // dotted netmask
      auto m = asio::ip::make_address_v4(mask, ec);
      if (ec) return fail("bad netmask '" + mask + "'", permit ? "permit" : "deny");
      rule.prefix = static_cast<unsigned>(__builtin_popcount(m.to_uint()));
    } else {
      char* end = nullptr;
      const unsigned long bits = std::strtoul(mask.c_str(), &end, 10);
      if (mask.empty() || *end != '\0' || bits > max) return fail("bad prefix length '" + mask + "'", permit ? "permit" : "deny");
      rule.prefix = static_cast<unsigned>(bits);
    }
  }
  return rule;
}

bool AclRule::matches(const asio::ip::address& a) const {
  auto addr = a;
  if (addr.is_v6() && addr.to_v6().is_v4_mapped() && network.is_v4())
    addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
  if (addr.is_v4() != network.is_v4()) return false;
  std::array<unsigned char, 16> x{}, y{};
  std::size_t len = 0;
  if (addr.is_v4()) {
    auto b1 = addr.to_v4().to_bytes(), b2 = network.to_v4().to_bytes();
    std::copy(b1.begin(), b1.end(), x.begin());
    std::copy(b2.begin(), b2.end(), y.begin());
    len = 4;
  } else {
    x = addr.to_v6().to_bytes();
    y = network.to_v6().to_bytes();
    len = 16;
  }
  unsigned bits = prefix;
  for (std::size_t i = 0; i < len && bits > 0; ++i) {
    const unsigned take = std::min(bits, 8u);
    const auto mask = static_cast<unsigned char>(0xFF << (8 - take));
    if ((x[i] & mask) != (y[i] & mask)) return false;
    bits -= take;
  }
  return true;
}

bool acl_permits(const std::vector<AclRule>& rules, const asio::ip::address& a) {
  bool allowed = true;
  for (const auto& r : rules)
    if (r.matches(a)) allowed = r.permit;
  return allowed;
}

// ---- responder helpers -------------------------------------------------------------------------

void ActionResponder::success(std::string_view message) {
  ami::Message m;
  m.add("Response", "Success");
  if (!message.empty()) m.add("Message", message);
  send(std::move(m));
}

void ActionResponder::error(std::string_view message) {
  ami::Message m;
  m.add("Response", "Error").add("Message", message);
  send(std::move(m));
}

void ActionResponder::list_start(std::string_view message) {
  ami::Message m;
  m.add("Response", "Success").add("EventList", "start").add("Message", message);
  send(std::move(m));
}

void ActionResponder::list_complete(std::string_view complete_event) {
  ami::Message m;
  m.add("Event", complete_event).add("EventList", "Complete").add("ListItems", std::to_string(list_items_));
  send(std::move(m));
}

// ---- core --------------------------------------------------------------------------------------

void Server::Core::remove(const Session* s) {
  std::lock_guard lock(sessions_mu);
  sessions.erase(std::remove_if(sessions.begin(), sessions.end(), [&](const auto& p) { return p.get() == s; }),
                 sessions.end());
}

bool Server::Core::user_logged_in(std::string_view user) const {
  std::lock_guard lock(sessions_mu);
  return std::any_of(sessions.begin(), sessions.end(),
                     [&](const auto& s) { return s->authenticated() && ami::iequals(s->user(), user); });
}

void Server::Core::log(const std::string& line) {
  std::lock_guard lock(log_mu);
  if (log_sink)
    log_sink(line);
  else
    std::clog << "manager: " << line << '\n';
}

void Server::Core::accept_next(bool tls) {
  auto& acc = tls ? tls_acceptor : acceptor;
  if (!acc || stopped) return;
  auto self = shared_from_this();
  // Each connection gets its own strand: sessions never serialise behind one another.
  acc->async_accept(asio::make_strand(io), [self, tls](error_code ec, asio::ip::tcp::socket socket) {
    if (self->stopped) return;
    if (!ec) {
      const auto cfg = self->snapshot();
      if (self->unauthenticated >= cfg->options.authlimit) {
        ++self->authlimit_rejections;
        self->log("Manager connection refused: authlimit of " + std::to_string(cfg->options.authlimit) +
                  " unauthenticated sessions reached");
        socket.close(ec);
      } else {
        ++self->unauthenticated;
        ++self->open_sessions;
        auto session = std::make_shared<Session>(self, std::move(socket), tls ? self->tls_context.get() : nullptr);
        {
          std::lock_guard lock(self->sessions_mu);
          self->sessions.push_back(session);
        }
        session->start();
      }
    }
    self->accept_next(tls);
  });
}

// ---- server ------------------------------------------------------------------------------------

Server::Server(asio::io_context& io, ServerOptions options, std::vector<UserOptions> users)
    : core_(std::make_shared<Core>(io)) {
  core_->config = std::make_shared<const ServerConfig>(ServerConfig{std::move(options), std::move(users)});
  // Session-level actions: answered by the session itself, listed here for their documentation.
  auto builtin = [&](std::string name, std::string synopsis, std::string description,
                     std::vector<ActionArgument> args = {}) {
    core_->actions.add(ActionEntry{std::move(name), PrivilegeSet::none(),
                                   ActionDoc{std::move(synopsis), std::move(description), std::move(args), {}}, {}});
  };
  builtin("Login", "Login Manager.", "Login Manager.",
          {{"Username", true, "Username to login with as specified in manager.conf."},
           {"Secret", false, "Secret to login with as specified in manager.conf."},
           {"AuthType", false, "MD5 to log in with Key = md5(challenge + secret)."},
           {"Key", false, "The MD5 digest for AuthType: MD5."},
           {"Events", false, "on, off, or a comma-separated list of event classes."}});
  builtin("Logoff", "Logoff Manager.", "Logoff the current manager session.");
  builtin("Challenge", "Generate Challenge for MD5 Auth.", "Generate a challenge for MD5 authentication.",
          {{"AuthType", true, "Digest algorithm to use in the challenge. Valid values are: MD5"}});
  builtin("Ping", "Keepalive command.", "A 'Ping' action will elicit a 'Pong' response.");
  builtin("Events", "Control Event Flow.", "Enable/Disable sending of events to this manager client.",
          {{"EventMask", true, "on, off, or a comma-separated list of event classes."}});
  builtin("Filter", "Dynamically add filters for the current manager session.",
          "The filters added are only used for the current session.",
          {{"Operation", false, "Add"}, {"Filter", true, "A legacy regex ('!' to exclude) or an advanced filter."}});
  builtin("FilterList", "Show current event filters for this session.",
          "Lists the event filters of this session (manager.conf eventfilter lines and Filter actions), one "
          "Filter: header each, includes first.");
  builtin("WaitEvent", "Wait for an event to occur.",
          "Answers at once, then sends WaitEventComplete after the next event this session receives "
          "(or after Timeout seconds; at most 60).",
          {{"Timeout", false, "Maximum time (in seconds) to wait for events, default and cap 60."}});
  builtin("ListCommands", "List available manager commands.",
          "Returns the action name and synopsis for every action that is available to the user.");
}

Server::~Server() { stop(); }

Result<void> Server::start() {
  const auto cfg = core_->snapshot();
  const auto& o = cfg->options;
  if (!o.enabled) return {};
  auto open = [&](const std::string& addr, std::uint16_t port) -> Result<std::unique_ptr<asio::ip::tcp::acceptor>> {
    const std::string where = addr + ":" + std::to_string(port);
    error_code ec;
    auto address = asio::ip::make_address(addr, ec);
    if (ec) return fail("bad bindaddr", where);
    asio::ip::tcp::endpoint ep(address, port);
    auto acc = std::make_unique<asio::ip::tcp::acceptor>(core_->io);
    acc->open(ep.protocol(), ec);
    if (!ec) acc->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acc->bind(ep, ec);
    if (!ec) acc->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return fail("cannot listen: " + ec.message(), where);
    return acc;
  };
  auto plain = open(o.bindaddr, o.port);
  if (!plain) return Unexpected<Error>{plain.error()};
  core_->acceptor = std::move(*plain);
  if (o.tls_enabled) {
    auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    error_code ec;
    ctx->use_certificate_chain_file(o.tls_cert_file, ec);
    if (ec) return fail("cannot load certificate: " + ec.message(), o.tls_cert_file);
    const std::string& key = o.tls_private_key.empty() ? o.tls_cert_file : o.tls_private_key;
    ctx->use_private_key_file(key, asio::ssl::context::pem, ec);
    if (ec) return fail("cannot load private key: " + ec.message(), key);
    auto tls = open(o.tls_bindaddr, o.tls_port);
    if (!tls) return Unexpected<Error>{tls.error()};
    core_->tls_context = std::move(ctx);
    core_->tls_acceptor = std::move(*tls);
  }
  core_->stopped = false;
  core_->accept_next(false);
  if (core_->tls_acceptor) core_->accept_next(true);
  return {};
}

void Server::stop() {
  if (core_->stopped.exchange(true)) return;
  error_code ec;
  if (core_->acceptor) core_->acceptor->close(ec);
  if (core_->tls_acceptor) core_->tls_acceptor->close(ec);
  std::vector<std::shared_ptr<Session>> sessions;
  {
    std::lock_guard lock(core_->sessions_mu);
    sessions = core_->sessions;
  }
  for (auto& s : sessions) s->close("server stopped");
}

std::uint16_t Server::port() const {
  error_code ec;
  return core_->acceptor ? core_->acceptor->local_endpoint(ec).port() : 0;
}

std::uint16_t Server::tls_port() const {
  error_code ec;
  return core_->tls_acceptor ? core_->tls_acceptor->local_endpoint(ec).port() : 0;
}

void Server::publish(const ami::Message& event, PrivilegeSet classes) {
  if (event.empty()) return;
  const auto cfg = core_->snapshot();
  const auto name = event.event();
  for (const auto& d : cfg->options.disabledevents)
    if (ami::iequals(d, name)) return;
  // Serialised once; every session queues the same bytes.
  std::string text;
  text.reserve(64 + event.size() * 32);
  auto first = event.at(0);
  ami::Writer::header(text, first.key, first.value);
  ami::Writer::header(text, "Privilege", classes.empty() ? std::string("all") : classes.to_string() + ",all");
  if (cfg->options.timestampevents) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count();
    ami::Writer::header(text, "Timestamp", std::to_string(us / 1000000) + "." +
                                               std::string(6 - std::min<std::size_t>(6, std::to_string(us % 1000000).size()), '0') +
                                               std::to_string(us % 1000000));
  }
  for (std::size_t i = 1; i < event.size(); ++i) {
    auto h = event.at(i);
    if (ami::iequals(h.key, "Privilege")) continue;
    ami::Writer::header(text, h.key, h.value);
  }
  ami::Writer::end(text);
  ++core_->events_published;
  const auto bytes = std::make_shared<const std::string>(std::move(text));
  std::lock_guard lock(core_->sessions_mu);
  for (const auto& s : core_->sessions) s->offer_event(bytes, event, classes);
}

void Server::register_action(std::string name, PrivilegeSet privilege, ActionDoc doc, ActionHandler handler) {
  std::lock_guard lock(core_->actions_mu);
  core_->actions.add(ActionEntry{std::move(name), privilege, std::move(doc), std::move(handler)});
}

std::vector<std::shared_ptr<const ActionEntry>> Server::actions() const {
  std::lock_guard lock(core_->actions_mu);
  return core_->actions.list();
}

std::optional<std::string> Server::action_help(std::string_view name) const {
  std::lock_guard lock(core_->actions_mu);
  return core_->actions.help(name);
}

void Server::reload(ServerOptions options, std::vector<UserOptions> users) {
  auto next = std::make_shared<const ServerConfig>(ServerConfig{std::move(options), std::move(users)});
  std::lock_guard lock(core_->config_mu);
  core_->config = std::move(next);
  core_->last_reload = std::chrono::system_clock::now();
}

ServerStats Server::stats() const {
  ServerStats s;
  s.sessions = core_->open_sessions;
  s.authenticated = core_->authenticated;
  s.events_published = core_->events_published;
  s.auth_failures = core_->auth_failures;
  s.write_timeout_disconnects = core_->write_timeout_disconnects;
  s.queue_overflow_disconnects = core_->queue_overflow_disconnects;
  s.authtimeout_disconnects = core_->authtimeout_disconnects;
  s.authlimit_rejections = core_->authlimit_rejections;
  return s;
}

std::vector<SessionSummary> Server::sessions() const {
  std::vector<std::shared_ptr<Session>> list;
  {
    std::lock_guard lock(core_->sessions_mu);
    list = core_->sessions;
  }
  std::vector<SessionSummary> out;
  out.reserve(list.size());
  for (const auto& s : list) out.push_back(s->summary());
  return out;
}

std::vector<UserOptions> Server::users() const { return core_->snapshot()->users; }

void Server::set_security_sink(SecuritySink sink) {
  std::lock_guard lock(core_->log_mu);
  core_->security_sink = std::move(sink);
}

void Server::set_log(LogSink sink) {
  std::lock_guard lock(core_->log_mu);
  core_->log_sink = std::move(sink);
}

}  // namespace telephony::manager
