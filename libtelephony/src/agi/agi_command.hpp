// Internal: the AGI command table. Each command is a coroutine run on the channel's strand with the
// words of its line (argv[0] is the first command word, as in Asterisk, so `STREAM FILE x ""` has
// argv[2] = "x"); it writes its status line(s) through the session and returns how it went. The
// documentation of every command sits beside its handler and feeds both the 520 usage reply and
// `agi show commands topic …`.
#pragma once

#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/documentation.hpp"

namespace telephony::agi {

class AgiSession;

// Asterisk's RESULT_SUCCESS / RESULT_SHOWUSAGE / RESULT_FAILURE and the async break.
enum class CommandStatus { Success, ShowUsage, Failure, AsyncBreak };

using CommandArgs = std::vector<std::string>;
using CommandHandler = std::function<boost::asio::awaitable<CommandStatus>(AgiSession&, const CommandArgs&)>;

struct AgiCommand {
  std::vector<std::string> words;  // lower case: {"stream", "file"}
  bool runs_dead = false;          // allowed after hangup (DeadAGI semantics)
  Documentation doc;               // synopsis; syntax = the usage line; description
  CommandHandler run;
};

// Every command in Asterisk's registration order (which decides ties of the word match).
const std::vector<AgiCommand>& agi_commands();
// Asterisk's inexact lookup: the first command all of whose words equal (ignoring case) the
// leading words of the line; further words are its arguments. Null when none.
const AgiCommand* find_agi_command(const std::vector<std::string>& words);
// Commands whose name starts with the given words (for `agi show commands topic <prefix>`).
std::vector<const AgiCommand*> agi_commands_with_prefix(const std::vector<std::string>& words);
// "STREAM FILE"
std::string agi_command_name(const AgiCommand& c);
// The text between `520-…follows:` and `520 End of proper usage.` (usage line + description).
std::string agi_usage_text(const AgiCommand& c);

// Families (one file each), appended in table order.
void add_channel_commands(std::vector<AgiCommand>& table);   // commands_channel.cpp
void add_variable_commands(std::vector<AgiCommand>& table);  // commands_variables.cpp
void add_media_commands(std::vector<AgiCommand>& table);     // commands_media.cpp
void add_say_commands(std::vector<AgiCommand>& table);       // commands_say.cpp

// Shared argument helpers (Asterisk reads numbers with sscanf("%d"): leading digits count).
bool scan_int(std::string_view text, long long* out);
Documentation agi_doc(std::string synopsis, std::string syntax, std::string description,
                      std::vector<std::pair<std::string, std::string>> args = {}, std::vector<std::string> see = {});

}  // namespace telephony::agi
