// Time functions: STRFTIME, STRPTIME and IFTIME (with Asterisk's time specification
// "times,weekdays,mdays,months[,timezone]" as GotoIfTime and time-based includes use it).
//
// Time zones: libstdc++ 12 has no tz database, so a zone is applied by setting TZ around
// localtime_r/mktime under one process-wide mutex. Every time function here goes through that
// mutex; other code calling localtime while a zone is applied may briefly see it (documented in
// docs/functions.md).
#include <sys/time.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <optional>

#include "funcs/function_support.hpp"

namespace telephony::funcs {

namespace {

std::mutex g_tz_mutex;

bool known_zone(std::string_view tz) {
  if (tz.find("..") != std::string_view::npos) return false;
  std::error_code ec;
  return std::filesystem::is_regular_file(std::filesystem::path("/usr/share/zoneinfo") / std::string(tz), ec);
}

// Runs f() with TZ set to `tz` (empty: the process' zone).
template <class F>
auto in_zone(std::string_view tz, F f) {
  std::lock_guard lock(g_tz_mutex);
  if (tz.empty()) {
    tzset();
    return f();
  }
  const char* old = std::getenv("TZ");
  std::optional<std::string> saved = old ? std::optional<std::string>(old) : std::nullopt;
  ::setenv("TZ", std::string(tz).c_str(), 1);
  tzset();
  auto result = f();
  if (saved)
    ::setenv("TZ", saved->c_str(), 1);
  else
    ::unsetenv("TZ");
  tzset();
  return result;
}

Result<void> check_zone(const FunctionCall& call, std::string_view tz) {
  if (!tz.empty() && !known_zone(tz)) return func_error(call, "unknown timezone '" + std::string(tz) + "'");
  return {};
}

}  // namespace

Result<std::tm> local_time_in(std::string_view tz, std::time_t t) {
  if (!tz.empty() && !known_zone(tz)) return fail("unknown timezone '" + std::string(tz) + "'");
  return in_zone(tz, [t] {
    std::tm tm{};
    localtime_r(&t, &tm);
    return tm;
  });
}

namespace {

// "%q" (milliseconds) and "%1q".."%6q" (that many fraction digits) become digits before strftime.
std::string expand_fraction(std::string_view fmt, long usec) {
  std::string out;
  for (std::size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] == '%' && i + 1 < fmt.size()) {
      if (fmt[i + 1] == '%') {
        out += "%%";
        ++i;
        continue;
      }
      int digits = 0;
      std::size_t j = i + 1;
      if (fmt[j] >= '1' && fmt[j] <= '6' && j + 1 < fmt.size() && fmt[j + 1] == 'q') {
        digits = fmt[j] - '0';
        ++j;
      } else if (fmt[j] == 'q') {
        digits = 3;
      }
      if (digits) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "%06ld", usec);
        out.append(buf, static_cast<std::size_t>(digits));
        i = j;
        continue;
      }
    }
    out += fmt[i];
  }
  return out;
}

Result<std::string> strftime_read(const FunctionCall& call) {
  auto a = split_at_most(call.args, 3);
  std::string epoch_text = a.size() > 0 ? std::string(trim(a[0])) : "";
  std::string tz = a.size() > 1 ? std::string(trim(a[1])) : "";
  std::string fmt = a.size() > 2 && !a[2].empty() ? a[2] : "%c";
  if (auto r = check_zone(call, tz); !r) return Unexpected<Error>{r.error()};
  long long secs = 0;
  long usec = 0;
  if (epoch_text.empty()) {
    timeval tv{};
    gettimeofday(&tv, nullptr);
    secs = tv.tv_sec;
    usec = tv.tv_usec;
  } else {
    char* end = nullptr;
    double v = std::strtod(epoch_text.c_str(), &end);
    if (end == epoch_text.c_str() || *end != '\0') return func_error(call, "bad epoch '" + epoch_text + "'");
    secs = static_cast<long long>(v);
    usec = static_cast<long>((v - static_cast<double>(secs)) * 1e6 + 0.5);
    if (usec >= 1000000) usec = 999999;
    if (usec < 0) usec = 0;
  }
  std::string expanded = expand_fraction(fmt, usec);
  return in_zone(tz, [&]() -> Result<std::string> {
    std::time_t t = static_cast<std::time_t>(secs);
    std::tm tm{};
    if (!localtime_r(&t, &tm)) return func_error(call, "epoch out of range");
    char buf[1024];
    std::size_t n = std::strftime(buf, sizeof buf, expanded.c_str(), &tm);
    return std::string(buf, n);
  });
}

