// Feeds arbitrary datagrams to the socket span's wire decoder, as a hostile or broken peer process
// could send them. A decoded message must re-encode to the same bytes (no field is lost or
// invented), and a rejection must say what and where.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "telephony/tdm/wire.hpp"

using namespace telephony::tdm;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto m = decode_wire(std::span<const std::uint8_t>(data, size));
  if (!m) {
    if (m.error().message.empty() || m.error().where.empty()) std::abort();
    return 0;
  }
  if (m->payload.data() < data || m->payload.data() + m->payload.size() > data + size) std::abort();
  std::array<std::uint8_t, kWireMaxDatagram> out;
  std::size_t n = 0;
  switch (m->type) {
    case WireType::Audio: n = encode_wire_audio(out, m->sequence, m->law(), m->payload); break;
    case WireType::Signal: n = encode_wire_signal(out, m->sequence, m->signal()); break;
    case WireType::Hello: n = encode_wire_hello(out, m->sequence, m->hello_name()); break;
    case WireType::Alarm: n = encode_wire_alarm(out, m->sequence, m->code); break;
  }
  if (n != size || std::memcmp(out.data(), data, size) != 0) std::abort();
  return 0;
}
