// The SIP stack: configuration, transports, receive path and request routing (see sip_stack.hpp).
#include "sip_stack.hpp"

#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "call_session.hpp"
#include "message_writer.hpp"
#include "telephony/sip/events.hpp"
#include "telephony/sip/uri.hpp"

namespace telephony::sip {

namespace asio = boost::asio;

namespace {

bool rule_matches(const CidrRule& r, const asio::ip::address& a) {
  boost::system::error_code ec;
  auto net = asio::ip::make_address(r.network, ec);
  if (ec) return false;
  auto addr = a;
  if (addr.is_v6() && addr.to_v6().is_v4_mapped() && net.is_v4())
    addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
  if (net.is_v4() != addr.is_v4()) return false;
  if (net.is_v4()) {
    const auto mask = r.prefix == 0 ? 0u : ~0u << (32 - r.prefix);
    return (net.to_v4().to_uint() & mask) == (addr.to_v4().to_uint() & mask);
  }
  const auto n = net.to_v6().to_bytes();
  const auto b = addr.to_v6().to_bytes();
  unsigned bits = r.prefix;
  for (std::size_t i = 0; i < 16 && bits; ++i) {
    const unsigned take = std::min(bits, 8u);
    const unsigned char mask = static_cast<unsigned char>(0xFF << (8 - take));
    if ((n[i] & mask) != (b[i] & mask)) return false;
    bits -= take;
  }
  return true;
}

// Asterisk's ACL rule: the last matching rule wins; no match permits.
bool rules_permit(const std::vector<CidrRule>& rules, const asio::ip::address& a) {
  bool permit = true;
  for (const auto& r : rules)
    if (rule_matches(r, a)) permit = r.permit;
  return permit;
}

// "IPV4/UDP/127.0.0.1/5060", the address form of Asterisk's security events.
std::string security_address(const Address& a, std::string_view transport) {
  return std::string(a.ip.is_v4() ? "IPV4/" : "IPV6/") + std::string(transport) + "/" + a.ip.to_string() + "/" +
         std::to_string(a.port);
}

void emit_security(Engine& engine, std::string_view event, std::string account, const Source& src,
                   std::string_view call_id) {
  SecurityEventRaised ev;
  ev.event = std::string(event);
  ev.service = "PJSIP";
  ev.account = std::move(account);
  ev.session_id = std::string(call_id);
  ev.remote_address = security_address(src.remote, src.transport->via_name());
  ev.local_address = security_address(src.transport->local(), src.transport->via_name());
  engine.events().emit(std::move(ev));
}

constexpr std::string_view kAllow = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY, REGISTER";

}  // namespace

SipStack::SipStack(Engine& engine) : engine_(engine), registrar_(engine) {}

SipStack::~SipStack() { stop(); }

std::shared_ptr<const SipConfig> SipStack::config() const {
  std::lock_guard lock(mu_);
  return config_;
}

std::vector<std::shared_ptr<Transport>> SipStack::transports() const {
  std::lock_guard lock(mu_);
  return transports_;
}

const std::string& SipStack::user_agent() const {
  static const std::string fallback = "libtelephony";
  auto cfg = config();
  return cfg ? cfg->global.user_agent : fallback;
}

Result<void, Errors> SipStack::apply(SipConfig cfg) {
  auto next = std::make_shared<const SipConfig>(std::move(cfg));
  std::lock_guard lock(mu_);
  if (!config_) {
    TimerValues tv{next->system.timer_t1, next->system.timer_t2, next->system.timer_t4, next->system.timer_b};
    transactions_ = std::make_unique<TransactionTable>(engine_.io(), tv, next->global.user_agent);
    Errors errors;
    std::weak_ptr<SipStack> weak = shared_from_this();
    TransportLimits limits;
    limits.max_message = next->system.max_message_size;
    for (const auto& t : next->transports) {
      auto started = start_transport(engine_.io(), t,
                                     [weak](std::string_view bytes, const Source& src) {
                                       if (auto self = weak.lock()) self->on_receive(bytes, src);
                                     },
                                     limits, engine_.log());
      if (!started) {
        errors.items.push_back(Error{started.error().message, t.where.to_string()});
        continue;
      }
      engine_.log().verbose("res_pjsip", "Transport '" + t.name + "' listening on " + std::string(to_string(t.protocol)) +
                                             " " + (*started)->local().to_string());
      transports_.push_back(*started);
    }
    if (!errors.items.empty()) {
      for (auto& t : transports_) t->stop();
      transports_.clear();
      return Unexpected<Errors>{std::move(errors)};
    }
    housekeeping_ = std::make_unique<asio::steady_timer>(engine_.io());
    config_ = std::move(next);
    housekeeping();
    restart_registrations();
    return {};
  }
  // Reload: transports are bound once (as Asterisk without allow_reload); report changes.
  for (const auto& t : next->transports) {
    const bool same = std::any_of(transports_.begin(), transports_.end(), [&](const auto& x) {
      const auto& o = x->options();
      return o.name == t.name && o.protocol == t.protocol && o.bind_address == t.bind_address && o.bind_port == t.bind_port;
    });
    if (!same)
      engine_.log().warning("res_pjsip", "Transport '" + t.name + "' changed or was added: transports are bound at start; "
                                         "restart to apply");
  }
  const bool registrations_changed = [&] {
    if (next->registrations.size() != config_->registrations.size()) return true;
    for (std::size_t i = 0; i < next->registrations.size(); ++i) {
      const auto& a = next->registrations[i];
      const auto& b = config_->registrations[i];
      if (a.name != b.name || a.server_uri != b.server_uri || a.client_uri != b.client_uri ||
          a.outbound_auth != b.outbound_auth || a.expiration != b.expiration || a.contact_user != b.contact_user)
        return true;
    }
    return false;
  }();
  config_ = std::move(next);
  if (registrations_changed) restart_registrations();
  return {};
}

void SipStack::restart_registrations() {
  for (auto& r : registrations_) r->stop();
  registrations_.clear();
  for (const auto& opts : config_->registrations) {
    auto r = std::make_shared<OutboundRegistration>(shared_from_this(), opts);
    r->start();
    registrations_.push_back(std::move(r));
  }
}

std::vector<std::shared_ptr<OutboundRegistration>> SipStack::registrations() const {
  std::lock_guard lock(mu_);
  return registrations_;
}

void SipStack::stop() {
  if (stopped_.exchange(true)) return;
  std::vector<std::shared_ptr<Transport>> ts;
  {
    std::lock_guard lock(mu_);
    ts.swap(transports_);
    if (housekeeping_) housekeeping_->cancel();
    for (auto& r : registrations_) r->stop();
    registrations_.clear();
  }
  for (auto& t : ts) t->stop();
}

void SipStack::housekeeping() {
  std::weak_ptr<SipStack> weak = shared_from_this();
  housekeeping_->expires_after(std::chrono::seconds(1));
  housekeeping_->async_wait([weak](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || self->stopped_) return;
    self->registrar_.expire();
    auto cfg = self->config();
    self->auth_.forget_old(cfg->global.auth_failure_window);
    // qualify_frequency: OPTIONS to each AOR's contacts when its period has passed.
    std::vector<std::string> due;
    const auto now = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(self->mu_);
      for (const auto& [name, aor] : cfg->aors) {
        if (!aor.qualify_frequency) continue;
        auto& last = self->last_qualify_[name];
        if (now - last >= std::chrono::seconds(aor.qualify_frequency)) {
          last = now;
          due.push_back(name);
        }
      }
    }
    for (const auto& a : due) self->qualify(a);
    std::lock_guard lock(self->mu_);
    self->housekeeping();
  });
}

