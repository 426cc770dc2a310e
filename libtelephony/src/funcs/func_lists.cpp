// Delimited-list functions on channel variables: CUT, FIELDQTY, FIELDNUM, LISTFILTER and the
// array operations POP, SHIFT (read and rewrite the variable), PUSH and UNSHIFT (write).
#include <cctype>
#include <charconv>
#include <climits>

#include "funcs/function_support.hpp"

namespace telephony::funcs {

namespace {

std::vector<std::string> split_fields(std::string_view text, char delim) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    auto pos = text.find(delim, start);
    if (pos == std::string_view::npos) {
      out.emplace_back(text.substr(start));
      return out;
    }
    out.emplace_back(text.substr(start, pos - start));
    start = pos + 1;
  }
}

std::string join_fields(const std::vector<std::string>& fields, char delim) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) out += delim;
    out += fields[i];
  }
  return out;
}

std::optional<long> parse_number(std::string_view s) {
  s = trim(s);
  long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

Result<std::string> cut_read(const FunctionCall& call) {
  auto a = split_raw(call.args, 3);
  if (a.empty() || a[0].empty()) return func_error(call, "missing variable name");
  if (a.size() < 3 || trim(a[2]).empty()) return func_error(call, "missing field specification");
  const char delim = decode_delimiter(a[1], '-');
  auto fields = split_fields(channel_variable(call, a[0]), delim);
  const long count = static_cast<long>(fields.size());
  std::vector<std::string> picked;
  for (const auto& range : split_fields(unescape(a[2]), '&')) {
    long from = 0, to = 0;
    auto dash = range.find('-');
    if (dash == std::string::npos) {
      auto n = parse_number(range);
      if (!n || *n < 1) return func_error(call, "bad field '" + range + "'");
      from = to = *n;
    } else {
      std::string_view lo = trim(std::string_view(range).substr(0, dash));
      std::string_view hi = trim(std::string_view(range).substr(dash + 1));
      auto l = lo.empty() ? std::optional<long>(1) : parse_number(lo);
      auto h = hi.empty() ? std::optional<long>(LONG_MAX) : parse_number(hi);
      if (!l || !h || *l < 1 || *h < *l) return func_error(call, "bad field range '" + range + "'");
      from = *l;
      to = *h;
    }
    for (long i = from; i <= to && i <= count; ++i) picked.push_back(fields[static_cast<std::size_t>(i - 1)]);
  }
  return join_fields(picked, delim);
}

Result<std::string> fieldqty_read(const FunctionCall& call) {
  auto a = split_raw(call.args, 2);
  if (a.empty() || a[0].empty()) return func_error(call, "missing variable name");
  std::string value = channel_variable(call, a[0]);
  if (value.empty()) return std::string("0");
  char delim = decode_delimiter(a.size() > 1 ? a[1] : "", '-');
  return std::to_string(split_fields(value, delim).size());
}

Result<std::string> fieldnum_read(const FunctionCall& call) {
  auto a = split_raw(call.args, 3);
  if (a.size() < 3 || a[0].empty()) return func_error(call, "usage FIELDNUM(<varname>,<delim>,<value>)");
  if (a[1].empty()) return func_error(call, "missing delimiter");
  std::string value = channel_variable(call, a[0]);
  if (value.empty()) return std::string("0");
  auto fields = split_fields(value, decode_delimiter(a[1], ','));
  for (std::size_t i = 0; i < fields.size(); ++i)
    if (fields[i] == unescape(a[2])) return std::to_string(i + 1);
  return std::string("0");
}

Result<std::string> listfilter_read(const FunctionCall& call) {
  auto a = split_raw(call.args, 3);
  if (a.size() < 3 || a[0].empty()) return func_error(call, "usage LISTFILTER(<varname>,<delim>,<value>)");
  if (a[1].empty()) return func_error(call, "missing delimiter");
  const char delim = decode_delimiter(a[1], ',');
  std::string value = channel_variable(call, a[0]);
  if (value.empty()) return std::string();
  auto fields = split_fields(value, delim);
  std::erase(fields, unescape(a[2]));
  return join_fields(fields, delim);
}

// POP and SHIFT: take one element off the end / the front and store the rest back.
Result<std::string> take_element(const FunctionCall& call, bool from_end) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  auto a = split_raw(call.args, 2);
  if (a.empty() || a[0].empty()) return func_error(call, "missing variable name");
  const char delim = decode_delimiter(a.size() > 1 ? a[1] : "", ',');
  std::string value = (*chan)->variable(a[0]).value_or("");
  if (value.empty()) return std::string();
  std::string taken, rest;
  if (from_end) {
    auto pos = value.rfind(delim);
    taken = pos == std::string::npos ? value : value.substr(pos + 1);
    rest = pos == std::string::npos ? "" : value.substr(0, pos);
  } else {
    auto pos = value.find(delim);
    taken = pos == std::string::npos ? value : value.substr(0, pos);
    rest = pos == std::string::npos ? "" : value.substr(pos + 1);
  }
  (*chan)->set_variable(a[0], rest);
  return taken;
}

