// DTMF: in-band generation and detection, and RFC 4733 telephone-event payloads with the
// sender's timing rules, all as plain state machines over sample buffers and bytes.
//
// DtmfDetector works on 8 kHz slin in 102-sample blocks (12.75 ms). Per block it measures the
// four row and four column frequencies with Goertzel filters and accepts a digit only when the
// strongest row and column are each above -32 dBm0, stand 8 dB clear of the other frequencies
// of their group, respect the twist limits (column up to 8 dB weaker, row up to 4 dB weaker),
// and together carry at least 85% of the block's energy (a vowel whose formants sit on a
// row and a column frequency carries ~70%; a real DTMF pair over 95%). A digit
// begins after two consecutive agreeing blocks and ends after two blocks without it, so
// a single noisy block neither starts nor splits a digit.
//
// decode_telephone_event() accepts a payload of at least 4 bytes (extra bytes - RFC 4733
// redundancy - are ignored) and rejects shorter ones naming the offset. Nothing here allocates
// per call except DtmfDetector's event list, which is reserved once.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "telephony/result.hpp"

namespace telephony::media {

inline constexpr std::string_view kDtmfDigits = "0123456789*#ABCD";

struct DtmfTones {
  double row_hz, col_hz;
};
std::optional<DtmfTones> dtmf_tones(char digit);

// ---- generation ------------------------------------------------------------------------------
class DtmfGenerator {
 public:
  // Levels in dBm0 per tone; the column tone is 2 dB hotter (pre-emphasis, as phones do).
  explicit DtmfGenerator(std::uint32_t rate = 8000, double row_dbm0 = -9, double col_dbm0 = -7);
  // Queues `digit` for `on_ms` of tone followed by `off_ms` of silence. False for a non-digit.
  bool play(char digit, std::uint32_t on_ms = 100, std::uint32_t off_ms = 50);
  // Writes tone/silence; once the queue is empty writes zeros. Returns true while busy.
  bool generate(std::span<std::int16_t> out);
  bool busy() const { return remaining_on_ + remaining_off_ > 0; }

 private:
  std::uint32_t rate_;
  double row_amp_, col_amp_;
  DtmfTones tones_{0, 0};
  std::uint64_t t_ = 0;
  std::uint64_t remaining_on_ = 0, remaining_off_ = 0;
};

// ---- detection -------------------------------------------------------------------------------
struct DtmfEvent {
  char digit;
  bool begin;               // true: digit started; false: digit ended
  std::uint64_t sample;     // sample index (since detector start) of the deciding block's end
};

class DtmfDetector {
 public:
  static constexpr std::size_t kBlock = 102;
  DtmfDetector();
  // Feeds 8 kHz slin of any length. The returned view lists events completed during this call
  // and stays valid until the next call.
  std::span<const DtmfEvent> process(std::span<const std::int16_t> samples);
  // Digit currently held down, or '\0'.
  char current() const { return current_; }

 private:
  char classify_block() const;
  std::array<std::int16_t, kBlock> block_{};
  std::size_t fill_ = 0;
  std::uint64_t samples_seen_ = 0;
  char current_ = '\0';
  char candidate_ = '\0';
  int candidate_hits_ = 0;
  int misses_ = 0;
  std::vector<DtmfEvent> events_;
};

// ---- RFC 4733 telephone-event -----------------------------------------------------------------
struct TelephoneEvent {
  std::uint8_t event = 0;      // 0-9, 10 '*', 11 '#', 12-15 A-D, other codes passed through
  bool end = false;            // E bit
  std::uint8_t volume = 10;    // 0..63, -dBm0
  std::uint16_t duration = 0;  // in RTP timestamp units since the event's timestamp
  bool operator==(const TelephoneEvent&) const = default;
};

std::optional<std::uint8_t> telephone_event_code(char digit);
char telephone_event_digit(std::uint8_t code);  // '\0' for non-DTMF events
std::array<std::uint8_t, 4> encode_telephone_event(const TelephoneEvent& e);
Result<TelephoneEvent> decode_telephone_event(std::span<const std::uint8_t> payload);

struct TelephoneEventPacket {
  TelephoneEvent event;
  bool marker = false;     // RTP marker: first packet of an event
  std::uint32_t timestamp; // RTP timestamp of the event start (same for all its packets)
};

// Sender timing (RFC 4733 §2.5): one packet at the start (marker set), an update every
// `update_ms` with the growing duration, and the final packet (E bit) sent three times. Events
// longer than the 16-bit duration field are split into segments with new timestamps.
class TelephoneEventSender {
 public:
  explicit TelephoneEventSender(std::uint32_t clock_rate = 8000, std::uint32_t update_ms = 50,
                                std::uint8_t volume = 10);
  bool begin(char digit, std::uint32_t rtp_timestamp, std::uint64_t now_ms);
  // Ends the current event; `min_ms` extends it so very short key presses still last that long.
  void end(std::uint64_t now_ms, std::uint32_t min_ms = 0);
  // The next packet due at `now_ms`, if any. Call until it returns nullopt.
  std::optional<TelephoneEventPacket> poll(std::uint64_t now_ms);
  bool active() const { return state_ != State::Idle; }

 private:
  enum class State { Idle, Started, Running, Ending };
  std::uint16_t duration_at(std::uint64_t now_ms) const;
  std::uint32_t rate_, update_ms_;
  std::uint8_t volume_;
  State state_ = State::Idle;
  std::uint8_t code_ = 0;
  std::uint32_t timestamp_ = 0;
  std::uint64_t start_ms_ = 0, next_update_ms_ = 0;
  std::uint16_t final_duration_ = 0;
  int end_sent_ = 0;
};

// Receiver: turns a stream of telephone-event packets (with retransmissions) into one begin and
// one end per key press.
class TelephoneEventReceiver {
 public:
  struct Digit {
    char digit;
    bool begin;
    std::uint16_t duration;  // on end: final duration in timestamp units
  };
  std::optional<Digit> on_packet(const TelephoneEvent& e, std::uint32_t rtp_timestamp);

 private:
  bool in_event_ = false;
  bool ended_ = false;
  std::uint32_t timestamp_ = 0;
  std::uint8_t code_ = 0;
};

}  // namespace telephony::media
