// String functions: LEN, TOUPPER, TOLOWER, EXISTS, ISNULL, FILTER, REPLACE, QUOTE, CSV_QUOTE,
// REGEX, SPRINTF.
#include <regex.h>

#include <cstdio>
#include <cstdlib>

#include "funcs/function_support.hpp"

namespace telephony::funcs {

namespace {

// FILTER's allowed-chars: one character, with \xHH, \0ooo, \t \n \r and \<c> escapes.
// Returns the character and advances `i`.
unsigned char next_filter_char(std::string_view s, std::size_t& i) {
  if (s[i] != '\\' || i + 1 >= s.size()) return static_cast<unsigned char>(s[i++]);
  char e = s[i + 1];
  if (e == 'x') {
    std::size_t j = i + 2;
    std::string hex;
    while (j < s.size() && hex.size() < 2 && std::isxdigit(static_cast<unsigned char>(s[j]))) hex += s[j++];
    i = j;
    return hex.empty() ? 'x' : static_cast<unsigned char>(std::strtol(hex.c_str(), nullptr, 16));
  }
  if (e == '0') {
    std::size_t j = i + 2;
    std::string oct;
    while (j < s.size() && oct.size() < 3 && s[j] >= '0' && s[j] <= '7') oct += s[j++];
    i = j;
    return oct.empty() ? 0 : static_cast<unsigned char>(std::strtol(oct.c_str(), nullptr, 8));
  }
  i += 2;
  switch (e) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    default: return static_cast<unsigned char>(e);
  }
}

Result<std::string> filter_read(const FunctionCall& call) {
  auto comma = call.args.find(',');
  if (comma == std::string_view::npos) return func_error(call, "usage FILTER(<allowed-chars>,<string>)");
  std::string_view spec = call.args.substr(0, comma);
  std::string_view text = call.args.substr(comma + 1);
  if (spec.empty()) return func_error(call, "no allowed characters given");
  bool allowed[256] = {};
  for (std::size_t i = 0; i < spec.size();) {
    unsigned char lo = next_filter_char(spec, i);
    if (i < spec.size() && spec[i] == '-' && i + 1 < spec.size()) {
      ++i;
      unsigned char hi = next_filter_char(spec, i);
      if (hi < lo) return func_error(call, "range is backwards ('" + std::string(1, static_cast<char>(lo)) + "-" +
                                               std::string(1, static_cast<char>(hi)) + "')");
      for (unsigned c = lo; c <= hi; ++c) allowed[c] = true;
    } else {
      allowed[lo] = true;
    }
  }
  std::string out;
  for (char c : text)
    if (allowed[static_cast<unsigned char>(c)]) out += c;
  return out;
}

Result<std::string> replace_read(const FunctionCall& call) {
  auto a = split_at_most(call.args, 3);
  if (a.empty() || a[0].empty()) return func_error(call, "missing variable name");
  if (a.size() < 2 || a[1].empty()) return func_error(call, "missing characters to find");
  std::string_view find = a[1];
  std::string replacement = a.size() > 2 ? a[2] : "";
  if (replacement.size() > 1) replacement.resize(1);  // Asterisk uses only the first character
  std::string out;
  for (char c : channel_variable(call, a[0])) {
    if (find.find(c) == std::string_view::npos)
      out += c;
    else
      out += replacement;
  }
  return out;
}

Result<std::string> quote_read(const FunctionCall& call) {
  std::string out = "\"";
  for (char c : call.args) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

Result<std::string> csv_quote_read(const FunctionCall& call) {
  std::string out = "\"";
  for (char c : call.args) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

Result<std::string> regex_read(const FunctionCall& call) {
  std::string_view a = call.args;
  auto open = a.find('"');
  if (open == std::string_view::npos) return func_error(call, "usage REGEX(\"<regular expression>\" <string>)");
  auto close = a.find('"', open + 1);
  if (close == std::string_view::npos) return func_error(call, "missing closing quote of the regular expression");
  std::string pattern(a.substr(open + 1, close - open - 1));
  std::string_view text = a.substr(close + 1);
  if (!text.empty() && text.front() == ' ') text.remove_prefix(1);  // one optional separating space
  regex_t re;
  if (int rc = regcomp(&re, pattern.c_str(), REG_EXTENDED | REG_NOSUB); rc != 0) {
    char msg[256];
    regerror(rc, &re, msg, sizeof msg);
    regfree(&re);
    return func_error(call, "invalid regular expression '" + pattern + "': " + msg);
  }
  std::string subject(text);
  bool match = regexec(&re, subject.c_str(), 0, nullptr, 0) == 0;
  regfree(&re);
  return std::string(match ? "1" : "0");
}

// SPRINTF: printf conversions %d %i %o %u %x %X %e %E %f %F %g %G %a %A %c %s %%, with flags,
// width and precision; each consumes the next argument.
Result<std::string> sprintf_read(const FunctionCall& call) {
  auto a = split_at_most(call.args, 0);
  if (a.empty()) return func_error(call, "missing format");
  const std::string& fmt = a[0];
  std::size_t next = 1;
  std::string out;
  for (std::size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%') {
      out += fmt[i];
      continue;
    }
    std::size_t j = i + 1;
    if (j < fmt.size() && fmt[j] == '%') {
      out += '%';
      i = j;
      continue;
    }
    while (j < fmt.size() && std::string_view("-+ #0").find(fmt[j]) != std::string_view::npos) ++j;
    while (j < fmt.size() && std::isdigit(static_cast<unsigned char>(fmt[j]))) ++j;
    if (j < fmt.size() && fmt[j] == '.') {
      ++j;
      while (j < fmt.size() && std::isdigit(static_cast<unsigned char>(fmt[j]))) ++j;
    }
    while (j < fmt.size() && std::string_view("hlLqjzt").find(fmt[j]) != std::string_view::npos) ++j;
    if (j >= fmt.size()) return func_error(call, "incomplete conversion at end of format");
    char conv = fmt[j];
    std::string spec = fmt.substr(i, j - i);
    // Length modifiers are ours to choose: drop the user's and use the widest type.
    while (!spec.empty() && std::string_view("hlLqjzt").find(spec.back()) != std::string_view::npos) spec.pop_back();
    std::string arg = next < a.size() ? a[next] : "";
    ++next;
    char buf[512];
    int n = 0;
    switch (conv) {
      case 'd': case 'i':
        n = std::snprintf(buf, sizeof buf, (spec + "lld").c_str(), std::strtoll(arg.c_str(), nullptr, 10));
        break;
      case 'o': case 'u': case 'x': case 'X':
        n = std::snprintf(buf, sizeof buf, (spec + "ll" + conv).c_str(), std::strtoull(arg.c_str(), nullptr, 10));
        break;
      case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'a': case 'A':
        n = std::snprintf(buf, sizeof buf, (spec + conv).c_str(), std::strtod(arg.c_str(), nullptr));
        break;
      case 'c':
        n = std::snprintf(buf, sizeof buf, (spec + 'c').c_str(), arg.empty() ? ' ' : arg[0]);
        break;
      case 's':
        n = std::snprintf(buf, sizeof buf, (spec + 's').c_str(), arg.c_str());
        break;
      default:
        return func_error(call, std::string("unsupported conversion '%") + conv + "'");
    }
    if (n < 0) return func_error(call, "bad conversion '" + fmt.substr(i, j - i + 1) + "'");
    out.append(buf, std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buf - 1));
    i = j;
  }
  return out;
}

}  // namespace

