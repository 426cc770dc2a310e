// INVITE with Replaces (RFC 3891): a new call that takes over one of our dialogs — the last step
// of an attended transfer done by phones among themselves, or a phone taking over another's call.
// The replaced dialog is found by Call-ID and our tag (the to-tag); then, per RFC 3891 §3:
//   no such dialog → 481; a dialog already ended → 603; an early dialog we did not start → 481;
//   "early-only" on a confirmed dialog → 486; an early dialog we started (a phone still ringing)
//   → 486 (taking over a ringing call is not done here; docs/sip.md).
// A confirmed call whose channel is bridged: the new channel is answered and joins that bridge in
// the replaced channel's place (BridgeEnter with SwapUniqueid, as Asterisk's res_pjsip does);
// the replaced channel is hung up (BYE) once the new call's 200 is ACKed. A confirmed call that
// is not bridged (the replaced leg runs an application) gets 503: Asterisk would move the new
// channel into the application by a masquerade, which this engine does not have
// (docs/compatibility.md).
#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "call_session.hpp"
#include "telephony/bridge.hpp"
#include "telephony/sip/uri.hpp"

// GCC 12 false positive on inlined coroutine frames (see app_dial.cpp).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace telephony::sip {

namespace asio = boost::asio;

std::optional<CallSession::ReplacedCall> CallSession::find_replaced_call(
    SipStack& stack, ServerTransaction& invite) {
  const Message& req = invite.request();
  auto r = parse_replaces(req.value(Header::Replaces));
  if (!r) {
    invite.respond_simple(400, "Bad Replaces header");
    return std::nullopt;
  }
  auto session = stack.find_dialog(r->call_id, r->to_tag);
  const std::string what = "INVITE with Replaces for " + std::string(r->call_id);
  auto refuse = [&](int code, std::string_view reason, const std::string& why) {
    stack.engine().log().notice("res_pjsip_session",
                                what + " refused with " + std::to_string(code) + ": " + why);
    invite.respond_simple(code, reason);
    return std::nullopt;
  };
  if (!session) return refuse(481, {}, "no such dialog");
  const Phase phase = session->phase_;
  if (phase == Phase::Terminated) return refuse(603, {}, "the call has ended");
  if (phase != Phase::Confirmed) {
    if (session->inbound_) return refuse(481, {}, "an early dialog we did not start");
    return refuse(486, {}, "taking over a ringing call is not supported");
  }
  if (r->early_only) return refuse(486, {}, "early-only, and the call is answered");
  auto chan = session->channel();
  if (!chan || chan->hangup_requested()) return refuse(603, {}, "the call has ended");
  auto bridge = stack.engine().find_bridge(chan->snapshot().bridge_id);
  if (!bridge)
    return refuse(503, "Replaced call is not bridged", chan->name() + " is not in a bridge");
  return ReplacedCall{std::move(session), std::move(chan), std::move(bridge)};
}

asio::awaitable<void> CallSession::take_over(Channel::Ptr chan, ReplacedCall call, std::shared_ptr<void> token) {
  chan->answer();
  // The replaced leg goes once the new dialog is confirmed (its ACK came), so that the phone
  // that sent the INVITE hears our 200 before the other dialog's BYE.
  std::function<bool()> acked = [this] { return awaiting_ack_.empty(); };
  co_await chan->wait_until(acked, std::chrono::seconds(32));
  if (acked() && !chan->hangup_requested()) {
    Channel::Ptr replaced = call.chan;
    std::function<void(bool)> joined = [replaced](bool) {
      // In the bridge (or the bridge is gone): the replaced leg ends either way.
      replaced->set_hangup_cause(HangupCause::NormalClearing);
      replaced->request_hangup(HangupCause::NormalClearing);
    };
    co_await call.bridge->join_replacing(chan, replaced, joined);
  }
  if (!chan->hangup_requested()) chan->request_hangup(HangupCause::NormalClearing);
  (void)token;  // released here: the requested hangup becomes final
}

void CallSession::replace_call(const Channel::Ptr& chan, ReplacedCall call) {
  stack_->engine().log().verbose("res_pjsip_session",
                                 chan->name() + " replaces " + call.chan->name() + " (INVITE with Replaces)");
  auto token = chan->hold();
  asio::co_spawn(chan->strand(), take_over(chan, std::move(call), std::move(token)), asio::detached);
}

}  // namespace telephony::sip
