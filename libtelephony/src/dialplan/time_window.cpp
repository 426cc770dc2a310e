// TimeWindow: the `<times>,<weekdays>,<mdays>,<months>[,<tz>]` spec of timed includes,
// GotoIfTime and ExecIfTime.
#include <strings.h>

#include <ctime>

#include "telephony/dialplan/dialplan.hpp"

namespace telephony::dialplan {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  for (;;) {
    auto at = s.find(sep, pos);
    out.push_back(trim(s.substr(pos, at == std::string_view::npos ? std::string_view::npos : at - pos)));
    if (at == std::string_view::npos) break;
    pos = at + 1;
  }
  return out;
}

std::optional<int> number(std::string_view s) {
  if (s.empty() || s.size() > 4) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

// A value of one field: a number in [lo, hi] or one of `names` (3-letter, case-insensitive).
std::optional<int> field_value(std::string_view s, int lo, int hi, const char* const* names) {
  if (names) {
    for (int i = 0; names[i]; ++i)
      if (s.size() >= 3 && ::strncasecmp(s.data(), names[i], 3) == 0 && s.size() <= 9) return lo + i;
  }
  auto n = number(s);
  if (!n || *n < lo || *n > hi) return std::nullopt;
  return n;
}

// Sets bits [lo..hi] of a field from "a", "a-b" (wrapping) or "a&b-c" lists; "*" or "" = all.
Result<std::uint32_t> parse_field(std::string_view text, int lo, int hi, const char* const* names,
                                  std::string_view what) {
  std::uint32_t bits = 0;
  if (text.empty() || text == "*") {
    for (int i = lo; i <= hi; ++i) bits |= 1u << i;
    return bits;
  }
  for (auto item : split(text, '&')) {
    auto dash = item.find('-');
    auto a = field_value(trim(item.substr(0, dash)), lo, hi, names);
    auto b = dash == std::string_view::npos ? a : field_value(trim(item.substr(dash + 1)), lo, hi, names);
    if (!a || !b) return fail("invalid " + std::string(what) + " '" + std::string(item) + "'");
    for (int i = *a;; i = (i == hi ? lo : i + 1)) {
      bits |= 1u << i;
      if (i == *b) break;
    }
  }
  return bits;
}

std::optional<int> minute_of_day(std::string_view s) {
  auto colon = s.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto h = number(trim(s.substr(0, colon)));
  auto m = number(trim(s.substr(colon + 1)));
  if (!h || !m || *h > 23 || *m > 59) return std::nullopt;
  return *h * 60 + *m;
}

const char* const kDays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", nullptr};
const char* const kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", nullptr};

}  // namespace

Result<TimeWindow> TimeWindow::parse(std::string_view spec) {
  TimeWindow w;
  w.text_ = std::string(spec);
  auto fields = split(spec, spec.find(',') == std::string_view::npos ? '|' : ',');
  if (fields.size() > 5) return fail("time spec has more than 5 fields: '" + std::string(spec) + "'");
  fields.resize(5);
  if (!fields[0].empty() && fields[0] != "*") {
    std::fill(w.minutes_.begin(), w.minutes_.end(), false);
    for (auto item : split(fields[0], '&')) {
      auto dash = item.find('-');
      auto a = minute_of_day(trim(item.substr(0, dash)));
      auto b = dash == std::string_view::npos ? a : minute_of_day(trim(item.substr(dash + 1)));
      if (!a || !b) return fail("invalid time range '" + std::string(item) + "' (want hh:mm-hh:mm)");
      for (int i = *a;; i = (i + 1) % (24 * 60)) {
        w.minutes_[static_cast<std::size_t>(i)] = true;
        if (i == *b) break;
      }
    }
  }
  auto days = parse_field(fields[1], 0, 6, kDays, "weekday");
  if (!days) return Unexpected<Error>{days.error()};
  w.weekdays_ = static_cast<std::uint8_t>(*days);
  auto mdays = parse_field(fields[2], 1, 31, nullptr, "day of month");
  if (!mdays) return Unexpected<Error>{mdays.error()};
  w.mdays_ = *mdays;
  auto months = parse_field(fields[3], 1, 12, kMonths, "month");  // names or 1-12
  if (!months) return Unexpected<Error>{months.error()};
  w.months_ = static_cast<std::uint16_t>(*months >> 1);
  w.tz_ = std::string(fields[4]);
  return w;
}

bool TimeWindow::contains(std::chrono::system_clock::time_point t) const {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::localtime_r(&tt, &tm);
  if (!minutes_[static_cast<std::size_t>(tm.tm_hour * 60 + tm.tm_min)]) return false;
  if (!((weekdays_ >> tm.tm_wday) & 1u)) return false;
  if (!((mdays_ >> tm.tm_mday) & 1u)) return false;
  return (months_ >> tm.tm_mon) & 1u;
}

}  // namespace telephony::dialplan
