// Fuzzes the JSON parser behind JSON_DECODE (libtelephony/src/funcs/json_text.hpp): any input
// must parse or give an Error that says where, never crash, recurse without bound or hang; a
// parsed document must dump to JSON that parses again to the same dump.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "funcs/json_text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto doc = telephony::funcs::parse_json(text);
  if (!doc) {
    if (doc.error().message.empty()) std::abort();
    return 0;
  }
  const std::string once = telephony::funcs::dump_json(*doc);
  auto again = telephony::funcs::parse_json(once);
  if (!again || telephony::funcs::dump_json(*again) != once) std::abort();
  return 0;
}
