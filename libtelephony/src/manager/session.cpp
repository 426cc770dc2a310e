#include "session.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <random>

#include "telephony/manager/client.hpp"  // md5_hex
#include "telephony/manager/writer.hpp"

namespace telephony::manager {

namespace asio = boost::asio;
using asio::use_awaitable;
using boost::system::error_code;
using ami::iequals;
using ami::Message;
using ami::Writer;

namespace {
std::atomic<std::uint64_t> g_next_session_id{1};
constexpr std::size_t kMaxWriteBatch = 64 * 1024;  // bytes per write: keeps the write watchdog meaningful

std::string timestamp_now() {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count();
  char buf[48];
  std::snprintf(buf, sizeof buf, "%lld.%06lld", static_cast<long long>(us / 1000000), static_cast<long long>(us % 1000000));
  return buf;
}

// Builds a two-header message. Not brace-initialised: g++ 12 rejects initializer lists of string
// literals inside coroutines ("array used as initializer").
Message two_headers(std::string_view k1, std::string_view v1, std::string_view k2, std::string_view v2) {
  Message m;
  m.add(k1, v1).add(k2, v2);
  return m;
}

// Events: on|off|<class list>, as the Login and Events actions take it.
PrivilegeSet parse_event_mask(std::string_view v) {
  if (iequals(v, "on") || iequals(v, "yes") || iequals(v, "true") || v.empty()) return PrivilegeSet::all();
  if (iequals(v, "off") || iequals(v, "no") || iequals(v, "false")) return PrivilegeSet::none();
  auto parsed = PrivilegeSet::parse(v);
  return parsed ? *parsed : PrivilegeSet::none();
}

// The responder given to registered action handlers. Holds the session weakly: a handler that
// answers after the client went away simply has nobody to talk to.
class SessionResponder final : public ActionResponder {
 public:
  SessionResponder(std::weak_ptr<Session> s, SessionInfo info, Message request)
      : session_(std::move(s)), info_(std::move(info)), request_(std::move(request)) {}
  const SessionInfo& session() const override { return info_; }
  const Message& request() const override { return request_; }
  bool connected() const override { return !session_.expired(); }
  void send(Message m) override {
    auto s = session_.lock();
    if (!s) return;
    std::string out;
    const auto id = request_.get("ActionID");
    for (std::size_t i = 0; i < m.size(); ++i) {
      auto h = m.at(i);
      if (id && iequals(h.key, "ActionID")) continue;
      Writer::header(out, h.key, h.value);
      if (i == 0 && id) Writer::header(out, "ActionID", *id);
    }
    if (m.empty() && id) Writer::header(out, "ActionID", *id);
    Writer::end(out);
    s->enqueue(std::move(out));
  }

