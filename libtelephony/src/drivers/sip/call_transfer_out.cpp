// Transfer() on a SIP channel (DriverTransfer), as chan_pjsip does it: an answered call gets a
// REFER (RFC 3515) and the outcome comes from the final NOTIFY's message/sipfrag; an inbound call
// not yet answered gets 302 Moved Temporarily with the target as Contact.
//
// The Refer-To is built from the destination Transfer() was given (after its "SIP/" or "PJSIP/"):
//   - a sip:/sips: URI (with or without <>) as written;
//   - the name of an endpoint: the first contact of its AORs (registered or static), as
//     Asterisk resolves an endpoint name;
//   - "user@host": sip:user@host;
//   - anything else is an extension: sip:<exten>@<domain>, the domain being the endpoint's
//     from_domain or else our own address on the call's transport — the phone calls us back.
// TRANSFERSTATUS: SUCCESS when the sipfrag says 2xx (or the peer answered the REFER with
// "Refer-Sub: false", RFC 4488); FAILURE with the code (REFER refused, or a sipfrag ≥ 300, or no
// final NOTIFY within 32 s: 408); UNSUPPORTED when the phone does not do REFER (405/501).
#include "call_session.hpp"
#include "telephony/sip/uri.hpp"

// GCC 12 false positive on inlined coroutine frames (see app_dial.cpp).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace telephony::sip {

namespace {

constexpr std::chrono::seconds kFinalNotifyWait{32};

// "SIP/2.0 200 OK" → 200; 0 when the body is not a status line.
int sipfrag_status(std::string_view body) {
  body = trim_lws(body);
  if (body.substr(0, 8) != "SIP/2.0 " || body.size() < 11) return 0;
  int code = 0;
  for (char c : body.substr(8, 3)) {
    if (c < '0' || c > '9') return 0;
    code = code * 10 + (c - '0');
  }
  return code;
}

}  // namespace

std::string CallSession::refer_target(std::string_view dest) const {
  std::string_view d = trim_lws(dest);
  if (d.size() > 2 && d.front() == '<' && d.back() == '>') d = d.substr(1, d.size() - 2);
  if (auto u = parse_uri(d); u && u->is_sip()) return std::string(d);
  auto cfg = stack_->config();
  if (auto ep = cfg->endpoint(d)) {
    for (const auto& aor : ep->aors)
      for (const auto& b : stack_->registrar().contacts(*cfg, aor))
        if (!b.uri.empty()) return b.uri;
  }
  if (d.find('@') != std::string_view::npos) return "sip:" + std::string(d);
  const std::string domain = !endpoint_->from_domain.empty()
                                 ? endpoint_->from_domain
                                 : dest_.transport->advertised().to_string();
  return "sip:" + std::string(d) + "@" + domain;
}

boost::asio::awaitable<TransferResult> CallSession::transfer(Channel& chan, std::string dest) {
  using Status = TransferResult::Status;
  if (!dest_.transport || phase_ == Phase::Terminated || phase_ == Phase::Idle)
    co_return TransferResult{Status::Failure, 0};
  const std::string target = refer_target(dest);
  if (auto u = parse_uri(target); !u || !u->is_sip()) {
    stack_->engine().log().warning("chan_pjsip", "Failed to parse destination URI '" + target +
                                                     "' for channel " + chan.name());
    co_return TransferResult{Status::Failure, 0};
  }
  if (inbound_ && invite_txn_ && !invite_txn_->final_sent()) {
    // Not answered yet: a redirect (chan_pjsip's transfer_redirect).
    redirect_contact_ = "<" + target + ">";
    respond_invite(302);
    phase_ = Phase::Terminated;
    chan.set_hangup_cause(HangupCause::NormalClearing);
    chan.request_hangup(HangupCause::NormalClearing);
    co_return TransferResult{Status::Success, 0};
  }
  if (phase_ != Phase::Confirmed) co_return TransferResult{Status::Failure, 0};
  stack_->engine().log().verbose("chan_pjsip",
                                 "Transferring " + chan.name() + " to " + target + " (REFER)");
  outgoing_refer_ = OutgoingRefer{true, false, 0};
  const auto referred_by =
      chan.variable("SIPREFERREDBYHDR").value_or(local_uri_.substr(0, local_uri_.find(";tag=")));
  std::weak_ptr<CallSession> weak = shared_from_this();
  send_in_dialog("REFER", {}, {},
                 "Refer-To: <" + target + ">\r\nReferred-By: " + referred_by + "\r\n",
                 [weak](StoredPtr resp) {
                   auto self = weak.lock();
                   if (!self || !self->outgoing_refer_.active) return;
                   const int code = resp ? resp->msg.status() : 408;
                   if (code < 200) return;
                   if (resp) self->stack_->log_message(true, resp->bytes, resp->source.remote);
                   const auto* sub = resp ? resp->msg.find(std::string_view("Refer-Sub")) : nullptr;
                   if (code >= 300 || (sub && iequals(trim_lws(sub->value), "false")))
                     self->refer_progress(code >= 300 ? code : 200);
                 });
  std::function<bool()> done = [this] { return outgoing_refer_.done; };
  co_await chan.wait_until(done, kFinalNotifyWait);
  const OutgoingRefer r = outgoing_refer_;
  outgoing_refer_ = OutgoingRefer{};
  if (!r.done) co_return TransferResult{Status::Failure, chan.hangup_requested() ? 0 : 408};
  if (r.code >= 200 && r.code < 300) co_return TransferResult{Status::Success, 0};
  if (r.code == 405 || r.code == 501) co_return TransferResult{Status::Unsupported, r.code};
  co_return TransferResult{Status::Failure, r.code};
}

void CallSession::refer_progress(int code) {
  if (!outgoing_refer_.active || outgoing_refer_.done || code < 200) return;
  outgoing_refer_.done = true;
  outgoing_refer_.code = code;
  if (auto ch = channel()) ch->wake();
}

void CallSession::refer_notify_received(const Message& req) {
  // RFC 3515 §2.4.5: NOTIFYs of the implicit subscription carry the sipfrag of the referred call.
  const auto event = trim_lws(req.value(Header::Event));
  if (!iequals(event.substr(0, event.find(';')), "refer")) return;
  const int code = sipfrag_status(req.body());
  if (code)
    refer_progress(code);
  else if (iequals(trim_lws(req.value(Header::SubscriptionState)).substr(0, 10), "terminated"))
    refer_progress(500);  // ended without telling us how (chan_pjsip counts it a failure)
}

}  // namespace telephony::sip
