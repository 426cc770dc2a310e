// Transfers (RFC 3515 REFER, RFC 3891 Replaces), as chan_pjsip does them:
//   - blind: REFER with a plain Refer-To. The transferer's bridge peers continue in the dialplan
//     at the Refer-To user, in ${TRANSFER_CONTEXT} or the endpoint's context (BLINDTRANSFER set
//     on them); the transferer hears "200 OK" in a NOTIFY (message/sipfrag) and is hung up.
//   - attended: REFER whose Refer-To carries Replaces naming another of our dialogs (the phone
//     consulted the target on a second call with us). The two calls' bridge peers are bridged
//     together and both of the transferer's legs are hung up (Asterisk's
//     ast_bridge_transfer_attended between two bridges).
//   - an INVITE with Replaces naming one of our dialogs (a phone we talk to was transferred by its
//     peer elsewhere, whose new party now calls us): the new call is answered and takes the
//     replaced call's place in its bridge; the replaced call is hung up.
// Both parties of an attended transfer must be in a bridge; a transfer to a call that is still
// in the dialplan (Asterisk would masquerade) is refused with 503 (docs/compatibility.md).
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

// "Replaces=<escaped value>" among a URI's headers ("?A=b&Replaces=…").
std::optional<std::string> replaces_in_uri_headers(std::string_view headers) {
  while (!headers.empty()) {
    const auto amp = headers.find('&');
    const auto item = headers.substr(0, amp);
    const auto eq = item.find('=');
    if (eq != std::string_view::npos && iequals(item.substr(0, eq), "Replaces")) return unescape(item.substr(eq + 1));
    headers = amp == std::string_view::npos ? std::string_view() : headers.substr(amp + 1);
  }
  return std::nullopt;
}

// The session a Replaces value (RFC 3891: call-id;to-tag=…;from-tag=…) names. The to-tag is the
// tag of the UA receiving the Replaces — ours; the other tag is tried too, for peers that swap them.
std::shared_ptr<CallSession> replaced_session(SipStack& stack, std::string_view replaces) {
  const auto semi = replaces.find(';');
  const auto call_id = trim_lws(replaces.substr(0, semi));
  if (call_id.empty() || semi == std::string_view::npos) return nullptr;
  const Params params(replaces.substr(semi + 1));
  const auto to_tag = params.get("to-tag");
  const auto from_tag = params.get("from-tag");
  if (!to_tag || !from_tag) return nullptr;
  if (auto s = stack.find_dialog(call_id, *to_tag); s && s->remote_tag() == *from_tag) return s;
  if (auto s = stack.find_dialog(call_id, *from_tag); s && s->remote_tag() == *to_tag) return s;
  return nullptr;
}

// Joins `chan` to `bridge` from its own strand (with a hold token so nobody else ends it) and
// hangs it up when it leaves: the transferred call is over when either party leaves.
asio::awaitable<void> stay_in(Bridge::Ptr bridge, Channel::Ptr chan) {
  co_await bridge->join(chan);
  if (!chan->hangup_requested()) chan->request_hangup(HangupCause::NormalClearing);
}

// The same for a channel nobody runs yet (a new inbound call): the token keeps it ours.
asio::awaitable<void> stay_in_held(Bridge::Ptr bridge, Channel::Ptr chan, std::shared_ptr<void> token) {
  co_await stay_in(std::move(bridge), chan);
  (void)token;
}

// Moves each of `parties` (currently run by the dialplan, Dial or a bridge) into one new bridge.
void bridge_together(Engine& engine, const std::vector<Channel::Ptr>& parties) {
  auto bridge = Bridge::create(engine, {.type = "basic", .name = "", .creator = "sip_transfer", .dissolve_when_alone = true});
  for (const auto& p : parties)
    p->request_redirect(p->location(), [bridge](Channel::Ptr c) { return stay_in(bridge, std::move(c)); });
}

}  // namespace

void CallSession::refer(ServerTransaction& txn) {
  const Message& req = txn.request();
  auto chan = channel();
  if (!chan) return txn.respond_simple(481);
  if (!endpoint_->allow_transfer) return txn.respond_simple(603, "Transfers are not allowed");
  auto to = parse_name_addr(req.value(Header::ReferTo));
  if (!to || !to->uri.is_sip()) return txn.respond_simple(400, "Bad Refer-To header");
  if (auto replaces = replaces_in_uri_headers(to->uri.headers)) return attended_transfer(txn, chan, *replaces);
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

void CallSession::attended_transfer(ServerTransaction& txn, const Channel::Ptr& chan, std::string_view replaces) {
  const bool by_invite = txn.method() == Method::Invite;
  auto other = replaced_session(*stack_, replaces);
  auto other_chan = other && other.get() != this ? other->channel() : nullptr;
  auto refuse = [&](int code, std::string_view reason) {
    if (by_invite) {
      respond_invite(code, reason);
      chan->hangup();
    } else {
      txn.respond_simple(code, reason);
    }
  };
  if (!other_chan) return refuse(481, "Replaced dialog not found");
  Engine& engine = stack_->engine();
  auto other_peers = bridge_peers(engine, other_chan);
  if (by_invite) {
    // The new caller takes the replaced call's place: answer it, bridge it with the replaced
    // call's peer, end the replaced call.
    if (other_peers.empty()) return refuse(503, "Replaced call is not bridged");
    engine.log().verbose("res_pjsip_refer", chan->name() + " replaces " + other_chan->name());
    chan->answer();
    auto bridge = Bridge::create(engine, {.type = "basic", .name = "", .creator = "sip_replaces", .dissolve_when_alone = true});
    asio::co_spawn(chan->strand(), stay_in_held(bridge, chan, chan->hold()), asio::detached);
    for (const auto& p : other_peers)
      p->request_redirect(p->location(), [bridge](Channel::Ptr c) { return stay_in(bridge, std::move(c)); });
    other_chan->set_hangup_cause(HangupCause::NormalClearing);
    other_chan->request_hangup(HangupCause::NormalClearing);
    return;
  }
  // REFER with Replaces: our peer on this call meets our peer on the consultation call.
  auto peers = bridge_peers(engine, chan);
  if (peers.empty() || other_peers.empty()) return refuse(503, "Both calls must be bridged");
  txn.respond_simple(202);
  engine.log().verbose("res_pjsip_refer", chan->name() + " attended transfer: " + peers.front()->name() + " to " +
                                              other_peers.front()->name());
  peers.insert(peers.end(), other_peers.begin(), other_peers.end());
  bridge_together(engine, peers);
  notify_transfer_result("SIP/2.0 200 OK\r\n");
  for (const auto& c : {chan, other_chan}) {
    c->set_hangup_cause(HangupCause::NormalClearing);
    c->request_hangup(HangupCause::NormalClearing);
  }
}

void CallSession::notify_transfer_result(std::string_view sipfrag) {
  send_in_dialog("NOTIFY", "message/sipfrag;version=2.0", sipfrag,
                 "Event: refer\r\nSubscription-State: terminated;reason=noresource\r\n");
}

}  // namespace telephony::sip