 private:
  std::weak_ptr<Session> session_;
  SessionInfo info_;
  Message request_;
};
}  // namespace

Session::Session(std::shared_ptr<Server::Core> core, asio::ip::tcp::socket socket, asio::ssl::context* tls)
    : core_(std::move(core)), ex_(socket.get_executor()), auth_timer_(ex_), write_deadline_(ex_), wait_event_timer_(ex_),
      id_(g_next_session_id++) {
  error_code ec;
  auto ep = socket.remote_endpoint(ec);
  remote_ = ec ? "unknown" : ep.address().to_string() + ":" + std::to_string(ep.port());
  if (tls)
    tls_.emplace(std::move(socket), *tls);
  else
    plain_.emplace(std::move(socket));
  queue_limit_ = core_->snapshot()->options.session_queue_limit;
}

std::string Session::user() const {
  return authenticated() ? info_.user : std::string();
}

void Session::start() { asio::co_spawn(ex_, run(), asio::detached); }

asio::awaitable<std::size_t> Session::read_some(char* p, std::size_t n, error_code& ec) {
  if (tls_) co_return co_await tls_->async_read_some(asio::buffer(p, n), asio::redirect_error(use_awaitable, ec));
  co_return co_await plain_->async_read_some(asio::buffer(p, n), asio::redirect_error(use_awaitable, ec));
}

asio::awaitable<void> Session::run() {
  auto self = shared_from_this();
  const auto cfg = core_->snapshot();
  auth_timer_.expires_after(cfg->options.authtimeout);
  auth_timer_.async_wait([self](error_code ec) {
    if (ec || self->authenticated()) return;
    ++self->core_->authtimeout_disconnects;
    self->core_->log("Manager session from " + self->remote_ + " closed: not authenticated within authtimeout");
    self->do_close("authtimeout");
  });
  error_code ec;
  if (tls_) {
    co_await tls_->async_handshake(asio::ssl::stream_base::server, asio::redirect_error(use_awaitable, ec));
    if (ec) {
      core_->log("Manager TLS handshake with " + remote_ + " failed: " + ec.message());
      do_close("tls handshake");
      co_return;
    }
  }
  enqueue("Asterisk Call Manager/" + cfg->options.version + "\r\n");
  std::vector<char> buf(8192);
  for (;;) {
    const std::size_t n = co_await read_some(buf.data(), buf.size(), ec);
    if (ec) break;
    parser_.feed(std::string_view(buf.data(), n));
    while (auto r = parser_.next()) {
      if (!*r) {
        Message err;
        err.add("Response", "Error").add("Message", r->error().message);
        enqueue(Writer::to_string(err));
        continue;
      }
      co_await handle(std::move(**r));
      std::lock_guard lock(mu_);
      if (closed_ || close_after_flush_) co_return;
    }
  }
  do_close(ec ? ec.message() : "read end");
}

void Session::reply(const Message& request, Message response) {
  SessionResponder(weak_from_this(), {}, request).send(std::move(response));
}

asio::awaitable<void> Session::handle(Message m) {
  const auto action_opt = m.get("Action");
  if (!action_opt || action_opt->empty()) {
    reply(m, two_headers("Response", "Error", "Message", "Missing action in request"));
    co_return;
  }
  const std::string action(*action_opt);
  if (iequals(action, "Login")) {
    co_await login(m);
    co_return;
  }
  if (iequals(action, "Challenge")) {
    if (!iequals(m.get_or("AuthType"), "MD5")) {
      reply(m, two_headers("Response", "Error", "Message", "Must specify AuthType"));
      co_return;
    }
    if (challenge_.empty()) challenge_ = std::to_string(std::random_device{}() % 1000000000u);
    Message r;
    r.add("Response", "Success").add("Challenge", challenge_);
    reply(m, std::move(r));
    co_return;
  }
  if (iequals(action, "Logoff")) {
    reply(m, two_headers("Response", "Goodbye", "Message", "Thanks for all the fish."));
    if (authenticated() && core_->snapshot()->options.displayconnects)
      core_->log("Manager '" + info_.user + "' logged off from " + remote_);
    std::lock_guard lock(mu_);
    close_after_flush_ = true;
    if (!writing_) asio::post(ex_, [self = shared_from_this()] { self->write_next(); });
    co_return;
  }
  if (!authenticated()) {
    reply(m, two_headers("Response", "Error", "Message", "Permission denied"));
    co_return;
  }
  if (iequals(action, "Ping")) {
    Message r;
    r.add("Response", "Success").add("Ping", "Pong").add("Timestamp", timestamp_now());
    reply(m, std::move(r));
  } else if (iequals(action, "Events")) {
    const PrivilegeSet mask = parse_event_mask(m.get_or("EventMask"));
    event_mask_.store(mask.bits(), std::memory_order_release);
    reply(m, two_headers("Response", "Success", "Events", mask.empty() ? "Off" : "On"));
  } else if (iequals(action, "Filter")) {
    const auto op = m.get_or("Operation", "Add");
    if (!iequals(op, "Add")) {
      reply(m, two_headers("Response", "Error", "Message", "Unknown operation"));
      co_return;
    }
    auto f = EventFilter::parse_line(m.get_or("Filter"));
    if (!f) {
      Message r;
      r.add("Response", "Error").add("Message", "Filter did not compile. Check the syntax of the filter given.");
      reply(m, std::move(r));
      co_return;
    }
    {
      std::lock_guard lock(mu_);  // not held across reply(): push() takes it too
      auto next = std::make_shared<FilterSet>(filters_ ? *filters_ : FilterSet{});
      next->add(std::move(*f));
      filters_ = std::move(next);
    }
    reply(m, two_headers("Response", "Success", "Message", "Filter Added Successfully"));
  } else if (iequals(action, "FilterList")) {
    // The session's filters (manager.conf eventfilter lines plus Filter actions), one Filter: each.
    std::vector<std::string> lines;
    {
      std::lock_guard lock(mu_);
      if (filters_) lines = filters_->describe();
    }
    Message r;
    r.add("Response", "Success");
    for (const auto& l : lines) r.add("Filter", l);
    reply(m, std::move(r));
  } else if (iequals(action, "WaitEvent")) {
    // Over TCP events already stream; WaitEvent only marks where the next one arrived.
    long timeout = 60;
    if (auto t = m.get("Timeout"); t && !t->empty()) timeout = std::strtol(std::string(*t).c_str(), nullptr, 10);
    if (timeout <= 0 || timeout > 60) timeout = 60;
    reply(m, two_headers("Response", "Success", "Message", "Waiting for Event completed."));
    {
      std::lock_guard lock(mu_);
      waiting_for_event_ = std::string(m.action_id());
    }
    wait_event_timer_.expires_after(std::chrono::seconds(timeout));
    wait_event_timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec) self->finish_wait_event();
    });
  } else if (iequals(action, "ListCommands")) {
    std::vector<std::shared_ptr<const ActionEntry>> entries;
    {
      std::lock_guard lock(core_->actions_mu);
      entries = core_->actions.list();
    }
    Message r;
    r.add("Response", "Success");
    for (const auto& e : entries) {
      if (!e->privilege.empty() && !info_.write.intersects(e->privilege)) continue;
      r.add(e->name, e->doc.synopsis + " (Priv: " + (e->privilege.empty() ? std::string("<none>") : e->privilege.to_string()) + ")");
    }
    reply(m, std::move(r));
  } else {
    dispatch_registered(std::move(m));
  }
}

