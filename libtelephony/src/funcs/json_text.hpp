// JSON text for JSON_DECODE: a small RFC 8259 parser and the compact writer Asterisk's JSON
// functions answer with (jansson's JSON_COMPACT: no spaces, keys in document order, reals with
// %.17g and a ".0" when they look whole).
//
// parse_json() accepts one value with optional surrounding whitespace. It rejects trailing
// text, control characters inside strings, bad escapes and lone surrogates, leading zeros,
// numbers without digits, and nesting deeper than kMaxJsonDepth — each with the byte offset. It
// allocates the parsed tree (strings are decoded copies); nothing else. Integers that fit in 64
// bits stay integers; other numbers are doubles. A repeated key replaces the earlier value in place (jansson).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "telephony/result.hpp"

namespace telephony::funcs {

inline constexpr int kMaxJsonDepth = 64;

struct JsonValue;
using JsonArray = std::vector<JsonValue>;
using JsonObject = std::vector<std::pair<std::string, JsonValue>>;

struct JsonValue {
  std::variant<std::nullptr_t, bool, std::int64_t, double, std::string, std::shared_ptr<JsonArray>,
               std::shared_ptr<JsonObject>>
      v = nullptr;

  bool is_object() const { return std::holds_alternative<std::shared_ptr<JsonObject>>(v); }
  bool is_array() const { return std::holds_alternative<std::shared_ptr<JsonArray>>(v); }
  // The member `key` of an object; null when absent or not an object.
  const JsonValue* member(std::string_view key) const;
  // Element `i` of an array; null when out of range or not an array.
  const JsonValue* element(std::size_t i) const;
};

Result<JsonValue> parse_json(std::string_view text);
std::string dump_json(const JsonValue& value);

}  // namespace telephony::funcs
