// Application argument handling: how `Dial(SIP/a&SIP/b,20,b(ctx^s^1(x))tT)` becomes the pieces an
// application reads, following Asterisk's ast_app_separate_args / ast_app_parse_options.
//
// split_args: splits on `sep` except inside (), [] or double quotes; removes the double quotes
// and the backslashes (a backslash makes the next character literal, separators included);
// whitespace is kept as written (Asterisk's ast_app_separate_args trims nothing). Empty data gives
// no arguments; "a," gives {"a", ""}.
// parse_options: one flag per character; a flag followed by `(...)` carries an argument (nested
// parentheses kept, quotes and backslashes as in Asterisk). Rejects a missing `)`.
// split_app_data: "Dial(SIP/a,20)" -> {"Dial", "SIP/a,20"} (data runs to the LAST ')'), and the
// legacy "Dial,SIP/a,20" form (a ',' before any '('). Text whose part before '(' holds `${` or
// `$[` (a hint such as "DAHDI/g0/${GLOBAL(x)}") is all name, no data, as in pbx_config.
// Rejects an empty application name and a missing ')'.
// All three copy their results into new strings; none keeps views into the input.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/result.hpp"

namespace telephony::dialplan {

std::vector<std::string> split_args(std::string_view data, char sep = ',');

struct ParsedOptions {
  std::set<char> flags;                     // every option letter present
  std::map<char, std::string> arguments;    // argument of each flag in allowed_with_args that had one
  std::vector<std::string> warnings;        // e.g. an argument given to a flag that takes none

  bool has(char flag) const { return flags.count(flag) != 0; }
  // The flag's argument, or "" when absent (Asterisk apps treat both the same way).
  std::string argument(char flag) const {
    auto it = arguments.find(flag);
    return it == arguments.end() ? std::string() : it->second;
  }
};

Result<ParsedOptions> parse_options(std::string_view spec, std::string_view allowed_with_args);

struct AppCall {
  std::string application;
  std::string data;
};

Result<AppCall> split_app_data(std::string_view text, std::string_view where = {});

}  // namespace telephony::dialplan
