#include "funcs/function_support.hpp"

#include "dialplan/channel_resolver.hpp"

#include <regex.h>

#include <cctype>
#include <cstdlib>

#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/functions.hpp"

namespace telephony::funcs {

void add_function(Engine& engine, std::string name, FunctionDoc doc, FunctionRead read, FunctionWrite write) {
  auto fn = std::make_shared<dialplan::Function>();
  fn->name = name;
  fn->doc = Documentation{std::move(doc.synopsis), std::move(doc.syntax), std::move(doc.description),
                          std::move(doc.arguments), std::move(doc.see_also)};
  fn->read = std::move(read);
  fn->write = std::move(write);
  (void)engine.functions().add(std::move(name), std::move(fn));
}

Unexpected<Error> func_error(const FunctionCall& call, std::string_view message) {
  return fail(to_upper(call.name) + ": " + std::string(message));
}

Result<Channel*> need_channel(const FunctionCall& call) {
  if (!call.channel) return func_error(call, "requires a channel");
  return call.channel;
}

std::string channel_variable(const FunctionCall& call, std::string_view name) {
  // As Asterisk reads "${name}": built-in variables (CHANNEL, EXTEN, UNIQUEID …), then the
  // channel's, then globals -- so ${CUT(CHANNEL,-,1)} works as dialplans in the wild expect.
  return dialplan::ChannelResolver(call.engine, call.channel).variable(name).value_or("");
}

std::vector<std::string> split_at_most(std::string_view data, std::size_t n, char sep) {
  auto parts = dialplan::split_args(data, sep);
  if (n == 0 || parts.size() <= n) return parts;
  std::string rest = parts[n - 1];
  for (std::size_t i = n; i < parts.size(); ++i) rest += sep + parts[i];
  parts.resize(n);
  parts[n - 1] = std::move(rest);
  return parts;
}

std::vector<std::string> split_raw(std::string_view data, std::size_t n) {
  std::vector<std::string> out;
  if (data.empty()) return out;
  std::string cur;
  for (std::size_t i = 0; i < data.size(); ++i) {
    char c = data[i];
    if (c == '\\' && i + 1 < data.size()) {
      cur += c;
      cur += data[++i];
    } else if (c == ',' && (n == 0 || out.size() + 1 < n)) {
      out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(std::move(cur));
  return out;
}

std::string unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) ++i;
    out += s[i];
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string to_upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool keyword_is(std::string_view argument, std::string_view keyword) {
  auto a = trim(argument);
  if (a.size() != keyword.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(keyword[i])))
      return false;
  return true;
}

std::string keyword_of(std::string_view argument) { return to_lower(trim(argument)); }

char keyword_letter(std::string_view argument) {
  auto a = trim(argument);
  return a.empty() ? '\0' : static_cast<char>(std::tolower(static_cast<unsigned char>(a.front())));
}

bool is_true(std::string_view condition) {
  auto t = trim(condition);
  if (t.empty()) return false;
  std::string s(t);
  char* end = nullptr;
  long v = std::strtol(s.c_str(), &end, 10);
  if (end != s.c_str()) return v != 0;
  return true;
}

char decode_delimiter(std::string_view text, char fallback) {
  if (text.empty()) return fallback;
  if (text[0] != '\\' || text.size() == 1) return text[0];
  switch (text[1]) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case 'x': {
      std::string hex(text.substr(2, 2));
      return hex.empty() ? 'x' : static_cast<char>(std::strtol(hex.c_str(), nullptr, 16));
    }
    case '0': {
      std::string oct(text.substr(1, 4));
      return static_cast<char>(std::strtol(oct.c_str(), nullptr, 8));
    }
    default: return text[1];
  }
}

struct PosixRegex::Compiled {
  regex_t re;
};

Result<PosixRegex> PosixRegex::compile(const std::string& pattern, int flags) {
  PosixRegex out;
  out.re_ = std::make_unique<Compiled>();
  if (int rc = regcomp(&out.re_->re, pattern.c_str(), flags | REG_EXTENDED | REG_NOSUB); rc != 0) {
    char msg[256];
    regerror(rc, &out.re_->re, msg, sizeof msg);
    regfree(&out.re_->re);
    out.re_.reset();
    return fail("invalid regular expression '" + pattern + "': " + msg);
  }
  return out;
}

PosixRegex::PosixRegex(PosixRegex&& other) noexcept : re_(std::move(other.re_)) {}

PosixRegex::~PosixRegex() {
  if (re_) regfree(&re_->re);
}

bool PosixRegex::matches(const std::string& text) const {
  return re_ && regexec(&re_->re, text.c_str(), 0, nullptr, 0) == 0;
}

Channel::Ptr find_channel_by_prefix(Engine& engine, std::string_view prefix) {
  if (prefix.empty()) return nullptr;
  if (auto c = engine.find_channel(prefix)) return c;
  for (auto& c : engine.channels())
    if (c->name().compare(0, prefix.size(), prefix) == 0) return c;
  return nullptr;
}

}  // namespace telephony::funcs

namespace telephony::dialplan {

void register_builtin_functions(Engine& engine) {
  funcs::register_string_functions(engine);
  funcs::register_list_functions(engine);
  funcs::register_logic_functions(engine);
  funcs::register_time_functions(engine);
  funcs::register_math_functions(engine);
  funcs::register_callerid_functions(engine);
  funcs::register_channel_functions(engine);
  funcs::register_db_functions(engine);
  funcs::register_codec_functions(engine);
  funcs::register_text_functions(engine);
  funcs::register_hash_functions(engine);
  funcs::register_file_functions(engine);
  funcs::register_system_functions(engine);
  funcs::register_json_functions(engine);
  funcs::register_channel_list_functions(engine);
  funcs::register_redirecting_functions(engine);
  funcs::register_dialplan_query_functions(engine);
  funcs::register_group_functions(engine);
  funcs::register_lock_functions(engine);
  funcs::register_dialgroup_functions(engine);
  funcs::register_devstate_functions(engine);
  funcs::register_audio_functions(engine);
}

}  // namespace telephony::dialplan
