#include "telephony/dialplan/substitution.hpp"

#include <charconv>
#include <climits>

#include "telephony/dialplan/expression.hpp"

namespace telephony::dialplan {

std::string apply_substring(std::string_view value, int offset, int length) {
  const long len = static_cast<long>(value.size());
  long off = offset;
  if (off < 0) off = std::max(0L, len + off);
  if (off >= len) return {};
  long take;
  if (length >= 0) {
    take = std::min<long>(length, len - off);
  } else {
    take = len - off + length;  // drop |length| characters from the end
    if (take < 0) take = 0;
  }
  return std::string(value.substr(static_cast<std::size_t>(off), static_cast<std::size_t>(take)));
}

namespace {

// Reads an optional signed integer like sscanf("%d") would; returns false when none is there.
bool read_int(std::string_view& s, int& out) {
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  const char* first = s.data() + i;
  if (i < s.size() && s[i] == '+') ++first;
  long v = 0;
  auto [ptr, ec] = std::from_chars(first, s.data() + s.size(), v);
  if (ec != std::errc() && ec != std::errc::result_out_of_range) return false;
  if (ec == std::errc::result_out_of_range || v > INT_MAX || v < INT_MIN) v = v < 0 ? INT_MIN : INT_MAX;
  out = static_cast<int>(v);
  s.remove_prefix(static_cast<std::size_t>(ptr - s.data()));
  return true;
}

class Substituter {
 public:
  Substituter(const VariableResolver& r, const SubstitutionLimits& l, SubstitutionResult& out)
      : resolver_(r), limits_(l), result_(out) {}

  void run(std::string_view text, int depth, std::string& out) {
    std::size_t i = 0;
    while (i < text.size()) {
      const std::size_t dollar = find_start(text, i);
      append(out, text.substr(i, dollar - i));
      if (dollar == text.size()) return;
      const bool is_var = text[dollar + 1] == '{';
      const std::size_t body = dollar + 2;
      std::size_t end = body;
      bool nested = false;
      int open = 1;
      // Find the matching close, counting braces (or brackets) and noting nested ${ / $[.
      while (end < text.size()) {
        const char c = text[end];
        if (c == '$' && end + 1 < text.size() && (text[end + 1] == '{' || text[end + 1] == '[')) {
          nested = true;
          if ((text[end + 1] == '{') == is_var) ++open;
          end += 2;
          continue;
        }
        if (is_var ? c == '{' : c == '[') ++open;
        if (is_var ? c == '}' : c == ']') {
          if (--open == 0) break;
        }
        ++end;
      }
      if (end >= text.size()) {  // unterminated: keep the rest as text
        result_.warnings.push_back(std::string("missing '") + (is_var ? '}' : ']') +
                                   "' for '" + std::string(text.substr(dollar, 2)) + "' at offset " +
                                   std::to_string(dollar));
        append(out, text.substr(dollar));
        return;
      }
      std::string_view inner = text.substr(body, end - body);
      if (depth >= limits_.max_depth) {
        result_.warnings.push_back("substitution nested deeper than " +
                                   std::to_string(limits_.max_depth) + " levels");
        append(out, text.substr(dollar, end + 1 - dollar));
        i = end + 1;
        continue;
      }
      std::string expanded;
      if (nested) {
        run(inner, depth + 1, expanded);
        inner = expanded;
      }
      if (is_var) {
        append(out, lookup(inner));
      } else {
        auto v = evaluate_expression(inner);
        if (v) {
          append(out, *v);
        } else {
          // Asterisk's ast_expr() yields "0" when the parse fails; so do we, and say why.
          append(out, "0");
          result_.warnings.push_back(v.error().to_string() + " in '$[" + std::string(inner) + "]'");
        }
      }
      i = end + 1;
    }
  }

 private:
  static std::size_t find_start(std::string_view text, std::size_t from) {
    for (std::size_t k = from; k + 1 < text.size(); ++k)
      if (text[k] == '$' && (text[k + 1] == '{' || text[k + 1] == '[')) return k;
    return text.size();
  }

  void append(std::string& out, std::string_view s) {
    if (out.size() + s.size() > limits_.max_output) {
      if (!truncated_) result_.warnings.push_back("substitution output truncated");
      truncated_ = true;
      s = s.substr(0, limits_.max_output - std::min(limits_.max_output, out.size()));
    }
    out.append(s);
  }

  std::string lookup(std::string_view spec) {
    // Split "NAME(args):offset:length" at the first ':' outside parentheses.
    int parens = 0;
    std::size_t colon = std::string_view::npos;
    bool is_function = false;
    for (std::size_t k = 0; k < spec.size(); ++k) {
      if (spec[k] == '(') {
        ++parens;
        is_function = true;
      } else if (spec[k] == ')') {
        --parens;
      } else if (spec[k] == ':' && parens == 0) {
        colon = k;
        break;
      }
    }
    const std::string_view name = spec.substr(0, colon);
    std::optional<std::string> value;
    if (is_function) {
      const std::size_t lp = name.find('(');
      const std::size_t rp = name.rfind(')');
      const std::string_view args =
          rp != std::string_view::npos && rp > lp ? name.substr(lp + 1, rp - lp - 1)
                                                  : name.substr(lp + 1);
      value = resolver_.function(name.substr(0, lp), args);
    } else {
      value = resolver_.variable(name);
    }
    if (!value) return {};
    if (colon == std::string_view::npos) return std::move(*value);
    std::string_view range = spec.substr(colon + 1);
    int offset = 0, length = INT_MAX;
    if (read_int(range, offset) && !range.empty() && range.front() == ':') {
      range.remove_prefix(1);
      (void)read_int(range, length);
    }
    return apply_substring(*value, offset, length);
  }

  const VariableResolver& resolver_;
  const SubstitutionLimits& limits_;
  SubstitutionResult& result_;
  bool truncated_ = false;
};

}  // namespace

SubstitutionResult substitute_checked(std::string_view text, const VariableResolver& resolver,
                                      const SubstitutionLimits& limits) {
  SubstitutionResult result;
  Substituter(resolver, limits, result).run(text, 0, result.text);
  return result;
}

std::string substitute(std::string_view text, const VariableResolver& resolver) {
  return substitute_checked(text, resolver).text;
}

}  // namespace telephony::dialplan
