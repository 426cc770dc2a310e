// Actions that move channels: Redirect (with ExtraChannel), Bridge, BlindTransfer — all on
// Channel::request_redirect(), the asynchronous goto: the channel's running application is
// interrupted and its owner (the PBX, or whoever releases it) continues at the new location.
// Atxfer starts an attended transfer (apps/attended_transfer.cpp). MuteAudio sets the channel's audio mute (Channel::set_audio_mute) in its frame path.
#include <charconv>

#include "action_context.hpp"
#include "apps/attended_transfer.hpp"
#include "telephony/bridge.hpp"
#include "telephony/dialplan/executor.hpp"

namespace telephony::manager {

namespace {

using ResponderPtr = std::shared_ptr<ActionResponder>;
namespace asio = boost::asio;

// Context/Exten/Priority (or their Extra- variants) for `chan` -> a location, or the error.
Result<DialplanLocation> target_of(Engine& engine, const ActionResponder& r, const Channel& chan, std::string_view prefix) {
  auto h = [&](std::string_view name) { return header(r, std::string(prefix) + std::string(name)); };
  DialplanLocation to;
  to.context = std::string(h("Context"));
  if (to.context.empty()) to.context = chan.location().context;
  to.exten = std::string(h("Exten"));
  if (to.exten.empty()) return fail(std::string(prefix) + "Exten not specified");
  const auto prio = h("Priority");
  auto pbx = std::dynamic_pointer_cast<dialplan::DialplanPbx>(engine.pbx());
  if (!pbx) return fail("Redirect needs the dialplan module (pbx_config), which is not loaded");
  const auto caller = chan.caller().number;
  if (prio.empty()) {
    to.priority = 1;
  } else if (auto [p, ec] = std::from_chars(prio.data(), prio.data() + prio.size(), to.priority);
             ec != std::errc() || p != prio.data() + prio.size()) {
    auto found = pbx->snapshot()->find_label(to.context, to.exten, prio, caller);
    if (!found) return fail("Invalid priority");
    to.priority = found->priority->number;
  } else if (to.priority < 1) {
    return fail("Invalid priority");
  }
  if (!pbx->exists(to.context, to.exten, to.priority, caller))
    return fail("Extension does not exist: " + to.exten + "@" + to.context + ":" + std::to_string(to.priority));
  return to;
}

void redirect(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const auto name = header(*r, "Channel");
  if (name.empty()) return r->error("Channel not specified");
  auto chan = ctx->engine.find_channel(name);
  if (!chan || chan->is_hung_up()) return r->error("Channel does not exist: " + std::string(name));
  Channel::Ptr extra;
  if (const auto xname = header(*r, "ExtraChannel"); !xname.empty()) {
    extra = ctx->engine.find_channel(xname);
    if (!extra || extra->is_hung_up()) return r->error("ExtraChannel does not exist: " + std::string(xname));
  }
  auto to = target_of(ctx->engine, *r, *chan, "");
  if (!to) return r->error(to.error().message);
  std::optional<DialplanLocation> extra_to;
  if (extra) {
    // Asterisk: the Extra* headers default to the main ones.
    const bool own = !header(*r, "ExtraExten").empty();
    auto t = target_of(ctx->engine, *r, *extra, own ? "Extra" : "");
    if (!t) return r->error(t.error().message);
    extra_to = *t;
  }
  chan->request_redirect(*to);
  if (extra) {
    extra->request_redirect(*extra_to);
    return r->success("Dual Redirect successful");
  }
  r->success("Redirect successful");
}

// Both channels leave what they are doing, join a new bridge, and when it ends each continues
// in the dialplan after the priority it was at (Asterisk's "after bridge go on").
void bridge_action(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const auto n1 = header(*r, "Channel1");
  const auto n2 = header(*r, "Channel2");
  if (n1.empty() || n2.empty()) return r->error("Channel1 and Channel2 must be specified");
  auto c1 = ctx->engine.find_channel(n1);
  if (!c1 || c1->is_hung_up()) return r->error("Channel1 does not exist: " + std::string(n1));
  auto c2 = ctx->engine.find_channel(n2);
  if (!c2 || c2->is_hung_up()) return r->error("Channel2 does not exist: " + std::string(n2));
  if (c1 == c2) return r->error("Unable to bridge a channel to itself");
  if (!ctx->engine.pbx()) return r->error("Bridge needs the dialplan module (pbx_config), which is not loaded");
  auto bridge = Bridge::create(ctx->engine, BridgeOptions{.type = "basic", .name = "", .creator = "manager"});
  auto join = [bridge](Channel::Ptr c) -> asio::awaitable<void> {
    if (c->state() != ChannelState::Up) c->answer();
    co_await bridge->join(c);
  };
  for (const auto& c : {c1, c2}) {
    auto at = c->location();
    if (c->pbx_running()) ++at.priority;  // continue after the application it was running
    c->request_redirect(at, join);
  }
  r->success("Channels have been bridged");
}

// What BlindTransfer and Atxfer both check first: Channel and Exten given, the channel alive and
// in a bridge, the dialplan loaded. Answers the error and returns nullopt.
struct TransferTarget {
  Channel::Ptr chan;
  std::string context;
  std::string exten;
  std::shared_ptr<Pbx> pbx;
  std::vector<Channel::Ptr> peers;  // the channel's bridge peers
};

std::optional<TransferTarget> transfer_target(const ActionContextPtr& ctx, const ResponderPtr& r, std::string_view action) {
  TransferTarget t;
  const auto name = header(*r, "Channel");
  if (name.empty()) return r->error("No channel specified"), std::nullopt;
  t.exten = std::string(header(*r, "Exten"));
  if (t.exten.empty()) return r->error("No extension specified"), std::nullopt;
  t.chan = ctx->engine.find_channel(name);
  if (!t.chan || t.chan->is_hung_up()) return r->error("Channel specified does not exist"), std::nullopt;
  t.context = std::string(header(*r, "Context"));
  if (t.context.empty()) t.context = t.chan->variable("TRANSFER_CONTEXT").value_or(t.chan->location().context);
  auto bridge = ctx->engine.find_bridge(t.chan->snapshot().bridge_id);
  if (!bridge) return r->error("Transfer failed: the channel is not in a bridge"), std::nullopt;
  t.pbx = ctx->engine.pbx();
  if (!t.pbx)
    return r->error(std::string(action) + " needs the dialplan module (pbx_config), which is not loaded"), std::nullopt;
  for (const auto& m : bridge->members())
    if (m != t.chan) t.peers.push_back(m);
  return t;
}

std::string no_such_extension(const TransferTarget& t) {
  return "Transfer failed: extension " + t.exten + "@" + t.context + " does not exist";
}

void blind_transfer(const ActionContextPtr& ctx, const ResponderPtr& r) {
  auto t = transfer_target(ctx, r, "BlindTransfer");
  if (!t) return;
  if (t->peers.empty()) return r->error("Transfer failed: nobody else is in the bridge");
  for (const auto& p : t->peers)
    if (!t->pbx->exists(t->context, t->exten, 1, p->caller().number)) return r->error(no_such_extension(*t));
  for (const auto& p : t->peers) {
    p->set_variable("BLINDTRANSFER", t->chan->name());
    p->request_redirect(DialplanLocation{t->context, t->exten, 1});
  }
  // The transferer's part is done (Asterisk hangs the transferer up after a blind transfer).
  t->chan->request_hangup(HangupCause::NormalClearing);
  r->success("Transfer succeeded");
}

// The transferee (the channel's bridge peer) waits on hold; the channel talks to
// Local/Exten@Context; its hangup completes the transfer (apps/attended_transfer.cpp).
void atxfer(const ActionContextPtr& ctx, const ResponderPtr& r) {
  auto t = transfer_target(ctx, r, "Atxfer");
  if (!t) return;
  if (t->peers.size() != 1) return r->error("Transfer failed: attended transfer needs exactly one other party in the bridge");
  if (!t->pbx->exists(t->context, t->exten, 1, t->chan->caller().number)) return r->error(no_such_extension(*t));
  auto started = dialplan::start_attended_transfer(ctx->engine, t->chan, t->peers.front(), DialplanLocation{t->context, t->exten, 1});
  if (!started) return r->error("Transfer failed: " + started.error().message);
  r->success("Atxfer successfully queued");
}

// Asterisk's res_mutestream: the direction and state words are checked before the channel.
void mute_audio(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const auto name = header(*r, "Channel");
  if (name.empty()) return r->error("Channel not specified");
  const auto dir = header(*r, "Direction");
  if (dir.empty()) return r->error("Direction not specified");
  Channel::MuteDirection d;
  if (ami::iequals(dir, "in")) d = Channel::MuteDirection::In;
  else if (ami::iequals(dir, "out")) d = Channel::MuteDirection::Out;
  else if (ami::iequals(dir, "all")) d = Channel::MuteDirection::Both;
  else return r->error("Invalid direction specified");
  const auto state = header(*r, "State");
  if (state.empty()) return r->error("State not specified");
  bool on;
  if (ami::iequals(state, "on")) on = true;
  else if (ami::iequals(state, "off")) on = false;
  else return r->error("Invalid state specified");
  auto chan = ctx->engine.find_channel(name);
  if (!chan || chan->is_hung_up()) return r->error("No such channel");
  chan->set_audio_mute(d, on);
  r->success();
}

}  // namespace

void register_transfer_actions(Server& server, const ActionContextPtr& ctx) {
  const PrivilegeSet call = Privilege::Call;
  server.register_action(
      "Redirect", call,
      ActionDoc{"Redirect (transfer) a call.",
                "Sends a channel (and optionally a second one) to another place in the dialplan: its running "
                "application is interrupted and the dialplan continues at the new location. The destination "
                "must exist. ExtraContext/ExtraExten/ExtraPriority default to the main ones.",
                {{"Channel", true, "Channel to redirect."},
                 {"ExtraChannel", false, "Second call leg to transfer (optional)."},
                 {"Exten", true, "Extension to transfer to."},
                 {"ExtraExten", false, "Extension to transfer extrachannel to (optional)."},
                 {"Context", true, "Context to transfer to (default: the channel's context)."},
                 {"ExtraContext", false, "Context to transfer extrachannel to (optional)."},
                 {"Priority", true, "Priority to transfer to (a number or a label)."},
                 {"ExtraPriority", false, "Priority to transfer extrachannel to (optional)."}},
                {"BlindTransfer", "Originate"}},
      [ctx](ResponderPtr r) { redirect(ctx, r); });
  server.register_action(
      "Bridge", call,
      ActionDoc{"Bridge two channels already in the PBX.",
                "Bridge together two channels already in the PBX: each leaves what it was doing (answered if "
                "needed), both join a new basic bridge, and when the bridge ends each continues in the dialplan "
                "after the priority it was at.",
                {{"Channel1", true, "Channel to Bridge to Channel2."},
                 {"Channel2", true, "Channel to Bridge to Channel1."},
                 {"Tone", false, "Accepted; no courtesy tone is played."}},
                {"BridgeKick", "BridgeList"}},
      [ctx](ResponderPtr r) { bridge_action(ctx, r); });
  server.register_action(
      "BlindTransfer", call,
      ActionDoc{"Blind transfer channel(s) to the given destination",
                "Redirect all channels currently bridged to the specified channel to the specified destination; "
                "the specified channel is hung up. BLINDTRANSFER is set on the transferred channels.",
                {{"Channel", true, "The transferer's channel."},
                 {"Context", false, "Context (default: ${TRANSFER_CONTEXT}, else the channel's context)."},
                 {"Exten", true, "Extension to transfer to."}},
                {"Redirect", "Atxfer"}},
      [ctx](ResponderPtr r) { blind_transfer(ctx, r); });
  server.register_action(
      "Atxfer", call,
      ActionDoc{"Attended transfer.",
                "Attended transfer: the channel's bridge peer is put on hold (music on hold) and the channel "
                "dials Local/Exten@Context. When the channel hangs up the peer is bridged with the target; when "
                "the target hangs up first the channel goes back to the peer.",
                {{"Channel", true, "Transferer's channel."},
                 {"Exten", true, "Extension to transfer to."},
                 {"Context", false, "Context (default: ${TRANSFER_CONTEXT}, else the channel's context)."}},
                {"BlindTransfer", "Redirect"}},
      [ctx](ResponderPtr r) { atxfer(ctx, r); });
  server.register_action(
      "MuteAudio", Privilege::System,
      ActionDoc{"Mute an audio stream.",
                "Mute an incoming or outgoing audio stream on a channel: while muted, voice read from (in) or "
                "written to (out) the channel is replaced by silence of the same length; DTMF and control "
                "frames pass. State=off lifts the mute of that direction.",
                {{"Channel", true, "The channel you want to mute."},
                 {"Direction", true, "in, out or all."},
                 {"State", true, "on or off."}},
                {}},
      [ctx](ResponderPtr r) { mute_audio(ctx, r); });
}

}  // namespace telephony::manager
