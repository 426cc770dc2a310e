// RetryDial: Dial() again and again, with an announcement and music on hold between attempts and a
// one-digit way out.
#include <cstdlib>

#include "apps/dialplan_apps.hpp"
#include "apps/media_apps.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/media/channel_media.hpp"
#include "telephony/media/music_on_hold.hpp"
#include "telephony/media/playback.hpp"

// GCC 12 false positive on inlined coroutine frames (see app_dial.cpp).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace telephony::dialplan {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace media_apps;

namespace {

// Dial's options (third argument) include d: digits may leave during the announcement too.
bool dtmf_exit(const std::string& dialargs) {
  auto a = split_args(dialargs);
  if (a.size() < 3) return false;
  auto o = parse_options(a[2], "ADLSbBmrU");
  return o && o->has('d');
}

// A digit takes the call to that one-digit extension of ${EXITCONTEXT} (or the current context)
// when it exists.
bool one_digit_goto(Execution& x, const std::string& exit_context, char digit) {
  const std::string context = exit_context.empty() ? x.location().context : exit_context;
  const std::string exten(1, digit);
  if (!x.exists(context, exten, 1)) return false;
  x.jump(context, exten, 1);
  return true;
}

asio::awaitable<AppResult> retry_dial(Execution& x, std::string_view data) {
  Channel& chan = x.channel();
  auto chan_ptr = x.channel_ptr();
  auto args = split_args(data);
  if (args.size() < 4) {
    warn(x, "RetryDial", "requires a 4th argument (dialdata)");
    co_return AppResult::Hangup;
  }
  const std::string announce = args[0];
  std::chrono::milliseconds pause(std::atoi(args[1].c_str()) * 1000LL);
  if (pause < 1s) pause = 10s;  // Asterisk's default (and floor)
  int loops = std::atoi(args[2].c_str());
  if (loops == 0) loops = -1;  // forever
  // Everything after the third comma is Dial's data, commas included.
  std::string dialargs = args[3];
  for (std::size_t i = 4; i < args.size(); ++i) dialargs += "," + args[i];
  const bool digits_during_announce = dtmf_exit(dialargs);
  const std::string exit_context = chan.variable("EXITCONTEXT").value_or("");
  while (loops != 0) {
    media::stop_generator(chan_ptr);
    const AppResult r = co_await x.run_application("Dial", dialargs);
    if (r == AppResult::Hangup || chan.hangup_requested()) co_return AppResult::Hangup;
    if (chan.variable("DIALSTATUS").value_or("") == "ANSWER") co_return AppResult::Continue;
    std::optional<char> digit;
    if (!announce.empty()) {
      media::PlayOptions po;
      if (digits_during_announce) po.interrupt_digits = "any";
      std::vector<std::string> prompts{announce};
      auto played = co_await media::play_files(chan_ptr, std::move(prompts), std::move(po));
      if (played.status == media::PlayStatus::HungUp) co_return AppResult::Hangup;
      if (played.status == media::PlayStatus::NotFound)
        warn(x, "RetryDial", "Announce file \"" + announce + "\" specified in Retrydial does not exist");
      if (played.status == media::PlayStatus::Interrupted) digit = played.digit;
    }
    if (!digit) {
      media::start_moh(chan_ptr, resolve_moh_class(x, "", "RetryDial"));
      bool hung = false;
      digit = co_await x.read_digit(pause, &hung);
      media::stop_generator(chan_ptr);
      if (hung) co_return AppResult::Hangup;
    }
    if (digit && one_digit_goto(x, exit_context, *digit)) co_return AppResult::Continue;
    if (loops > 0) --loops;
  }
  co_return AppResult::Continue;
}

}  // namespace

void register_retrydial_application(Engine& engine) {
  add_application(
      engine, "RetryDial",
      doc("Place a call, retrying on failure allowing an optional exit extension.",
          "RetryDial([announce],sleep,retries,dialargs)",
          "Calls Dial(dialargs). When nobody answered it plays announce, then music on hold for sleep seconds "
          "(missing or below 1: 10), and tries again, retries times (0: forever); "
          "then the dialplan continues. A digit pressed while waiting (and during the announcement when Dial's "
          "options include d) goes to that one-digit extension of ${EXITCONTEXT} (or the current context) if it "
          "exists. An answered call ends RetryDial as Dial would.",
          {{"announce", "prompt played after a failed attempt"}, {"sleep", "seconds between attempts"},
           {"retries", "attempts (0: no limit)"}, {"dialargs", "Dial's arguments"}},
          {"Dial"}),
      retry_dial);
}

}  // namespace telephony::dialplan
