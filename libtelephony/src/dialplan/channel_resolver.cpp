#include "dialplan/channel_resolver.hpp"

#include <ctime>

#include "telephony/dialplan/executor.hpp"
#include "telephony/engine.hpp"

namespace telephony::dialplan {

ChannelResolver::ChannelResolver(Engine& engine, Channel* chan, std::optional<DialplanLocation> at)
    : engine_(engine), chan_(chan), at_(std::move(at)) {}

std::optional<std::string> ChannelResolver::builtin(std::string_view name) const {
  if (name == "EPOCH") return std::to_string(std::time(nullptr));
  if (name == "SYSTEMNAME") return engine_.options().system_name;
  if (!chan_) return std::nullopt;
  const DialplanLocation loc = at_ ? *at_ : chan_->location();
  if (name == "EXTEN") return loc.exten;
  if (name == "CONTEXT") return loc.context;
  if (name == "PRIORITY") return std::to_string(loc.priority);
  if (name == "CHANNEL") return chan_->name();
  if (name == "UNIQUEID") return chan_->uniqueid();
  if (name == "LINKEDID") return chan_->linkedid();
  if (name == "LANGUAGE") return chan_->language();
  if (name == "HANGUPCAUSE") return std::to_string(static_cast<int>(chan_->hangup_cause()));
  if (name == "CALLERID") return chan_->caller().to_string();
  if (name == "CALLERIDNUM") return chan_->caller().number;
  if (name == "CALLERIDNAME") return chan_->caller().name;
  if (name == "CALLINGPRES") return std::to_string(chan_->caller().presentation);
  return std::nullopt;
}

std::optional<std::string> ChannelResolver::variable(std::string_view name) const {
  if (auto b = builtin(name)) return b;
  return variable_or_global(engine_, chan_, name);
}

std::optional<std::string> ChannelResolver::function(std::string_view name, std::string_view args) const {
  auto fn = engine_.functions().find(name);
  if (!fn || !fn->read) {
    engine_.log().warning("pbx", "Function '" + std::string(name) + "' not registered" + (fn ? " for reading" : ""));
    return std::nullopt;
  }
  auto r = fn->read(FunctionCall{engine_, chan_, name, args});
  if (!r) {
    engine_.log().warning("pbx", std::string(name) + "(" + std::string(args) + "): " + r.error().to_string());
    return std::nullopt;
  }
  return std::move(*r);
}

namespace {
// The Execution running `chan`, when we are on its strand.
Execution* running_here(Engine& engine, Channel* chan) {
  if (!chan) return nullptr;
  auto pbx = std::dynamic_pointer_cast<DialplanPbx>(engine.pbx());
  return pbx ? pbx->execution_of(*chan) : nullptr;
}
}  // namespace

std::string substitute_on(Engine& engine, Channel* chan, std::string_view text) {
  if (auto* x = running_here(engine, chan)) return x->substitute(text);
  return substitute(text, ChannelResolver(engine, chan));
}

std::string expand_variable(Engine& engine, Channel* chan, std::string_view name) {
  return substitute_on(engine, chan, "${" + std::string(name) + "}");
}

std::string substitute_at(Engine& engine, Channel* chan, std::string_view text, const DialplanLocation& at) {
  return substitute(text, ChannelResolver(engine, chan, at));
}

std::optional<std::string> variable_or_global(Engine& engine, const Channel* chan, std::string_view name) {
  if (chan)
    if (auto v = chan->variable(name)) return v;
  if (auto pbx = std::dynamic_pointer_cast<DialplanPbx>(engine.pbx())) return pbx->globals().get(name);
  return std::nullopt;
}

}  // namespace telephony::dialplan
