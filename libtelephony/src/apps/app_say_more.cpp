// More Say* applications: SayUnixTime (and its alias DateTime), SayAlphaCase, SayMoney,
// SayOrdinal, SayCountedNoun, SayCountedAdj. Prompt lists come from say_prompts.cpp.
#include <strings.h>

#include <cstdlib>
#include <ctime>

#include "apps/dialplan_apps.hpp"
#include "apps/media_apps.hpp"
#include "apps/say_prompts.hpp"
#include "funcs/function_support.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/media/playback.hpp"

// GCC 12 false positive on inlined coroutine frames (see app_dial.cpp).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace telephony::dialplan {

namespace asio = boost::asio;
using namespace media_apps;

namespace {

// SAY_DTMF_INTERRUPT=true (or SayUnixTime's j): a digit stops the prompts and is taken like
// Background's, as the first digit of an extension to go to.
bool dtmf_interrupt(Execution& x) {
  auto v = x.channel().variable("SAY_DTMF_INTERRUPT");
  return v && ::strcasecmp(v->c_str(), "true") == 0;
}

asio::awaitable<AppResult> speak(Execution& x, std::vector<std::string> prompts, bool interruptible) {
  prepare_for_prompt(x.channel(), true);
  media::PlayOptions opts;
  opts.skip_missing = true;
  if (interruptible) opts.interrupt_digits = "any";
  auto r = co_await media::play_files(x.channel_ptr(), std::move(prompts), std::move(opts));
  if (r.status == media::PlayStatus::HungUp) co_return AppResult::Hangup;
  if (r.status == media::PlayStatus::Interrupted) {
    std::string first(1, r.digit);
    co_return co_await x.collect_extension(std::move(first), x.digit_timeout);
  }
  co_return AppResult::Continue;
}

std::optional<long long> integer(std::string_view text) {
  std::string s(funcs::trim(text));
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || errno == ERANGE || v < -2147483648LL || v > 2147483647LL) return std::nullopt;
  return v;
}

asio::awaitable<AppResult> say_unixtime(Execution& x, std::string_view data) {
  auto args = split_args(data);
  std::time_t t = std::time(nullptr);
  if (!args.empty() && !funcs::trim(args[0]).empty()) {
    char* end = nullptr;
    const std::string text(funcs::trim(args[0]));
    const double v = std::strtod(text.c_str(), &end);
    if (end != text.c_str()) t = static_cast<std::time_t>(v);  // Asterisk's ast_get_time_t: the leading number
  }
  const std::string zone = args.size() > 1 ? std::string(funcs::trim(args[1])) : "";
  const std::string format = args.size() > 2 && !args[2].empty() ? args[2] : "ABdY 'digits/at' IMp";
  const bool jump = (args.size() > 3 && args[3].find('j') != std::string::npos) || dtmf_interrupt(x);
  auto when = funcs::local_time_in(zone, t);
  const std::time_t now_epoch = std::time(nullptr);
  auto now = funcs::local_time_in(zone, now_epoch);
  if (!when || !now) {
    warn(x, "SayUnixTime", (!when ? when.error() : now.error()).message + "; the host's zone is used");
    when = funcs::local_time_in("", t);
    now = funcs::local_time_in("", now_epoch);
  }
  std::vector<char> unknown;
  auto prompts = say::datetime_prompts(*when, format, *now, t, now_epoch, &unknown);
  for (char c : unknown) warn(x, "SayUnixTime", std::string("Unknown character in datetime format ") + format + ": " + c);
  if (x.channel().state() != ChannelState::Up) x.channel().answer();
  co_return co_await speak(x, std::move(prompts), jump);
}

// English plural: "s" for every count but one; Slavic languages pick x1/x2 as Asterisk does.
std::string counted_noun(const std::string& noun, long long n, std::string_view lang) {
  const bool slavic = lang.rfind("ru", 0) == 0 || lang.rfind("ua", 0) == 0 || lang.rfind("pl", 0) == 0;
  if (!slavic) return noun + (n == 1 || n == -1 ? "" : "s");
  long long m = (n < 0 ? -n : n) % 100;
  if (m >= 20) m %= 10;
  if (m == 1) return noun;
  return noun + (m > 0 && m < 5 ? "x1" : "x2");
}

std::string counted_adjective(const std::string& adj, long long n, const std::string& gender, std::string_view lang) {
  const bool slavic = lang.rfind("ru", 0) == 0 || lang.rfind("ua", 0) == 0 || lang.rfind("pl", 0) == 0;
  if (!slavic) return adj;
  long long m = (n < 0 ? -n : n) % 100;
  if (m >= 20) m %= 10;
  return adj + (m == 1 ? gender : "x");
}

}  // namespace