void SipStack::log_message(bool received, std::string_view bytes, const Address& peer) {
  if (!log_messages_) return;
  engine_.log().verbose("res_pjsip_logger", std::string(received ? "<--- Received SIP message from " : "<--- Transmitting SIP message to ") +
                                                peer.to_string() + " --->\n" + std::string(bytes));
}

// ---------------------------------------------------------------------------------------------
// Receive path

void SipStack::on_receive(std::string_view bytes, const Source& src) {
  ++counters_.received;
  auto parsed = parse_message(bytes, src.connection == nullptr);
  if (!parsed) {
    ++counters_.malformed;
    log_message(true, bytes, src.remote);
    const auto& e = parsed.error();
    if (e.status != 0) {
      if (auto resp = error_response(bytes, e, src.remote, user_agent())) {
        src.transport->send(src.remote, std::move(*resp), src.connection);
        engine_.log().notice("res_pjsip", "Rejected a malformed request from " + src.remote.to_string() + " with " +
                                              std::to_string(e.status) + " " + e.reason);
        return;
      }
    }
    engine_.log().debug("res_pjsip", "Dropped an unparseable message from " + src.remote.to_string() + ": " + e.reason);
    return;
  }
  const Message& m = *parsed;
  if (!m.is_request()) {
    if (!transactions_->match_response(m, bytes, src)) on_stray_response(m, bytes, src);
    return;
  }
  on_request(m, bytes, src);
}

