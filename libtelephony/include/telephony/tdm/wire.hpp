// The socket span's wire: what travels between a TDM port and the separate process that plays
// the device on the other end of that port (an analog phone on an FXS port, a telephone line on
// an FXO port — `tdmphone` is one). One Unix datagram carries one message:
//
//   offset 0  u8   magic 0xD7
//   offset 1  u8   version 1
//   offset 2  u8   type      1 audio, 2 signal, 3 hello, 4 alarm
//   offset 3  u8   code      audio: law (0 µ-law, 1 A-law); signal: LineSignal; alarm: bits; hello: 0
//   offset 4  u16  sequence  big-endian, per sender, +1 per message (lets a receiver count losses)
//   offset 6  u16  length    big-endian, bytes of payload that follow (must match the datagram)
//   offset 8  payload        audio: 8 kHz G.711 samples, 8..320 bytes (1..40 ms); hello: a name
//                            of at most 64 printable bytes; signal and alarm: empty
//
// Signals are the physical events of a two-wire loop, named from the wire, so the same messages
// serve both directions: the device side sends HookOff/HookOn/RingGround, the office side sends
// RingOn/RingOff/Polarity/LoopOpen/LoopClosed/TipGround/TipOpen. Hook flashes are not a message:
// a phone flashes by going on-hook briefly, and the port's hook timing (rxflash) tells a flash
// from a hang-up, as DAHDI does with real hook switches. A `hello` attaches the sender as the
// port's peer (the port answers to the last address it heard from). `alarm` lets a line
// simulator put the span into red/yellow/blue alarm (0 clears), as a broken trunk would.
//
// decode_wire() rejects, naming the byte offset: datagrams shorter than the header, a wrong magic
// or version, unknown types, signals or law codes, a length field that disagrees with the
// datagram size, audio outside 8..320 bytes, hello names that are too long or not printable,
// payload on signal/alarm messages, alarm bits outside red|yellow|blue. It allocates nothing; the
// decoded payload is a view into the datagram.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "telephony/result.hpp"

namespace telephony::tdm {

inline constexpr std::uint8_t kWireMagic = 0xD7;
inline constexpr std::uint8_t kWireVersion = 1;
inline constexpr std::size_t kWireHeader = 8;
inline constexpr std::size_t kWireMinAudio = 8;     // 1 ms
inline constexpr std::size_t kWireMaxAudio = 320;   // 40 ms
inline constexpr std::size_t kWireMaxHello = 64;
inline constexpr std::size_t kWireMaxDatagram = kWireHeader + kWireMaxAudio;

enum class WireType : std::uint8_t { Audio = 1, Signal = 2, Hello = 3, Alarm = 4 };

// Physical loop events (see the header comment for who sends which).
enum class LineSignal : std::uint8_t {
  HookOff = 1,     // loop closed by the device (phone lifted, line seized)
  HookOn = 2,      // loop opened by the device
  RingOn = 3,      // ringing voltage applied by the office side
  RingOff = 4,     // ringing voltage removed
  Polarity = 5,    // battery polarity reversed (each message toggles)
  LoopOpen = 6,    // office removed loop current (kewlstart disconnect)
  LoopClosed = 7,  // loop current restored
  RingGround = 8,  // device grounded the ring lead (groundstart seizure)
  TipGround = 9,   // office grounded the tip lead (groundstart acknowledge / incoming)
  TipOpen = 10,    // office removed the tip ground (groundstart disconnect)
  Wink = 11,       // E&M wink: a short off-hook pulse
};
std::string_view to_string(LineSignal s);
// "hookoff", "ringon" ... (to_string spelled lowercase without separators) back to the value.
bool line_signal_from_name(std::string_view name, LineSignal& out);

enum class WireLaw : std::uint8_t { Ulaw = 0, Alaw = 1 };

// Span alarm bits as DAHDI reports them in `dahdi show status`.
enum AlarmBits : std::uint8_t { kAlarmRed = 1, kAlarmYellow = 2, kAlarmBlue = 4 };

struct WireMessage {
  WireType type = WireType::Audio;
  std::uint8_t code = 0;
  std::uint16_t sequence = 0;
  std::span<const std::uint8_t> payload;

  LineSignal signal() const { return static_cast<LineSignal>(code); }
  WireLaw law() const { return static_cast<WireLaw>(code); }
  std::string_view hello_name() const {
    return {reinterpret_cast<const char*>(payload.data()), payload.size()};
  }
};

Result<WireMessage> decode_wire(std::span<const std::uint8_t> datagram);

// Encoders write into `out` (at least kWireHeader + payload bytes) and return the datagram size,
// or 0 when the payload is out of range or `out` is too small. No allocation.
std::size_t encode_wire_audio(std::span<std::uint8_t> out, std::uint16_t seq, WireLaw law,
                              std::span<const std::uint8_t> g711);
std::size_t encode_wire_signal(std::span<std::uint8_t> out, std::uint16_t seq, LineSignal s);
std::size_t encode_wire_hello(std::span<std::uint8_t> out, std::uint16_t seq, std::string_view name);
std::size_t encode_wire_alarm(std::span<std::uint8_t> out, std::uint16_t seq, std::uint8_t bits);

}  // namespace telephony::tdm
