// Caller ID on analog lines: the data an exchange sends to a phone between the first and second
// ring (or after a polarity reversal) — number, name, date/time — as FSK (Bell 202 for
// `cidsignalling=bell`, ETSI V.23 for `v23`) in SDMF or MDMF messages, or as DTMF digits
// (`A<number>C`, `D<code>C`) for `dtmf`.
//
// The modems are spandsp's ADSI transmitter and receiver (libspandsp); the message layer —
// building MDMF/SDMF fields and decoding what the receiver hands over — is here, so what a
// corrupted or hostile line can make us parse goes through decode_callerid_message(), which
// checks every length against the buffer. It rejects, naming the offset: empty messages,
// message types other than caller ID (message waiting, charging ...), parameter lengths that run
// past the end, SDMF bodies shorter than their 8-digit date, DTMF strings without a terminator
// or with characters other than digits/A-D. Modem objects allocate once at creation.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "telephony/result.hpp"
#include "telephony/tdm/chan_dahdi_conf.hpp"

struct adsi_tx_state_s;
struct adsi_rx_state_s;

namespace telephony::tdm {

enum class CallerIdFormat : std::uint8_t { Mdmf, Sdmf, Dtmf };
std::string_view to_string(CallerIdFormat f);

struct CallerIdMessage {
  std::string number;
  std::string name;
  std::string datetime;    // MMDDHHMM, may be empty
  char number_absent = 0;  // 'O' unavailable / out of area, 'P' private (withheld)
  char name_absent = 0;
  CallerIdFormat format = CallerIdFormat::Mdmf;
  bool operator==(const CallerIdMessage&) const = default;
};

// The message bytes spandsp's receiver delivers (FSK: type, length, body without checksum;
// DTMF: the digit string with its terminator) -> a CallerIdMessage.
Result<CallerIdMessage> decode_callerid_message(CidSignalling standard, std::span<const std::uint8_t> msg);

class CallerIdGenerator {
 public:
  // Bell (CLASS, Bell 202), V23 (ETSI CLIP, V.23) or Dtmf. Fails for the others. `off_hook`:
  // type 2 (call-waiting) caller ID, sent to a phone in a call after the CAS — no seizure signal.
  static Result<CallerIdGenerator> create(CidSignalling standard, bool off_hook = false);
  CallerIdGenerator(CallerIdGenerator&&) noexcept;
  CallerIdGenerator& operator=(CallerIdGenerator&&) noexcept;
  ~CallerIdGenerator();

  // Starts sending `m` (Sdmf only for Bell; Dtmf standard ignores the format and sends the
  // number, or D + absence code). A message already in progress is an error.
  Result<void> start(const CallerIdMessage& m);
  // 8 kHz slin; returns samples written, 0 once the message is out.
  std::size_t generate(std::span<std::int16_t> out);
  bool busy() const { return busy_; }

 private:
  CallerIdGenerator(adsi_tx_state_s* s, CidSignalling std) : tx_(s), standard_(std) {}
  adsi_tx_state_s* tx_ = nullptr;
  CidSignalling standard_;
  bool busy_ = false;
};

class CallerIdReceiver {
 public:
  static Result<CallerIdReceiver> create(CidSignalling standard);
  CallerIdReceiver(CallerIdReceiver&&) noexcept;
  CallerIdReceiver& operator=(CallerIdReceiver&&) noexcept;
  ~CallerIdReceiver();

  // Feeds 8 kHz slin. Returns a message when one completed in these samples (the checksum
  // already verified by the modem); messages that do not decode are counted in rejected().
  std::optional<CallerIdMessage> process(std::span<const std::int16_t> samples);
  std::uint64_t rejected() const { return state_->rejected; }

 private:
  struct State {
    CidSignalling standard;
    std::optional<CallerIdMessage> done;
    std::uint64_t rejected = 0;
  };
  CallerIdReceiver(adsi_rx_state_s* s, std::unique_ptr<State> st) : rx_(s), state_(std::move(st)) {}
  static void on_message(void* user, const std::uint8_t* msg, int len);
  adsi_rx_state_s* rx_ = nullptr;
  std::unique_ptr<State> state_;  // stable address for spandsp's callback
};

// MMDDHHMM of now (local time), for the date field.
std::string callerid_datetime_now();

}  // namespace telephony::tdm