void SipStack::on_stray_response(const Message& resp, std::string_view, const Source&) {
  // A retransmitted 2xx to one of our INVITEs after its transaction ended: ACK it again.
  if (resp.cseq_method() != Method::Invite || resp.status() < 200 || resp.status() >= 300) return;
  if (auto s = find_dialog(resp.call_id(), resp.from_tag())) s->on_stray_2xx();
}

void SipStack::respond_stateless(const Message& req, const Source& src, int code, std::string_view reason) {
  auto w = response_for(req, code, reason, src.remote, random_token(10));
  w.header(Header::Server, user_agent());
  src.transport->send(src.remote, w.finish(), src.connection);
}

void SipStack::on_request(const Message& req, std::string_view bytes, const Source& src) {
  auto cfg = config();
  // An INVITE past the overload limits is refused before any state is kept.
  if (req.method() == Method::Invite && req.to_tag().empty()) {
    const auto& g = cfg->global;
    const bool too_many_calls = g.max_calls && calls_.load() >= g.max_calls;
    const bool too_fast = g.max_transaction_rate && transactions_->recent_rate() >= g.max_transaction_rate;
    if (too_many_calls || too_fast) {
      ++counters_.overload_rejections;
      auto w = response_for(req, 503, {}, src.remote, random_token(10));
      w.header(Header::RetryAfter, std::to_string(g.overload_retry_after));
      w.header(Header::Server, user_agent());
      src.transport->send(src.remote, w.finish(), src.connection);
      return;
    }
  }
  auto matched = transactions_->match_request(req, bytes, src);
  if (matched.ack) {
    if (auto s = find_dialog(req.call_id(), req.to_tag())) s->on_ack(req.cseq());
    return;
  }
  if (!matched.txn) return;  // retransmission, absorbed
  log_message(true, bytes, src.remote);
  on_new_request(std::move(matched.txn), std::move(matched.cancelled));
}

