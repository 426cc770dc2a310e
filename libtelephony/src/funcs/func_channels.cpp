// Other channels: CHANNELS, CHANNEL_EXISTS, MASTER_CHANNEL, IMPORT.
#include <regex.h>

#include "dialplan/channel_resolver.hpp"
#include "funcs/function_support.hpp"
#include "telephony/dialplan/args.hpp"

namespace telephony::funcs {

namespace {

Result<std::string> channels_read(const FunctionCall& call) {
  std::optional<PosixRegex> filter;
  if (!call.args.empty()) {
    auto re = PosixRegex::compile(std::string(call.args), REG_ICASE);
    if (!re) return func_error(call, re.error().message);
    filter.emplace(std::move(*re));
  }
  std::string out;
  for (const auto& c : call.engine.channels()) {
    if (c->is_hung_up() || (filter && !filter->matches(c->name()))) continue;
    if (!out.empty()) out += ' ';
    out += c->name();
  }
  return out;
}

// The oldest channel of the call: the one whose uniqueid is our linkedid (Asterisk's master).
Channel* master_of(const FunctionCall& call, Channel::Ptr& keep) {
  keep = call.engine.find_channel(call.channel->linkedid());
  return keep && !keep->is_hung_up() ? keep.get() : call.channel;
}

}  // namespace

void register_channel_list_functions(Engine& engine) {
  add_function(engine, "CHANNELS",
               {"Gets the list of channels, optionally filtering by a regular expression.",
                "CHANNELS([regular_expression])",
                "Gets the list of channels, optionally filtering by a regular_expression (POSIX extended, case "
                "insensitive, matched anywhere in the name). The list is space-delimited, in name order.",
                {{"regular_expression", "filter on channel names"}}, {"CHANNEL_EXISTS", "CHANNEL"}},
               channels_read);
  add_function(engine, "CHANNEL_EXISTS",
               {"Checks if the specified channel exists.", "CHANNEL_EXISTS(name_or_uid)",
                "Returns 1 if the channel name_or_uid (full name or unique ID) exists, 0 if not.",
                {{"name_or_uid", "the name or unique ID of the channel to check"}}, {"CHANNELS"}},
               [](const FunctionCall& c) -> Result<std::string> {
                 auto what = trim(c.args);
                 if (what.empty()) return func_error(c, "channel name or unique ID required");
                 auto found = c.engine.find_channel(what);
                 return std::string(found && !found->is_hung_up() ? "1" : "0");
               });
  add_function(engine, "MASTER_CHANNEL",
               {"Gets or sets variables on the master channel", "MASTER_CHANNEL(varname)",
                "Allows access to the oldest channel associated with the current channel if it still exists (the "
                "channel identified by the channel's linkedid). If the channel is the master channel or the master "
                "channel no longer exists, the local channel's variables are used instead. Reading substitutes "
                "${varname} on that channel, so builtins and functions work.",
                {{"varname", "variable (or function) to read or write"}}, {"IMPORT", "SHARED"}},
               [](const FunctionCall& c) -> Result<std::string> {
                 auto chan = need_channel(c);
                 if (!chan) return Unexpected<Error>{chan.error()};
                 Channel::Ptr keep;
                 return dialplan::expand_variable(c.engine, master_of(c, keep), c.args);
               },
               [](const FunctionCall& c, std::string_view value) -> Result<void> {
                 auto chan = need_channel(c);
                 if (!chan) return Unexpected<Error>{chan.error()};
                 Channel::Ptr keep;
                 master_of(c, keep)->set_variable(trim(c.args), std::string(value));
                 return {};
               });
  add_function(engine, "IMPORT",
               {"Retrieve the value of a variable from another channel.", "IMPORT(channel,variable)",
                "Substitutes ${variable} on the named channel (full name or unique ID) and returns it; empty when "
                "the channel does not exist.",
                {{"channel", "name or unique ID"}, {"variable", "variable (or function) to read"}},
                {"MASTER_CHANNEL", "SHARED"}},
               [](const FunctionCall& c) -> Result<std::string> {
                 auto a = dialplan::split_args(c.args);
                 if (a.size() < 2 || a[1].empty()) return std::string();
                 auto other = c.engine.find_channel(a[0]);
                 if (!other || other->is_hung_up()) return std::string();
                 return dialplan::expand_variable(c.engine, other.get(), a[1]);
               });
}

}  // namespace telephony::funcs
