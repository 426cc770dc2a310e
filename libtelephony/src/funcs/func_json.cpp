// JSON_DECODE: one value out of a JSON document held in a variable.
#include "dialplan/channel_resolver.hpp"
#include "funcs/function_support.hpp"
#include "funcs/json_text.hpp"
#include "telephony/dialplan/args.hpp"

namespace telephony::funcs {

namespace {

std::vector<std::string> split_keys(std::string_view key, char sep) {
  std::vector<std::string> out;
  for (;;) {
    auto at = key.find(sep);
    out.emplace_back(key.substr(0, at));
    if (at == std::string_view::npos) return out;
    key.remove_prefix(at + 1);
  }
}

std::optional<std::size_t> index_of(const std::string& s) {
  if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return static_cast<std::size_t>(std::stoul(s));
}

// The text JSON_DECODE answers for `node` after following `keys[next...]`.
std::string render(const JsonValue* node, const std::vector<std::string>& keys, std::size_t next, bool count) {
  if (!node) return {};
  if (auto* s = std::get_if<std::string>(&node->v)) return *s;
  if (auto* i = std::get_if<std::int64_t>(&node->v)) return std::to_string(*i);
  if (auto* d = std::get_if<double>(&node->v)) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", *d);
    return buf;
  }
  if (auto* b = std::get_if<bool>(&node->v)) return *b ? "1" : "0";
  if (std::holds_alternative<std::nullptr_t>(node->v)) return {};
  if (next >= keys.size()) {
    if (count && node->is_array()) return std::to_string(std::get<std::shared_ptr<JsonArray>>(node->v)->size());
    return dump_json(*node);
  }
  if (node->is_array()) {
    auto i = index_of(keys[next]);
    return i ? render(node->element(*i), keys, next + 1, count) : std::string();
  }
  return render(node->member(keys[next]), keys, next + 1, count);
}

Result<std::string> json_decode_read(const FunctionCall& call) {
  auto a = dialplan::split_args(call.args);
  if (a.empty() || a[0].empty()) return func_error(call, "requires a variable name");
  if (a.size() < 2 || a[1].empty()) return func_error(call, "requires a key");
  char sep = '.';
  if (a.size() > 2 && !a[2].empty()) {
    if (a[2].size() != 1) return func_error(call, "nesting separator '" + a[2] + "' must be a single character");
    sep = a[2][0];
  }
  bool count = false;
  if (a.size() > 3)
    for (char o : a[3]) {
      if (o == 'c' || o == 'C') count = true;
      else return func_error(call, std::string("unknown option '") + o + "'");
    }
  const std::string text = dialplan::expand_variable(call.engine, call.channel, a[0]);
  if (text.empty()) return std::string();  // nothing to search (Asterisk: no value, no warning)
  auto doc = parse_json(text);
  if (!doc) return func_error(call, "variable " + a[0] + " is not JSON: " + doc.error().message);
  const auto keys = split_keys(a[1], sep);
  const JsonValue* start = nullptr;
  if (doc->is_object()) {
    start = doc->member(keys[0]);
  } else {
    auto i = index_of(keys[0]);
    if (!i) return func_error(call, "index '" + keys[0] + "' of the top-level array is not a number");
    start = doc->element(*i);
  }
  return render(start, keys, 1, count);
}

}  // namespace

void register_json_functions(Engine& engine) {
  add_function(
      engine, "JSON_DECODE",
      {"Returns the string value of a JSON object key from a string containing a JSON array.",
       "JSON_DECODE(varname,item[,separator[,options]])",
       "Parses the value of varname as JSON and returns the value at item. item may name nested keys separated by "
       "separator (default '.'); array elements are indexed by number from 0 (\"1.name\"). Strings are returned "
       "unquoted, numbers as written, true/false as 1/0, null as empty, objects and arrays as compact JSON. A key "
       "that is not there gives an empty string.",
       {{"varname", "variable holding the JSON text"},
        {"item", "key, or keys joined by the separator"},
        {"separator", "one character that delimits the key hierarchy (default .)"},
        {"options", "c: for a key that names an array, return the number of its elements"}},
       {}},
      json_decode_read);
}

}  // namespace telephony::funcs
