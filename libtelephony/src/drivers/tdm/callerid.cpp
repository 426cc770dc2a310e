// Caller ID messages over spandsp's ADSI modems (see tdm/callerid.hpp).
#include "telephony/tdm/callerid.hpp"

#include <cstdio>
#include <ctime>
#include <utility>

extern "C" {
#include <spandsp/telephony.h>
#include <spandsp/logging.h>
#include <spandsp/async.h>
#include <spandsp/adsi.h>
}

namespace telephony::tdm {

namespace {

constexpr std::uint8_t kSdmfCallerId = 0x04;
constexpr std::uint8_t kMdmfCallerId = 0x80;
constexpr std::uint8_t kParamDatetime = 0x01;
constexpr std::uint8_t kParamNumber = 0x02;
constexpr std::uint8_t kParamNumberAbsent = 0x04;
constexpr std::uint8_t kParamName = 0x07;
constexpr std::uint8_t kParamNameAbsent = 0x08;

std::string at(std::size_t offset) { return "offset " + std::to_string(offset); }

int spandsp_standard(CidSignalling s) {
  switch (s) {
    case CidSignalling::Bell: return ADSI_STANDARD_CLASS;
    case CidSignalling::V23: return ADSI_STANDARD_CLIP;
    case CidSignalling::Dtmf: return ADSI_STANDARD_CLIP_DTMF;
    default: return -1;
  }
}

std::string printable(std::span<const std::uint8_t> b) {
  std::string s;
  s.reserve(b.size());
  for (auto c : b) s.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
  return s;
}

Result<CallerIdMessage> decode_fsk(std::span<const std::uint8_t> m) {
  if (m.size() < 2) return fail("caller ID message of " + std::to_string(m.size()) + " bytes", at(0));
  const std::size_t body = m[1];
  if (2 + body > m.size()) return fail("message length " + std::to_string(body) + " runs past the end", at(1));
  auto b = m.subspan(2, body);
  CallerIdMessage out;
  if (m[0] == kSdmfCallerId) {
    out.format = CallerIdFormat::Sdmf;
    if (b.size() < 9) return fail("SDMF body shorter than date + number", at(2));
    out.datetime = printable(b.subspan(0, 8));
    auto num = b.subspan(8);
    if (num.size() == 1 && (num[0] == 'O' || num[0] == 'P')) out.number_absent = static_cast<char>(num[0]);
    else out.number = printable(num);
    return out;
  }
  if (m[0] != kMdmfCallerId)
  {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02x", m[0]);
    return fail(std::string("message type ") + hex + " is not caller ID", at(0));
  }
  out.format = CallerIdFormat::Mdmf;
  std::size_t pos = 0;
  while (pos < b.size()) {
    if (pos + 2 > b.size()) return fail("parameter header runs past the end", at(2 + pos));
    const std::uint8_t type = b[pos];
    const std::size_t len = b[pos + 1];
    if (pos + 2 + len > b.size()) return fail("parameter length " + std::to_string(len) + " runs past the end", at(3 + pos));
    auto value = b.subspan(pos + 2, len);
    switch (type) {
      case kParamDatetime: out.datetime = printable(value); break;
      case kParamNumber: out.number = printable(value); break;
      case kParamName: out.name = printable(value); break;
      case kParamNumberAbsent:
        if (len >= 1) out.number_absent = static_cast<char>(value[0]);
        break;
      case kParamNameAbsent:
        if (len >= 1) out.name_absent = static_cast<char>(value[0]);
        break;
      default: break;  // dialed number, redirection, call qualifier ...: not ours to show
    }
    pos += 2 + len;
  }
  return out;
}

Result<CallerIdMessage> decode_dtmf(std::span<const std::uint8_t> m) {
  if (m.size() < 2) return fail("DTMF caller ID of " + std::to_string(m.size()) + " digits", at(0));
  const char term = static_cast<char>(m.back());
  if (term != 'C' && term != '#') return fail("DTMF caller ID without a C or # terminator", at(m.size() - 1));
  CallerIdMessage out;
  out.format = CallerIdFormat::Dtmf;
  char field = 'A';
  std::size_t i = 0;
  if (m[0] == 'A' || m[0] == 'B' || m[0] == 'D') field = static_cast<char>(m[i++]);
  std::string digits;
  for (; i + 1 < m.size(); ++i) {
    const char c = static_cast<char>(m[i]);
    if (c < '0' || c > '9') return fail(std::string("unexpected '") + (c >= 0x20 && c < 0x7f ? c : '?') + "' in DTMF caller ID", at(i));
    digits.push_back(c);
  }
  if (field == 'A') {
    out.number = std::move(digits);
  } else {
    // B/D carry an absence code: 00 unavailable, 10 private (ETSI EN 300 659-1 / Danish variants).
    out.number_absent = (digits == "10" || digits == "1") ? 'P' : 'O';
  }
  return out;
}

}  // namespace

std::string_view to_string(CallerIdFormat f) {
  switch (f) {
    case CallerIdFormat::Mdmf: return "mdmf";
    case CallerIdFormat::Sdmf: return "sdmf";
    case CallerIdFormat::Dtmf: return "dtmf";
  }
  return "mdmf";
}

Result<CallerIdMessage> decode_callerid_message(CidSignalling standard, std::span<const std::uint8_t> msg) {
  if (standard == CidSignalling::Dtmf) return decode_dtmf(msg);
  return decode_fsk(msg);
}

std::string callerid_datetime_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%02d%02d%02d%02d", tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
  return buf;
}

// ---- generator -------------------------------------------------------------------------------

