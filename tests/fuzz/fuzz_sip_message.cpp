// Fuzz target: arbitrary bytes through the SIP message parser as a datagram and as a stream
// (frame_stream, then parse of each framed message). Parsed messages must be self-consistent
// (views inside the input, header lookups agree with iteration) and every refusal must carry a
// status of 0, 400 or 505 and a reason.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "telephony/sip/message.hpp"
#include "telephony/sip/uri.hpp"

using namespace telephony::sip;

namespace {
void check(std::string_view in, const Message& m) {
  auto inside = [&](std::string_view v) {
    if (v.empty()) return;
    if (v.data() < in.data() || v.data() + v.size() > in.data() + in.size()) std::abort();
  };
  inside(m.body());
  inside(m.call_id());
  for (std::size_t i = 0; i < m.header_count(); ++i) {
    const auto& h = m.header(i);
    inside(h.value);
    if (h.id != Header::Other && !m.find(h.id)) std::abort();
    for_each_value(h.value, [](std::string_view v) { (void)parse_name_addr(v); });
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto r = parse_message(bytes, true);
  if (r) check(bytes, *r);
  else if ((r.error().status != 0 && r.error().status != 400 && r.error().status != 505) || r.error().reason.empty())
    std::abort();
  std::string_view rest = bytes;
  for (int i = 0; i < 16 && !rest.empty(); ++i) {
    auto f = frame_stream(rest, 4096);
    if (f.status != StreamFrame::Status::Complete) break;
    if (f.skip + f.length > rest.size() || f.length == 0) std::abort();
    auto one = rest.substr(f.skip, f.length);
    if (auto m = parse_message(one, false)) check(one, *m);
    rest.remove_prefix(f.skip + f.length);
  }
  return 0;
}
