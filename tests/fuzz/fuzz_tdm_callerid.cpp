// Caller ID decoding on hostile input, both ways it arrives: (1) the bytes are taken as 8 kHz
// audio on the line and fed to the Bell 202, V.23 and DTMF receivers (spandsp's modems, then our
// message decoder on whatever they deliver); (2) the bytes are taken as the message a modem
// delivered and decoded directly for each standard. Decoded fields must be printable.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "telephony/tdm/callerid.hpp"

using namespace telephony::tdm;

namespace {

void check(const CallerIdMessage& m) {
  for (const auto* s : {&m.number, &m.name, &m.datetime})
    for (char c : *s)
      if (c < 0x20 || c > 0x7e) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  for (auto std : {CidSignalling::Bell, CidSignalling::V23, CidSignalling::Dtmf}) {
    auto m = decode_callerid_message(std, std::span<const std::uint8_t>(data, size));
    if (m) check(*m);
    else if (m.error().message.empty()) std::abort();
  }
  std::vector<std::int16_t> pcm(size / 2);
  for (std::size_t i = 0; i < pcm.size(); ++i) pcm[i] = static_cast<std::int16_t>(data[2 * i] | data[2 * i + 1] << 8);
  for (auto std : {CidSignalling::Bell, CidSignalling::V23, CidSignalling::Dtmf}) {
    auto rx = CallerIdReceiver::create(std);
    if (!rx) std::abort();
    for (std::size_t i = 0; i < pcm.size(); i += 160) {
      const std::size_t n = std::min<std::size_t>(160, pcm.size() - i);
      if (auto m = rx->process(std::span<const std::int16_t>(pcm.data() + i, n))) check(*m);
    }
  }
  return 0;
}
