// Substitution on behalf of a channel that is not (or not here) running the dialplan: what
// Asterisk does when a function expands "${name}" on another channel (IMPORT, MASTER_CHANNEL,
// ImportVar), on its own channel from a thread other than its strand (AMI Getvar), or with a
// borrowed dialplan location (EVAL_EXTEN). Internal to the library.
//
// Lookups follow the executor's order: builtins (EXTEN, CONTEXT, PRIORITY from the location,
// CHANNEL, CALLERID*, UNIQUEID, ...), then the channel's variables, then the globals of the
// engine's DialplanPbx. Functions are called with the channel. When the call happens on the
// channel's strand while its dialplan runs, the running Execution's resolver is used instead, so
// LOCAL/ARG and HINT read exactly what the dialplan sees.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "telephony/channel.hpp"
#include "telephony/dialplan/substitution.hpp"

namespace telephony {
class Engine;
}

namespace telephony::dialplan {

class ChannelResolver : public VariableResolver {
 public:
  // `chan` may be null (globals and functions only). `at` overrides the channel's location for
  // EXTEN/CONTEXT/PRIORITY.
  ChannelResolver(Engine& engine, Channel* chan, std::optional<DialplanLocation> at = std::nullopt);
  std::optional<std::string> variable(std::string_view name) const override;
  std::optional<std::string> function(std::string_view name, std::string_view args) const override;

 private:
  std::optional<std::string> builtin(std::string_view name) const;
  Engine& engine_;
  Channel* chan_;
  std::optional<DialplanLocation> at_;
};

// `text` substituted as the dialplan of `chan` would (see above).
std::string substitute_on(Engine& engine, Channel* chan, std::string_view text);
// "${name}" on `chan`: a variable, a builtin or FUNC(args) — Asterisk's way of reading the
// variable an argument names.
std::string expand_variable(Engine& engine, Channel* chan, std::string_view name);
// `text` substituted with EXTEN/CONTEXT/PRIORITY taken from `at` (EVAL_EXTEN).
std::string substitute_at(Engine& engine, Channel* chan, std::string_view text, const DialplanLocation& at);
// The channel variable, else the global (pbx_builtin_getvar_helper); nullopt when neither is set.
std::optional<std::string> variable_or_global(Engine& engine, const Channel* chan, std::string_view name);

}  // namespace telephony::dialplan
