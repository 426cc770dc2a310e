// AMI `AGI`: queue an AGI command for a channel in AGI(agi:async); the result arrives as an
// AsyncAGIExec event carrying the CommandID given here. Replies use Asterisk's wording.
#include "action_context.hpp"
#include "telephony/agi/agi.hpp"

namespace telephony::manager {

namespace {

void agi(const ActionContextPtr& ctx, const std::shared_ptr<ActionResponder>& r) {
  const auto channel = header(*r, "Channel");
  const auto command = header(*r, "Command");
  if (channel.empty() || command.empty()) return r->error("Both, Channel and Command are *required*");
  auto queued = agi::queue_async_agi_command(ctx->engine, channel, std::string(command),
                                             std::string(header(*r, "CommandID")));
  if (!queued) return r->error(queued.error().message);
  r->success("Added AGI command to queue");
}

}  // namespace

void register_agi_actions(Server& server, const ActionContextPtr& ctx) {
  server.register_action(
      "AGI", Privilege::Agi,
      ActionDoc{"Add an AGI command to execute by Async AGI.",
                "Queues an AGI command for a channel running AGI(agi:async). Its result is reported by an "
                "AsyncAGIExec event (Result URL-encoded, CommandId as given). Fails when the channel does not exist "
                "or never entered async AGI.",
                {{"Channel", true, "Channel that is currently in Async AGI."},
                 {"Command", true, "Application to execute, e.g. \"STREAM FILE hello-world \\\"\\\"\"."},
                 {"CommandID", false, "This will be sent back in CommandID header of AsyncAGI exec event notification."}},
                {"AGI"}},
      [ctx](std::shared_ptr<ActionResponder> r) { agi(ctx, r); });
}

}  // namespace telephony::manager