void Session::dispatch_registered(Message m) {
  auto entry = core_->find_action(m.action());
  if (!entry || !entry->handler) {
    Message r;
    r.add("Response", "Error")
        .add("Message", "Invalid/unknown command: " + std::string(m.action()) +
                            ". Use Action: ListCommands to show available commands.");
    reply(m, std::move(r));
    return;
  }
  if (!entry->privilege.empty() && !info_.write.intersects(entry->privilege)) {
    reply(m, two_headers("Response", "Error", "Message", "Permission denied"));
    return;
  }
  auto responder = std::make_shared<SessionResponder>(weak_from_this(), info_, m);
  try {
    entry->handler(responder);
  } catch (const std::exception& e) {
    core_->log("Manager action " + entry->name + " threw: " + e.what());
    responder->error("Internal error");
  }
}

asio::awaitable<void> Session::login(const Message& m) {
  if (authenticated()) {
    reply(m, two_headers("Response", "Success", "Message", "Already authenticated"));
    co_return;
  }
  const auto cfg = core_->snapshot();
  const std::string_view name = m.get_or("Username");
  const UserOptions* user = nullptr;
  for (const auto& u : cfg->users)
    if (iequals(u.name, name)) user = &u;
  std::string why;
  std::string event;  // the security event for a failure
  if (!user) {
    why = "no such user";
    event = "InvalidAccountID";
  } else {
    error_code ec;
    const auto& sock = tls_ ? tls_->next_layer() : *plain_;
    const auto ep = sock.remote_endpoint(ec);
    if (ec || !acl_permits(user->acl, ep.address())) {
      why = "address not permitted";
      event = "FailedACL";
    } else if (iequals(m.get_or("AuthType"), "MD5")) {
      if (challenge_.empty() || ami::md5_hex(challenge_ + user->secret) != m.get_or("Key")) {
        why = "bad MD5 key";
        event = "ChallengeResponseFailed";
      }
    } else if (m.get_or("Secret") != user->secret) {
      why = "bad secret";
      event = "InvalidPassword";
    }
    if (why.empty() && !cfg->options.allowmultiplelogin && core_->user_logged_in(user->name)) {
      why = "already logged in and allowmultiplelogin=no";
      event = "SessionLimit";
    }
  }
  {
    SecurityReport rep = security_report(why.empty() ? "SuccessfulAuth" : event, std::string(name));
    if (why.empty()) {
      rep.severity = "Informational";
      rep.fields = {{"UsingPassword", iequals(m.get_or("AuthType"), "MD5") ? "0" : "1"}};
    } else if (event == "ChallengeResponseFailed") {
      rep.fields = {{"Challenge", challenge_}, {"Response", std::string(m.get_or("Key"))}, {"ExpectedResponse", ""}};
    } else if (event == "InvalidPassword") {
      rep.fields = {{"Challenge", ""}, {"ReceivedChallenge", ""}, {"ReceivedHash", ""}};
    }
    core_->security(rep);
  }
  if (!why.empty()) {
    ++core_->auth_failures;
    core_->log("Manager login from " + remote_ + " as '" + std::string(name) + "' failed: " + why);
    // The delay slows password guessing; the socket closes once the answer is written.
    asio::steady_timer delay(ex_, cfg->options.auth_failure_delay);
    error_code ec;
    co_await delay.async_wait(asio::redirect_error(use_awaitable, ec));
    reply(m, two_headers("Response", "Error", "Message", "Authentication failed"));
    std::lock_guard lock(mu_);
    close_after_flush_ = true;
    if (!writing_) asio::post(ex_, [self = shared_from_this()] { self->write_next(); });
    co_return;
  }
  info_.id = id_;
  info_.user = user->name;
  info_.read = user->read;
  info_.write = user->write;
  info_.remote = remote_;
  info_.setvar = user->setvar;
  writetimeout_ = user->writetimeout;
  {
    auto fs = std::make_shared<FilterSet>();
    for (const auto& f : user->eventfilters) fs->add(f);
    std::lock_guard lock(mu_);
    filters_ = std::move(fs);
    queue_limit_ = cfg->options.session_queue_limit;
  }
  const auto events_header = m.get("Events");
  const PrivilegeSet mask = events_header ? parse_event_mask(*events_header) : PrivilegeSet::all();
  event_mask_.store(mask.bits(), std::memory_order_release);
  authenticated_.store(true, std::memory_order_release);
  auth_timer_.cancel();
  --core_->unauthenticated;
  ++core_->authenticated;
  reply(m, two_headers("Response", "Success", "Message", "Authentication accepted"));
  if (cfg->options.displayconnects) core_->log("Manager '" + info_.user + "' logged on from " + remote_);
  if (info_.read.contains(Privilege::System) && mask.contains(Privilege::System)) {
    const auto now = std::chrono::system_clock::now();
    Message ev;
    ev.add("Event", "FullyBooted").add("Privilege", "system,all")
        .add("Uptime", std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now - core_->started).count()))
        .add("LastReload", std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now - core_->last_reload).count()))
        .add("Status", "Fully Booted");
    enqueue(Writer::to_string(ev));
  }
}

