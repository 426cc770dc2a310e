// DTMF generation/detection and RFC 4733 payloads.
#include "telephony/media/dtmf.hpp"

#include <cmath>
#include <numbers>
#include <string>

#include "telephony/media/spectrum.hpp"
#include "telephony/media/tone.hpp"

namespace telephony::media {
namespace {

constexpr double kRows[4] = {697, 770, 852, 941};
constexpr double kCols[4] = {1209, 1336, 1477, 1633};
constexpr char kKeypad[4][4] = {
    {'1', '2', '3', 'A'}, {'4', '5', '6', 'B'}, {'7', '8', '9', 'C'}, {'*', '0', '#', 'D'}};

double db_ratio(double db) { return std::pow(10.0, db / 10.0); }
double dbm0_amplitude(double dbm0) { return kZeroDbm0Amplitude * std::pow(10.0, dbm0 / 20.0); }

}  // namespace

std::optional<DtmfTones> dtmf_tones(char digit) {
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c)
      if (kKeypad[r][c] == digit) return DtmfTones{kRows[r], kCols[c]};
  return std::nullopt;
}

// ---- generator --------------------------------------------------------------------------------

DtmfGenerator::DtmfGenerator(std::uint32_t rate, double row_dbm0, double col_dbm0)
    : rate_(rate), row_amp_(dbm0_amplitude(row_dbm0)), col_amp_(dbm0_amplitude(col_dbm0)) {}

bool DtmfGenerator::play(char digit, std::uint32_t on_ms, std::uint32_t off_ms) {
  auto t = dtmf_tones(digit);
  if (!t) return false;
  tones_ = *t;
  t_ = 0;
  remaining_on_ = static_cast<std::uint64_t>(on_ms) * rate_ / 1000;
  remaining_off_ = static_cast<std::uint64_t>(off_ms) * rate_ / 1000;
  return true;
}

bool DtmfGenerator::generate(std::span<std::int16_t> out) {
  const double w1 = 2 * std::numbers::pi * tones_.row_hz / rate_;
  const double w2 = 2 * std::numbers::pi * tones_.col_hz / rate_;
  for (auto& s : out) {
    if (remaining_on_ > 0) {
      const double t = static_cast<double>(t_++);
      s = static_cast<std::int16_t>(std::lround(row_amp_ * std::sin(w1 * t) + col_amp_ * std::sin(w2 * t)));
      --remaining_on_;
    } else {
      s = 0;
      if (remaining_off_ > 0) --remaining_off_;
    }
  }
  return busy();
}

// ---- detector ---------------------------------------------------------------------------------

DtmfDetector::DtmfDetector() { events_.reserve(32); }

char DtmfDetector::classify_block() const {
  const std::span<const std::int16_t> b(block_.data(), kBlock);
  const double total = mean_power(b);
  // -32 dBm0 per tone, as mean power of a sine (A^2/2).
  const double min_tone = std::pow(dbm0_amplitude(-32), 2) / 2;
  if (total < min_tone) return '\0';
  double row_p[4], col_p[4];
  int r = 0, c = 0;
  for (int i = 0; i < 4; ++i) {
    row_p[i] = goertzel_power(b, 8000, kRows[i]);
    col_p[i] = goertzel_power(b, 8000, kCols[i]);
    if (row_p[i] > row_p[r]) r = i;
    if (col_p[i] > col_p[c]) c = i;
  }
  if (row_p[r] < min_tone || col_p[c] < min_tone) return '\0';
  // Twist: column may be up to 8 dB below the row (normal), row up to 4 dB below the column.
  if (col_p[c] < row_p[r] * db_ratio(-8) || row_p[r] < col_p[c] * db_ratio(-4)) return '\0';
  for (int i = 0; i < 4; ++i) {
    if (i != r && row_p[i] > row_p[r] * db_ratio(-8)) return '\0';
    if (i != c && col_p[i] > col_p[c] * db_ratio(-8)) return '\0';
  }
  if (row_p[r] + col_p[c] < 0.85 * total) return '\0';
  return kKeypad[r][c];
}

std::span<const DtmfEvent> DtmfDetector::process(std::span<const std::int16_t> samples) {
  events_.clear();
  for (std::int16_t s : samples) {
    block_[fill_++] = s;
    ++samples_seen_;
    if (fill_ < kBlock) continue;
    fill_ = 0;
    const char d = classify_block();
    if (current_ != '\0') {
      if (d == current_) {
        misses_ = 0;
      } else if (++misses_ >= 2) {
        events_.push_back({current_, false, samples_seen_});
        current_ = '\0';
        misses_ = 0;
      }
    }
    if (current_ == '\0') {
      if (d != '\0' && d == candidate_) {
        if (++candidate_hits_ >= 2) {
          current_ = d;
          misses_ = 0;
          candidate_ = '\0';
          candidate_hits_ = 0;
          events_.push_back({d, true, samples_seen_});
        }
      } else {
        candidate_ = d;
        candidate_hits_ = d != '\0' ? 1 : 0;
      }
    }
  }
  return events_;
}

