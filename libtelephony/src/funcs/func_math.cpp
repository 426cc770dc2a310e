// Arithmetic: MATH (one binary operation with a chosen result type), RAND, INC/DEC (a variable
// stepped in place), MIN, MAX and ABS.
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>

#include "dialplan/channel_resolver.hpp"
#include "funcs/function_support.hpp"
#include "telephony/dialplan/args.hpp"

namespace telephony::funcs {

namespace {

enum class Op { Add, Sub, Mul, Div, Mod, Shl, Shr, Pow, And, Or, Xor, Lt, Gt, Le, Ge, Eq };

struct OpToken {
  std::string_view text;
  Op op;
};

// Longer tokens first so "<<" wins over "<" and "<=" over "<".
constexpr OpToken kOps[] = {{"<<", Op::Shl}, {">>", Op::Shr}, {"<=", Op::Le}, {">=", Op::Ge}, {"==", Op::Eq},
                            {"AND", Op::And}, {"XOR", Op::Xor}, {"OR", Op::Or},  {"+", Op::Add},  {"-", Op::Sub},
                            {"*", Op::Mul},   {"/", Op::Div},   {"%", Op::Mod},  {"^", Op::Pow},  {"<", Op::Lt},
                            {">", Op::Gt}};

std::optional<long double> parse_operand(std::string_view text) {
  auto t = trim(text);
  if (t.empty()) return std::nullopt;
  std::string s(t);
  char* end = nullptr;
  long double v = std::strtold(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0') return std::nullopt;
  return v;
}

std::string trimmed_float(long double v) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "%Lf", v);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

Result<std::string> math_read(const FunctionCall& call) {
  auto a = split_at_most(call.args, 2);
  if (a.empty() || trim(a[0]).empty()) return func_error(call, "missing expression");
  std::string_view expr = trim(a[0]);
  std::string type = a.size() > 1 ? to_lower(trim(a[1])) : "f";
  // Find the operator after the first operand's own sign (so "-3*2" works).
  std::size_t pos = std::string_view::npos;
  const OpToken* found = nullptr;
  for (std::size_t i = 1; i < expr.size() && !found; ++i) {
    // A sign right after 'e' belongs to an exponent (1e-3).
    if ((expr[i] == '-' || expr[i] == '+') && (expr[i - 1] == 'e' || expr[i - 1] == 'E') && i >= 2 &&
        std::isdigit(static_cast<unsigned char>(expr[i - 2])))
      continue;
    for (const auto& t : kOps) {
      if (expr.compare(i, t.text.size(), t.text) == 0) {
        pos = i;
        found = &t;
        break;
      }
    }
  }
  if (!found) return func_error(call, "no operator in '" + std::string(expr) + "'");
  auto lhs = parse_operand(expr.substr(0, pos));
  auto rhs = parse_operand(expr.substr(pos + found->text.size()));
  if (!lhs) return func_error(call, "'" + std::string(trim(expr.substr(0, pos))) + "' is not a number");
  if (!rhs) return func_error(call, "'" + std::string(trim(expr.substr(pos + found->text.size()))) + "' is not a number");
  const long double x = *lhs, y = *rhs;
  auto ix = static_cast<long long>(x), iy = static_cast<long long>(y);
  long double r = 0;
  switch (found->op) {
    case Op::Add: r = x + y; break;
    case Op::Sub: r = x - y; break;
    case Op::Mul: r = x * y; break;
    case Op::Div:
      if (y == 0) return func_error(call, "division by zero");
      r = x / y;
      break;
    case Op::Mod:
      if (iy == 0) return func_error(call, "division by zero");
      r = static_cast<long double>(ix % iy);
      break;
    case Op::Shl: r = static_cast<long double>(iy < 0 || iy > 62 ? 0 : ix << iy); break;
    case Op::Shr: r = static_cast<long double>(iy < 0 || iy > 62 ? 0 : ix >> iy); break;
    case Op::Pow: r = std::pow(x, y); break;
    case Op::And: r = static_cast<long double>(ix & iy); break;
    case Op::Or: r = static_cast<long double>(ix | iy); break;
    case Op::Xor: r = static_cast<long double>(ix ^ iy); break;
    // Comparisons answer TRUE/FALSE whatever the type, as Asterisk's MATH does.
    case Op::Lt: return std::string(x < y ? "TRUE" : "FALSE");
    case Op::Gt: return std::string(x > y ? "TRUE" : "FALSE");
    case Op::Le: return std::string(x <= y ? "TRUE" : "FALSE");
    case Op::Ge: return std::string(x >= y ? "TRUE" : "FALSE");
    case Op::Eq: return std::string(x == y ? "TRUE" : "FALSE");
  }
  if (type == "f" || type == "float") return trimmed_float(r);
  if (!std::isfinite(static_cast<double>(r))) return func_error(call, "result is not a finite number");
  if (type == "i" || type == "int") return std::to_string(static_cast<long long>(r));
  if (type == "h" || type == "hex") {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(static_cast<long long>(r)));
    return std::string(buf);
  }
  if (type == "c" || type == "char") return std::string(1, static_cast<char>(static_cast<long long>(r)));
  return func_error(call, "unknown result type '" + type + "' (f, i, h or c)");
}

Result<std::string> rand_read(const FunctionCall& call) {
  auto a = split_at_most(call.args, 2);
  long long lo = 0, hi = 2147483647;  // RAND_MAX on Linux, as Asterisk's default range
  auto number = [&](const std::string& s, long long& out) -> bool {
    auto t = trim(s);
    if (t.empty()) return true;
    char* end = nullptr;
    std::string str(t);
    out = std::strtoll(str.c_str(), &end, 10);
    return end != str.c_str() && *end == '\0';
  };
  if (a.size() > 0 && !number(a[0], lo)) return func_error(call, "min '" + a[0] + "' is not an integer");
  if (a.size() > 1 && !number(a[1], hi)) return func_error(call, "max '" + a[1] + "' is not an integer");
  if (lo > hi) std::swap(lo, hi);
  thread_local std::mt19937_64 gen{std::random_device{}()};
  return std::to_string(std::uniform_int_distribution<long long>(lo, hi)(gen));
}


// INC(var) / DEC(var): the variable (channel, else global) must hold an integer; the channel
// variable gets the new value, which is also returned.
Result<std::string> step_read(const FunctionCall& call, int step) {
  auto name = std::string(trim(call.args));
  if (name.empty()) return func_error(call, "missing variable name");
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  auto value = dialplan::variable_or_global(call.engine, *chan, name);
  if (!value || value->empty()) return func_error(call, "variable " + name + " doesn't exist");
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(value->c_str(), &end, 10);
  if (end == value->c_str() || *end != '\0' || errno == ERANGE || v > INT32_MAX || v < INT32_MIN)
    return func_error(call, "the content of ${" + name + "} is not an integer: '" + *value + "'");
  v += step;
  if (v > INT32_MAX || v < INT32_MIN) v = 0;  // Asterisk's int wraps; we restart at 0 and say so
  std::string out = std::to_string(v);
  (*chan)->set_variable(name, out);
  return out;
}

std::optional<double> number_arg(std::string_view text) {
  std::string s(trim(text));
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str()) return std::nullopt;
  return v;
}

