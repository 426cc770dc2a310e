// Fuzz target: arbitrary bytes as AGI command lines (Asterisk's quoting and escapes), the command
// lookup, AGI() locations, and the URI encoding AsyncAGI events use. Invariants: at most
// kMaxAgiWords words; a found command's name is made of the line's first words; URI decoding undoes
// encoding exactly.
#include <strings.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "telephony/agi/agi.hpp"
#include "telephony/agi/command_line.hpp"

using namespace telephony::agi;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // One command per line, as a script sends them.
  std::size_t start = 0;
  while (start <= bytes.size()) {
    const auto nl = bytes.find('\n', start);
    const auto line = bytes.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    const auto w = split_agi_words(line);
    if (w.words.size() > kMaxAgiWords) std::abort();
    if (auto c = find_agi_command_info(w.words)) {
      // The name is the first words, upper-cased, joined by single spaces.
      std::string joined;
      for (std::size_t i = 0; i < w.words.size() && joined.size() < c->name.size(); ++i)
        joined += (joined.empty() ? "" : " ") + w.words[i];
      if (strcasecmp(joined.c_str(), c->name.c_str()) != 0) std::abort();
      if (c->usage.empty()) std::abort();
    }
    (void)parse_agi_location(line);
    if (uri_decode(uri_encode(line)) != line) std::abort();
    (void)uri_decode(line);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return 0;
}
