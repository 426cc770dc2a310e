// BridgeList, BridgeInfo, BridgeKick, BridgeDestroy over the engine's bridge registry
// (Engine::bridges(), weak references registered by Bridge::create).
#include "../engine_events.hpp"
#include "action_context.hpp"
#include "telephony/bridge.hpp"

namespace telephony::manager {

namespace {

using ResponderPtr = std::shared_ptr<ActionResponder>;

std::shared_ptr<Bridge> required_bridge(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const auto id = header(*r, "BridgeUniqueid");
  if (id.empty()) {
    r->error("BridgeUniqueid must be provided");
    return nullptr;
  }
  auto b = ctx->engine.find_bridge(id);
  if (!b) r->error("Bridge not found");
  return b;
}

void bridge_list(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const auto type = header(*r, "BridgeType");
  r->list_start("Bridge listing will follow");
  for (const auto& b : ctx->engine.bridges()) {
    const auto s = b->snapshot();
    if (!type.empty() && !ami::iequals(type, s.type)) continue;
    ami::Message ev;
    ev.add("Event", "BridgeListItem");
    add_bridge_snapshot(ev, s);
    r->list_item(std::move(ev));
  }
  r->list_complete("BridgeListComplete");
}

void bridge_info(const ActionContextPtr& ctx, const ResponderPtr& r) {
  auto b = required_bridge(ctx, r);
  if (!b) return;
  r->list_start("Bridge channel listing will follow");
  std::size_t n = 0;
  for (const auto& c : b->members()) {
    ami::Message ev;
    ev.add("Event", "BridgeInfoChannel");
    add_channel_snapshot(ev, c->snapshot());
    r->list_item(std::move(ev));
    ++n;
  }
  ami::Message done;
  done.add("Event", "BridgeInfoComplete");
  add_bridge_snapshot(done, b->snapshot());
  done.add("EventList", "Complete").add("ListItems", std::to_string(n));
  r->send(std::move(done));
}

void bridge_destroy(const ActionContextPtr& ctx, const ResponderPtr& r) {
  auto b = required_bridge(ctx, r);
  if (!b) return;
  b->dissolve();
  r->success("Bridge has been destroyed");
}

void bridge_kick(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const auto name = header(*r, "Channel");
  if (name.empty()) {
    r->error("Channel must be provided");
    return;
  }
  auto chan = ctx->engine.find_channel(name);
  if (!chan) {
    r->error("Channel does not exist");
    return;
  }
  std::shared_ptr<Bridge> bridge;
  if (const auto id = header(*r, "BridgeUniqueid"); !id.empty()) {
    bridge = ctx->engine.find_bridge(id);
    if (!bridge) {
      r->error("Bridge not found");
      return;
    }
  } else {
    const auto id_of_chan = chan->snapshot().bridge_id;
    if (!id_of_chan.empty()) bridge = ctx->engine.find_bridge(id_of_chan);
    if (!bridge) {
      r->error("Channel is not in a bridge");
      return;
    }
  }
  const auto members = bridge->members();
  if (std::find(members.begin(), members.end(), chan) == members.end()) {
    r->error("Channel is not in the specified bridge");
    return;
  }
  bridge->kick(chan);
  r->success("Channel has been kicked");
}

}  // namespace

void register_bridge_actions(Server& server, const ActionContextPtr& ctx) {
  server.register_action("BridgeList", Privilege::Reporting,
                         ActionDoc{"Get a list of bridges in the system.",
                                   "Returns a list of bridges, optionally filtering on a bridge type: an "
                                   "EventList of BridgeListItem events and BridgeListComplete.",
                                   {{"BridgeType", false, "Optional type for filtering the resulting list of bridges."}},
                                   {"BridgeInfo", "BridgeDestroy", "BridgeKick"}},
                         [ctx](ResponderPtr r) { bridge_list(ctx, r); });
  server.register_action("BridgeInfo", Privilege::Reporting,
                         ActionDoc{"Get information about a bridge.",
                                   "Returns detailed information about a bridge and the channels in it: "
                                   "BridgeInfoChannel events and BridgeInfoComplete.",
                                   {{"BridgeUniqueid", true, "The unique ID of the bridge about which to retrieve information."}},
                                   {"BridgeList"}},
                         [ctx](ResponderPtr r) { bridge_info(ctx, r); });
  server.register_action("BridgeDestroy", Privilege::Call,
                         ActionDoc{"Destroy a bridge.",
                                   "Deletes the bridge, causing channels to continue or hang up.",
                                   {{"BridgeUniqueid", true, "The unique ID of the bridge to destroy."}},
                                   {"BridgeList", "BridgeKick"}},
                         [ctx](ResponderPtr r) { bridge_destroy(ctx, r); });
  server.register_action("BridgeKick", Privilege::Call,
                         ActionDoc{"Kick a channel from a bridge.",
                                   "The channel is removed from the bridge and continues where its owner "
                                   "(Dial, ConfBridge, ...) resumes.",
                                   {{"BridgeUniqueid", false, "The unique ID of the bridge containing the channel."},
                                    {"Channel", true, "The channel to kick out of a bridge."}},
                                   {"BridgeList", "BridgeDestroy"}},
                         [ctx](ResponderPtr r) { bridge_kick(ctx, r); });
}

}  // namespace telephony::manager