Result<std::string> strptime_read(const FunctionCall& call) {
  auto a = split_at_most(call.args, 3);
  if (a.size() < 3 || a[0].empty() || a[2].empty())
    return func_error(call, "usage STRPTIME(<datetime>,<timezone>,<format>)");
  std::string tz(trim(a[1]));
  if (auto r = check_zone(call, tz); !r) return Unexpected<Error>{r.error()};
  return in_zone(tz, [&]() -> Result<std::string> {
    std::tm tm{};
    tm.tm_isdst = -1;
    const char* end = ::strptime(a[0].c_str(), a[2].c_str(), &tm);
    if (!end) return func_error(call, "'" + a[0] + "' does not match format '" + a[2] + "'");
    std::time_t t = std::mktime(&tm);
    return std::to_string(static_cast<long long>(t));
  });
}

// --- time specification -----------------------------------------------------------------------

// One field of a time spec as a bitmask over its values (minutes of the day, weekdays, …).
struct TimeSpec {
  std::vector<bool> minutes = std::vector<bool>(24 * 60, false);
  std::vector<bool> weekdays = std::vector<bool>(7, false);   // 0 = sun
  std::vector<bool> mdays = std::vector<bool>(32, false);     // 1..31
  std::vector<bool> months = std::vector<bool>(12, false);    // 0 = jan
  std::string timezone;
};

const char* const kDays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
const char* const kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};

