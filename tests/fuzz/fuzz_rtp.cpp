// Feeds arbitrary bytes to the RTP header parser and the RTCP compound-packet parser: views must
// stay inside the buffer, and what parses as RTP must describe exactly the bytes it came from.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "telephony/rtp/packet.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace telephony::rtp;
  std::span<const std::uint8_t> bytes(data, size);
  (void)classify_packet(bytes);
  if (auto h = parse_rtp(bytes)) {
    if (h->payload.data() < data || h->payload.data() + h->payload.size() > data + size) std::abort();
    if (h->header_size + h->payload.size() > size) std::abort();
    if (h->extension.size() && (h->extension.data() < data || h->extension.data() + h->extension.size() > data + size))
      std::abort();
  } else if (h.error().where.empty()) {
    std::abort();
  }
  if (auto r = parse_rtcp(bytes)) {
    if (r->block_count > 31) std::abort();
  } else if (r.error().where.empty()) {
    std::abort();
  }
  return 0;
}
