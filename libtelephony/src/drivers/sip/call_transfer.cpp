// Transfers (RFC 3515 REFER), as chan_pjsip does a blind one: REFER with a plain Refer-To. The
// transferer's bridge peers continue in the dialplan at the Refer-To user, in ${TRANSFER_CONTEXT}
// or the endpoint's context (BLINDTRANSFER set on them); the transferer hears "200 OK" in a NOTIFY
// (message/sipfrag) and is hung up. Attended transfer (Refer-To with Replaces, RFC 3891) is not
// done yet and answers 501 (docs/sip.md).
#include "call_session.hpp"
#include "telephony/bridge.hpp"
#include "telephony/sip/uri.hpp"

namespace telephony::sip {

namespace {

// The other members of `chan`'s bridge.
std::vector<Channel::Ptr> bridge_peers(Engine& engine, const Channel::Ptr& chan) {
  std::vector<Channel::Ptr> peers;
  auto bridge = engine.find_bridge(chan->snapshot().bridge_id);
  if (!bridge) return peers;
  for (const auto& m : bridge->members())
    if (m != chan) peers.push_back(m);
  return peers;
}

}  // namespace

void CallSession::refer(ServerTransaction& txn) {
  const Message& req = txn.request();
  auto chan = channel();
  if (!chan) return txn.respond_simple(481);
  if (!endpoint_->allow_transfer) return txn.respond_simple(603, "Transfers are not allowed");
  auto to = parse_name_addr(req.value(Header::ReferTo));
  if (!to || !to->uri.is_sip()) return txn.respond_simple(400, "Bad Refer-To header");
  if (to->uri.headers.find("Replaces") != std::string_view::npos)
    return txn.respond_simple(501, "Attended transfer (Replaces) is not supported yet");
  blind_transfer(txn, chan, to->uri.has_user() ? unescape(to->uri.user) : std::string("s"));
}

void CallSession::blind_transfer(ServerTransaction& txn, const Channel::Ptr& chan, const std::string& exten) {
  const std::string context = chan->variable("TRANSFER_CONTEXT").value_or(endpoint_->context);
  auto pbx = stack_->engine().pbx();
  if (!pbx || !pbx->exists(context, exten, 1, chan->caller().number)) return txn.respond_simple(404);
  auto peers = bridge_peers(stack_->engine(), chan);
  if (peers.empty()) return txn.respond_simple(503, "Nobody to transfer");
  txn.respond_simple(202);
  stack_->engine().log().verbose("res_pjsip_refer", chan->name() + " blind transfer to " + exten + "@" + context);
  for (const auto& p : peers) {
    p->set_variable("BLINDTRANSFER", chan->name());  // as Asterisk sets it on the transferee
    p->request_redirect(DialplanLocation{context, exten, 1});
  }
  notify_transfer_result("SIP/2.0 200 OK\r\n");
  chan->set_hangup_cause(HangupCause::NormalClearing);
  chan->request_hangup(HangupCause::NormalClearing);
}

void CallSession::notify_transfer_result(std::string_view sipfrag) {
  send_in_dialog("NOTIFY", "message/sipfrag;version=2.0", sipfrag,
                 "Event: refer\r\nSubscription-State: terminated;reason=noresource\r\n");
}

}  // namespace telephony::sip
