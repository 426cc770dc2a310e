// LocalOptimizeAway: let a Local channel pair made with /n optimise itself away
// (local/local_driver.hpp). Texts are Asterisk's core_local.c.
#include "action_context.hpp"
#include "telephony/local/local_driver.hpp"

namespace telephony::manager {

namespace {

using ResponderPtr = std::shared_ptr<ActionResponder>;

void optimize_away(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const std::string name(header(*r, "Channel"));
  if (name.empty()) return r->error("'Channel' not specified.");
  auto chan = ctx->engine.find_channel(name);
  if (!chan) return r->error("Channel does not exist.");
  if (!local_optimize_away(chan)) return r->error("Unable to find channel");
  r->success("Queued channel to be optimized away");
}

}  // namespace

void register_local_actions(Server& server, const ActionContextPtr& ctx) {
  server.register_action(
      "LocalOptimizeAway", Privilege::System | Privilege::Call,
      ActionDoc{"Optimize away a local channel when possible.",
                "A local channel created with \"/n\" will not automatically optimize away. Calling "
                "this command on the local channel will clear that flag and allow it to optimize "
                "away if it's bridged or when it becomes bridged: the channel bridged with its ;2 "
                "half takes the ;1 half's place in the other bridge (LocalOptimizationBegin, "
                "BridgeEnter with SwapUniqueid, LocalOptimizationEnd) and both halves hang up.",
                {{"Channel", true, "The channel name to optimize away."}},
                {"Originate"}},
      [ctx](ResponderPtr r) { optimize_away(ctx, r); });
}

}  // namespace telephony::manager
