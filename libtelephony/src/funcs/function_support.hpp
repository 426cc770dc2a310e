// Shared plumbing of the built-in function families (src/funcs/func_*.cpp): registration with
// documentation, errors that name the function, argument splitting, channel access and the
// typed datastores kept on channels. Private to the library.
#pragma once

#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <set>
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

// A compiled POSIX regular expression (regcomp/regexec), freed with the object.
class PosixRegex {
 public:
  // `flags` as regcomp's (REG_EXTENDED | REG_NOSUB is added); the error names the pattern.
  static Result<PosixRegex> compile(const std::string& pattern, int flags = 0);
  PosixRegex(PosixRegex&& other) noexcept;
  PosixRegex& operator=(PosixRegex&&) = delete;
  ~PosixRegex();
  bool matches(const std::string& text) const;

 private:
  PosixRegex() = default;
  struct Compiled;
  std::unique_ptr<Compiled> re_;
};

// Channel by exact name or uniqueid, else the first whose name starts with `prefix` (Asterisk's
// ast_channel_get_by_name_prefix).
Channel::Ptr find_channel_by_prefix(Engine& engine, std::string_view prefix);

// Caller presentation: Asterisk's names ("allowed_not_screened", "prohib", ...) for the Q.931
// octet, and back (a name or a number); func_callerid.cpp.
std::string presentation_name(int value);
std::optional<int> presentation_value(std::string_view text);

// A channel's call and pickup groups (CHANNEL(callgroup/pickupgroup) as bit sets of 0..63,
// CHANNEL(namedcallgroup/namedpickupgroup) as names): what Pickup() matches; func_channel.cpp.
struct PickupGroups {
  std::uint64_t call = 0, pickup = 0;
  std::set<std::string> named_call, named_pickup;
};
PickupGroups pickup_groups(Channel& chan);

// `t` as local time in zone `tz` (a /usr/share/zoneinfo name; empty: the host's zone), under the
// TZ lock the time functions share (func_time.cpp). An unknown zone is an error.
Result<std::tm> local_time_in(std::string_view tz, std::time_t t);

// The redirecting party that CALLERID(rdnis) shares with REDIRECTING(from-num); func_redirecting.cpp.
std::string redirecting_from_number(Channel& chan);
void set_redirecting_from_number(Channel& chan, std::string number);

// HASH() storage: the channel variable holding `key` of `hash` ("~HASH~hash~key~", with the
// hash's _/__ inheritance marks in front) and the keys of a hash, most recently set first.
std::string hash_prefix(std::string_view hash);
std::string hash_variable(std::string_view hash, std::string_view key);
std::vector<std::string> hash_keys(const Channel& chan, std::string_view hash);

void register_string_functions(Engine& engine);
void register_list_functions(Engine& engine);
void register_logic_functions(Engine& engine);
void register_time_functions(Engine& engine);
void register_math_functions(Engine& engine);
void register_callerid_functions(Engine& engine);
void register_channel_functions(Engine& engine);
void register_db_functions(Engine& engine);
void register_codec_functions(Engine& engine);
void register_text_functions(Engine& engine);          // func_text.cpp
void register_hash_functions(Engine& engine);          // func_hash.cpp
void register_file_functions(Engine& engine);          // func_file.cpp
void register_system_functions(Engine& engine);        // func_system.cpp
void register_json_functions(Engine& engine);          // func_json.cpp
void register_channel_list_functions(Engine& engine);  // func_channels.cpp
void register_redirecting_functions(Engine& engine);   // func_redirecting.cpp
void register_dialplan_query_functions(Engine& engine);  // func_dialplan_query.cpp
void register_group_functions(Engine& engine);         // func_group.cpp
void register_lock_functions(Engine& engine);          // func_lock.cpp
void register_dialgroup_functions(Engine& engine);     // func_dialgroup.cpp
void register_devstate_functions(Engine& engine);      // func_devstate.cpp
void register_audio_functions(Engine& engine);         // func_audio.cpp (+ func_jitterbuffer.cpp)

}  // namespace telephony::funcs
