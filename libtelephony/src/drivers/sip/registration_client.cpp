// Outbound registration (see registration_client.hpp).
#include "registration_client.hpp"

#include <boost/asio/post.hpp>

#include "message_writer.hpp"
#include "sip_stack.hpp"
#include "telephony/sip/digest.hpp"
#include "telephony/sip/events.hpp"
#include "telephony/sip/uri.hpp"

namespace telephony::sip {

namespace asio = boost::asio;

OutboundRegistration::OutboundRegistration(std::shared_ptr<SipStack> stack, RegistrationOptions options)
    : stack_(std::move(stack)),
      options_(std::move(options)),
      strand_(asio::make_strand(stack_->engine().io())),
      timer_(strand_),
      call_id_(random_token(24) + "@libtelephony"),
      from_tag_(random_token(12)) {}

void OutboundRegistration::start() {
  asio::post(strand_, [self = shared_from_this()] {
    self->stopped_ = false;
    self->retries_ = 0;
    self->auth_tried_ = false;
    self->send(self->options_.expiration, {});
  });
}

void OutboundRegistration::unregister() {
  asio::post(strand_, [self = shared_from_this()] {
    self->timer_.cancel();
    self->auth_tried_ = false;
    self->send(0, {});
  });
}

void OutboundRegistration::stop() {
  asio::post(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    self->timer_.cancel();
  });
}

std::string OutboundRegistration::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

long long OutboundRegistration::next_refresh() const {
  std::lock_guard lock(mu_);
  const auto left = std::chrono::duration_cast<std::chrono::seconds>(next_ - std::chrono::steady_clock::now()).count();
  return left > 0 ? left : 0;
}

void OutboundRegistration::set_status(const std::string& status, const std::string& cause) {
  {
    std::lock_guard lock(mu_);
    if (status_ == status && cause.empty()) return;
    status_ = status;
  }
  RegistryStateChanged ev;
  ev.username = options_.client_uri;
  ev.domain = options_.server_uri;
  ev.status = status;
  ev.cause = cause;
  stack_->engine().events().emit(std::move(ev));
  stack_->engine().log().verbose("res_pjsip_outbound_registration",
                                 "Registration '" + options_.name + "' to " + options_.server_uri + ": " + status +
                                     (cause.empty() ? "" : " (" + cause + ")"));
}

void OutboundRegistration::schedule(std::chrono::seconds after) {
  {
    std::lock_guard lock(mu_);
    next_ = std::chrono::steady_clock::now() + after;
  }
  timer_.expires_after(after);
  timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->stopped_) return;
    self->auth_tried_ = false;
    self->send(self->options_.expiration, {});
  });
}

void OutboundRegistration::send(unsigned expires, const std::string& authorization) {
  if (stopped_) return;
  auto server = parse_uri(options_.server_uri);
  if (!server) return set_status("Failed", "bad server_uri");
  auto dest = stack_->resolve(*server, options_.transport);
  if (!dest) {
    set_status("Failed", dest.error().message);
    return schedule(std::chrono::seconds(std::max(1u, options_.retry_interval)));
  }
  const std::string branch = new_branch();
  const std::string user = options_.contact_user.empty() ? "s" : options_.contact_user;
  MessageWriter w;
  w.request_line("REGISTER", options_.server_uri);
  w.header(Header::Via, stack_->via(*dest->transport, branch));
  w.header(Header::MaxForwards, "70");
  w.header(Header::From, "<" + options_.client_uri + ">;tag=" + from_tag_);
  w.header(Header::To, "<" + options_.client_uri + ">");
  w.header(Header::CallId, call_id_);
  w.header(Header::CSeq, std::to_string(++cseq_) + " REGISTER");
  w.header(Header::Contact, stack_->contact(*dest->transport, user));
  w.header(Header::Expires, std::to_string(expires));
  w.header(Header::UserAgent, stack_->user_agent());
  if (!authorization.empty())
    w.header(authorization.substr(0, authorization.find(':')), trim_lws(std::string_view(authorization).substr(authorization.find(':') + 1)));
  auto bytes = w.finish();
  stack_->log_message(false, bytes, dest->address);
  std::weak_ptr<OutboundRegistration> weak = shared_from_this();
  stack_->send_request(Method::Register, branch, std::move(bytes), *dest, strand_, [weak, expires](StoredPtr r) {
    if (auto self = weak.lock()) self->on_response(std::move(r), expires);
  });
}

void OutboundRegistration::on_response(StoredPtr resp, unsigned expires) {
  if (stopped_) return;
  const int code = resp ? resp->msg.status() : 408;
  if (code < 200) return;
  const auto retry = std::chrono::seconds(std::max(1u, options_.retry_interval));
  if (code < 300) {
    retries_ = 0;
    auth_tried_ = false;
    if (expires == 0) return set_status("Unregistered", {});
    // The granted expiry: our contact's expires param, else Expires, else what we asked.
    unsigned granted = expires;
    if (auto e = trim_lws(resp->msg.value(Header::Expires)); !e.empty()) granted = static_cast<unsigned>(std::atoi(std::string(e).c_str()));
    resp->msg.for_each(Header::Contact, [&](const HeaderField& f) {
      for_each_value(f.value, [&](std::string_view v) {
        auto na = parse_name_addr(v);
        if (na && na->params.get("expires")) granted = static_cast<unsigned>(std::atoi(std::string(*na->params.get("expires")).c_str()));
      });
    });
    set_status("Registered", {});
    // Refresh a little before expiry (Asterisk re-registers 10 s early for long expiries).
    schedule(std::chrono::seconds(granted > 30 ? granted - 10 : std::max(1u, granted / 2)));
    return;
  }
  if ((code == 401 || code == 407) && !auth_tried_ && !options_.outbound_auth.empty()) {
    const auto cfg = stack_->config();
    const AuthOptions* auth = cfg->auth(options_.outbound_auth);
    std::optional<DigestChallenge> ch;
    resp->msg.for_each(code == 401 ? Header::WwwAuthenticate : Header::ProxyAuthenticate, [&](const HeaderField& f) {
      if (!ch)
        if (auto c = parse_digest_challenge(f.value)) ch = *c;
    });
    if (auth && ch) {
      auth_tried_ = true;
      const std::string value = answer_challenge(*ch, "REGISTER", options_.server_uri, auth->username, auth->password, ++nc_);
      send(expires, std::string(code == 401 ? "Authorization" : "Proxy-Authorization") + ": " + value);
      return;
    }
  }
  auth_tried_ = false;
  if (code == 401 || code == 403 || code == 407) {
    set_status("Rejected", std::to_string(code));
    if (code == 403 && options_.forbidden_retry_interval == 0) return;  // permanent, as Asterisk
    if (code == 403) return schedule(std::chrono::seconds(options_.forbidden_retry_interval));
  } else {
    set_status("Failed", std::to_string(code));
  }
  if (++retries_ > options_.max_retries) return;
  schedule(retry);
}

}  // namespace telephony::sip
