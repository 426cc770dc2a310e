#include "telephony/dialplan/args.hpp"

#include <cctype>

namespace telephony::dialplan {

std::vector<std::string> split_args(std::string_view data, char sep) {
  std::vector<std::string> args;
  if (data.empty()) return args;
  std::size_t i = 0;
  for (;;) {
    std::string arg;
    int paren = 0, bracket = 0;
    bool quote = false, ended_on_sep = false;
    for (; i < data.size(); ++i) {
      const char c = data[i];
      if (c == '(') {
        ++paren;
      } else if (c == ')') {
        if (paren) --paren;
      } else if (c == '[') {
        ++bracket;
      } else if (c == ']') {
        if (bracket) --bracket;
      } else if (c == '"' && sep != '"') {
        quote = !quote;
        continue;  // the quote itself is removed
      } else if (c == '\\') {
        if (i + 1 < data.size()) arg += data[++i];  // next character is literal
        continue;
      } else if (c == sep && !paren && !quote && !bracket) {
        ended_on_sep = true;
        ++i;
        break;
      }
      arg += c;
    }
    args.push_back(std::move(arg));
    if (!ended_on_sep) break;  // a trailing separator still yields one (empty) last argument
  }
  return args;
}

Result<ParsedOptions> parse_options(std::string_view spec, std::string_view allowed_with_args) {
  ParsedOptions out;
  std::size_t i = 0;
  while (i < spec.size()) {
    const char flag = spec[i++];
    out.flags.insert(flag);
    if (i >= spec.size() || spec[i] != '(') continue;
    const std::size_t open_at = i;
    ++i;
    // Quotes are special only when the argument starts with one, as in Asterisk.
    const bool parse_quotes = i < spec.size() && spec[i] == '"';
    bool quote = false;
    int depth = 1;
    std::string arg;
    for (; i < spec.size(); ++i) {
      const char c = spec[i];
      if (c == '(' && !quote) {
        ++depth;
      } else if (c == ')' && !quote) {
        if (--depth == 0) break;
      } else if (c == '"' && parse_quotes) {
        quote = !quote;
        continue;
      } else if (c == '\\') {
        if (!quote || (i + 1 < spec.size() && spec[i + 1] == '"')) {
          if (i + 1 < spec.size()) arg += spec[++i];
          continue;
        }
        arg += c;  // inside quotes a backslash stays, with the character after it
        if (i + 1 < spec.size()) arg += spec[++i];
        continue;
      }
      arg += c;
    }
    if (i >= spec.size())
      return fail(std::string("missing ')' for the argument of option '") + flag + "'",
                  "offset " + std::to_string(open_at));
    ++i;  // past ')'
    if (allowed_with_args.find(flag) != std::string_view::npos) {
      out.arguments[flag] = std::move(arg);
    } else {
      out.warnings.push_back(std::string("option '") + flag + "' takes no argument; ignored '" +
                             arg + "'");
    }
  }
  return out;
}

Result<AppCall> split_app_data(std::string_view text, std::string_view where) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
  };
  text = trim(text);
  const std::size_t paren = text.find('(');
  const std::size_t comma = text.find(',');
  AppCall call;
  if (comma != std::string_view::npos && (paren == std::string_view::npos || comma < paren)) {
    call.application = std::string(trim(text.substr(0, comma)));
    call.data = std::string(text.substr(comma + 1));
  } else if (paren != std::string_view::npos &&
             (text.substr(0, paren).find("${") != std::string_view::npos ||
              text.substr(0, paren).find("$[") != std::string_view::npos)) {
    // "DAHDI/g0/${GLOBAL(x)}" (a hint): the '(' belongs to a substitution, not to an app call.
    call.application = std::string(text);
  } else if (paren != std::string_view::npos) {
    call.application = std::string(trim(text.substr(0, paren)));
    const std::size_t close = text.rfind(')');
    if (close == std::string_view::npos || close < paren)
      return fail("missing ')' in '" + std::string(text) + "'", std::string(where));
    call.data = std::string(text.substr(paren + 1, close - paren - 1));
  } else {
    call.application = std::string(text);
  }
  if (call.application.empty())
    return fail("missing application name in '" + std::string(text) + "'", std::string(where));
  return call;
}

}  // namespace telephony::dialplan
