// Transfers the phone asks for (RFC 3515 REFER), as chan_pjsip/res_pjsip_refer do them.
//
// Blind: a plain Refer-To. The transferer's bridge peers continue in the dialplan at the Refer-To
// user, in ${TRANSFER_CONTEXT} or the endpoint's context (BLINDTRANSFER set on them); the
// transferer hears "200 OK" in a NOTIFY (message/sipfrag) and is hung up; AMI BlindTransfer.
//
// Attended (RFC 5589 §7): the Refer-To carries `?Replaces=<call-id>;to-tag=…;from-tag=…` naming
// another dialog of ours — the phone's call with the transfer target. The transferee (the party
// bridged with the REFER's leg) moves into the target's bridge, taking the place of the phone's
// second leg; both of the phone's legs are then hung up (BYE) and the AMI AttendedTransfer event
// says what happened (DestType Bridge). The outcome goes back in the NOTIFY: 200, or 481 when the
// Replaces dialog is not ours, 603 when its call is gone, 503 when one of the calls is not bridged
// (Asterisk would run the unbridged side's application there; docs/compatibility.md).
#include <algorithm>

#include "call_session.hpp"
#include "message_writer.hpp"
#include "telephony/bridge.hpp"
#include "telephony/dialplan/app_events.hpp"
#include "telephony/sip/uri.hpp"

