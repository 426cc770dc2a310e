// Associative arrays and multi-assignment: HASH, HASHKEYS, ARRAY, SORT.
//
// A hash lives in channel variables named "~HASH~<hash>~<key>~", exactly as in Asterisk, so
// DumpChan shows them, `_`/`__` prefixes on the hash name make them inheritable, and ClearHash
// removes them by prefix. HASHKEYS lists keys most recently set first (Asterisk keeps channel
// variables newest first).
#include <algorithm>
#include <cstdlib>

#include "funcs/function_support.hpp"
#include "telephony/dialplan/args.hpp"

namespace telephony::funcs {

std::string hash_prefix(std::string_view hash) { return "~HASH~" + std::string(hash) + "~"; }

std::string hash_variable(std::string_view hash, std::string_view key) {
  // "_name" / "__name": the inheritance marks go in front of the whole variable name.
  std::size_t marks = 0;
  while (marks < 2 && marks < hash.size() && hash[marks] == '_') ++marks;
  return std::string(hash.substr(0, marks)) + hash_prefix(hash.substr(marks)) + std::string(key) + "~";
}

std::vector<std::string> hash_keys(const Channel& chan, std::string_view hash) {
  const std::string prefix = hash_prefix(hash);
  std::vector<std::string> keys;
  auto vars = chan.variables();
  for (auto it = vars.rbegin(); it != vars.rend(); ++it) {
    const std::string& n = it->name;
    if (n.size() > prefix.size() + 1 && n.back() == '~' && n.compare(0, prefix.size(), prefix) == 0)
      keys.push_back(n.substr(prefix.size(), n.size() - prefix.size() - 1));
  }
  return keys;
}

namespace {

std::string join(const std::vector<std::string>& v, char sep = ',') {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

constexpr std::string_view kOdbcFields = "~ODBCFIELDS~";

// ARRAY(var1,var2,...)=v1,v2,...: each name gets its value; names without one get "". With
// `hash` set (HASH(name)=... after a func_odbc read) the names are keys of that hash.
Result<void> assign_list(const FunctionCall& call, std::string_view names, std::string_view value,
                         std::optional<std::string_view> hash) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  auto vars = dialplan::split_args(names);
  auto vals = dialplan::split_args(value);
  for (std::size_t i = 0; i < vars.size(); ++i) {
    std::string target = hash ? hash_variable(*hash, vars[i]) : vars[i];
    if (target.empty()) continue;
    (*chan)->set_variable(target, i < vals.size() ? vals[i] : std::string());
  }
  return {};
}

Result<void> hash_write(const FunctionCall& call, std::string_view value) {
  auto a = dialplan::split_args(call.args);
  if (a.empty() || a[0].empty()) return func_error(call, "missing hash name");
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  if (a.size() == 1) {
    // Single-argument form: the keys are the columns a func_odbc read left in ~ODBCFIELDS~.
    auto fields = (*chan)->variable(kOdbcFields);
    if (!fields) return func_error(call, "HASH(" + a[0] + ") needs a preceding multi-column read (no ~ODBCFIELDS~)");
    return assign_list(call, *fields, value, a[0]);
  }
  (*chan)->set_variable(hash_variable(a[0], a[1]), std::string(value));
  return {};
}

Result<std::string> hash_read(const FunctionCall& call) {
  auto a = dialplan::split_args(call.args);
  if (a.empty() || a[0].empty()) return func_error(call, "missing hash name");
  if (a.size() >= 2) return channel_variable(call, hash_variable(a[0], a[1]));
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  // Single-argument form: every value, in HASHKEYS order, and the key list in ~ODBCFIELDS~ so
  // that ARRAY/HASH(name)= can pair them again.
  auto keys = hash_keys(**chan, a[0]);
  std::vector<std::string> values;
  for (const auto& k : keys) values.push_back((*chan)->variable(hash_variable(a[0], k)).value_or(""));
  (*chan)->set_variable(kOdbcFields, join(keys));
  return join(values);
}

// SORT(key1:val1[,key2:val2...]): the keys ordered by their values read as numbers. Equal values
// keep the order given (a stable sort; Asterisk's qsort leaves it unspecified).
Result<std::string> sort_read(const FunctionCall& call) {
  if (call.args.empty()) return func_error(call, "requires an argument");
  struct Item {
    std::string key;
    double value;
  };
  std::vector<Item> items;
  std::string_view rest = call.args;
  while (true) {
    auto comma = rest.find(',');
    auto part = rest.substr(0, comma);
    if (auto colon = part.find(':'); colon != std::string_view::npos) {
      std::string v(part.substr(colon + 1));
      items.push_back({std::string(part.substr(0, colon)), std::strtod(v.c_str(), nullptr)});
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  std::stable_sort(items.begin(), items.end(), [](const Item& x, const Item& y) { return x.value < y.value; });
  std::vector<std::string> keys;
  for (auto& i : items) keys.push_back(std::move(i.key));
  return join(keys);
}

}  // namespace

void register_hash_functions(Engine& engine) {
  add_function(engine, "HASH",
               {"Implementation of a dialplan associative array", "HASH(hashname[,hashkey])",
                "In two arguments mode, gets and sets values to corresponding keys within a named associative array "
                "(channel variables ~HASH~hashname~hashkey~; prefix hashname with _ or __ to make them inherit). "
                "The single-argument mode reads every value (in HASHKEYS order) and, when written, assigns the "
                "comma-separated values to the keys of a preceding single-argument read (the func_odbc idiom).",
                {{"hashname", "name of the array"}, {"hashkey", "key within it"}},
                {"HASHKEYS", "ClearHash", "ARRAY"}},
               hash_read, hash_write);
  add_function(engine, "HASHKEYS",
               {"Retrieve the keys of the HASH() function.", "HASHKEYS(hashname)",
                "Returns a comma-delimited list of the current keys of the associative array defined by the HASH() "
                "function, most recently set first. Adding keys while iterating over the result changes it.",
                {{"hashname", "name of the array"}}, {"HASH", "ClearHash"}},
               [](const FunctionCall& c) -> Result<std::string> {
                 auto chan = need_channel(c);
                 if (!chan) return Unexpected<Error>{chan.error()};
                 return join(hash_keys(**chan, trim(c.args)));
               });
  add_function(engine, "ARRAY",
               {"Allows setting multiple variables at once.", "ARRAY(var1[,var2[,...][,varN]])",
                "The comma-delimited list written to the function is assigned to the comma-delimited list of "
                "variable names in the argument: Set(ARRAY(var1,var2)=1,2) sets var1 to 1 and var2 to 2. Names "
                "without a value are set to the empty string. Write-only.",
                {{"var1", "first variable"}, {"varN", "more variables"}}, {"HASH", "SORT"}},
               {}, [](const FunctionCall& c, std::string_view v) { return assign_list(c, c.args, v, std::nullopt); });
  add_function(engine, "SORT",
               {"Sorts a list of key/vals into a list of keys, based upon the vals.", "SORT(key1:val1[,key2:val2[,...]])",
                "Takes a comma-separated list of keys and values, each separated by a colon, and returns a "
                "comma-separated list of the keys, sorted by their values (read as floating-point numbers). Items "
                "without a colon are skipped; equal values keep their order.",
                {{"keyval", "key:value"}}, {"ARRAY"}},
               sort_read);
}

}  // namespace telephony::funcs
