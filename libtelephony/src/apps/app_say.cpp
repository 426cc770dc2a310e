// SayDigits, SayNumber, SayAlpha, SayPhonetic: text spoken with the English prompt set
// (digits/N, letters/x, phonetic/x_p …, see media/playback.hpp for the mapping).
#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>
#include <cerrno>
#include <cstdlib>

#include "apps/dialplan_apps.hpp"
#include "apps/media_apps.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/media/playback.hpp"

namespace telephony::dialplan {

namespace asio = boost::asio;
using namespace media_apps;

namespace {

// Say* are not interruptible and do not answer (Asterisk's ast_say_* with no escape digits);
// they only stop a running generator so the prompts are heard.
asio::awaitable<AppResult> say(Execution& x, std::vector<std::string> prompts) {
  prepare_for_prompt(x.channel(), true);
  media::PlayOptions opts;
  opts.skip_missing = true;  // a character without a prompt is skipped, the rest is still said
  auto r = co_await media::play_files(x.channel_ptr(), std::move(prompts), std::move(opts));
  co_return r.status == media::PlayStatus::HungUp ? AppResult::Hangup : AppResult::Continue;
}

// Say* take the whole argument as text for SayAlpha/SayPhonetic (commas included would have been
// split by the parser: join them back as Asterisk passes the raw data).
std::string first_arg(std::string_view data) {
  auto args = split_args(data);
  return args.empty() ? std::string() : args[0];
}

asio::awaitable<AppResult> say_number(Execution& x, std::string_view data) {
  const std::string text = trim(first_arg(data));
  errno = 0;
  char* end = nullptr;
  const long long n = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE || n < -2147483648LL || n > 2147483647LL) {
    warn(x, "SayNumber", "'" + text + "' is not a number between -2147483648 and 2147483647");
    co_return AppResult::Continue;
  }
  auto prompts = media::number_prompts(n);
  co_return co_await say(x, std::move(prompts));
}

asio::awaitable<AppResult> say_digits(Execution& x, std::string_view data) {
  auto prompts = media::digit_prompts(first_arg(data));
  co_return co_await say(x, std::move(prompts));
}

asio::awaitable<AppResult> say_alpha(Execution& x, std::string_view data) {
  auto prompts = media::alpha_prompts(data);
  co_return co_await say(x, std::move(prompts));
}

asio::awaitable<AppResult> say_phonetic(Execution& x, std::string_view data) {
  auto prompts = media::phonetic_prompts(data);
  co_return co_await say(x, std::move(prompts));
}

}  // namespace

void register_say_applications(Engine& engine) {
  add_application(engine, "SayDigits",
                  doc("Say Digits.", "SayDigits(digits)",
                      "Says the digits one by one (digits/0 … digits/9, * as star, # as pound, - as minus); other "
                      "characters are skipped. Not interruptible; does not answer.",
                      {{"digits", "what to say"}}, {"SayNumber", "SayAlpha", "SayPhonetic"}),
                  say_digits);
  add_application(engine, "SayNumber",
                  doc("Say Number.", "SayNumber(digits[,gender])",
                      "Says the number as an English cardinal (\"one thousand two hundred thirty four\"), negative "
                      "numbers with \"minus\". A value that is not an integer in the 32-bit range is a warning and "
                      "nothing is said. Not interruptible; does not answer.",
                      {{"digits", "the number"}, {"gender", "accepted for compatibility (English has none)"}},
                      {"SayDigits", "SayAlpha"}),
                  say_number);
  add_application(engine, "SayAlpha",
                  doc("Say Alpha.", "SayAlpha(string)",
                      "Spells the string: letters/a … letters/z, digits, and the punctuation prompts of the English "
                      "set (at, dash, dot, dollar, plus, slash, equals, space, exclaimation-point, star, pound); "
                      "other printable characters use letters/asciiNN when it exists. Not interruptible.",
                      {{"string", "text to spell (the whole argument, commas included)"}},
                      {"SayDigits", "SayPhonetic"}),
                  say_alpha);
  add_application(engine, "SayPhonetic",
                  doc("Say Phonetic.", "SayPhonetic(string)",
                      "Spells the string with the NATO alphabet (phonetic/a_p \"alfa\" … phonetic/z_p \"zulu\"); "
                      "digits and punctuation as SayAlpha. Not interruptible.",
                      {{"string", "text to spell"}}, {"SayAlpha", "SayDigits"}),
                  say_phonetic);
}

}  // namespace telephony::dialplan
