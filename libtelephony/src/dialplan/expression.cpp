// Evaluator for $[...]: a precedence-climbing parser that evaluates as it parses (Asterisk
// evaluates every operand, including both arms of `?:`, so there is nothing to short-circuit).
#include "telephony/dialplan/expression.hpp"

#include <regex.h>

#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace telephony::dialplan {
namespace {

// A value is a number (result of arithmetic), a numeric string (a token that reads as a number;
// it keeps its spelling until arithmetic needs it) or a plain string.
struct Value {
  enum class Kind { kNumber, kNumericString, kString } kind = Kind::kString;
  long double num = 0;
  std::string text;
};

// A lexed token is a number when it reads [0-9]+(\.[0-9]+)? -- Asterisk's lexer rule, so "-5" is
// two tokens, and ".5", "1." and "1e3" are strings.
bool is_number_token(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i == 0) return false;
  if (i == s.size()) return true;
  if (s[i] != '.' || i + 1 == s.size()) return false;
  for (++i; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

// A computed string (regex capture, concatenation) counts as numeric when it is non-empty and
// made only of digits and dots, as Asterisk's make_str decides.
bool is_numeric_result(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if ((c < '0' || c > '9') && c != '.') return false;
  return true;
}

Value make_number(long double v) { return Value{Value::Kind::kNumber, v, {}}; }

Value make_string(std::string s) {
  Value v;
  v.kind = is_numeric_result(s) ? Value::Kind::kNumericString : Value::Kind::kString;
  v.text = std::move(s);
  return v;
}

std::string format_number(long double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.18Lg", v);
  return buf;
}

// Converts a numeric string in place, as Asterisk's to_number does; plain strings refuse.
bool to_number(Value& v) {
  if (v.kind == Value::Kind::kNumber) return true;
  if (v.kind == Value::Kind::kString) return false;
  errno = 0;
  const long double n = std::strtold(v.text.c_str(), nullptr);
  if (errno == ERANGE) return false;
  v.num = n;
  v.kind = Value::Kind::kNumber;
  v.text.clear();
  return true;
}

std::string& to_string(Value& v) {
  if (v.kind == Value::Kind::kNumber) {
    v.text = format_number(v.num);
    v.kind = Value::Kind::kNumericString;
  }
  return v.text;
}

bool is_zero_or_null(Value& v) {
  if (v.kind == Value::Kind::kNumber) return v.num == 0;
  return v.text.empty() || (to_number(v) && v.num == 0);
}

// What `!` negates, as Asterisk's op_compl reads its operand: a number by its value; text
// (numeric or not) is false when empty or exactly "0", otherwise it is its leading integer as
// atoi() reads it. So `!abc`, `!""` and `!0.5` are 1 while `!2abc` is 0 -- unlike `|`, `&` and
// `?:`, which treat "abc" as true.
bool complement_is_true(const Value& v) {
  if (v.kind == Value::Kind::kNumber) return v.num != 0;
  if (v.text.empty() || v.text == "0") return false;
  return std::strtol(v.text.c_str(), nullptr, 10) != 0;
}

// `"abc"` -> `abc` (every quote goes, as Asterisk's strip_quotes does when the value is quoted).
void strip_quotes(Value& v) {
  std::string& s = to_string(v);
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return;
  std::string out;
  for (char c : s)
    if (c != '"') out += c;
  s = std::move(out);
}

enum class Tok {
  kEnd, kToken, kLParen, kRParen, kComma, kOr, kAnd, kEq, kNe, kLt, kGt, kLe, kGe, kPlus,
  kMinus, kMul, kDiv, kMod, kNot, kColon, kEqTilde, kTildeTilde, kCond, kColonColon
};

struct ParseError {
  std::string message;
  std::size_t offset;
};

constexpr int kMaxDepth = 256;
constexpr long double kDivisionByZero = INT_MAX;  // what Asterisk returns for x/0

class Evaluator {
 public:
  explicit Evaluator(std::string_view src) : src_(src) { advance(); }

  Value run() {
    if (tok_ == Tok::kEnd) return make_string("");
    Value v = ternary();
    if (tok_ != Tok::kEnd) error("unexpected '" + std::string(text_) + "'");
    return v;
  }

 private:
  [[noreturn]] void error(std::string msg) const { throw ParseError{std::move(msg), start_}; }

  static bool is_operator_start(std::string_view s, std::size_t i) {
    switch (s[i]) {
      case '|': case '&': case '=': case '!': case '<': case '>': case '+': case '-': case '*':
      case '/': case '%': case ':': case '?': case '(': case ')': case ',': case '"':
        return true;
      case '~':
        return i + 1 < s.size() && s[i + 1] == '~';
      default:
        return std::isspace(static_cast<unsigned char>(s[i])) != 0;
    }
  }

  void advance() {
    while (pos_ < src_.size() && std::isspace(static_cast<unsigned char>(src_[pos_]))) ++pos_;
    start_ = pos_;
    if (pos_ >= src_.size()) {
      tok_ = Tok::kEnd;
      text_ = {};
      return;
    }
    const char c = src_[pos_];
    const char n = pos_ + 1 < src_.size() ? src_[pos_ + 1] : '\0';
    auto op = [&](Tok t, std::size_t len) {
      tok_ = t;
      text_ = src_.substr(pos_, len);
      pos_ += len;
    };
    switch (c) {
      case '|': return op(Tok::kOr, n == '|' ? 2 : 1);  // "||" and "&&" are accepted aliases
      case '&': return op(Tok::kAnd, n == '&' ? 2 : 1);
      case '=': return n == '~' ? op(Tok::kEqTilde, 2) : op(Tok::kEq, n == '=' ? 2 : 1);
      case '!': return n == '=' ? op(Tok::kNe, 2) : op(Tok::kNot, 1);
      case '<': return n == '=' ? op(Tok::kLe, 2) : op(Tok::kLt, 1);
      case '>': return n == '=' ? op(Tok::kGe, 2) : op(Tok::kGt, 1);
      case '+': return op(Tok::kPlus, 1);
      case '-': return op(Tok::kMinus, 1);
      case '*': return op(Tok::kMul, 1);
      case '/': return op(Tok::kDiv, 1);
      case '%': return op(Tok::kMod, 1);
      case ':': return n == ':' ? op(Tok::kColonColon, 2) : op(Tok::kColon, 1);
      case '?': return op(Tok::kCond, 1);
      case '(': return op(Tok::kLParen, 1);
      case ')': return op(Tok::kRParen, 1);
      case ',': return op(Tok::kComma, 1);
      case '~':
        if (n == '~') return op(Tok::kTildeTilde, 2);
        break;
      case '"': {
        const std::size_t close = src_.find('"', pos_ + 1);
        if (close == std::string_view::npos) error("unterminated '\"'");
        return op(Tok::kToken, close + 1 - pos_);  // the quotes stay part of the token
      }
      default:
        break;
    }
    std::size_t end = pos_ + 1;
    while (end < src_.size() && !is_operator_start(src_, end)) ++end;
    op(Tok::kToken, end - pos_);
  }

  void expect(Tok t, const char* what) {
    if (tok_ != t) error(std::string("expected '") + what + "'" +
                         (tok_ == Tok::kEnd ? " at end of expression"
                                            : " before '" + std::string(text_) + "'"));
    advance();
  }

  struct DepthGuard {
    explicit DepthGuard(Evaluator& e) : ev(e) {
      if (++ev.depth_ > kMaxDepth) ev.error("expression nested too deeply");
    }
    ~DepthGuard() { --ev.depth_; }
    Evaluator& ev;
  };

  Value ternary() {
    DepthGuard guard(*this);
    Value v = logical_or();
    while (tok_ == Tok::kCond) {
      advance();
      Value yes = ternary();
      expect(Tok::kColonColon, "::");
      Value no = logical_or();
      v = conditional(v, std::move(yes), std::move(no));
    }
    return v;
  }

  // A plain string is false when empty, "0" or two double quotes; anything else by its number.
  static Value conditional(Value& c, Value yes, Value no) {
    bool truth;
    if (c.kind == Value::Kind::kString) {
      truth = !c.text.empty() && c.text != "\"\"" && c.text != "0";
    } else {
      to_number(c);
      truth = c.num != 0;
    }
    return truth ? std::move(yes) : std::move(no);
  }

  Value logical_or() {
    Value v = logical_and();
    while (tok_ == Tok::kOr) {
      advance();
      Value r = logical_and();
      if (is_zero_or_null(v)) v = std::move(r);
    }
    return v;
  }

  Value logical_and() {
    Value v = comparison();
    while (tok_ == Tok::kAnd) {
      advance();
      Value r = comparison();
      const bool left_false = is_zero_or_null(v);
      if (left_false || is_zero_or_null(r)) v = make_number(0);
    }
    return v;
  }

  Value comparison() {
    Value v = additive();
    for (;;) {
      const Tok op = tok_;
      if (op != Tok::kEq && op != Tok::kNe && op != Tok::kLt && op != Tok::kGt &&
          op != Tok::kLe && op != Tok::kGe)
        return v;
      advance();
      Value r = additive();
      int cmp;
      if (v.kind == Value::Kind::kString || r.kind == Value::Kind::kString) {
        cmp = std::strcoll(to_string(v).c_str(), to_string(r).c_str());
      } else {
        to_number(v);
        to_number(r);
        cmp = v.num < r.num ? -1 : (v.num > r.num ? 1 : 0);
      }
      bool res = false;
      switch (op) {
        case Tok::kEq: res = cmp == 0; break;
        case Tok::kNe: res = cmp != 0; break;
        case Tok::kLt: res = cmp < 0; break;
        case Tok::kGt: res = cmp > 0; break;
        case Tok::kLe: res = cmp <= 0; break;
        default: res = cmp >= 0; break;
      }
      v = make_number(res ? 1 : 0);
    }
  }

  Value additive() {
    Value v = multiplicative();
    while (tok_ == Tok::kPlus || tok_ == Tok::kMinus) {
      const bool plus = tok_ == Tok::kPlus;
      advance();
      Value r = multiplicative();
      // Asterisk: a non-numeric operand drops out (x + foo = x, foo - x = -x, foo + bar = 0).
      const bool ln = to_number(v), rn = to_number(r);
      if (ln && rn) {
        v = make_number(plus ? v.num + r.num : v.num - r.num);
      } else if (!ln && rn) {
        v = make_number(plus ? r.num : -r.num);
      } else if (!ln && !rn) {
        v = make_number(0);
      }
    }
    return v;
  }

  Value multiplicative() {
    Value v = unary();
    while (tok_ == Tok::kMul || tok_ == Tok::kDiv || tok_ == Tok::kMod) {
      const Tok op = tok_;
      advance();
      Value r = unary();
      const bool ln = to_number(v), rn = to_number(r);
      if (op == Tok::kMul) {
        v = make_number(ln && rn ? v.num * r.num : 0);
      } else if (op == Tok::kDiv) {
        if (!ln) v = make_number(0);
        else if (!rn || r.num == 0) v = make_number(kDivisionByZero);
        else v = make_number(v.num / r.num);
      } else {
        if (!ln || !rn || r.num == 0) v = make_number(0);
        else v = make_number(std::fmod(v.num, r.num));
      }
    }
    return v;
  }

  Value unary() {
    DepthGuard guard(*this);
    if (tok_ == Tok::kMinus) {
      advance();
      Value v = unary();
      return make_number(to_number(v) ? -v.num : 0);
    }
    if (tok_ == Tok::kNot) {
      advance();
      Value v = unary();
      return make_number(complement_is_true(v) ? 0 : 1);
    }
    return regex_match();
  }

  // ':', '=~' and '~~' share one precedence level and associate to the left (Asterisk's grammar).
  Value regex_match() {
    Value v = primary();
    while (tok_ == Tok::kColon || tok_ == Tok::kEqTilde || tok_ == Tok::kTildeTilde) {
      const Tok op = tok_;
      const std::size_t at = start_;
      advance();
      Value r = primary();
      if (op == Tok::kTildeTilde) {
        strip_quotes(v);
        strip_quotes(r);
        v = make_string(v.text + r.text);
      } else {
        v = apply_regex(v, r, op == Tok::kColon, at);
      }
    }
    return v;
  }

  Value apply_regex(Value& subject, Value& pattern, bool anchored, std::size_t at) {
    strip_quotes(subject);
    strip_quotes(pattern);
    regex_t re;
    if (int rc = regcomp(&re, pattern.text.c_str(), REG_EXTENDED); rc != 0) {
      char msg[128];
      regerror(rc, &re, msg, sizeof msg);
      throw ParseError{"invalid regular expression '" + pattern.text + "': " + msg, at};
    }
    regmatch_t m[2];
    Value out;
    const int rc = regexec(&re, subject.text.c_str(), 2, m, 0);
    if (rc == 0 && (!anchored || m[0].rm_so == 0)) {
      if (re.re_nsub > 0 && m[1].rm_so >= 0)
        out = make_string(subject.text.substr(m[1].rm_so, m[1].rm_eo - m[1].rm_so));
      else
        out = make_number(m[0].rm_eo - m[0].rm_so);
    } else {
      out = re.re_nsub == 0 ? make_number(0) : make_string("");
    }
    regfree(&re);
    return out;
  }

  Value primary() {
    if (tok_ == Tok::kLParen) {
      DepthGuard guard(*this);
      advance();
      Value v = ternary();
      expect(Tok::kRParen, ")");
      return v;
    }
    if (tok_ != Tok::kToken)
      error(tok_ == Tok::kEnd ? "missing operand at end of expression"
                              : "expected an operand before '" + std::string(text_) + "'");
    const std::string_view name = text_;
    const std::size_t name_at = start_;
    advance();
    if (tok_ != Tok::kLParen) {
      Value v;
      v.kind = is_number_token(name) ? Value::Kind::kNumericString : Value::Kind::kString;
      v.text = std::string(name);
      return v;
    }
    advance();
    std::vector<Value> args;
    if (tok_ != Tok::kRParen) {
      for (;;) {
        args.push_back(ternary());
        if (tok_ != Tok::kComma) break;
        advance();
      }
    }
    expect(Tok::kRParen, ")");
    return call(name, args, name_at);
  }

  Value call(std::string_view name, std::vector<Value>& args, std::size_t at);

  std::string_view src_;
  std::size_t pos_ = 0;
  std::size_t start_ = 0;
  Tok tok_ = Tok::kEnd;
  std::string_view text_;
  int depth_ = 0;
};

struct MathFunction {
  const char* name;
  int arity;
  long double (*one)(long double);
  long double (*two)(long double, long double);
};

long double exp10_ld(long double x) { return std::pow(10.0L, x); }

const MathFunction kFunctions[] = {
    {"ABS", 1, [](long double x) { return std::fabs(x); }, nullptr},
    {"SQRT", 1, [](long double x) { return std::sqrt(x); }, nullptr},
    {"FLOOR", 1, [](long double x) { return std::floor(x); }, nullptr},
    {"CEIL", 1, [](long double x) { return std::ceil(x); }, nullptr},
    {"ROUND", 1, [](long double x) { return std::round(x); }, nullptr},
    {"TRUNC", 1, [](long double x) { return std::trunc(x); }, nullptr},
    {"RINT", 1, [](long double x) { return std::rint(x); }, nullptr},
    {"LOG", 1, [](long double x) { return std::log(x); }, nullptr},
    {"LOG2", 1, [](long double x) { return std::log2(x); }, nullptr},
    {"LOG10", 1, [](long double x) { return std::log10(x); }, nullptr},
    {"EXP", 1, [](long double x) { return std::exp(x); }, nullptr},
    {"EXP2", 1, [](long double x) { return std::exp2(x); }, nullptr},
    {"EXP10", 1, exp10_ld, nullptr},
    {"SIN", 1, [](long double x) { return std::sin(x); }, nullptr},
    {"COS", 1, [](long double x) { return std::cos(x); }, nullptr},
    {"TAN", 1, [](long double x) { return std::tan(x); }, nullptr},
    {"ASIN", 1, [](long double x) { return std::asin(x); }, nullptr},
    {"ACOS", 1, [](long double x) { return std::acos(x); }, nullptr},
    {"ATAN", 1, [](long double x) { return std::atan(x); }, nullptr},
    {"POW", 2, nullptr, [](long double x, long double y) { return std::pow(x, y); }},
    {"ATAN2", 2, nullptr, [](long double x, long double y) { return std::atan2(x, y); }},
    {"FMOD", 2, nullptr, [](long double x, long double y) { return std::fmod(x, y); }},
    {"REMAINDER", 2, nullptr, [](long double x, long double y) { return std::remainder(x, y); }},
};

Value Evaluator::call(std::string_view name, std::vector<Value>& args, std::size_t at) {
  for (const auto& f : kFunctions) {
    if (name != f.name) continue;
    if (static_cast<int>(args.size()) != f.arity)
      throw ParseError{std::string(f.name) + " takes " + std::to_string(f.arity) +
                           " argument(s), got " + std::to_string(args.size()),
                       at};
    for (auto& a : args)
      if (!to_number(a)) return make_number(0);  // Asterisk: non-numeric argument gives 0
    return make_number(f.arity == 1 ? f.one(args[0].num) : f.two(args[0].num, args[1].num));
  }
  throw ParseError{"unknown function '" + std::string(name) + "'", at};
}

}  // namespace

Result<std::string> evaluate_expression(std::string_view expr) {
  try {
    Evaluator ev(expr);
    Value v = ev.run();
    return std::move(to_string(v));
  } catch (const ParseError& e) {
    return fail("expression syntax error: " + e.message, "offset " + std::to_string(e.offset));
  }
}

}  // namespace telephony::dialplan
