// Fuzz target: arbitrary bytes as an AudioSocket stream, fed in data-chosen pieces. Invariants:
// every message's payload lies inside what was fed, the stream offset never passes the bytes fed,
// audio messages are never empty, and once the decoder failed it stays failed.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "telephony/media/audiosocket.hpp"

using namespace telephony::media;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = 1 + data[0] % 64;
  AudioSocketDecoder d;
  std::size_t fed = 0;
  for (std::size_t at = 1; at < size; at += piece) {
    const std::size_t n = std::min(piece, size - at);
    d.feed(std::span<const std::uint8_t>(data + at, n));
    fed += n;
    for (;;) {
      auto m = d.next();
      if (!m) {
        if (!d.failed()) std::abort();
        break;
      }
      if (!*m) break;
      const auto& msg = **m;
      if (audiosocket_rate(msg.kind) != 0 && msg.payload.empty()) std::abort();
      if (msg.payload.size() > 65535) std::abort();
      volatile std::uint8_t sink = 0;
      for (auto b : msg.payload) sink = sink ^ b;  // ASan checks the view is readable
      (void)sink;
    }
    if (d.offset() > fed) std::abort();
    if (d.failed()) {
      d.feed(std::span<const std::uint8_t>(data, 1));
      if (d.next()) std::abort();
      break;
    }
  }
  return 0;
}