// A value of a named field ("mon", "jan") or a number; -1 when unknown.
int field_value(std::string_view text, const char* const* names, int count, int base) {
  auto t = to_lower(trim(text));
  for (int i = 0; i < count; ++i)
    if (t.size() >= 3 && t.compare(0, 3, names[i]) == 0) return i;
  if (!t.empty() && std::all_of(t.begin(), t.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return std::atoi(t.c_str()) - base;
  return -1;
}

int minute_of_day(std::string_view text) {
  auto t = trim(text);
  auto colon = t.find(':');
  if (colon == std::string_view::npos) return -1;
  std::string h(t.substr(0, colon)), m(t.substr(colon + 1));
  if (h.empty() || m.empty() || h.size() > 2 || m.size() != 2) return -1;
  for (char c : h + m)
    if (!std::isdigit(static_cast<unsigned char>(c))) return -1;
  int hh = std::atoi(h.c_str()), mm = std::atoi(m.c_str());
  if (hh > 23 || mm > 59) return -1;
  return hh * 60 + mm;
}

// Fills `mask` from "*", "a", "a-b" (wrapping), joined with '&'. `value` maps one endpoint.
template <class ValueOf>
bool fill_mask(std::string_view field, std::vector<bool>& mask, ValueOf value) {
  field = trim(field);
  if (field.empty() || field == "*") {
    std::fill(mask.begin(), mask.end(), true);
    return true;
  }
  const int n = static_cast<int>(mask.size());
  std::size_t start = 0;
  while (start <= field.size()) {
    auto amp = field.find('&', start);
    std::string_view part = field.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    auto dash = part.find('-');
    int lo = value(dash == std::string_view::npos ? part : part.substr(0, dash));
    int hi = dash == std::string_view::npos ? lo : value(part.substr(dash + 1));
    if (lo < 0 || hi < 0 || lo >= n || hi >= n) return false;
    for (int i = lo;; i = (i + 1) % n) {  // a range may wrap (fri-mon, 22:00-06:00)
      mask[static_cast<std::size_t>(i)] = true;
      if (i == hi) break;
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  return true;
}

Result<TimeSpec> parse_time_spec(const FunctionCall& call, std::string_view text) {
  // Asterisk before 1.6 separated the fields with '|'; accept both.
  std::string spec(text);
  if (spec.find(',') == std::string::npos) std::replace(spec.begin(), spec.end(), '|', ',');
  auto f = split_at_most(spec, 5);
  if (f.size() < 4) return func_error(call, "time specification needs times,weekdays,mdays,months[,timezone]");
  TimeSpec ts;
  if (!fill_mask(f[0], ts.minutes, minute_of_day)) return func_error(call, "bad time range '" + f[0] + "'");
  if (!fill_mask(f[1], ts.weekdays, [](std::string_view v) { return field_value(v, kDays, 7, 0); }))
    return func_error(call, "bad weekday range '" + f[1] + "'");
  if (!fill_mask(f[2], ts.mdays, [](std::string_view v) {
        auto t = trim(v);
        if (t.empty() || !std::all_of(t.begin(), t.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
          return -1;
        int d = std::atoi(std::string(t).c_str());
        return d >= 1 && d <= 31 ? d : -1;
      }))
    return func_error(call, "bad day-of-month range '" + f[2] + "'");
  ts.mdays[0] = false;
  if (!fill_mask(f[3], ts.months, [](std::string_view v) { return field_value(v, kMonths, 12, 1); }))
    return func_error(call, "bad month range '" + f[3] + "'");
  if (f.size() > 4) ts.timezone = std::string(trim(f[4]));
  if (auto r = check_zone(call, ts.timezone); !r) return Unexpected<Error>{r.error()};
  return ts;
}

bool time_matches(const TimeSpec& ts, std::time_t now) {
  return in_zone(ts.timezone, [&] {
    std::tm tm{};
    localtime_r(&now, &tm);
    return ts.months[static_cast<std::size_t>(tm.tm_mon)] && ts.mdays[static_cast<std::size_t>(tm.tm_mday)] &&
           ts.weekdays[static_cast<std::size_t>(tm.tm_wday)] &&
           ts.minutes[static_cast<std::size_t>(tm.tm_hour * 60 + tm.tm_min)];
  });
}

// The instant IFTIME compares against: now, unless the IFTIME_NOW channel variable holds an
// epoch (a test hook and a way to evaluate a schedule for another moment).
std::time_t evaluation_time(const FunctionCall& call) {
  auto v = channel_variable(call, "IFTIME_NOW");
  if (!v.empty()) return static_cast<std::time_t>(std::strtoll(v.c_str(), nullptr, 10));
  return std::time(nullptr);
}

Result<std::string> iftime_read(const FunctionCall& call) {
  auto q = call.args.find('?');
  if (q == std::string_view::npos) return func_error(call, "usage IFTIME(<timespec>?[<true>][:<false>])");
  auto spec = parse_time_spec(call, call.args.substr(0, q));
  if (!spec) return Unexpected<Error>{spec.error()};
  std::string_view branches = call.args.substr(q + 1);
  auto colon = branches.find(':');
  std::string_view yes = trim(branches.substr(0, colon));
  std::string_view no = colon == std::string_view::npos ? std::string_view() : trim(branches.substr(colon + 1));
  return std::string(time_matches(*spec, evaluation_time(call)) ? yes : no);
}

}  // namespace

void register_time_functions(Engine& engine) {
  add_function(engine, "STRFTIME",
               {"Returns the current date/time in the specified format.", "STRFTIME([epoch][,timezone][,format])",
                "STRFTIME supports all of the same formats as the underlying C function strftime(3). It also "
                "supports %[n]q: fractions of a second, n digits (1-6, default 3). Without an epoch the current "
                "time is used; without a format, %c.",
                {{"epoch", "seconds since 1970, fractions allowed"},
                 {"timezone", "a zoneinfo name such as America/Chicago"},
                 {"format", "strftime(3) format"}},
                {"STRPTIME"}},
               strftime_read);
  add_function(engine, "STRPTIME",
               {"Returns the epoch of the arbitrary date/time string structured as described by the format.",
                "STRPTIME(datetime,timezone,format)",
                "This is useful for converting a date into EPOCH time, possibly to pass to an application like "
                "SayUnixTime or to calculate the difference between the two date strings. Example: "
                "${STRPTIME(2006-03-01 07:30:35,America/Chicago,%Y-%m-%d %H:%M:%S)} returns 1141219835.",
                {{"datetime", "the date and time text"},
                 {"timezone", "zone the text is in (empty: the system zone)"},
                 {"format", "strptime(3) format"}},
                {"STRFTIME"}},
               strptime_read);
  add_function(engine, "IFTIME",
               {"Temporal Conditional.", "IFTIME(timespec?[true][:false])",
                "Returns the data following '?' if true, else the data following ':'. timespec is "
                "times,weekdays,mdays,months[,timezone] as in GotoIfTime: each field is '*' or ranges joined "
                "with '&' (09:00-17:59, mon-fri, 1-15, jan-mar); ranges may wrap. The end minute of a time range "
                "is included. The channel variable IFTIME_NOW, when set to an epoch, replaces the current time.",
                {{"timespec", "times,weekdays,mdays,months[,timezone]"},
                 {"true", "returned when the time matches"},
                 {"false", "returned otherwise"}},
                {"IF", "GotoIfTime"}},
               iftime_read);
}

}  // namespace telephony::funcs
