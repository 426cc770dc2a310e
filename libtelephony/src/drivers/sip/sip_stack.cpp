// The SIP stack: configuration, transports, the receive path and request routing (see
// sip_stack.hpp). Who gets in is sip_admission.cpp; sending and qualify sip_sending.cpp; the
// dialog table and endpoint device states endpoint_state.cpp.
#include "sip_stack.hpp"

#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "call_session.hpp"
#include "message_writer.hpp"
#include "out_of_dialog.hpp"
#include "telephony/rtp/negotiation.hpp"
#include "telephony/sip/events.hpp"
#include "telephony/sip/uri.hpp"

namespace telephony::sip {

namespace asio = boost::asio;

namespace {

constexpr std::string_view kAllow = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, PRACK, REFER, NOTIFY, REGISTER, MESSAGE";

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

void SipStack::set_notify_templates(NotifyTemplates t) {
  auto next = std::make_shared<const NotifyTemplates>(std::move(t));
  std::lock_guard lock(mu_);
  notify_templates_ = std::move(next);
}

std::shared_ptr<const NotifyTemplates> SipStack::notify_templates() const {
  std::lock_guard lock(mu_);
  return notify_templates_;
}

const std::string& SipStack::user_agent() const {
  static const std::string fallback = "libtelephony";
  auto cfg = config();
  return cfg ? cfg->global.user_agent : fallback;
}

Result<void, Errors> SipStack::apply(SipConfig cfg) {
  std::shared_ptr<const SipConfig> previous;
  {
    std::lock_guard lock(mu_);
    previous = config_;
    if (auto r = apply_locked(std::make_shared<const SipConfig>(std::move(cfg))); !r) return r;
  }
  if (!previous) {
    std::weak_ptr<SipStack> weak = shared_from_this();
    registrar_.on_contacts_changed([weak](std::string_view aor) {
      if (auto self = weak.lock()) self->contacts_changed(aor);
    });
  }
  // Outside mu_: pushing device states reads the configuration.
  refresh_device_states(previous.get());
  return {};
}

Result<void, Errors> SipStack::apply_locked(std::shared_ptr<const SipConfig> next) {
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
                                                peer.to_string() + " --->\n" + rtp::redact_sdp_keys(bytes));
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
  if (auto s = find_dialog(resp.call_id(), resp.from_tag())) s->on_stray_2xx(resp.cseq());
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
    if (auto s = find_dialog(req.call_id(), req.to_tag())) s->on_ack(req.cseq(), req.body());
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
      // 100rel is decided per endpoint (its `100rel` option) when the INVITE reaches its session.
      const bool known = iequals(v, "timer") || iequals(v, "path") || iequals(v, "replaces") ||
                         (iequals(v, "100rel") && req.method() == Method::Invite);
      if (!v.empty() && !known)
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
  const bool known = req.method() == Method::Invite || req.method() == Method::Register || req.method() == Method::Message;
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
  auto ep = admit(*cfg, *txn);
  if (!ep) return;  // answered (401/403)
  if (req.method() == Method::Register) return registrar_.handle(*txn, *ep, *cfg);
  if (req.method() == Method::Message) return receive_message(*this, *ep, std::move(txn));
  CallSession::start_inbound(shared_from_this(), ep, std::move(txn));
}

void SipStack::answer_options(ServerTransaction& txn) {
  txn.respond_simple(200, {},
                     "Allow: " + std::string(kAllow) + "\r\nAccept: application/sdp, application/dtmf-relay\r\n"
                     "Supported: timer, path, 100rel, replaces\r\n");
}


}  // namespace telephony::sip
