// AGI SAY commands: ALPHA, DIGITS, NUMBER, PHONETIC on the media engine's English prompt lists,
// and DATE, TIME, DATETIME (Asterisk's English sequences; DATETIME shares SayUnixTime's format
// language), interruptible by the escape digits.
#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>

#include "agi/agi_command.hpp"
#include "agi/agi_session.hpp"
#include "apps/say_prompts.hpp"
#include "funcs/function_support.hpp"
#include "telephony/engine.hpp"
#include "telephony/media/channel_media.hpp"
#include "telephony/media/playback.hpp"

namespace telephony::agi {

namespace asio = boost::asio;
using Status = CommandStatus;

namespace {

media::PlayOptions escape_options(const std::string& escape) {
  media::PlayOptions o;
  o.interrupt_digits = escape;
  o.skip_missing = true;  // a character without a prompt is skipped, as the Say apps do
  return o;
}

// 0 when it was said, the digit's ASCII code when one stopped it, -1 on hangup.
Status reply(AgiSession& s, const media::PlayResult& r) {
  long long res = 0;
  if (r.status == media::PlayStatus::Interrupted) res = static_cast<unsigned char>(r.digit);
  else if (r.status != media::PlayStatus::Played) res = -1;
  s.send("200 result=" + std::to_string(res) + "\n");
  return res >= 0 ? Status::Success : Status::Failure;
}

asio::awaitable<Status> say_alpha(AgiSession& s, const CommandArgs& a) {
  if (a.size() < 4 || a.size() > 5) co_return Status::ShowUsage;
  if (a.size() == 5 && !a[4].empty() && std::string_view("aAlLnNuU").find(a[4][0]) == std::string_view::npos)
    co_return Status::ShowUsage;
  media::stop_generator(s.channel_ptr());
  auto r = co_await media::say_alpha(s.channel_ptr(), a[2], escape_options(a[3]));
  co_return reply(s, r);
}

asio::awaitable<Status> say_digits(AgiSession& s, const CommandArgs& a) {
  if (a.size() != 4) co_return Status::ShowUsage;
  long long n = 0;
  if (!scan_int(a[2], &n)) co_return Status::ShowUsage;
  media::stop_generator(s.channel_ptr());
  auto r = co_await media::say_digits(s.channel_ptr(), a[2], escape_options(a[3]));
  co_return reply(s, r);
}

asio::awaitable<Status> say_number(AgiSession& s, const CommandArgs& a) {
  if (a.size() < 4 || a.size() > 5) co_return Status::ShowUsage;
  long long n = 0;
  if (!scan_int(a[2], &n) || n > 2147483647LL || n < -2147483648LL) co_return Status::ShowUsage;
  media::stop_generator(s.channel_ptr());
  auto r = co_await media::say_number(s.channel_ptr(), n, escape_options(a[3]));
  co_return reply(s, r);
}

asio::awaitable<Status> say_phonetic(AgiSession& s, const CommandArgs& a) {
  if (a.size() != 4) co_return Status::ShowUsage;
  media::stop_generator(s.channel_ptr());
  auto r = co_await media::say_phonetic(s.channel_ptr(), a[2], escape_options(a[3]));
  co_return reply(s, r);
}

// The host's local time of `t` (Asterisk's ast_localtime with no zone).
std::tm host_time(std::time_t t) {
  auto tm = funcs::local_time_in("", t);
  return tm ? *tm : std::tm{};
}

void append(std::vector<std::string>& out, std::vector<std::string> more) {
  out.insert(out.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}

asio::awaitable<Status> say_prompt_list(AgiSession& s, std::vector<std::string> prompts, const std::string& escape) {
  media::stop_generator(s.channel_ptr());
  auto r = co_await media::play_files(s.channel_ptr(), std::move(prompts), escape_options(escape));
  co_return reply(s, r);
}

// SAY DATE: weekday, month, the day and the year as numbers ("Friday, March 6, 2026").
asio::awaitable<Status> say_date(AgiSession& s, const CommandArgs& a) {
  long long t = 0;
  if (a.size() != 4 || !scan_int(a[2], &t)) co_return Status::ShowUsage;
  const std::tm tm = host_time(static_cast<std::time_t>(t));
  std::vector<std::string> p{"digits/day-" + std::to_string(tm.tm_wday), "digits/mon-" + std::to_string(tm.tm_mon)};
  append(p, media::number_prompts(tm.tm_mday));
  append(p, media::number_prompts(tm.tm_year + 1900));
  co_return co_await say_prompt_list(s, std::move(p), a[3]);
}

// SAY TIME: the 12-hour clock, "oh" before a one-digit minute, "o'clock" on the hour, a.m./p.m.
asio::awaitable<Status> say_time(AgiSession& s, const CommandArgs& a) {
  long long t = 0;
  if (a.size() != 4 || !scan_int(a[2], &t)) co_return Status::ShowUsage;
  const std::tm tm = host_time(static_cast<std::time_t>(t));
  const int hour12 = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
  std::vector<std::string> p = media::number_prompts(hour12);
  if (tm.tm_min > 9) {
    append(p, media::number_prompts(tm.tm_min));
  } else if (tm.tm_min > 0) {
    p.emplace_back("digits/oh");
    append(p, media::number_prompts(tm.tm_min));
  } else {
    p.emplace_back("digits/oclock");
  }
  p.emplace_back(tm.tm_hour >= 12 ? "digits/p-m" : "digits/a-m");
  co_return co_await say_prompt_list(s, std::move(p), a[3]);
}

// SAY DATETIME time escape [format [timezone]]: SayUnixTime's format language; the default is
// Asterisk's English one, "ABdY 'digits/at' IMp" ("A dBY HMS" on a German channel).
asio::awaitable<Status> say_datetime(AgiSession& s, const CommandArgs& a) {
  long long t = 0;
  if (a.size() < 4 || a.size() > 6 || !scan_int(a[2], &t)) co_return Status::ShowUsage;
  std::string format = a.size() > 4 ? a[4] : "";
  if (format.empty()) format = s.channel().language() == "de" ? "A dBY HMS" : "ABdY 'digits/at' IMp";
  const std::string zone = a.size() > 5 ? a[5] : "";
  const auto when_epoch = static_cast<std::time_t>(t), now_epoch = std::time(nullptr);
  auto when = funcs::local_time_in(zone, when_epoch);
  auto now = funcs::local_time_in(zone, now_epoch);
  if (!when || !now) {  // an unknown zone: the host's, as Asterisk falls back
    when = funcs::local_time_in("", when_epoch);
    now = funcs::local_time_in("", now_epoch);
  }
  auto p = dialplan::say::datetime_prompts(when ? *when : std::tm{}, format, now ? *now : std::tm{}, when_epoch, now_epoch);
  co_return co_await say_prompt_list(s, std::move(p), a[3]);
}

void add(std::vector<AgiCommand>& t, std::vector<std::string> words, Documentation doc, CommandHandler h) {
  t.push_back(AgiCommand{std::move(words), false, std::move(doc), std::move(h)});
}

}  // namespace

void add_say_commands(std::vector<AgiCommand>& t) {
  add(t, {"say", "alpha"},
      agi_doc("Says a given character string.", "SAY ALPHA NUMBER ESCAPE_DIGITS [CASE]",
              "Spells the string letter by letter; one of ESCAPE_DIGITS stops it. Returns 0 when done, the ASCII "
              "code of the digit that stopped it, -1 on hangup.",
              {{"case", "a, l, n or u: which letter case to announce (accepted; letters are said without case)"}},
              {"SayAlpha"}),
      say_alpha);
  add(t, {"say", "digits"},
      agi_doc("Says a given digit string.", "SAY DIGITS NUMBER ESCAPE_DIGITS",
              "Says the digits one by one. Returns 0, the ASCII code of an escape digit, or -1 on hangup.", {},
              {"SayDigits"}),
      say_digits);
  add(t, {"say", "number"},
      agi_doc("Says a given number.", "SAY NUMBER NUMBER ESCAPE_DIGITS [GENDER]",
              "Says the number (a 32-bit integer). Returns 0, the ASCII code of an escape digit, or -1 on hangup.",
              {{"gender", "accepted and ignored (English)"}}, {"SayNumber"}),
      say_number);
  add(t, {"say", "date"},
      agi_doc("Says a given date.", "SAY DATE DATE ESCAPE_DIGITS",
              "Says the date given in seconds since the epoch (00:00:00 UTC, 1 January 1970) in the host's time zone: "
              "weekday, month, day and year. Returns 0, the ASCII code of an escape digit, or -1 on hangup.",
              {{"date", "seconds since the epoch"}}, {"SayUnixTime"}),
      say_date);
  add(t, {"say", "time"},
      agi_doc("Says a given time.", "SAY TIME TIME ESCAPE_DIGITS",
              "Says the time of day of TIME (seconds since the epoch) in the host's time zone, on the 12-hour clock "
              "with a.m./p.m. Returns 0, the ASCII code of an escape digit, or -1 on hangup.",
              {{"time", "seconds since the epoch"}}, {"SayUnixTime"}),
      say_time);
  add(t, {"say", "datetime"},
      agi_doc("Says a given time as specified by the format given.", "SAY DATETIME TIME ESCAPE_DIGITS [FORMAT] [TIMEZONE]",
              "Says TIME (seconds since the epoch) with SayUnixTime's format letters (default \"ABdY 'digits/at' IMp\") "
              "in TIMEZONE (a /usr/share/zoneinfo name; default and unknown: the host's). Returns 0, the ASCII code "
              "of an escape digit, or -1 on hangup.",
              {{"format", "SayUnixTime's format"}, {"timezone", "e.g. America/Chicago"}}, {"SayUnixTime"}),
      say_datetime);
  add(t, {"say", "phonetic"},
      agi_doc("Says a given character string with phonetics.", "SAY PHONETIC STRING ESCAPE_DIGITS",
              "Spells the string with the NATO alphabet (alpha, bravo …). Returns 0, the ASCII code of an escape "
              "digit, or -1 on hangup.",
              {}, {"SayPhonetic"}),
      say_phonetic);
}

}  // namespace telephony::agi
