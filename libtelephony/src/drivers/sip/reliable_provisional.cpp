// RFC 3262 as UAS: when the caller requires 100rel (or supports it and the endpoint's `100rel`
// is peer_supported/required), 180/183 go out with Require: 100rel and an RSeq, are
// retransmitted (T1, doubling) until the matching PRACK arrives, and one is unacknowledged at a
// time: later provisionals wait their turn, and so does the 2xx (§3 asks that of a 2xx after a
// provisional with SDP; every 183 of ours carries SDP). No PRACK within 64·T1: the INVITE is
// refused with 504 (§3's 5xx).
#include "call_session.hpp"
#include "telephony/sip/uri.hpp"

namespace telephony::sip {

void CallSession::send_reliable(int code, std::string bytes) {
  if (unacked_) {
    reliable_queue_.emplace_back(code, std::move(bytes));
    return;
  }
  if (code >= 200) {
    // A 2xx released from the queue: sent as an ordinary final response.
    stack_->log_message(false, bytes, invite_txn_->source().remote);
    invite_txn_->respond(code, std::move(bytes));
    set_state_text("Up");
    return;
  }
  auto parsed = parse_message(bytes, true);
  const auto rseq = parsed ? static_cast<std::uint32_t>(std::strtoul(std::string(parsed->value(Header::RSeq)).c_str(), nullptr, 10)) : 0u;
  unacked_ = Reliable{rseq, bytes, code};
  stack_->log_message(false, bytes, invite_txn_->source().remote);
  invite_txn_->respond(code, std::move(bytes));
  reliable_interval_ = stack_->transactions().timers().t1;
  reliable_started_ = std::chrono::steady_clock::now();
  arm_reliable_retransmit();
}

void CallSession::arm_reliable_retransmit() {
  if (!strand_) return;
  if (!reliable_timer_) reliable_timer_ = std::make_unique<boost::asio::steady_timer>(*strand_);
  reliable_timer_->expires_after(reliable_interval_);
  reliable_timer_->async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || !self->unacked_ || !self->invite_txn_ || self->invite_txn_->final_sent()) return;
    const auto& timers = self->stack_->transactions().timers();
    if (std::chrono::steady_clock::now() - self->reliable_started_ >= timers.b) {
      self->stack_->engine().log().notice("res_pjsip_session", "No PRACK for the reliable " +
                                                                    std::to_string(self->unacked_->code) + " on " +
                                                                    self->channel_name_ + "; refusing the call");
      self->unacked_.reset();
      self->reliable_queue_.clear();
      self->respond_invite(504);
      if (auto ch = self->channel()) ch->request_hangup(HangupCause::RecoveryOnTimerExpire);
      return;
    }
    // Over UDP and streams alike: the PRACK is end to end, so the provisional is ours to repeat.
    self->invite_txn_->respond(self->unacked_->code, self->unacked_->bytes);
    self->reliable_interval_ = std::min(self->reliable_interval_ * 2, timers.t2);
    self->arm_reliable_retransmit();
  });
}

void CallSession::on_prack(ServerTransaction& txn) {
  // RAck: <rseq> <cseq> <method> of the provisional being acknowledged.
  const auto rack = trim_lws(txn.request().value(Header::RAck));
  std::uint32_t rseq = 0, cseq = 0;
  char method[16] = {};
  const std::string text(rack);
  const bool parsed = std::sscanf(text.c_str(), "%u %u %15s", &rseq, &cseq, method) == 3;
  if (!parsed || !unacked_ || rseq != unacked_->rseq || !invite_txn_ || cseq != invite_txn_->request().cseq() ||
      std::string_view(method) != "INVITE")
    return txn.respond_simple(481);
  txn.respond_simple(200);
  unacked_.reset();
  if (reliable_timer_) reliable_timer_->cancel();
  // The next one in line (a provisional, or the 2xx that waited for this PRACK).
  if (!reliable_queue_.empty()) {
    auto [code, bytes] = std::move(reliable_queue_.front());
    reliable_queue_.pop_front();
    send_reliable(code, std::move(bytes));
  }
}

}  // namespace telephony::sip
