// RFC 4028 session timers, in both roles, as the endpoint's `timers` option says (no, yes,
// required, always/forced; timers_sess_expires, timers_min_se):
//   - as UAS: a requested interval below our Min-SE gets 422 with Min-SE; otherwise the UAC's
//     interval is accepted, with the UAC's choice of refresher, or the UAC refreshing when it
//     supports timers (we refresh for a UAC that does not);
//   - as UAC: our INVITE asks for timers_sess_expires with Min-SE; a 422 is answered once with the
//     larger interval (call_outbound.cpp); the 2xx says who refreshes;
//   - the refresher sends a re-INVITE or UPDATE at half the interval (call_dialog.cpp); the other
//     side hangs up when no refresh arrived by the interval minus min(32 s, interval/3) (§10).
#include "call_session.hpp"
#include "telephony/sip/uri.hpp"

namespace telephony::sip {

bool lists_option(const Message& m, Header h, std::string_view option) {
  bool found = false;
  m.for_each(h, [&](const HeaderField& f) {
    for_each_value(f.value, [&](std::string_view v) { found |= iequals(trim_lws(v), option); });
  });
  return found;
}

unsigned leading_seconds(std::string_view v) {
  v = trim_lws(v.substr(0, v.find(';')));
  unsigned n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + static_cast<unsigned>(c - '0');
    if (n > 86400) return 86400;
  }
  return n;
}

namespace {

// "1800;refresher=uac" → {1800, "uac"}.
std::pair<unsigned, std::string_view> session_expires_of(const Message& m) {
  const auto value = m.value(Header::SessionExpires);
  const auto semi = value.find(';');
  std::string_view refresher;
  if (semi != std::string_view::npos) refresher = Params(value.substr(semi + 1)).get("refresher").value_or("");
  return {leading_seconds(value), trim_lws(refresher)};
}

}  // namespace

std::optional<unsigned> requested_session_expires(const Message& req, const EndpointOptions& ep) {
  if (ep.timers == "no") return 0u;
  const auto [asked, refresher] = session_expires_of(req);
  if (!req.find(Header::SessionExpires) || asked == 0)
    return ep.timers == "always" || ep.timers == "forced" ? ep.timers_sess_expires : 0u;
  if (asked < ep.timers_min_se) return std::nullopt;
  return asked;  // the UAC's interval, at least our Min-SE
}

bool CallSession::negotiate_session_timer(const Message& invite) {
  const auto se = requested_session_expires(invite, *endpoint_);
  if (!se) {
    invite_txn_->respond_simple(422, {}, "Min-SE: " + std::to_string(endpoint_->timers_min_se) + "\r\n");
    return false;
  }
  session_expires_ = *se;
  peer_timer_ = lists_option(invite, Header::Supported, "timer") || lists_option(invite, Header::Require, "timer");
  const auto refresher = session_expires_of(invite).second;
  if (iequals(refresher, "uas")) we_refresh_ = true;
  else if (iequals(refresher, "uac")) we_refresh_ = false;
  else we_refresh_ = !peer_timer_;  // §9: a UAC without timer support cannot refresh
  return true;
}

void CallSession::apply_session_timer_answer(const Message& response, unsigned asked) {
  if (endpoint_->timers == "no") return;
  const auto [granted, refresher] = session_expires_of(response);
  peer_timer_ = lists_option(response, Header::Supported, "timer") || lists_option(response, Header::Require, "timer");
  if (granted) {
    session_expires_ = granted;
    // The refresher named in a response is relative to that transaction, where we were the UAC.
    we_refresh_ = !iequals(refresher, "uas");
    return;
  }
  // §7.2: a 2xx without Session-Expires — the UAS does not do timers. With `always` we keep the
  // interval we asked for and refresh ourselves; otherwise there is no session timer.
  const bool always = endpoint_->timers == "always" || endpoint_->timers == "forced";
  session_expires_ = always ? asked : 0;
  we_refresh_ = always;
}

void CallSession::refresh_received(const Message& req) {
  // The peer's re-INVITE/UPDATE refreshes the session; it may carry a new interval and refresher
  // (relative to that transaction, where the peer is the UAC).
  const auto [asked, refresher] = session_expires_of(req);
  if (session_expires_ && asked >= endpoint_->timers_min_se) {
    session_expires_ = asked;
    if (iequals(refresher, "uas")) we_refresh_ = true;
    else if (iequals(refresher, "uac")) we_refresh_ = false;
  }
  arm_session_timer();
}

void CallSession::session_timer_headers(MessageWriter& w, bool we_are_uas) const {
  if (endpoint_->timers == "no") return;
  if (!session_expires_) {
    if (!we_are_uas) w.header(Header::MinSE, std::to_string(endpoint_->timers_min_se));
    return;
  }
  const bool uac_refreshes = we_are_uas ? !we_refresh_ : we_refresh_;
  w.header(Header::SessionExpires, std::to_string(session_expires_) + (uac_refreshes ? ";refresher=uac" : ";refresher=uas"));
  if (we_are_uas && peer_timer_) w.header(Header::Require, "timer");
  if (!we_are_uas) w.header(Header::MinSE, std::to_string(endpoint_->timers_min_se));
}

void CallSession::arm_session_timer() {
  if (!session_expires_ || !strand_ || phase_ != Phase::Confirmed) return;
  if (!session_timer_) session_timer_ = std::make_unique<boost::asio::steady_timer>(*strand_);
  using std::chrono::milliseconds;
  const milliseconds interval = std::chrono::seconds(session_expires_);
  const milliseconds after = we_refresh_ ? interval / 2 : interval - std::min<milliseconds>(std::chrono::seconds(32), interval / 3);
  session_timer_->expires_after(after);
  session_timer_->async_wait([weak = weak_from_this(), refresh = we_refresh_](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || self->phase_ != Phase::Confirmed) return;
    if (refresh) return self->send_refresh();
    self->stack_->engine().log().notice("res_pjsip_session", "Session timer expired on " + self->channel_name_ +
                                                                  ": no refresh from the peer; hanging up");
    if (auto ch = self->channel()) ch->request_hangup(HangupCause::NormalClearing);
  });
}

}  // namespace telephony::sip