Result<CallerIdGenerator> CallerIdGenerator::create(CidSignalling standard, bool off_hook) {
  const int s = spandsp_standard(standard);
  if (s < 0) return fail("caller ID signalling '" + std::string(to_string(standard)) + "' cannot be generated");
  auto* tx = adsi_tx_init(nullptr, s);
  if (!tx) return fail("spandsp: cannot create the ADSI transmitter");
  // Off-hook (type 2, call waiting) FSK has no channel seizure and a short mark (80 bits): the
  // phone is listening already and a long preamble would be heard over the call.
  if (off_hook && standard != CidSignalling::Dtmf) adsi_tx_set_preamble(tx, 0, 80, -1, -1);
  return CallerIdGenerator(tx, standard);
}

CallerIdGenerator::CallerIdGenerator(CallerIdGenerator&& o) noexcept
    : tx_(std::exchange(o.tx_, nullptr)), standard_(o.standard_), busy_(o.busy_) {}

CallerIdGenerator& CallerIdGenerator::operator=(CallerIdGenerator&& o) noexcept {
  if (this != &o) {
    if (tx_) adsi_tx_free(tx_);
    tx_ = std::exchange(o.tx_, nullptr);
    standard_ = o.standard_;
    busy_ = o.busy_;
  }
  return *this;
}

CallerIdGenerator::~CallerIdGenerator() {
  if (tx_) adsi_tx_free(tx_);
}

Result<void> CallerIdGenerator::start(const CallerIdMessage& m) {
  if (busy_) return fail("a caller ID message is still being sent");
  std::uint8_t msg[256];
  int len = 0;
  auto field = [&](std::uint8_t type, std::string_view v) {
    if (v.size() > 64) v = v.substr(0, 64);
    len = adsi_add_field(tx_, msg, len, type, reinterpret_cast<const std::uint8_t*>(v.data()), static_cast<int>(v.size()));
  };
  const std::string date = m.datetime.empty() ? callerid_datetime_now() : m.datetime;
  if (standard_ == CidSignalling::Dtmf) {
    len = adsi_add_field(tx_, msg, -1, CLIP_DTMF_C_TERMINATED, nullptr, 0);
    if (m.number_absent) field(CLIP_DTMF_C_ABSENCE, m.number_absent == 'P' ? "10" : "00");
    else field(CLIP_DTMF_C_CALLER_NUMBER, m.number);
  } else if (m.format == CallerIdFormat::Sdmf) {
    if (standard_ != CidSignalling::Bell) return fail("SDMF exists only for Bell 202 caller ID");
    len = adsi_add_field(tx_, msg, -1, kSdmfCallerId, nullptr, 0);
    std::string body = date.substr(0, 8);
    body += m.number_absent ? std::string(1, m.number_absent) : m.number.substr(0, 20);
    field(0, body);
  } else {
    len = adsi_add_field(tx_, msg, -1, kMdmfCallerId, nullptr, 0);
    field(kParamDatetime, date.substr(0, 8));
    if (m.number_absent) field(kParamNumberAbsent, std::string(1, m.number_absent));
    else field(kParamNumber, m.number);
    if (m.name_absent) field(kParamNameAbsent, std::string(1, m.name_absent));
    else if (!m.name.empty()) field(kParamName, m.name);
  }
  if (adsi_tx_put_message(tx_, msg, len) <= 0) return fail("spandsp refused the caller ID message");
  busy_ = true;
  return {};
}

std::size_t CallerIdGenerator::generate(std::span<std::int16_t> out) {
  if (!busy_) return 0;
  const int n = adsi_tx(tx_, out.data(), static_cast<int>(out.size()));
  if (n <= 0) {
    busy_ = false;
    return 0;
  }
  return static_cast<std::size_t>(n);
}

// ---- receiver --------------------------------------------------------------------------------

Result<CallerIdReceiver> CallerIdReceiver::create(CidSignalling standard) {
  const int s = spandsp_standard(standard);
  if (s < 0) return fail("caller ID signalling '" + std::string(to_string(standard)) + "' cannot be detected");
  auto state = std::make_unique<State>();
  state->standard = standard;
  auto* rx = adsi_rx_init(nullptr, s, &CallerIdReceiver::on_message, state.get());
  if (!rx) return fail("spandsp: cannot create the ADSI receiver");
  return CallerIdReceiver(rx, std::move(state));
}

CallerIdReceiver::CallerIdReceiver(CallerIdReceiver&& o) noexcept
    : rx_(std::exchange(o.rx_, nullptr)), state_(std::move(o.state_)) {}

CallerIdReceiver& CallerIdReceiver::operator=(CallerIdReceiver&& o) noexcept {
  if (this != &o) {
    if (rx_) adsi_rx_free(rx_);
    rx_ = std::exchange(o.rx_, nullptr);
    state_ = std::move(o.state_);
  }
  return *this;
}

CallerIdReceiver::~CallerIdReceiver() {
  if (rx_) adsi_rx_free(rx_);
}

void CallerIdReceiver::on_message(void* user, const std::uint8_t* msg, int len) {
  auto* st = static_cast<State*>(user);
  if (len <= 0) return;
  auto m = decode_callerid_message(st->standard, std::span<const std::uint8_t>(msg, static_cast<std::size_t>(len)));
  if (m) st->done = std::move(*m);
  else ++st->rejected;
}

std::optional<CallerIdMessage> CallerIdReceiver::process(std::span<const std::int16_t> samples) {
  state_->done.reset();
  // spandsp takes a non-const pointer in older releases' prototypes; it only reads.
  adsi_rx(rx_, samples.data(), static_cast<int>(samples.size()));
  return std::exchange(state_->done, std::nullopt);
}

}  // namespace telephony::tdm