void Session::offer_event(const std::shared_ptr<const std::string>& bytes, const Message& event, PrivilegeSet classes) {
  if (!authenticated()) return;
  if (!info_.read.contains(classes)) return;
  if (!PrivilegeSet::from_bits(event_mask_.load(std::memory_order_acquire)).contains(classes)) return;
  // One lock per event on the common path (no filters, no WaitEvent pending): at event-storm
  // rates the publisher and this session's writer otherwise meet on mu_ several times per event.
  PushResult r;
  bool waiting = false;
  {
    std::lock_guard lock(mu_);
    if (filters_ && !filters_->empty() && !filters_->accepts(event, *bytes)) return;
    r = push_locked(bytes);
    waiting = waiting_for_event_.has_value();
  }
  after_push(r);
  if (waiting) finish_wait_event();
}

void Session::finish_wait_event() {
  std::optional<std::string> id;
  {
    std::lock_guard lock(mu_);
    if (!waiting_for_event_) return;
    id = std::move(waiting_for_event_);
    waiting_for_event_.reset();
  }
  Message done;
  done.add("Event", "WaitEventComplete");
  if (!id->empty()) done.add("ActionID", *id);
  enqueue(Writer::to_string(done));
  asio::post(ex_, [self = shared_from_this()] { self->wait_event_timer_.cancel(); });
}