namespace telephony::sip {

namespace {

// The other members of `chan`'s bridge.
std::vector<Channel::Ptr> bridge_peers(const Bridge::Ptr& bridge, const Channel::Ptr& chan) {
  std::vector<Channel::Ptr> peers;
  if (!bridge) return peers;
  for (const auto& m : bridge->members())
    if (m != chan) peers.push_back(m);
  return peers;
}

std::string sipfrag(int code) {
  return "SIP/2.0 " + std::to_string(code) + " " + std::string(reason_phrase(code)) + "\r\n";
}

}  // namespace

void CallSession::refer(ServerTransaction& txn) {
  const Message& req = txn.request();
  auto chan = channel();
  if (!chan) return txn.respond_simple(481);
  if (!endpoint_->allow_transfer) return txn.respond_simple(603, "Transfers are not allowed");
  auto to = parse_name_addr(req.value(Header::ReferTo));
  if (!to || !to->uri.is_sip()) return txn.respond_simple(400, "Bad Refer-To header");
  // RFC 4488: "Refer-Sub: false" asks for no NOTIFY.
  const auto* refer_sub = req.find(std::string_view("Refer-Sub"));
  refer_notify_ = !refer_sub || !iequals(trim_lws(refer_sub->value), "false");
  if (auto replaces = uri_header(to->uri.headers, "Replaces")) {
    const std::string text = unescape(*replaces);
    auto r = parse_replaces(text);
    if (!r) return txn.respond_simple(400, "Bad Replaces in Refer-To header");
    return attended_transfer(txn, chan, *r);
  }
  blind_transfer(txn, chan, to->uri.has_user() ? unescape(to->uri.user) : std::string("s"));
}

void CallSession::blind_transfer(ServerTransaction& txn, const Channel::Ptr& chan,
                                 const std::string& exten) {
  const std::string context = chan->variable("TRANSFER_CONTEXT").value_or(endpoint_->context);
  auto pbx = stack_->engine().pbx();
  if (!pbx || !pbx->exists(context, exten, 1, chan->caller().number))
    return txn.respond_simple(404);
  auto bridge = stack_->engine().find_bridge(chan->snapshot().bridge_id);
  if (bridge_peers(bridge, chan).empty()) return txn.respond_simple(503, "Nobody to transfer");
  txn.respond_simple(202);
  after_202(txn, [chan, context, exten](CallSession& c) { c.blind_transfer_accepted(chan, context, exten); });
}

// respond() hands a response to the transaction's strand; a NOTIFY sent straight from ours could
// overtake the 202, and a phone refuses a NOTIFY for a REFER it has no answer to yet (481) and
// then never ends the call (baresip). So the rest of a transfer runs once the 202 is sent.
void CallSession::after_202(ServerTransaction& txn, std::function<void(CallSession&)> then) {
  txn.after_responses([self = shared_from_this(), then = std::move(then)]() mutable { self->post(std::move(then)); });
}

void CallSession::blind_transfer_accepted(const Channel::Ptr& chan, const std::string& context,
                                          const std::string& exten) {
  auto bridge = stack_->engine().find_bridge(chan->snapshot().bridge_id);
  auto peers = bridge_peers(bridge, chan);
  if (peers.empty()) return notify_transfer_result(sipfrag(503));  // they left meanwhile
  stack_->engine().log().verbose("res_pjsip_refer",
                                 chan->name() + " blind transfer to " + exten + "@" + context);
  BlindTransferDone ev;  // AMI BlindTransfer, IsExternal: Yes (a protocol-native transfer)
  ev.result = "Success";
  ev.transferer = chan->snapshot();
  ev.transferee = peers.front()->snapshot();
  ev.bridge = bridge->snapshot();
  ev.context = context;
  ev.exten = exten;
  ev.external = true;
  stack_->engine().events().emit(std::move(ev));
  for (const auto& p : peers) {
    p->set_variable("BLINDTRANSFER", chan->name());  // as Asterisk sets it on the transferee
    p->request_redirect(DialplanLocation{context, exten, 1});
  }
  notify_transfer_result(sipfrag(200));
  chan->set_hangup_cause(HangupCause::NormalClearing);
  chan->request_hangup(HangupCause::NormalClearing);
}

void CallSession::attended_transfer(ServerTransaction& txn, const Channel::Ptr& chan,
                                    const Replaces& r) {
  // The Replaces is written for the target of an INVITE: to-tag is our tag in that dialog.
  // Some phones swap the tags; a Call-ID and either of our tags identify it all the same.
  auto other = stack_->find_dialog(r.call_id, r.to_tag);
  if (!other) other = stack_->find_dialog(r.call_id, r.from_tag);
  txn.respond_simple(202);
  if (!other || other.get() == this) {
    stack_->engine().log().notice("res_pjsip_refer", "Attended transfer from " + chan->name() + " (endpoint " +
                                                         endpoint_->name + ") names dialog " + std::string(r.call_id) +
                                                         ", which is not ours");
    return after_202(txn, [](CallSession& c) { c.notify_transfer_result(sipfrag(481)); });
  }
  after_202(txn, [chan, other](CallSession& c) { c.attended_transfer_accepted(chan, other); });
}

void CallSession::attended_transfer_accepted(const Channel::Ptr& chan, const std::shared_ptr<CallSession>& other) {
  Engine& engine = stack_->engine();
  const std::string who = chan->name() + " (endpoint " + endpoint_->name + ")";
  auto second = other->channel();
  AttendedTransferDone ev;
  ev.external = true;
  ev.orig_transferer = chan->snapshot();
  auto orig_bridge = engine.find_bridge(ev.orig_transferer.bridge_id);
  if (orig_bridge) ev.orig_bridge = orig_bridge->snapshot();
  auto report = [&](std::string result, std::string dest_type, int code) {
    ev.result = std::move(result);
    ev.dest_type = std::move(dest_type);
    engine.events().emit(std::move(ev));
    notify_transfer_result(sipfrag(code));
  };
  if (!second || second->hangup_requested()) {
    engine.log().notice("res_pjsip_refer",
                        "Attended transfer from " + who + ": the call to replace is gone");
    ev.second_transferer = ev.orig_transferer;
    return report("Fail", "Fail", 603);
  }
  ev.second_transferer = second->snapshot();
  auto second_bridge = engine.find_bridge(ev.second_transferer.bridge_id);
  if (second_bridge) ev.second_bridge = second_bridge->snapshot();
  const auto transferees = bridge_peers(orig_bridge, chan);
  const auto targets = bridge_peers(second_bridge, second);
  if (!transferees.empty()) ev.transferee = transferees.front()->snapshot();
  if (!targets.empty()) ev.target = targets.front()->snapshot();
  if (transferees.empty() || targets.empty() || orig_bridge == second_bridge) {
    engine.log().notice("res_pjsip_refer", "Attended transfer from " + who + " to " +
                                               second->name() +
                                               ": both calls must be bridged with another party");
    return report("Invalid", "Fail", 503);
  }
  // The phone hears the outcome before any BYE of its calls can reach it: the moves below end
  // with those BYEs, from other strands.
  notify_transfer_result(sipfrag(200));
  // The transferees take the place of the phone's second leg in the target's bridge (the first
  // of them swaps it out, so that bridge never drops below two members). A held transferee
  // hears no more music on hold once it is there; the phone's second leg goes once it is out.
  bool first = true;
  for (const auto& t : transferees) {
    auto moved = [t, second, swapped = first](bool ok) {
      if (ok) t->indicate(Control::Unhold);
      if (swapped) second->request_hangup(HangupCause::NormalClearing);
    };
    if (!orig_bridge->move_to(t, second_bridge, first ? second : nullptr, moved) && first) {
      // Hung up this very moment: nothing moved, nothing more to do than report it.
      engine.log().notice("res_pjsip_refer",
                          "Attended transfer from " + who + ": " + t->name() + " is leaving");
      ev.result = "Fail";
      ev.dest_type = "Fail";
      engine.events().emit(std::move(ev));
      return;
    }
    first = false;
  }
  engine.log().verbose("res_pjsip_refer", who +
                                              " attended transfer: " + transferees.front()->name() +
                                              " joins " + targets.front()->name());
  ev.result = "Success";
  ev.dest_type = "Bridge";
  ev.dest_bridge = second_bridge->uniqueid();
  engine.events().emit(std::move(ev));
  chan->set_hangup_cause(HangupCause::NormalClearing);
  chan->request_hangup(HangupCause::NormalClearing);
}

void CallSession::notify_transfer_result(std::string_view frag) {
  if (!refer_notify_) return;
  send_in_dialog("NOTIFY", "message/sipfrag;version=2.0", frag,
                 "Event: refer\r\nSubscription-State: terminated;reason=noresource\r\n");
}

}  // namespace telephony::sip
