// Feeds arbitrary bytes as a stream of RFC 4733 telephone-event payloads (4-byte events with a
// 1-byte timestamp step in between) to the decoder and the receiver state machine: every end
// must follow a begin of the same digit, and decoding must round-trip through the encoder.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "telephony/media/dtmf.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace telephony::media;
  TelephoneEventReceiver rx;
  std::uint32_t ts = 0;
  char open = 0;
  std::size_t pos = 0;
  while (pos + 5 <= size) {
    ts += data[pos];  // 0 keeps the same event (retransmissions), anything else starts a new one
    auto e = decode_telephone_event(std::span(data + pos + 1, 4));
    pos += 5;
    if (!e) std::abort();  // 4 bytes always decode
    if (decode_telephone_event(encode_telephone_event(*e)).value() != *e) std::abort();
    auto d = rx.on_packet(*e, ts);
    if (!d) continue;
    if (d->begin) {
      open = d->digit;
    } else {
      if (d->digit != open) std::abort();
      open = 0;
    }
  }
  if (size < 4) {
    if (decode_telephone_event(std::span(data, size))) std::abort();  // short payloads are refused
  }
  return 0;
}