// Whole numbers print as integers, others with %f (Asterisk's MIN/MAX/ABS formatting).
std::string plain_number(double v) {
  if (std::isfinite(v) && v == std::trunc(v) && std::fabs(v) < 2147483648.0) return std::to_string(static_cast<long long>(v));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%f", v);
  return buf;
}

// MIN/MAX(num1,num2): either may be empty (then the other is the answer).
Result<std::string> extreme_read(const FunctionCall& call, bool want_max) {
  auto a = dialplan::split_args(call.args);
  const std::string n1 = a.size() > 0 ? std::string(trim(a[0])) : "";
  const std::string n2 = a.size() > 1 ? std::string(trim(a[1])) : "";
  if (n1.empty() && n2.empty()) return func_error(call, "missing argument for number(s)");
  auto x = number_arg(n1), y = number_arg(n2);
  if (!n1.empty() && !x) return func_error(call, "'" + n1 + "' is not a valid number");
  if (!n2.empty() && !y) return func_error(call, "'" + n2 + "' is not a valid number");
  if (!x) return plain_number(*y);
  if (!y) return plain_number(*x);
  return plain_number(want_max ? std::max(*x, *y) : std::min(*x, *y));
}

}  // namespace

void register_math_functions(Engine& engine) {
  add_function(engine, "MATH",
               {"Performs Mathematical Functions.", "MATH(expression[,type])",
                "Performs mathematical functions based on two parameters and an operator. The returned value "
                "type is type. Example: Set(i=${MATH(123%16,int)}) sets i to 11. Comparisons return TRUE or "
                "FALSE. Float results print without trailing zeros (7/2 gives 3.5, 6/2 gives 3).",
                {{"expression", "number1<op>number2 where op is one of +,-,/,*,%,<<,>>,^,AND,OR,XOR,<,>,<=,>=,== "
                                "(and behave as their C equivalents; ^ is power)"},
                 {"type", "wanted type of result: f, float (default); i, int; h, hex; c, char"}},
                {}},
               math_read);
  add_function(engine, "RAND",
               {"Choose a random number in a range.", "RAND([min][,max])",
                "Choose a random number between min and max, inclusive. min defaults to 0, max to 2147483647; "
                "they are swapped when min > max. Example: Set(junky=${RAND(1,8)}) sets junky to 1..8.",
                {{"min", "lowest value"}, {"max", "highest value"}},
                {}},
               rand_read);
  add_function(engine, "INC",
               {"Increments the value of a variable, while returning the updated value to the dialplan",
                "INC(variable)",
                "Increments the value of a variable (which must hold an integer), stores it in the channel variable "
                "and returns it. Example: INC(MyVAR) increments MyVAR. Only the value is ever changed.",
                {{"variable", "the variable name to be manipulated, without the braces"}}, {"DEC"}},
               [](const FunctionCall& c) { return step_read(c, +1); });
  add_function(engine, "DEC",
               {"Decrements the value of a variable, while returning the updated value to the dialplan",
                "DEC(variable)",
                "Decrements the value of a variable (which must hold an integer), stores it in the channel variable "
                "and returns it. Example: ${DEC(MyVAR)} decrements MyVAR.",
                {{"variable", "the variable name to be manipulated, without the braces"}}, {"INC"}},
               [](const FunctionCall& c) { return step_read(c, -1); });
  add_function(engine, "MIN",
               {"Returns the minimum of two numbers.", "MIN([num1][,num2])",
                "Returns the minimum of two numbers num1 and num2 (either may be omitted). Whole results print "
                "without decimals, others with six. Example: Set(min=${MIN(7,4)}) sets min to 4.",
                {{"num1", "a number"}, {"num2", "a number"}}, {"MAX", "ABS"}},
               [](const FunctionCall& c) { return extreme_read(c, false); });
  add_function(engine, "MAX",
               {"Returns the maximum of two numbers.", "MAX([num1][,num2])",
                "Returns the maximum of two numbers num1 and num2 (either may be omitted). Example: "
                "Set(max=${MAX(4,7)}) sets max to 7.",
                {{"num1", "a number"}, {"num2", "a number"}}, {"MIN", "ABS"}},
               [](const FunctionCall& c) { return extreme_read(c, true); });
  add_function(engine, "ABS",
               {"Returns absolute value of a number.", "ABS(num)",
                "Returns the absolute value of a number num. Example: Set(absval=${ABS(-13)}) sets absval to 13.",
                {{"num", "a number"}}, {"MIN", "MAX"}},
               [](const FunctionCall& c) -> Result<std::string> {
                 auto v = number_arg(c.args);
                 if (!v) return func_error(c, "bad or missing argument for number: '" + std::string(c.args) + "'");
                 return plain_number(std::fabs(*v));
               });
}

}  // namespace telephony::funcs
