// AGI engine events -> AMI events of class "agi", with the fields Asterisk sends after the channel
// snapshot: AGIExecStart (CommandId, Command), AGIExecEnd (+ ResultCode, Result), AsyncAGIStart
// (Env, URL-encoded), AsyncAGIExec (CommandId when given, Result URL-encoded), AsyncAGIEnd.
#include "engine_events.hpp"
#include "telephony/agi/agi.hpp"

namespace telephony::manager {

std::optional<MappedEvent> map_agi_event(const Event& ev, const ChannelVarLookup& vars) {
  const auto* c = dynamic_cast<const ChannelEvent*>(&ev);
  if (!c) return std::nullopt;
  auto base = [&](std::string_view name) {
    MappedEvent out{ami::Message{}, Privilege::Agi};
    out.message.add("Event", name);
    add_channel_snapshot(out.message, c->channel, {}, vars ? vars(c->channel) : ChannelVars{});
    return out;
  };
  if (auto* e = ev.as<agi::AgiExecStarted>()) {
    auto out = base("AGIExecStart");
    out.message.add("CommandId", e->command_id).add("Command", e->command);
    return out;
  }
  if (auto* e = ev.as<agi::AgiExecEnded>()) {
    auto out = base("AGIExecEnd");
    out.message.add("CommandId", e->command_id)
        .add("Command", e->command)
        .add("ResultCode", std::to_string(e->result_code))
        .add("Result", e->result);
    return out;
  }
  if (auto* e = ev.as<agi::AsyncAgiStarted>()) {
    auto out = base("AsyncAGIStart");
    out.message.add("Env", e->env);
    return out;
  }
  if (auto* e = ev.as<agi::AsyncAgiExecuted>()) {
    auto out = base("AsyncAGIExec");
    if (!e->command_id.empty()) out.message.add("CommandId", e->command_id);
    out.message.add("Result", e->result);
    return out;
  }
  if (ev.as<agi::AsyncAgiEnded>()) return base("AsyncAGIEnd");
  return std::nullopt;
}

}  // namespace telephony::manager