void SipStack::on_new_request(std::shared_ptr<ServerTransaction> txn, std::shared_ptr<ServerTransaction> cancelled) {
  const Message& req = txn->request();
  const auto cfg = config();
  // URI scheme and extensions first (RFC 3261 §8.2.2).
  auto ruri = parse_uri(req.request_uri());
  if (!ruri || !ruri->is_sip()) return txn->respond_simple(416);
  if (const auto* require = req.find(Header::Require)) {
    std::string unsupported;
    for_each_value(require->value, [&](std::string_view v) {
      if (!v.empty() && !iequals(v, "timer") && !iequals(v, "replaces") && !iequals(v, "path"))
        unsupported.append(unsupported.empty() ? "" : ", ").append(v);
    });
    if (!unsupported.empty() && req.method() != Method::Cancel && req.method() != Method::Ack)
      return txn->respond_simple(420, {}, "Unsupported: " + unsupported + "\r\n");
  }
  if (req.method() == Method::Cancel) {
    if (!cancelled) return txn->respond_simple(481);
    txn->respond_simple(200);
    cancelled->cancel();  // the session answers the INVITE with 487
    return;
  }
  // In-dialog requests go to their dialog (or 481).
  if (!req.to_tag().empty()) {
    if (auto s = find_dialog(req.call_id(), req.to_tag())) return s->on_request(std::move(txn));
    if (req.method() == Method::Options) return answer_options(*txn);
    return txn->respond_simple(481);
  }
  if (req.method() == Method::Options) return answer_options(*txn);
  const bool known = req.method() == Method::Invite || req.method() == Method::Register;
  if (!known) {
    if (req.method() == Method::Unknown)
      return txn->respond_simple(501, {}, "Allow: " + std::string(kAllow) + "\r\n");
    return txn->respond_simple(405, {}, "Allow: " + std::string(kAllow) + "\r\n");
  }
  if (req.method() == Method::Invite) {
    if (!req.body().empty()) {
      auto ct = trim_lws(req.value(Header::ContentType));
      ct = trim_lws(ct.substr(0, ct.find(';')));
      if (!iequals(ct, "application/sdp") && !iequals(ct, "multipart/mixed"))
        return txn->respond_simple(415, {}, "Accept: application/sdp\r\n");
    }
    if (const auto* accept = req.find(Header::Accept)) {
      bool sdp = false;
      for_each_value(accept->value, [&](std::string_view v) {
        auto t = trim_lws(v.substr(0, v.find(';')));
        if (iequals(t, "application/sdp") || t == "*/*" || iequals(t, "application/*")) sdp = true;
      });
      if (!sdp) return txn->respond_simple(406, {}, "Accept: application/sdp\r\n");
    }
  }
  if (req.method() == Method::Register) {
    auto to = parse_name_addr(req.value(Header::To));
    if (!to || !to->uri.is_sip()) return txn->respond_simple(400, "Bad To header: not a SIP AOR");
  }
  const Source& src = txn->source();
  const std::string ip = src.remote.ip.to_string();
  if (auth_.blocked(ip, cfg->global.auth_failure_limit, cfg->global.auth_failure_window)) {
    ++counters_.auth_failures;
    return txn->respond_simple(403, "Too many failed authentications");
  }
  auto ep = identify(*cfg, req, src);
  if (!ep) {
    // Nobody unknown gets in. Like Asterisk's artificial endpoint, answer with a challenge so
    // that a scanner cannot tell unknown users from wrong passwords; the credentials that come
    // back are refused.
    bool answered_challenge = false;
    for (Header h : {Header::Authorization, Header::ProxyAuthorization})
      req.for_each(h, [&](const HeaderField& f) { answered_challenge |= parse_digest_credentials(f.value).has_value(); });
    if (answered_challenge) {
      log_failed_request(req, src, "No matching endpoint found");
      auth_.record_failure(ip, cfg->global.auth_failure_window);
      ++counters_.auth_failures;
      return txn->respond_simple(403);
    }
    log_failed_request(req, src, "No matching endpoint found");
    auth_.record_failure(ip, cfg->global.auth_failure_window);
    std::string extra;
    for (const auto& c : auth_.challenges(cfg->global.default_realm, false)) extra += "WWW-Authenticate: " + c + "\r\n";
    return txn->respond_simple(401, {}, extra);
  }
  if (!acl_permits(*cfg, *ep, src.remote)) {
    log_failed_request(req, src, "Not match Endpoint ACL");
    auth_.record_failure(ip, cfg->global.auth_failure_window);
    return txn->respond_simple(403);
  }
  if (!authenticate(*cfg, *ep, *txn)) return;
  if (req.method() == Method::Register) return registrar_.handle(*txn, *ep, *cfg);
  CallSession::start_inbound(shared_from_this(), ep, std::move(txn));
}

std::shared_ptr<const EndpointOptions> SipStack::identify(const SipConfig& cfg, const Message& req,
                                                          const Source& src) const {
  // identify sections by source address first (trunks), then the From user (phones).
  for (const auto& id : cfg.identifies) {
    for (const auto& r : id.match)
      if (rule_matches(r, src.remote.ip)) return cfg.endpoint(id.endpoint);
  }
  auto from = parse_name_addr(req.value(Header::From));
  if (!from || !from->uri.is_sip()) return nullptr;
  const std::string user = unescape(from->uri.user);
  auto ep = cfg.endpoint(user);
  if (ep && std::find(ep->identify_by.begin(), ep->identify_by.end(), "username") != ep->identify_by.end()) return ep;
  // identify_by=auth_username: the endpoint whose inbound auth has this username.
  for (const auto& [name, e] : cfg.endpoints) {
    if (e->auth.empty()) continue;
    const auto* a = cfg.auth(e->auth);
    if (a && a->username == user &&
        (std::find(e->identify_by.begin(), e->identify_by.end(), "auth_username") != e->identify_by.end() ||
         std::find(e->identify_by.begin(), e->identify_by.end(), "username") != e->identify_by.end()))
      return e;
  }
  return nullptr;
}

bool SipStack::acl_permits(const SipConfig& cfg, const EndpointOptions& ep, const Address& from) const {
  for (const auto& name : ep.acl) {
    auto it = cfg.acls.find(name);
    if (it != cfg.acls.end() && !rules_permit(it->second.rules, from.ip)) return false;
  }
  return rules_permit(ep.rules, from.ip);
}

