// Dialplan expressions: the text between `$[` and `]`, evaluated the way Asterisk does.
//
// Accepts Asterisk's grammar, lowest to highest precedence: `c ? a :: b`, `|`, `&`,
// `= == != < > <= >=`, `+ -`, `* / %`, unary `- !`, then `:` `=~` (POSIX extended regex) and `~~`
// (concatenation) on one level, parentheses (`||`, `&&` are aliases of `|`, `&`) and the math functions ABS SQRT POW FLOOR CEIL ROUND TRUNC RINT
// LOG LOG2 LOG10 EXP EXP2 EXP10 SIN COS TAN ASIN ACOS ATAN ATAN2 FMOD REMAINDER (upper case, as
// Asterisk). Operands are tokens: runs of non-operator characters or double-quoted strings, whose
// quotes stay part of the value (so `"a" = "a"` compares the quoted strings); only `:`, `=~` and
// `~~` strip them. Numbers are long double; results print like printf("%.18Lg").
//
// Rejects (with the byte offset in the error): unbalanced parentheses, a missing operand, an
// unterminated quote, `?` without `::`, an unknown function, a wrong argument count, and an
// invalid regular expression. Division by zero is not an error: it yields 2147483647 as in
// Asterisk. The input must already be variable-substituted (see substitution.hpp). Evaluation
// allocates the operand strings; nesting deeper than 256 levels is rejected.
#pragma once

#include <string>
#include <string_view>

#include "telephony/result.hpp"

namespace telephony::dialplan {

Result<std::string> evaluate_expression(std::string_view expr);

}  // namespace telephony::dialplan
