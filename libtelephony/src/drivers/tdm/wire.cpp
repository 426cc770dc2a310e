// Socket span framing (see tdm/wire.hpp for the layout and what is rejected).
#include "telephony/tdm/wire.hpp"

#include <array>
#include <cstring>

namespace telephony::tdm {

namespace {

struct SignalName {
  LineSignal signal;
  std::string_view name;
};
constexpr std::array<SignalName, 11> kSignalNames{{
    {LineSignal::HookOff, "hookoff"},
    {LineSignal::HookOn, "hookon"},
    {LineSignal::RingOn, "ringon"},
    {LineSignal::RingOff, "ringoff"},
    {LineSignal::Polarity, "polarity"},
    {LineSignal::LoopOpen, "loopopen"},
    {LineSignal::LoopClosed, "loopclosed"},
    {LineSignal::RingGround, "ringground"},
    {LineSignal::TipGround, "tipground"},
    {LineSignal::TipOpen, "tipopen"},
    {LineSignal::Wink, "wink"},
}};

std::string at(std::size_t offset) { return "offset " + std::to_string(offset); }

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }

std::size_t put_header(std::span<std::uint8_t> out, WireType type, std::uint8_t code, std::uint16_t seq,
                       std::size_t payload) {
  if (out.size() < kWireHeader + payload) return 0;
  out[0] = kWireMagic;
  out[1] = kWireVersion;
  out[2] = static_cast<std::uint8_t>(type);
  out[3] = code;
  out[4] = static_cast<std::uint8_t>(seq >> 8);
  out[5] = static_cast<std::uint8_t>(seq);
  out[6] = static_cast<std::uint8_t>(payload >> 8);
  out[7] = static_cast<std::uint8_t>(payload);
  return kWireHeader + payload;
}

}  // namespace

std::string_view to_string(LineSignal s) {
  for (const auto& n : kSignalNames)
    if (n.signal == s) return n.name;
  return "unknown";
}

bool line_signal_from_name(std::string_view name, LineSignal& out) {
  for (const auto& n : kSignalNames) {
    if (n.name.size() != name.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < name.size() && same; ++i) {
      char c = name[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      same = c == n.name[i];
    }
    if (same) {
      out = n.signal;
      return true;
    }
  }
  return false;
}

Result<WireMessage> decode_wire(std::span<const std::uint8_t> d) {
  if (d.size() < kWireHeader)
    return fail("datagram of " + std::to_string(d.size()) + " bytes is shorter than the 8-byte header", at(0));
  if (d[0] != kWireMagic) return fail("bad magic (not a TDM wire message)", at(0));
  if (d[1] != kWireVersion) return fail("unsupported version " + std::to_string(d[1]), at(1));
  const std::size_t length = be16(&d[6]);
  if (length != d.size() - kWireHeader)
    return fail("length field says " + std::to_string(length) + " payload bytes, datagram carries " +
                    std::to_string(d.size() - kWireHeader),
                at(6));
  WireMessage m;
  m.code = d[3];
  m.sequence = be16(&d[4]);
  m.payload = d.subspan(kWireHeader);
  switch (d[2]) {
    case static_cast<std::uint8_t>(WireType::Audio):
      m.type = WireType::Audio;
      if (m.code > static_cast<std::uint8_t>(WireLaw::Alaw)) return fail("unknown audio law " + std::to_string(m.code), at(3));
      if (length < kWireMinAudio || length > kWireMaxAudio)
        return fail("audio of " + std::to_string(length) + " bytes (allowed 8..320)", at(8));
      return m;
    case static_cast<std::uint8_t>(WireType::Signal):
      m.type = WireType::Signal;
      if (m.code < static_cast<std::uint8_t>(LineSignal::HookOff) || m.code > static_cast<std::uint8_t>(LineSignal::Wink))
        return fail("unknown line signal " + std::to_string(m.code), at(3));
      if (length != 0) return fail("signal message with a payload", at(8));
      return m;
    case static_cast<std::uint8_t>(WireType::Hello):
      m.type = WireType::Hello;
      if (m.code != 0) return fail("hello message with a nonzero code byte", at(3));
      if (length > kWireMaxHello) return fail("hello name longer than 64 bytes", at(8));
      for (std::size_t i = 0; i < length; ++i)
        if (m.payload[i] < 0x20 || m.payload[i] > 0x7e) return fail("hello name is not printable ASCII", at(8 + i));
      return m;
    case static_cast<std::uint8_t>(WireType::Alarm):
      m.type = WireType::Alarm;
      if (m.code & ~(kAlarmRed | kAlarmYellow | kAlarmBlue)) return fail("unknown alarm bits", at(3));
      if (length != 0) return fail("alarm message with a payload", at(8));
      return m;
    default:
      return fail("unknown message type " + std::to_string(d[2]), at(2));
  }
}

std::size_t encode_wire_audio(std::span<std::uint8_t> out, std::uint16_t seq, WireLaw law,
                              std::span<const std::uint8_t> g711) {
  if (g711.size() < kWireMinAudio || g711.size() > kWireMaxAudio) return 0;
  const std::size_t n = put_header(out, WireType::Audio, static_cast<std::uint8_t>(law), seq, g711.size());
  if (n) std::memcpy(out.data() + kWireHeader, g711.data(), g711.size());
  return n;
}

std::size_t encode_wire_signal(std::span<std::uint8_t> out, std::uint16_t seq, LineSignal s) {
  return put_header(out, WireType::Signal, static_cast<std::uint8_t>(s), seq, 0);
}

std::size_t encode_wire_hello(std::span<std::uint8_t> out, std::uint16_t seq, std::string_view name) {
  if (name.size() > kWireMaxHello) return 0;
  for (char c : name)
    if (c < 0x20 || c > 0x7e) return 0;
  const std::size_t n = put_header(out, WireType::Hello, 0, seq, name.size());
  if (n && !name.empty()) std::memcpy(out.data() + kWireHeader, name.data(), name.size());
  return n;
}

std::size_t encode_wire_alarm(std::span<std::uint8_t> out, std::uint16_t seq, std::uint8_t bits) {
  if (bits & ~(kAlarmRed | kAlarmYellow | kAlarmBlue)) return 0;
  return put_header(out, WireType::Alarm, bits, seq, 0);
}

}  // namespace telephony::tdm
