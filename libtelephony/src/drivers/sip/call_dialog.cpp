// Requests inside a call's dialog, both directions: BYE, re-INVITE/UPDATE (hold, unhold, session
// refresh), INFO (DTMF relay), OPTIONS, NOTIFY, PRACK, REFER, MESSAGE from the peer; and what we send in
// the dialog — BYE, INFO, NOTIFY, and re-INVITE/UPDATE refreshes with the ACK of their 2xx.
// See call_session.hpp.
#include "call_session.hpp"
#include "telephony/sip/uri.hpp"

namespace telephony::sip {

namespace {

// "application/dtmf-relay" (Signal=5 / Duration=160) or "application/dtmf" ("5").
std::optional<std::pair<char, int>> parse_info_dtmf(std::string_view type, std::string_view body) {
  type = trim_lws(type.substr(0, type.find(';')));
  if (iequals(type, "application/dtmf")) {
    body = trim_lws(body);
    if (body.size() == 1) return std::pair<char, int>{body[0], 250};
    return std::nullopt;
  }
  if (!iequals(type, "application/dtmf-relay")) return std::nullopt;
  char digit = 0;
  int duration = 250;
  std::size_t pos = 0;
  while (pos < body.size()) {
    auto end = body.find('\n', pos);
    auto line = trim_lws(body.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
    auto eq = line.find('=');
    if (eq != std::string_view::npos) {
      auto k = trim_lws(line.substr(0, eq));
      auto v = trim_lws(line.substr(eq + 1));
      if (iequals(k, "Signal") && !v.empty()) {
        digit = v.size() == 1 ? v[0] : (v == "10" ? '*' : v == "11" ? '#' : 0);
      } else if (iequals(k, "Duration")) {
        int d = 0;
        for (char c : v)
          if (c >= '0' && c <= '9') d = d * 10 + (c - '0');
        if (d > 0 && d < 10000) duration = d;
      }
    }
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  const bool valid = (digit >= '0' && digit <= '9') || digit == '*' || digit == '#' || (digit >= 'A' && digit <= 'D');
  if (!valid) return std::nullopt;
  return std::pair<char, int>{digit, duration};
}

}  // namespace

void CallSession::on_request(std::shared_ptr<ServerTransaction> txn) {
  post([txn](CallSession& c) { c.in_dialog_request(txn); });
}

void CallSession::on_ack(std::uint32_t cseq, std::string_view sdp) {
  post([cseq, sdp = std::string(sdp)](CallSession& c) {
    c.apply_ack_answer(sdp);
    // The ACK of a 2xx carries the CSeq number of its INVITE (RFC 3261 §13.2.2.4).
    std::erase_if(c.awaiting_ack_, [cseq](const std::shared_ptr<ServerTransaction>& t) {
      if (t->request().cseq() != cseq) return false;
      t->ack_2xx();
      return true;
    });
    c.send_hold_reinvite_if_due();  // a hold passed on waits for the peer's INVITE to end
    c.send_texts_after_ack();       // text written right after Answer() (call_text.cpp)
    if (auto ch = c.channel()) ch->wake();  // an INVITE with Replaces waits for its ACK
  });
}

void CallSession::in_dialog_request(const std::shared_ptr<ServerTransaction>& txn_ptr) {
  ServerTransaction& txn = *txn_ptr;
  const Message& req = txn.request();
  stack_->log_message(true, txn.stored()->bytes, txn.source().remote);
  if (phase_ == Phase::Terminated && req.method() != Method::Bye) return txn.respond_simple(481);
  if (req.cseq() <= remote_cseq_ && req.method() != Method::Ack) return txn.respond_simple(500, "Out of order CSeq");
  remote_cseq_ = req.cseq();
  auto chan = channel();
  switch (req.method()) {
    case Method::Bye:
      bye_received_ = true;
      txn.respond_simple(200);
      if (chan) {
        chan->set_hangup_cause(HangupCause::NormalClearing);
        chan->request_hangup(HangupCause::NormalClearing);
      }
      return;
    case Method::Invite:
    case Method::Update:
      return offer_received(txn, txn_ptr);
    case Method::Info: {
      auto d = parse_info_dtmf(req.value(Header::ContentType), req.body());
      if (!d && !req.body().empty()) return txn.respond_simple(415);
      txn.respond_simple(200);
      if (d && chan) {
        chan->queue_frame(Frame::dtmf_begin(d->first));
        chan->queue_frame(Frame::dtmf_end(d->first, std::chrono::milliseconds(d->second)));
      }
      return;
    }
    case Method::Options:
      return txn.respond_simple(200);
    case Method::Notify:
      txn.respond_simple(200);
      return refer_notify_received(req);
    case Method::Prack:
      return on_prack(txn);
    case Method::Refer:
      return refer(txn);
    case Method::Message:
      return message_received(txn);
    default:
      return txn.respond_simple(501, {}, "Allow: " + std::string(kDialogAllow) + "\r\n");
  }
}

// MESSAGE inside the dialog (RFC 3428 §7): the text goes to the channel as a Text frame
// (ReceiveText(), a bridged peer), answered 202 as chan_pjsip does; a body that is neither text/*
// nor application/* gets 415 (chan_pjsip's check too), a leg without a channel 404.
void CallSession::message_received(ServerTransaction& txn) {
  const Message& req = txn.request();
  auto type = trim_lws(req.value(Header::ContentType));
  type = trim_lws(type.substr(0, type.find('/')));
  if (req.body().empty() || !(iequals(type, "text") || iequals(type, "application"))) return txn.respond_simple(415);
  auto chan = channel();
  if (!chan) return txn.respond_simple(404);
  chan->queue_frame(Frame::text(req.body()));
  txn.respond_simple(202);
}

// re-INVITE / UPDATE from the peer: a new offer for the media session (which queues hold/unhold
// on the channel), a session refresh, a new remote target; answered with our SDP.
void CallSession::offer_received(ServerTransaction& txn, const std::shared_ptr<ServerTransaction>& txn_ptr) {
  const Message& req = txn.request();
  // RFC 3261 §14.2 / RFC 3311 §5.2: an offer while our re-INVITE is in progress is glare.
  if (invite_in_flight_ && (req.method() == Method::Invite || !req.body().empty())) return txn.respond_simple(491);
  if (!answer_reoffer(txn)) return;  // 488 with Warning; the session keeps its media
  if (media_) agreed_local_hold_ = media_->local_hold();  // our answer said it (call_hold.cpp)
  if (auto c = parse_name_addr(req.value(Header::Contact))) remote_target_ = std::string(c->uri.text);
  refresh_received(req);
  auto w = response_for(req, 200, {}, txn.source().remote, local_tag_);
  session_timer_headers(w, true);
  w.header(Header::Contact, stack_->contact(*dest_.transport, ""));
  w.header(Header::Server, stack_->user_agent());
  // An UPDATE without a body only refreshes; an offer (or an INVITE without one) gets our SDP.
  const auto sdp = req.method() == Method::Update && req.body().empty() ? std::string() : answer_sdp();
  txn.respond(200, w.finish(sdp.empty() ? std::string_view() : "application/sdp", sdp));
  if (req.method() == Method::Invite) awaiting_ack_.push_back(txn_ptr);
}

std::string CallSession::build_request(std::string_view method, const std::string& branch, std::uint32_t cseq,
                                       std::string_view content_type, std::string_view body, std::string_view extra) {
  MessageWriter w;
  w.request_line(method, remote_target_.empty() ? std::string_view(targets_.empty() ? "" : targets_[0].uri)
                                                : std::string_view(remote_target_));
  w.header(Header::Via, stack_->via(*dest_.transport, branch));
  for (const auto& r : route_set_) w.header(Header::Route, r);
  w.header(Header::MaxForwards, "70");
  w.header(Header::From, local_uri_);
  w.header(Header::To, remote_uri_);
  w.header(Header::CallId, call_id_);
  w.header(Header::CSeq, std::to_string(cseq) + " " + std::string(method));
  if (method == "INVITE" || method == "UPDATE") {
    w.header(Header::Contact, stack_->contact(*dest_.transport, ""));
    w.header(Header::Allow, kDialogAllow);
    w.header(Header::Supported, kDialogSupported);
    session_timer_headers(w, false);
  }
  w.header(Header::UserAgent, stack_->user_agent());
  std::string bytes = w.finish(content_type, body);
  if (!extra.empty()) bytes.insert(bytes.find("Content-Length:"), extra);
  return bytes;
}

void CallSession::send_in_dialog(std::string_view method, std::string_view content_type, std::string_view body,
                                 std::string_view extra, ClientTransaction::Handler on_response) {
  if (!dest_.transport) return;
  const auto branch = new_branch();
  auto bytes = build_request(method, branch, ++local_cseq_, content_type, body, extra);
  stack_->log_message(false, bytes, dest_.address);
  if (!on_response) on_response = [](StoredPtr) {};
  stack_->send_request(method_from(method), branch, std::move(bytes), dest_, *strand_, std::move(on_response));
}

// A session refresh as refresher (RFC 4028 §7.4/§9): UPDATE without a body when the peer allows
// it (nothing about the media changes), else a re-INVITE with an offer of our current media (the
// same o= version when nothing changed), whose answer in the 2xx is applied to the media session.
void CallSession::send_refresh() {
  if (phase_ != Phase::Confirmed) return;
  const bool invite = !peer_allows_update_;
  if (invite && invite_in_flight_) return refresh_again_soon();  // one INVITE at a time (§14.1)
  invite_in_flight_ |= invite;
  const auto cseq = local_cseq_ + 1;
  std::weak_ptr<CallSession> weak = shared_from_this();
  auto handler = [weak, cseq, invite](StoredPtr resp) {
    if (auto self = weak.lock()) self->on_refresh_response(cseq, invite, std::move(resp));
  };
  if (invite && media_) local_sdp_ = media_->create_offer();
  if (invite && !local_sdp_.empty()) send_in_dialog("INVITE", "application/sdp", local_sdp_, {}, std::move(handler));
  else send_in_dialog(invite ? "INVITE" : "UPDATE", {}, {}, {}, std::move(handler));
}

void CallSession::on_refresh_response(std::uint32_t cseq, bool invite, StoredPtr resp) {
  const int code = resp ? resp->msg.status() : 408;
  if (code < 200) return;
  if (invite) invite_in_flight_ = false;
  if (phase_ != Phase::Confirmed) return;
  if (resp) stack_->log_message(true, resp->bytes, resp->source.remote);
  if (code < 300) {
    if (invite) {
      send_reinvite_ack(cseq);
      if (!apply_reinvite_answer(resp->msg.body())) {
        // RFC 3264 §5: an answer we cannot use leaves no media to speak of; the ACK went, so end
        // the call as the ACK-answer case does.
        if (auto ch = channel()) ch->request_hangup(HangupCause::BearerCapabilityNotAvail);
        return;
      }
      if (media_) agreed_local_hold_ = media_->local_hold();  // the offer said it (call_hold.cpp)
    }
    apply_session_timer_answer(resp->msg, session_expires_);
    arm_session_timer();
    return send_hold_reinvite_if_due();  // a hold passed on while the refresh was in progress
  }
  if (code == 408 || code == 481) {
    // RFC 4028 §10: a refresh that times out or finds no dialog ends the session.
    stack_->engine().log().notice("res_pjsip_session", "Session refresh on " + channel_name_ + " failed with " +
                                                           std::to_string(code) + "; hanging up");
    if (auto ch = channel()) ch->request_hangup(HangupCause::NormalClearing);
    return;
  }
  if (!invite && (code == 405 || code == 501)) peer_allows_update_ = false;  // try a re-INVITE next time
  // Anything else (491 glare, 488 …) leaves the call as it was; refresh again shortly.
  refresh_again_soon();
  if (code != 491) send_hold_reinvite_if_due();
}

void CallSession::refresh_again_soon() {
  if (!session_timer_) return;
  session_timer_->expires_after(std::chrono::seconds(2));
  session_timer_->async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    if (auto self = weak.lock(); self && !ec) self->send_refresh();
  });
}

void CallSession::send_reinvite_ack(std::uint32_t cseq) {
  // The ACK of a re-INVITE's 2xx: same CSeq number, sent end to end (RFC 3261 §13.2.2.4).
  reinvite_ack_ = build_request("ACK", new_branch(), cseq);
  reinvite_ack_cseq_ = cseq;
  stack_->log_message(false, reinvite_ack_, dest_.address);
  stack_->send_raw(dest_, reinvite_ack_);
}

void CallSession::on_stray_2xx(std::uint32_t cseq) {
  post([cseq](CallSession& c) {
    // A retransmitted 2xx after its INVITE transaction ended: ACK it again.
    const std::string& ack = cseq == c.reinvite_ack_cseq_ && !c.reinvite_ack_.empty() ? c.reinvite_ack_ : c.ack_;
    if (!ack.empty()) c.stack_->send_raw(c.dest_, ack);
  });
}

}  // namespace telephony::sip
