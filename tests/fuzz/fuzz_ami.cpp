// Fuzz target: arbitrary bytes through the AMI parser in both server and client (Follows) modes,
// split at a data-chosen point so the incremental path is exercised too. Every produced message
// must survive a write/parse round trip.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "telephony/manager/parser.hpp"
#include "telephony/manager/writer.hpp"

using namespace telephony::ami;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (bool follows : {false, true}) {
    ParserLimits lim;
    lim.command_follows = follows;
    lim.max_line = 64;  // small limits reach the error paths with small inputs
    lim.max_headers = 8;
    Parser p(lim);
    const std::size_t cut = size ? data[0] % (size + 1) : 0;
    p.feed(bytes.substr(0, cut));
    while (auto r = p.next()) (void)r;
    p.feed(bytes.substr(cut));
    while (auto r = p.next()) {
      if (!*r) continue;
      const std::string wire = Writer::to_string(**r);
      ParserLimits wide;
      wide.max_headers = 1u << 20;
      Parser again(wide);
      again.feed(wire);
      auto back = again.next();
      if (!back || !*back) std::abort();
    }
    if (p.buffered() > 2 * (lim.max_line + 2) + size) std::abort();
  }
  return 0;
}