bool SipStack::authenticate(const SipConfig& cfg, const EndpointOptions& ep, ServerTransaction& txn) {
  if (ep.auth.empty()) return true;  // e.g. a trunk identified by address
  const AuthOptions* auth = cfg.auth(ep.auth);
  if (!auth) return txn.respond_simple(500), false;
  const std::string realm = auth->realm.empty() ? cfg.global.default_realm : auth->realm;
  std::string username;
  const auto verdict = auth_.verify(txn.request(), *auth, realm, cfg.global.nonce_lifetime, &username);
  const Source& src = txn.source();
  auto challenge = [&](bool stale) {
    std::string extra;
    for (const auto& c : auth_.challenges(realm, stale)) extra += "WWW-Authenticate: " + c + "\r\n";
    txn.respond_simple(401, {}, extra);
  };
  switch (verdict) {
    case Authenticator::Verdict::Ok: {
      emit_security(engine_, "SuccessfulAuth", ep.name, src, txn.request().call_id());
      return true;
    }
    case Authenticator::Verdict::NoCredentials: {
      emit_security(engine_, "ChallengeSent", ep.name, src, txn.request().call_id());
      challenge(false);
      return false;
    }
    case Authenticator::Verdict::Stale:
      challenge(true);
      return false;
    case Authenticator::Verdict::WrongUser:
    case Authenticator::Verdict::WrongPassword:
    case Authenticator::Verdict::Malformed:
      ++counters_.auth_failures;
      log_failed_request(txn.request(), src, "Failed to authenticate");
      auth_.record_failure(src.remote.ip.to_string(), cfg.global.auth_failure_window);
      challenge(false);
      return false;
  }
  return false;
}

void SipStack::answer_options(ServerTransaction& txn) {
  txn.respond_simple(200, {},
                     "Allow: " + std::string(kAllow) + "\r\nAccept: application/sdp, application/dtmf-relay\r\n"
                     "Supported: replaces, timer, path\r\n");
}

void SipStack::log_failed_request(const Message& req, const Source& src, std::string_view reason) {
  // The NOTICE line fail2ban's asterisk filter reads ("Request 'X' from 'Y' failed for 'ip:port'
  // (callid: Z) - reason").
  auto from = parse_name_addr(req.value(Header::From));
  const std::string from_text = from ? "<" + std::string(from->uri.text) + ">" : std::string(req.value(Header::From));
  engine_.log().notice("res_pjsip", "Request '" + std::string(req.method_name()) + "' from '" + from_text + "' failed for '" +
                                        src.remote.to_string() + "' (callid: " + std::string(req.call_id()) + ") - " +
                                        std::string(reason));
  emit_security(engine_,
                reason == "Failed to authenticate"   ? "InvalidPassword"
                : reason == "Not match Endpoint ACL" ? "FailedACL"
                                                     : "InvalidAccountID",
                from ? unescape(from->uri.user) : std::string(), src, req.call_id());
}

// ---------------------------------------------------------------------------------------------
// Sending

Result<Destination> SipStack::resolve(const Uri& target, std::string_view transport_name) const {
  auto ts = transports();
  TransportProtocol want = TransportProtocol::Udp;
  if (auto tp = target.params.get("transport")) {
    if (iequals(*tp, "tcp")) want = TransportProtocol::Tcp;
    else if (iequals(*tp, "tls")) want = TransportProtocol::Tls;
  }
  if (target.is_sips()) want = TransportProtocol::Tls;
  std::string host(host_without_brackets(target.host));
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(host, ec);
  if (ec) {
    // A host name: the system resolver (blocking, but only for URIs that name hosts).
    asio::ip::udp::resolver resolver(engine_.io());
    auto results = resolver.resolve(host, "", ec);
    if (ec || results.empty()) return fail("cannot resolve '" + host + "'");
    ip = results.begin()->endpoint().address();
  }
  std::shared_ptr<Transport> chosen;
  for (auto& t : ts) {
    if (!transport_name.empty() && t->options().name != transport_name) continue;
    if (!transport_name.empty()) {
      chosen = t;
      break;
    }
    if (t->protocol() != want) continue;
    if (t->local().ip.is_v4() != ip.is_v4() && !t->local().ip.is_unspecified()) continue;
    if (t->local().ip.is_v6() != ip.is_v6()) continue;
    chosen = t;
    break;
  }
  if (!chosen) return fail("no " + std::string(to_string(want)) + " transport for " + host);
  std::uint16_t port = target.port ? target.port : (want == TransportProtocol::Tls ? 5061 : 5060);
  return Destination{chosen, Address{ip, port}, nullptr};
}