void Session::enqueue(std::string bytes) { push(std::make_shared<const std::string>(std::move(bytes))); }

void Session::push(std::shared_ptr<const std::string> bytes) {
  PushResult r;
  {
    std::lock_guard lock(mu_);
    r = push_locked(std::move(bytes));
  }
  after_push(r);
}

SecurityReport Session::security_report(std::string event, std::string account) const {
  auto addr = [](const asio::ip::tcp::endpoint& ep, bool tls) {
    const auto ip = ep.address();
    std::string a = ip.is_v6() && !ip.to_v6().is_v4_mapped() ? "IPV6/" : "IPV4/";
    const std::string host = ip.is_v6() && ip.to_v6().is_v4_mapped()
                                 ? asio::ip::make_address_v4(asio::ip::v4_mapped, ip.to_v6()).to_string()
                                 : ip.to_string();
    return a + (tls ? "TLS/" : "TCP/") + host + "/" + std::to_string(ep.port());
  };
  SecurityReport r;
  r.event = std::move(event);
  r.account = std::move(account);
  char sid[32];
  std::snprintf(sid, sizeof sid, "0x%llx", static_cast<unsigned long long>(id_));
  r.session_id = sid;
  error_code ec;
  const auto& sock = tls_ ? tls_->next_layer() : *plain_;
  const auto local = sock.local_endpoint(ec);
  if (!ec) r.local_address = addr(local, tls_.has_value());
  const auto remote = sock.remote_endpoint(ec);
  if (!ec) r.remote_address = addr(remote, tls_.has_value());
  return r;
}

SessionSummary Session::summary() const {
  SessionSummary out;
  out.id = id_;
  out.remote = remote_;
  out.since = connected_at_;
  out.authenticated = authenticated();
  if (out.authenticated) {
    out.user = info_.user;
    out.read = info_.read;
    out.write = info_.write;
  }
  std::lock_guard lock(mu_);
  out.queued = queue_.size();
  out.high_water = high_water_;
  out.queue_limit = queue_limit_;
  out.sent = sent_;
  return out;
}

Session::PushResult Session::push_locked(std::shared_ptr<const std::string> bytes) {
  if (closed_) return PushResult::Dropped;
  if (queue_.size() >= queue_limit_) {
    closed_ = true;  // stop accepting now; the strand does the actual close
    queue_.clear();
    return PushResult::Overflow;
  }
  queue_.push_back(std::move(bytes));
  ++sent_;
  if (queue_.size() > high_water_) high_water_ = queue_.size();
  const bool kick = !writing_;
  writing_ = true;
  return kick ? PushResult::Kick : PushResult::Queued;
}

