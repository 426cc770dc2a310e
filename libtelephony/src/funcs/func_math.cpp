// Arithmetic: MATH (one binary operation with a chosen result type) and RAND.
#include <cmath>
#include <cstdlib>
#include <random>

#include "funcs/function_support.hpp"

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
}

}  // namespace telephony::funcs