void register_say_more_applications(Engine& engine) {
  const auto unixtime_doc =
      doc("Says a specified time in a custom format.", "SayUnixTime([unixtime[,timezone[,format[,options]]]])",
          "Answers, then says the time (default: now) in the zone (default: the host's) in voicemail.conf's format "
          "language: A/a weekday, B/b/h month, m month as an ordinal, d/e day of the month as an ordinal, Y year, I/l "
          "hour (12-hour), H/k hour (24-hour, H with a leading \"oh\"), M/N minutes (M says o'clock for :00), P/p AM/PM, "
          "Q/q today/yesterday/weekday/date depending on how far away, R = HM, S seconds, T = HMS, 'file' plays that "
          "prompt. The default format is ABdY 'digits/at' IMp. With j (or SAY_DTMF_INTERRUPT=true) a digit stops it "
          "and is taken as the start of an extension to go to.",
          {{"unixtime", "seconds since 1970 (may be negative); default now"},
           {"timezone", "a /usr/share/zoneinfo name; default the host's"},
           {"format", "see above"},
           {"options", "j: allow a digit to jump to that extension"}},
          {"STRFTIME", "STRPTIME", "IFTIME"});
  add_application(engine, "SayUnixTime", unixtime_doc, say_unixtime);
  auto datetime_doc = unixtime_doc;
  datetime_doc.synopsis = "Say the date and time in a specified format.";
  datetime_doc.syntax = "DateTime([unixtime[,timezone[,format]]])";
  add_application(engine, "DateTime", datetime_doc, say_unixtime);

  add_application(engine, "SayAlphaCase",
                  doc("Say Alpha.", "SayAlphaCase(casetype,string)",
                      "Spells string like SayAlpha, announcing letter case: a says \"lowercase\"/\"uppercase\" before "
                      "every letter, l before lower-case letters only, u before upper-case letters only, n never "
                      "(SayAlphaCase(u,aBc): a uppercase b c). With SAY_DTMF_INTERRUPT=true a digit works as in "
                      "Background. Does not answer.",
                      {{"casetype", "a, l, n or u"}, {"string", "text to spell"}},
                      {"SayAlpha", "SayDigits", "SayNumber", "SayPhonetic"}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    auto comma = data.find(',');
                    if (comma == std::string_view::npos || comma != 1 ||
                        std::string_view("alnuALNU").find(data[0]) == std::string_view::npos) {
                      warn(x, "SayAlphaCase", "requires two arguments: casetype (a, l, n or u) and string");
                      co_return AppResult::Continue;
                    }
                    const char type = static_cast<char>(std::tolower(static_cast<unsigned char>(data[0])));
                    // Named: GCC 12 destroys temporaries in a co_await operand twice.
                    auto prompts = say::alpha_case_prompts(type, data.substr(comma + 1));
                    co_return co_await speak(x, std::move(prompts), dtmf_interrupt(x));
                  });
  add_application(engine, "SayMoney",
                  doc("Say Money.", "SayMoney(dollars)",
                      "Says the amount in US dollars and cents (\"12.34\": twelve dollars and thirty four cents; the "
                      "digits after the point are cents, at most two). With SAY_DTMF_INTERRUPT=true a digit works as in "
                      "Background. Does not answer.",
                      {{"dollars", "amount, e.g. 12.34"}}, {"SayNumber", "SayAlpha"}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    auto text = funcs::trim(data);
                    if (text.empty()) {
                      warn(x, "SayMoney", "requires an argument (dollars)");
                      co_return AppResult::Continue;
                    }
                    auto prompts = say::money_prompts(text);
                    co_return co_await speak(x, std::move(prompts), dtmf_interrupt(x));
                  });
  add_application(engine, "SayOrdinal",
                  doc("Say Ordinal Number.", "SayOrdinal(digits[,gender])",
                      "Says the ordinal of the number (first, forty-second …; digits/h-N prompts). A value that is "
                      "not a 32-bit integer is a warning. With SAY_DTMF_INTERRUPT=true a digit works as in Background. "
                      "Does not answer.",
                      {{"digits", "the number"}, {"gender", "accepted (English has none)"}}, {"SayNumber", "SayDigits"}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    auto args = split_args(data);
                    auto n = integer(args.empty() ? "" : args[0]);
                    if (!n) {
                      warn(x, "SayOrdinal", "first argument must be a number between -2147483648 and 2147483647");
                      co_return AppResult::Continue;
                    }
                    auto prompts = say::ordinal_prompts(*n);
                    co_return co_await speak(x, std::move(prompts), dtmf_interrupt(x));
                  });
  add_application(engine, "SayCountedNoun",
                  doc("Say a noun in declined form in order to count things", "SayCountedNoun(number,filename)",
                      "Plays the form of the noun that goes with number: English adds \"s\" to filename for every "
                      "count but one (SayCountedNoun(2,call) plays \"calls\"); Russian, Ukrainian and Polish add "
                      "\"x1\" or \"x2\" as Asterisk does. Only the noun is played. Does not answer.",
                      {{"number", "the number of things"}, {"filename", "file name stem of the noun"}},
                      {"SayCountedAdj", "SayNumber"}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    auto args = split_args(data);
                    auto n = integer(args.empty() ? "" : args[0]);
                    if (args.size() != 2 || !n || args[1].empty()) {
                      warn(x, "SayCountedNoun", "requires two arguments: number and filename");
                      co_return AppResult::Hangup;
                    }
                    std::vector<std::string> prompts{counted_noun(args[1], *n, x.channel().language())};
                    co_return co_await speak(x, std::move(prompts), false);
                  });
  add_application(engine, "SayCountedAdj",
                  doc("Say a adjective in declined form in order to count things", "SayCountedAdj(number,filename[,gender])",
                      "Plays the form of the adjective that goes with number: English never changes it; Slavic "
                      "languages add the gender (m, f, n, c) for one and \"x\" otherwise. Does not answer.",
                      {{"number", "the number of things"}, {"filename", "file name stem of the adjective"},
                       {"gender", "m, f, n or c"}},
                      {"SayCountedNoun", "SayNumber"}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    auto args = split_args(data);
                    auto n = integer(args.empty() ? "" : args[0]);
                    if (args.size() < 2 || !n || args[1].empty()) {
                      warn(x, "SayCountedAdj", "requires at least two arguments: number and filename");
                      co_return AppResult::Hangup;
                    }
                    const std::string gender = args.size() > 2 ? args[2] : "";
                    std::vector<std::string> prompts{counted_adjective(args[1], *n, gender, x.channel().language())};
                    co_return co_await speak(x, std::move(prompts), false);
                  });
}

}  // namespace telephony::dialplan