void Session::after_push(PushResult r) {
  if (r == PushResult::Kick) asio::post(ex_, [self = shared_from_this()] { self->write_next(); });
  if (r != PushResult::Overflow) return;
  ++core_->queue_overflow_disconnects;
  core_->log("Manager session " + std::to_string(id_) + " (" + remote_ + ", user '" + info_.user +
             "') disconnected: queue over " + std::to_string(queue_limit_) + " messages");
  asio::post(ex_, [self = shared_from_this()] { self->do_close("queue limit"); });
}

void Session::write_next() {
  std::vector<asio::const_buffer> buffers;
  {
    std::lock_guard lock(mu_);
    inflight_.clear();
    if (closed_) {
      writing_ = false;
      return;
    }
    if (queue_.empty()) {
      writing_ = false;
      if (close_after_flush_) asio::post(ex_, [self = shared_from_this()] { self->do_close("closed after reply"); });
      return;
    }
    writing_ = true;
    std::size_t bytes = 0;
    while (!queue_.empty() && (bytes == 0 || bytes + queue_.front()->size() <= kMaxWriteBatch)) {
      bytes += queue_.front()->size();
      inflight_.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
  }
  // One contiguous buffer per batch: asio hands at most 64 buffers to one writev, so a batch of a
  // few hundred small events as a gather list costs several syscalls; the copy costs far less.
  wbuf_.clear();
  for (const auto& s : inflight_) wbuf_.append(*s);
  inflight_.clear();
  buffers.emplace_back(wbuf_.data(), wbuf_.size());
  // One watchdog per session instead of a deadline armed and cancelled around every batch (two
  // timer syscalls per write at event-storm rates): the watchdog only compares the start time
  // of the write in flight against writetimeout when it fires.
  write_in_flight_ = true;
  write_started_ = std::chrono::steady_clock::now();
  arm_write_watchdog(writetimeout_);
  auto self = shared_from_this();
  auto done = asio::bind_executor(ex_, [self](error_code ec, std::size_t) {
    self->write_in_flight_ = false;
    if (ec) {
      self->do_close("write error: " + ec.message());
      return;
    }
    self->write_next();
  });
  if (tls_)
    asio::async_write(*tls_, buffers, done);
  else
    asio::async_write(*plain_, buffers, done);
}

void Session::arm_write_watchdog(std::chrono::steady_clock::duration after) {
  if (watchdog_armed_) return;
  watchdog_armed_ = true;
  write_deadline_.expires_after(after);
  write_deadline_.async_wait(asio::bind_executor(ex_, [self = shared_from_this()](error_code ec) {
    self->watchdog_armed_ = false;
    if (ec || !self->io_open_ || !self->write_in_flight_) return;  // idle: re-armed by the next write
    const auto waited = std::chrono::steady_clock::now() - self->write_started_;
    if (waited < self->writetimeout_) {
      self->arm_write_watchdog(self->writetimeout_ - waited);
      return;
    }
    ++self->core_->write_timeout_disconnects;
    self->core_->log("Manager session " + std::to_string(self->id_) + " (" + self->remote_ + ", user '" +
                     self->info_.user + "') disconnected: write made no progress within " +
                     std::to_string(self->writetimeout_.count()) + " ms");
    self->do_close("write timeout");
  }));
}

void Session::close(std::string reason) {
  asio::post(ex_, [self = shared_from_this(), reason = std::move(reason)] { self->do_close(reason); });
}

void Session::do_close(const std::string& reason) {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    queue_.clear();
  }
  if (!io_open_) return;
  io_open_ = false;
  auth_timer_.cancel();
  write_deadline_.cancel();
  wait_event_timer_.cancel();
  error_code ec;
  auto& sock = tls_ ? tls_->next_layer() : *plain_;
  sock.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  sock.close(ec);
  if (authenticated())
    --core_->authenticated;
  else
    --core_->unauthenticated;
  --core_->open_sessions;
  (void)reason;
  core_->remove(this);
}

}  // namespace telephony::manager
