// AGI SAY commands: ALPHA, DIGITS, NUMBER, PHONETIC on the media engine's English prompt lists,
// interruptible by the escape digits. SAY DATE/TIME/DATETIME are not here yet (docs/agi.md, open).
#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>

#include "agi/agi_command.hpp"
#include "agi/agi_session.hpp"
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
  add(t, {"say", "phonetic"},
      agi_doc("Says a given character string with phonetics.", "SAY PHONETIC STRING ESCAPE_DIGITS",
              "Spells the string with the NATO alphabet (alpha, bravo …). Returns 0, the ASCII code of an escape "
              "digit, or -1 on hangup.",
              {}, {"SayPhonetic"}),
      say_phonetic);
}

}  // namespace telephony::agi
