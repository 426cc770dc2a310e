// Our own hold towards a phone: with the endpoint's moh_passthrough=yes, the bridged peer's hold
// (Control::Hold/Unhold reaching this leg) is passed on as a re-INVITE — a=sendonly to hold,
// a=sendrecv to resume — instead of music on hold played here (chan_pjsip's behaviour for
// moh_passthrough; call_media.cpp plays the music otherwise).
//
// One INVITE transaction at a time in the dialog (RFC 3261 §14.1): while one of ours (hold or
// session refresh) is in flight, or the peer's re-INVITE waits for its ACK, the wanted state is
// only recorded; when the dialog is free again one re-INVITE brings the phone to the latest
// wanted state. A peer toggling hold quickly therefore costs at most one re-INVITE in flight and
// one more, never a queue of stale ones. A 491 (glare) is retried after RFC 3261 §14.1's random
// delay (2.1–4 s when we own the Call-ID, else up to 2 s); an incoming re-INVITE meanwhile is
// answered 491 (call_dialog.cpp).
#include <random>

#include "call_session.hpp"

namespace telephony::sip {

namespace {

std::chrono::milliseconds glare_delay(bool call_id_owner) {
  thread_local std::minstd_rand rng{std::random_device{}()};
  // In units of 10 ms, as §14.1 words it.
  std::uniform_int_distribution<int> ticks(call_id_owner ? 210 : 0, call_id_owner ? 400 : 200);
  return std::chrono::milliseconds(ticks(rng) * 10);
}

}  // namespace

void CallSession::pass_hold(bool hold) {
  want_local_hold_ = hold;
  send_hold_reinvite_if_due();
}

void CallSession::send_hold_reinvite_if_due() {
  if (!media_ || phase_ != Phase::Confirmed || invite_in_flight_ || glare_wait_ ||
      !awaiting_ack_.empty())
    return;
  if (want_local_hold_ == agreed_local_hold_) return;
  const bool hold = want_local_hold_;
  const auto cseq = local_cseq_ + 1;
  local_sdp_ = hold ? media_->hold() : media_->unhold();
  invite_in_flight_ = true;
  send_in_dialog("INVITE", "application/sdp", local_sdp_, {},
                 [weak = weak_from_this(), cseq, hold](StoredPtr resp) {
                   if (auto self = weak.lock()) self->on_hold_response(cseq, hold, std::move(resp));
                 });
}

void CallSession::on_hold_response(std::uint32_t cseq, bool hold, StoredPtr resp) {
  const int code = resp ? resp->msg.status() : 408;
  if (code < 200) return;
  invite_in_flight_ = false;
  if (phase_ != Phase::Confirmed) return;
  if (resp) stack_->log_message(true, resp->bytes, resp->source.remote);
  auto& log = stack_->engine().log();
  if (code < 300) {
    send_reinvite_ack(cseq);
    if (!apply_reinvite_answer(resp->msg.body())) {
      // As for a refresh: the ACK went with an answer we cannot use, so no media is left.
      if (auto ch = channel()) ch->request_hangup(HangupCause::BearerCapabilityNotAvail);
      return;
    }
    agreed_local_hold_ = hold;
    log.verbose("res_pjsip_session", channel_name_ + (hold ? ": put on hold" : ": taken off hold") +
                                         " by re-INVITE (moh_passthrough)");
    // Any re-INVITE refreshes the session (RFC 4028 §10).
    apply_session_timer_answer(resp->msg, session_expires_);
    arm_session_timer();
    return send_hold_reinvite_if_due();  // the bridged peer may have toggled meanwhile
  }
  if (code == 408 || code == 481) {
    // RFC 3261 §12.2.1.2: the dialog is gone.
    log.notice("res_pjsip_session", "Hold re-INVITE on " + channel_name_ + " failed with " +
                                        std::to_string(code) + "; hanging up");
    if (auto ch = channel()) ch->request_hangup(HangupCause::NormalClearing);
    return;
  }
  if (code == 491) {
    if (!glare_timer_) glare_timer_ = std::make_unique<boost::asio::steady_timer>(*strand_);
    glare_wait_ = true;
    glare_timer_->expires_after(glare_delay(!inbound_));
    glare_timer_->async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (ec || !self) return;
      self->glare_wait_ = false;
      self->send_hold_reinvite_if_due();
    });
    return;
  }
  // Refused (488, 500 …): the phone keeps the media it had, and so do we — our next offer or
  // answer says what is in force again. Not retried: the next Hold/Unhold tries again.
  log.notice("res_pjsip_session", channel_name_ + ": the phone refused the " +
                                      (hold ? "hold" : "unhold") + " re-INVITE with " +
                                      std::to_string(code));
  (void)(agreed_local_hold_ ? media_->hold() : media_->unhold());
  want_local_hold_ = agreed_local_hold_;
  arm_session_timer();
}

std::string CallSession::hold_status() const {
  // Local: what the phone accepted, not an offer still in flight.
  const bool local = agreed_local_hold_, remote = media_ && media_->remote_hold();
  if (local && remote) return "local, remote";
  return local ? "local" : remote ? "remote" : "no";
}

}  // namespace telephony::sip
