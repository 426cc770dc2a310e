// Text functions that Asterisk added over the years: STRREPLACE, STRBETWEEN, TRIM, LTRIM, RTRIM,
// PASSTHRU, KEYPADHASH, URIENCODE, URIDECODE.
#include <cctype>
#include <cstdlib>

#include "dialplan/channel_resolver.hpp"
#include "funcs/function_support.hpp"
#include "telephony/dialplan/args.hpp"

namespace telephony::funcs {

namespace {

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// STRREPLACE(varname,find-string[,replace-string[,max-replacements]]): the variable's value (read
// as ${varname}, so builtins and functions work) with find-string replaced.
Result<std::string> strreplace_read(const FunctionCall& call) {
  auto a = dialplan::split_args(call.args);
  if (a.size() < 2) return func_error(call, "usage STRREPLACE(<varname>,<find-string>[,<replace-string>[,<max-replacements>]])");
  if (a[0].empty()) return func_error(call, "missing variable name");
  if (a[1].empty()) return func_error(call, "no <find-string> specified");
  const std::string& find = a[1];
  const std::string replace = a.size() > 2 ? a[2] : "";
  long max = a.size() > 3 ? std::strtol(a[3].c_str(), nullptr, 10) : 0;
  if (max <= 0) max = -1;  // unlimited
  const std::string value = dialplan::expand_variable(call.engine, call.channel, a[0]);
  std::string out;
  std::size_t from = 0;
  for (long n = 0; max < 0 || n < max; ++n) {
    auto at = value.find(find, from);
    if (at == std::string::npos) break;
    out.append(value, from, at - from).append(replace);
    from = at + find.size();
  }
  out.append(value, from, std::string::npos);
  return out;
}

Result<std::string> strbetween_read(const FunctionCall& call) {
  auto a = dialplan::split_args(call.args);
  if (a.size() != 2 || a[0].empty()) return func_error(call, "usage STRBETWEEN(<varname>,<insert-string>)");
  const std::string value = dialplan::expand_variable(call.engine, call.channel, a[0]);
  std::string out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    out += value[i];
    if (i + 1 < value.size()) out += a[1];
  }
  return out;
}

std::string_view ltrim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  return s;
}
std::string_view rtrim(std::string_view s) {
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

char keypad_digit(char c) {
  static constexpr std::string_view kKeys[] = {"abc", "def", "ghi", "jkl", "mno", "pqrs", "tuv", "wxyz"};
  if (c >= '0' && c <= '9') return c;
  const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::size_t k = 0; k < 8; ++k)
    if (kKeys[k].find(lower) != std::string_view::npos) return static_cast<char>('2' + k);
  return 0;
}

// RFC 3986 unreserved characters plus RFC 2396's marks pass; everything else is %XX (upper-case
// hex), as Asterisk's ast_uri_encode with ast_uri_http.
std::string uri_encode(std::string_view in) {
  static constexpr std::string_view kMark = "-_.!~*'()";
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : in) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || kMark.find(c) != std::string_view::npos) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

// %XX becomes the byte; a '%' not followed by two hex digits is kept as it is. '+' stays '+'.
std::string uri_decode(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && std::isxdigit(static_cast<unsigned char>(in[i + 1])) && std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
      out += static_cast<char>(std::strtol(std::string(in.substr(i + 1, 2)).c_str(), nullptr, 16));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

}  // namespace

void register_text_functions(Engine& engine) {
  add_function(engine, "STRREPLACE",
               {"Replace instances of a substring within a string with another string.",
                "STRREPLACE(varname,find-string[,replace-string[,max-replacements]])",
                "Searches for all instances of find-string in the value of varname and replaces them with "
                "replace-string. An empty replace-string deletes them. With max-replacements (> 0) only that many "
                "are replaced, from the left. The variable itself is not changed. varname is read as ${varname}, so "
                "it may name a builtin such as EXTEN or a function such as CALLERID(num).",
                {{"varname", "variable holding the text"}, {"find-string", "text to find (not empty)"},
                 {"replace-string", "replacement (default: empty)"}, {"max-replacements", "limit (default: all)"}},
                {"REPLACE", "STRBETWEEN"}},
               strreplace_read);
  add_function(engine, "STRBETWEEN",
               {"Inserts a substring between each character in a string.", "STRBETWEEN(varname,insert-string)",
                "Inserts insert-string between each pair of characters of the value of varname (not after the "
                "last). Example: with digits=5551212, ${STRBETWEEN(digits,w)} gives 5w5w5w1w2w1w2 for SendDTMF.",
                {{"varname", "variable holding the text"}, {"insert-string", "text to insert"}},
                {"STRREPLACE"}},
               strbetween_read);
  add_function(engine, "TRIM",
               {"Trim leading and trailing whitespace in a string", "TRIM(string)",
                "Returns string without its leading and trailing whitespace.", {{"string", "the text"}},
                {"LTRIM", "RTRIM"}},
               [](const FunctionCall& c) -> Result<std::string> { return std::string(rtrim(ltrim(c.args))); });
  add_function(engine, "LTRIM",
               {"Trim leading whitespace in a string", "LTRIM(string)", "Returns string without its leading whitespace.",
                {{"string", "the text"}}, {"TRIM", "RTRIM"}},
               [](const FunctionCall& c) -> Result<std::string> { return std::string(ltrim(c.args)); });
  add_function(engine, "RTRIM",
               {"Trim trailing whitespace in a string", "RTRIM(string)", "Returns string without its trailing whitespace.",
                {{"string", "the text"}}, {"TRIM", "LTRIM"}},
               [](const FunctionCall& c) -> Result<std::string> { return std::string(rtrim(c.args)); });
  add_function(engine, "PASSTHRU",
               {"Pass the given argument back as a value.", "PASSTHRU([string])",
                "Literally returns the given string, so that functions taking a variable name (CUT, STRREPLACE, "
                "...) can take a literal instead: ${CUT(PASSTHRU(${CUT(CHANNEL,-,1)}),/,2)}.",
                {{"string", "the text"}}, {"CUT"}},
               [](const FunctionCall& c) -> Result<std::string> { return std::string(c.args); });
  add_function(engine, "KEYPADHASH",
               {"Hash the letters in string into equivalent keypad numbers.", "KEYPADHASH(string)",
                "Letters become the keypad digit that carries them (ABC=2 ... WXYZ=9, either case), digits stay, and "
                "every other character is dropped. Example: ${KEYPADHASH(Les)} returns 537.",
                {{"string", "the text"}}, {}},
               [](const FunctionCall& c) -> Result<std::string> {
                 std::string out;
                 for (char ch : c.args)
                   if (char d = keypad_digit(ch)) out += d;
                 return out;
               });
  add_function(engine, "URIENCODE",
               {"Encodes a string to URI-safe encoding according to RFC 2396.", "URIENCODE(data)",
                "Letters, digits and -_.!~*'() are kept; every other byte becomes %XX (upper-case hex).",
                {{"data", "input string to be encoded"}}, {"URIDECODE"}},
               [](const FunctionCall& c) -> Result<std::string> { return uri_encode(c.args); });
  add_function(engine, "URIDECODE",
               {"Decodes a URI-encoded string according to RFC 2396.", "URIDECODE(data)",
                "Every %XX (two hex digits) becomes that byte; other characters are copied (a '+' stays a '+').",
                {{"data", "input string to be decoded"}}, {"URIENCODE"}},
               [](const FunctionCall& c) -> Result<std::string> { return uri_decode(c.args); });
}

}  // namespace telephony::funcs
