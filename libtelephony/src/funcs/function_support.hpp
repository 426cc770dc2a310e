// Shared plumbing of the built-in function families (src/funcs/func_*.cpp): registration with
// documentation, errors that name the function, argument splitting, channel access and the
// typed datastores kept on channels. Private to the library.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/channel.hpp"
#include "telephony/dialplan/application.hpp"
#include "telephony/engine.hpp"

namespace telephony::funcs {

using dialplan::FunctionCall;
using dialplan::FunctionRead;
using dialplan::FunctionWrite;

struct FunctionDoc {
  std::string synopsis;
  std::string syntax;
  std::string description;
  std::vector<std::pair<std::string, std::string>> arguments;
  std::vector<std::string> see_also;
};

// Registers `name` unless a host already did.
void add_function(Engine& engine, std::string name, FunctionDoc doc, FunctionRead read,
                  FunctionWrite write = {});

// "NAME: message" as an Error.
Unexpected<Error> func_error(const FunctionCall& call, std::string_view message);

// The channel, or an error "NAME: requires a channel".
Result<Channel*> need_channel(const FunctionCall& call);

// A channel variable's value, "" when unset or when there is no channel.
std::string channel_variable(const FunctionCall& call, std::string_view name);

// split_args, but at most `n` pieces: the last one keeps the rest, separators included (as
// Asterisk's argument macros with a fixed count).
std::vector<std::string> split_at_most(std::string_view data, std::size_t n, char sep = ',');

// For arguments that carry encoded characters (delimiters such as \t or \,): splits on unescaped
// commas and keeps every backslash, so decode_delimiter() sees what the user wrote. No quote
// handling. At most `n` pieces (0: no limit).
std::vector<std::string> split_raw(std::string_view data, std::size_t n = 0);
// Removes the backslash of every "\c" pair.
std::string unescape(std::string_view s);

std::string_view trim(std::string_view s);
std::string to_upper(std::string_view s);
std::string to_lower(std::string_view s);

// Keyword arguments (EXCEPTION(reason), TIMEOUT(digit), CHANNEL(language), CONFBRIDGE(user,...))
// compare as Asterisk's strcasecmp does: ASCII case is ignored, so dialplans that write them in
// upper case (${EXCEPTION(REASON)}) work. Blanks around the argument are ignored.
bool keyword_is(std::string_view argument, std::string_view keyword);
// The argument as a keyword (trimmed, lower case), for functions that test many keywords.
std::string keyword_of(std::string_view argument);
// The lower-cased first letter of a keyword whose first letter is all Asterisk reads
// (TIMEOUT(a|d|r...)), '\0' when empty.
char keyword_letter(std::string_view argument);

// pbx_checkcondition: empty is false, a leading integer is its value, other text is true.
bool is_true(std::string_view condition);

// The first character of a delimiter argument with Asterisk's encodings (\n \t \r \\ \xHH \0ooo);
// `fallback` when empty.
char decode_delimiter(std::string_view text, char fallback);

// A datastore of type T on `chan` under `key`, created on first use.
template <class T>
std::shared_ptr<T> channel_store(Channel& chan, std::string_view key) {
  return std::static_pointer_cast<T>(chan.datastore_or_create(key, [] { return std::make_shared<T>(); }));
}

// Channel by exact name or uniqueid, else the first whose name starts with `prefix` (Asterisk's
// ast_channel_get_by_name_prefix).
Channel::Ptr find_channel_by_prefix(Engine& engine, std::string_view prefix);

void register_string_functions(Engine& engine);
void register_list_functions(Engine& engine);
void register_logic_functions(Engine& engine);
void register_time_functions(Engine& engine);
void register_math_functions(Engine& engine);
void register_callerid_functions(Engine& engine);
void register_channel_functions(Engine& engine);
void register_db_functions(Engine& engine);
void register_codec_functions(Engine& engine);

}  // namespace telephony::funcs
