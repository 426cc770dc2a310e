// SendDTMF: digits to the calling channel (or another one), paced like a keypad.
#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>

#include "apps/dialplan_apps.hpp"
#include "apps/media_apps.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/media/dtmf.hpp"

namespace telephony::dialplan {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace media_apps;

namespace {

asio::awaitable<AppResult> send_dtmf(Execution& x, std::string_view data) {
  auto args = split_args(data);
  Channel& chan = x.channel();
  const std::string digits = args.empty() ? std::string() : trim(args[0]);
  if (digits.empty()) {
    warn(x, "SendDTMF", "requires an argument (digits or w/W pauses)");
    co_return AppResult::Continue;
  }
  auto between = 250ms;
  auto duration = 100ms;
  if (args.size() > 1 && !trim(args[1]).empty()) {
    if (auto v = parse_integer(args[1])) between = std::chrono::milliseconds(*v);
    else warn(x, "SendDTMF", "invalid timeout_ms '" + args[1] + "'");
  }
  if (args.size() > 2 && !trim(args[2]).empty()) {
    if (auto v = parse_integer(args[2]); v && *v >= 40) duration = std::chrono::milliseconds(*v);
    else warn(x, "SendDTMF", "invalid duration_ms '" + args[2] + "' (at least 40)");
  }
  Channel::Ptr target = x.channel_ptr();
  if (args.size() > 3 && !trim(args[3]).empty()) {
    target = chan.engine().find_channel(trim(args[3]));
    if (!target) {
      warn(x, "SendDTMF", "no channel '" + trim(args[3]) + "'");
      co_return AppResult::Continue;
    }
  }
  for (char c : digits) {
    // The pauses and gaps run on the calling channel, so its hangup stops the sequence.
    if (c == 'w' || c == 'W') {
      if (!co_await chan.sleep(c == 'w' ? 500ms : 1000ms)) co_return AppResult::Hangup;
      continue;
    }
    const char d = static_cast<char>(c >= 'a' && c <= 'd' ? c - 'a' + 'A' : c);
    if (media::kDtmfDigits.find(d) == std::string_view::npos) {
      warn(x, "SendDTMF", std::string("illegal DTMF character '") + c + "' skipped");
      continue;
    }
    target->send_digit(d, duration);
    if (!co_await chan.sleep(duration + between)) co_return AppResult::Hangup;
  }
  co_return AppResult::Continue;
}

}  // namespace

void register_dtmf_applications(Engine& engine) {
  add_application(engine, "SendDTMF",
                  doc("Sends arbitrary DTMF digits.", "SendDTMF(digits[,timeout_ms[,duration_ms[,channel]]])",
                      "Sends the digits (0-9 * # A-D) one by one: each lasts duration_ms (default 100), followed by "
                      "timeout_ms of gap (default 250). w pauses half a second, W a second. Devices that need in-band "
                      "DTMF get the tone pairs in their audio. With channel the digits go to that channel instead.",
                      {{"digits", "0-9, *, #, A-D, w, W"}, {"timeout_ms", "gap between digits"},
                       {"duration_ms", "length of each digit (at least 40)"}, {"channel", "send to this channel"}},
                      {"Read", "WaitDigit"}),
                  send_dtmf);
}

}  // namespace telephony::dialplan