void register_string_functions(Engine& engine) {
  add_function(engine, "LEN",
               {"Return the length of the string given.", "LEN(string)",
                "Returns the length of the string given, counting every character (commas included). "
                "Example: ${LEN(example)} returns 7.",
                {{"string", "the text to measure"}}, {}},
               [](const FunctionCall& c) -> Result<std::string> { return std::to_string(c.args.size()); });
  add_function(engine, "TOUPPER",
               {"Convert string to all uppercase letters.", "TOUPPER(string)",
                "Example: ${TOUPPER(Example)} returns \"EXAMPLE\".", {{"string", "the text"}}, {"TOLOWER"}},
               [](const FunctionCall& c) -> Result<std::string> { return to_upper(c.args); });
  add_function(engine, "TOLOWER",
               {"Convert string to all lowercase letters.", "TOLOWER(string)",
                "Example: ${TOLOWER(Example)} returns \"example\".", {{"string", "the text"}}, {"TOUPPER"}},
               [](const FunctionCall& c) -> Result<std::string> { return to_lower(c.args); });
  add_function(engine, "EXISTS",
               {"Test the existence of a value.", "EXISTS(data)", "Returns 1 if exists, 0 otherwise.",
                {{"data", "the value to test"}}, {"ISNULL"}},
               [](const FunctionCall& c) -> Result<std::string> { return std::string(c.args.empty() ? "0" : "1"); });
  add_function(engine, "ISNULL",
               {"Check if a value is NULL.", "ISNULL(data)", "Returns 1 if NULL or 0 otherwise.",
                {{"data", "the value to test"}}, {"EXISTS"}},
               [](const FunctionCall& c) -> Result<std::string> { return std::string(c.args.empty() ? "1" : "0"); });
  add_function(engine, "FILTER",
               {"Filter the string to include only the allowed characters", "FILTER(allowed-chars,string)",
                "Permits all characters listed in allowed-chars, filtering all others out. Ranges are written "
                "with '-' (0-9), \\xHH and \\0ooo give characters by code, \\t \\n \\r are recognized, and a "
                "literal '-' needs a backslash. Everything after the first comma is the string.",
                {{"allowed-chars", "characters and ranges to keep"}, {"string", "the text to filter"}},
                {"REPLACE"}},
               filter_read);
  add_function(engine, "REPLACE",
               {"Replace a set of characters in a given string with another character.",
                "REPLACE(varname,find-chars[,replace-char])",
                "Iterates through the value of the variable replacing every character found in find-chars with "
                "replace-char. replace-char may be empty or one character; when empty, the found characters "
                "are deleted.",
                {{"varname", "variable whose value is used"},
                 {"find-chars", "characters to replace"},
                 {"replace-char", "the replacement (first character only)"}},
                {"FILTER"}},
               replace_read);
  add_function(engine, "QUOTE",
               {"Quotes a given string, escaping embedded quotes as necessary", "QUOTE(string)",
                "Example: ${QUOTE(ab\"c\"de)} returns \"ab\\\"c\\\"de\" (backslashes are escaped too).",
                {{"string", "the text"}}, {"CSV_QUOTE"}},
               quote_read);
  add_function(engine, "CSV_QUOTE",
               {"Quotes a given string for use in a CSV file, escaping embedded quotes as necessary",
                "CSV_QUOTE(string)", "Example: ${CSV_QUOTE(\"a,b\" 123)} returns \"\"\"a,b\"\" 123\".",
                {{"string", "the text"}}, {"QUOTE"}},
               csv_quote_read);
  add_function(engine, "REGEX",
               {"Check string against a regular expression.", "REGEX(\"regular expression\" string)",
                "Returns 1 on regular expression (POSIX extended) match or 0 otherwise. The space following the "
                "closing double quote is optional and skipped; to start the string with a space, put two.",
                {{"regular expression", "in double quotes"}, {"string", "the text to test"}},
                {}},
               regex_read);
  add_function(engine, "SPRINTF",
               {"Format a variable according to a format string.", "SPRINTF(format,arg1[,arg2[,...]])",
                "Parses the format string like printf(3): %d %i %o %u %x %X %e %f %g %a %c %s and %%, with flags, "
                "width and precision. Each conversion consumes the next argument; a missing argument is empty.",
                {{"format", "printf-style format"}, {"arg1", "first value"}},
                {}},
               sprintf_read);
}

}  // namespace telephony::funcs