// ---- RFC 4733 -------------------------------------------------------------------------------

std::optional<std::uint8_t> telephone_event_code(char digit) {
  if (digit >= '0' && digit <= '9') return static_cast<std::uint8_t>(digit - '0');
  if (digit == '*') return 10;
  if (digit == '#') return 11;
  if (digit >= 'A' && digit <= 'D') return static_cast<std::uint8_t>(12 + digit - 'A');
  if (digit >= 'a' && digit <= 'd') return static_cast<std::uint8_t>(12 + digit - 'a');
  return std::nullopt;
}

char telephone_event_digit(std::uint8_t code) {
  if (code <= 9) return static_cast<char>('0' + code);
  if (code == 10) return '*';
  if (code == 11) return '#';
  if (code <= 15) return static_cast<char>('A' + code - 12);
  return '\0';
}

std::array<std::uint8_t, 4> encode_telephone_event(const TelephoneEvent& e) {
  return {e.event, static_cast<std::uint8_t>((e.end ? 0x80 : 0) | (e.volume & 0x3F)),
          static_cast<std::uint8_t>(e.duration >> 8), static_cast<std::uint8_t>(e.duration & 0xFF)};
}

Result<TelephoneEvent> decode_telephone_event(std::span<const std::uint8_t> p) {
  if (p.size() < 4)
    return fail("telephone-event payload is " + std::to_string(p.size()) + " bytes, need 4",
                "offset " + std::to_string(p.size()));
  TelephoneEvent e;
  e.event = p[0];
  e.end = (p[1] & 0x80) != 0;  // the R bit (0x40) is reserved and ignored
  e.volume = p[1] & 0x3F;
  e.duration = static_cast<std::uint16_t>(p[2] << 8 | p[3]);
  return e;
}

TelephoneEventSender::TelephoneEventSender(std::uint32_t rate, std::uint32_t update_ms, std::uint8_t volume)
    : rate_(rate), update_ms_(update_ms), volume_(volume) {}

bool TelephoneEventSender::begin(char digit, std::uint32_t ts, std::uint64_t now_ms) {
  auto code = telephone_event_code(digit);
  if (!code) return false;
  code_ = *code;
  timestamp_ = ts;
  start_ms_ = now_ms;
  next_update_ms_ = now_ms + update_ms_;
  end_sent_ = 0;
  state_ = State::Started;
  return true;
}

std::uint16_t TelephoneEventSender::duration_at(std::uint64_t now_ms) const {
  const std::uint64_t d = (now_ms - start_ms_) * rate_ / 1000;
  return static_cast<std::uint16_t>(std::min<std::uint64_t>(d, 0xFFFF));
}

void TelephoneEventSender::end(std::uint64_t now_ms, std::uint32_t min_ms) {
  if (state_ == State::Idle || state_ == State::Ending) return;
  final_duration_ = duration_at(std::max<std::uint64_t>(now_ms, start_ms_ + min_ms));
  state_ = State::Ending;
  end_sent_ = 0;
}

std::optional<TelephoneEventPacket> TelephoneEventSender::poll(std::uint64_t now_ms) {
  TelephoneEventPacket p{TelephoneEvent{code_, false, volume_, 0}, false, timestamp_};
  switch (state_) {
    case State::Idle: return std::nullopt;
    case State::Started:
      p.marker = true;
      p.event.duration = duration_at(now_ms);
      state_ = State::Running;
      return p;
    case State::Running: {
      if (now_ms < next_update_ms_) return std::nullopt;
      next_update_ms_ += update_ms_;
      const std::uint64_t elapsed = (now_ms - start_ms_) * rate_ / 1000;
      if (elapsed >= 0xFFFF) {
        // Duration field full: close this segment and start a new one where it ended.
        p.event.duration = 0xFFFF;
        timestamp_ += 0xFFFF;
        start_ms_ += static_cast<std::uint64_t>(0xFFFF) * 1000 / rate_;
        return p;
      }
      p.event.duration = static_cast<std::uint16_t>(elapsed);
      return p;
    }
    case State::Ending:
      p.event.end = true;
      p.event.duration = final_duration_;
      if (++end_sent_ >= 3) state_ = State::Idle;
      return p;
  }
  return std::nullopt;
}

std::optional<TelephoneEventReceiver::Digit> TelephoneEventReceiver::on_packet(const TelephoneEvent& e,
                                                                               std::uint32_t ts) {
  const char d = telephone_event_digit(e.event);
  if (d == '\0') return std::nullopt;
  const bool same = in_event_ && ts == timestamp_ && e.event == code_;
  if (!same) {
    // A new event (new timestamp). If the previous one never saw its end, it ends implicitly.
    in_event_ = true;
    ended_ = false;
    timestamp_ = ts;
    code_ = e.event;
    // An event whose first packet we see is already an end (lost start) still yields a begin;
    // the end follows on the retransmission.
    return Digit{d, true, e.duration};
  }
  if (e.end && !ended_) {
    ended_ = true;
    return Digit{d, false, e.duration};
  }
  return std::nullopt;
}

}  // namespace telephony::media