std::shared_ptr<ClientTransaction> SipStack::send_request(Method method, const std::string& branch, std::string bytes,
                                                          const Destination& to, asio::any_io_executor executor,
                                                          ClientTransaction::Handler handler) {
  return transactions_->send_request(method, branch, std::move(bytes), to.transport, to.address, to.connection,
                                     std::move(executor), std::move(handler));
}

void SipStack::send_raw(const Destination& to, std::string bytes) {
  to.transport->send(to.address, std::move(bytes), to.connection);
}

std::string SipStack::via(const Transport& t, std::string_view branch) const {
  return "SIP/2.0/" + std::string(t.via_name()) + " " + t.advertised().to_string() + ";rport;branch=" + std::string(branch);
}

std::string SipStack::contact(const Transport& t, std::string_view user) const {
  std::string c = "<sip:";
  if (!user.empty()) c.append(user).append("@");
  c.append(t.advertised().to_string());
  if (t.protocol() == TransportProtocol::Tcp) c.append(";transport=tcp");
  if (t.protocol() == TransportProtocol::Tls) c.append(";transport=tls");
  return c + ">";
}

std::size_t SipStack::qualify(const std::string& aor_name) {
  auto cfg = config();
  const auto* aor = cfg->aor(aor_name);
  if (!aor) return 0;
  std::size_t n = 0;
  for (const auto& b : registrar_.contacts(*cfg, aor_name)) {
    Destination d;
    if (b.transport) {
      d = Destination{b.transport, b.source, b.connection};
    } else {
      auto u = parse_uri(b.uri);
      if (!u) continue;
      auto r = resolve(*u);
      if (!r) continue;
      d = *r;
    }
    const auto branch = new_branch();
    MessageWriter w;
    w.request_line("OPTIONS", b.uri);
    w.header(Header::Via, via(*d.transport, branch));
    w.header(Header::MaxForwards, "70");
    w.header(Header::From, "<sip:qualify@" + d.transport->advertised().to_string() + ">;tag=" + random_token(10));
    w.header(Header::To, "<" + b.uri + ">");
    w.header(Header::CallId, random_token(24) + "@libtelephony");
    w.header(Header::CSeq, "1 OPTIONS");
    w.header(Header::UserAgent, user_agent());
    const auto start = std::chrono::steady_clock::now();
    std::weak_ptr<SipStack> weak = shared_from_this();
    const std::string aor_copy = aor_name;
    const std::string uri = b.uri;
    send_request(Method::Options, branch, w.finish(), d, engine_.io().get_executor(),
                 [weak, aor_copy, uri, start](StoredPtr resp) {
                   auto self = weak.lock();
                   if (!self) return;
                   // Any final response means the contact is alive (Asterisk counts 401/404 too).
                   if (resp && resp->msg.status() < 200) return;
                   const auto rtt = std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::steady_clock::now() - start).count();
                   self->registrar_.set_status(aor_copy, uri, resp ? "Reachable" : "Unreachable", resp ? rtt : 0);
                 });
    ++n;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Dialogs

void SipStack::add_dialog(const std::string& call_id, const std::string& local_tag, const std::shared_ptr<CallSession>& s) {
  const std::string key = call_id + "|" + local_tag;
  auto& sh = dialog_shard(key);
  std::lock_guard lock(sh.mu);
  sh.map[key] = s;
}

void SipStack::remove_dialog(const std::string& call_id, const std::string& local_tag) {
  const std::string key = call_id + "|" + local_tag;
  auto& sh = dialog_shard(key);
  std::lock_guard lock(sh.mu);
  sh.map.erase(key);
}

std::shared_ptr<CallSession> SipStack::find_dialog(std::string_view call_id, std::string_view local_tag) const {
  std::string key;
  key.reserve(call_id.size() + local_tag.size() + 1);
  key.append(call_id).append("|").append(local_tag);
  auto& sh = dialog_shard(key);
  std::lock_guard lock(sh.mu);
  auto it = sh.map.find(key);
  return it == sh.map.end() ? nullptr : it->second.lock();
}

std::vector<std::shared_ptr<CallSession>> SipStack::sessions() const {
  std::vector<std::shared_ptr<CallSession>> out;
  for (const auto& sh : dialogs_) {
    std::lock_guard lock(sh.mu);
    for (const auto& [k, w] : sh.map)
      if (auto s = w.lock()) out.push_back(std::move(s));
  }
  return out;
}

}  // namespace telephony::sip