Result<void> add_element(const FunctionCall& call, std::string_view element, bool at_end) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  auto a = split_raw(call.args, 2);
  if (a.empty() || a[0].empty()) return func_error(call, "missing variable name");
  const char delim = decode_delimiter(a.size() > 1 ? a[1] : "", ',');
  std::string value = (*chan)->variable(a[0]).value_or("");
  if (value.empty())
    value = std::string(element);
  else if (at_end)
    value += delim + std::string(element);
  else
    value = std::string(element) + delim + value;
  (*chan)->set_variable(a[0], std::move(value));
  return {};
}

const std::vector<std::string> kArraySeeAlso = {"POP", "PUSH", "SHIFT", "UNSHIFT"};

}  // namespace

void register_list_functions(Engine& engine) {
  add_function(engine, "CUT",
               {"Slices and dices strings, based upon a named delimiter.", "CUT(varname,char-delim,range-spec)",
                "Cut out information from the value of a variable based upon a delimiter, returning the chosen "
                "fields joined by the same delimiter. Fields are numbered from 1; a range is written N-M, N- (to "
                "the end) or -M (from the start), and ranges combine with '&' (1-2&4).",
                {{"varname", "variable you want cut"},
                 {"char-delim", "delimiter, defaults to '-'"},
                 {"range-spec", "number of the field you want, a range (with -) or group of ranges and fields "
                                "(with &)"}},
                {"FIELDQTY", "FIELDNUM"}},
               cut_read);
  add_function(engine, "FIELDQTY",
               {"Count the fields with an arbitrary delimiter", "FIELDQTY(varname,delim)",
                "The delimiter may be specified as a special or extended ASCII character by encoding it (\\t, "
                "\\xHH). Example: with example=ex-amp-le, ${FIELDQTY(example,-)} returns 3. An empty variable "
                "has 0 fields.",
                {{"varname", "variable holding the list"}, {"delim", "the delimiter"}},
                {"CUT", "FIELDNUM"}},
               fieldqty_read);
  add_function(engine, "FIELDNUM",
               {"Return the 1-based offset of a field in a list", "FIELDNUM(varname,delim,value)",
                "Search the variable named varname for the string value delimited by delim and return a 1-based "
                "offset as to its location. If not found or an error occurred, return 0. Example: with "
                "example=ex-amp-le, ${FIELDNUM(example,-,amp)} returns 2.",
                {{"varname", "variable holding the list"}, {"delim", "the delimiter"}, {"value", "field to find"}},
                {"FIELDQTY", "LISTFILTER"}},
               fieldnum_read);
  add_function(engine, "LISTFILTER",
               {"Remove an item from a list, by name.", "LISTFILTER(varname,delim,value)",
                "Remove every occurrence of value from the list contained in the varname variable, where the "
                "list delimiter is specified by the delim parameter. The variable itself is not changed.",
                {{"varname", "variable holding the list"}, {"delim", "the delimiter"}, {"value", "item to remove"}},
                {"FIELDNUM"}},
               listfilter_read);
  add_function(engine, "POP",
               {"Removes and returns the last item off of a variable containing delimited text",
                "POP(varname[,delimiter])",
                "Example: exten => s,1,Set(array=one,two,three) / exten => s,n,While($[\"${SET(var=${POP(array)})}\" "
                "!= \"\"]) / exten => s,n,NoOp(var is ${var}) / exten => s,n,EndWhile — prints three, two, one.",
                {{"varname", "the array variable"}, {"delimiter", "defaults to ','"}},
                kArraySeeAlso},
               [](const FunctionCall& c) { return take_element(c, true); });
  add_function(engine, "SHIFT",
               {"Removes and returns the first item off of a variable containing delimited text",
                "SHIFT(varname[,delimiter])",
                "Example: exten => s,1,Set(array=one,two,three) / exten => s,n,While($[\"${SET(var=${SHIFT(array)})}\" "
                "!= \"\"]) / exten => s,n,NoOp(var is ${var}) / exten => s,n,EndWhile — prints one, two, three.",
                {{"varname", "the array variable"}, {"delimiter", "defaults to ','"}},
                kArraySeeAlso},
               [](const FunctionCall& c) { return take_element(c, false); });
  add_function(engine, "PUSH",
               {"Appends one or more values to the end of a variable containing delimited text",
                "PUSH(varname[,delimiter])", "Example: Set(PUSH(array)=one,two,three) appends three values to array.",
                {{"varname", "the array variable"}, {"delimiter", "defaults to ','"}},
                kArraySeeAlso},
               {}, [](const FunctionCall& c, std::string_view v) { return add_element(c, v, true); });
  add_function(engine, "UNSHIFT",
               {"Inserts one or more values to the beginning of a variable containing delimited text",
                "UNSHIFT(varname[,delimiter])",
                "Example: Set(UNSHIFT(array)=one,two,three) inserts three values at the beginning of array.",
                {{"varname", "the array variable"}, {"delimiter", "defaults to ','"}},
                kArraySeeAlso},
               {}, [](const FunctionCall& c, std::string_view v) { return add_element(c, v, false); });
}

}  // namespace telephony::funcs
