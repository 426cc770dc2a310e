// Variable substitution: turns `Dial(SIP/${EXTEN:1},${TIMEOUT})` into the text an application
// receives, the way Asterisk's pbx_substitute_variables does.
//
// Handles `${VAR}`, `${VAR:offset}`, `${VAR:offset:length}` (negative forms count from the end),
// `${FUNC(args)}` and `${FUNC(args):offset:length}`, `$[expr]` (evaluated by expression.hpp), and
// any nesting of these: the inside of a `${...}` or `$[...]` is substituted first, then looked up
// or evaluated, and the looked-up value is inserted verbatim (never substituted again). There is
// no escape character here (Asterisk has none either; backslashes are handled by split_args). An
// unterminated `${` or `$[` is left in the output as text. Unknown variables and functions become
// the empty string; an expression that fails to evaluate becomes "0" (as Asterisk's ast_expr)
// and is reported in `warnings`. Nesting deeper than SubstitutionLimits::max_depth is left as text, and output is truncated at
// max_output bytes, so hostile input cannot recurse or grow without bound.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace telephony::dialplan {

// What substitution asks the channel (or the global table) for. Implementations must not
// substitute the values they return.
struct VariableResolver {
  virtual ~VariableResolver() = default;
  virtual std::optional<std::string> variable(std::string_view name) const = 0;
  // `args` is the text between the first '(' and the last ')', already substituted.
  virtual std::optional<std::string> function(std::string_view name, std::string_view args) const = 0;
};

struct SubstitutionLimits {
  int max_depth = 32;
  std::size_t max_output = 64 * 1024;
};

struct SubstitutionResult {
  std::string text;
  std::vector<std::string> warnings;  // "expression syntax error ..." , "output truncated", ...
};

std::string substitute(std::string_view text, const VariableResolver& resolver);
SubstitutionResult substitute_checked(std::string_view text, const VariableResolver& resolver,
                                      const SubstitutionLimits& limits = {});

// Asterisk's substring rule for ${VAR:offset:length}: a negative offset counts from the end
// (clamped to the start), a negative length drops that many characters from the end.
std::string apply_substring(std::string_view value, int offset, int length);

}  // namespace telephony::dialplan
