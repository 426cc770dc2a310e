// Read() and WaitDigit(): DTMF input into variables, with READSTATUS / WAITDIGITSTATUS.
#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>

#include "apps/dialplan_apps.hpp"
#include "apps/media_apps.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/media/channel_media.hpp"
#include "telephony/media/playback.hpp"

namespace telephony::dialplan {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace media_apps;

namespace {

asio::awaitable<AppResult> read_app(Execution& x, std::string_view data) {
  auto args = split_args(data);
  Channel& chan = x.channel();
  auto chan_ptr = x.channel_ptr();
  const std::string var = args.empty() ? std::string() : trim(args[0]);
  if (var.empty()) {
    warn(x, "Read", "requires a variable name: Read(variable[,filename][,maxdigits][,options][,attempts][,timeout])");
    chan.set_variable("READSTATUS", "ERROR");
    co_return AppResult::Continue;
  }
  const std::string prompt_arg = args.size() > 1 ? args[1] : std::string();
  std::size_t maxdigits = 255;
  if (args.size() > 2 && !trim(args[2]).empty()) {
    auto n = parse_integer(args[2]);
    if (n && *n > 0 && *n < 255) maxdigits = static_cast<std::size_t>(*n);
  }
  auto parsed = parse_options(args.size() > 3 ? args[3] : std::string(), "t");
  if (!parsed) {
    warn(x, "Read", parsed.error().to_string());
    chan.set_variable("READSTATUS", "ERROR");
    co_return AppResult::Continue;
  }
  const std::string terminators = parsed->has('t') ? parsed->argument('t') : "#";
  long long attempts = 1;
  if (args.size() > 4 && !trim(args[4]).empty()) {
    auto n = parse_integer(args[4]);
    if (n && *n > 0) attempts = *n;
  }
  auto first_timeout = x.response_timeout;
  auto next_timeout = x.digit_timeout;
  if (args.size() > 5 && !trim(args[5]).empty()) {
    auto t = parse_seconds(args[5]);
    if (t && t->count() > 0) first_timeout = next_timeout = *t;
  }

  if (chan.state() != ChannelState::Up) {
    if (parsed->has('s')) {
      chan.set_variable("READSTATUS", "SKIPPED");
      co_return AppResult::Continue;
    }
    prepare_for_prompt(chan, parsed->has('n'));
  } else {
    prepare_for_prompt(chan, true);
  }

  std::string buf;
  std::string status = "TIMEOUT";
  for (long long attempt = 0; attempt < attempts; ++attempt) {
    buf.clear();
    bool terminated = false;
    // The prompt (or indication tone with `i`); any digit stops it and counts as the first one.
    if (parsed->has('i') && !trim(prompt_arg).empty()) {
      auto tones = media::play_tones(chan_ptr, trim(prompt_arg), tone_zone(chan));
      if (!tones) warn(x, "Read", tones.error().to_string());
    } else if (auto prompts = split_prompts(prompt_arg); !prompts.empty()) {
      media::PlayOptions po;
      po.interrupt_digits = "any";
      auto r = co_await media::play_files(chan_ptr, std::move(prompts), std::move(po));
      if (r.status == media::PlayStatus::HungUp) {
        chan.set_variable("READSTATUS", "HANGUP");
        co_return AppResult::Hangup;
      }
      if (r.status == media::PlayStatus::NotFound || r.status == media::PlayStatus::Failed) {
        warn(x, "Read", r.error);
        chan.set_variable("READSTATUS", "ERROR");
        co_return AppResult::Continue;
      }
      if (r.status == media::PlayStatus::Interrupted) {
        if (terminators.find(r.digit) != std::string::npos) terminated = true;
        else buf += r.digit;
      }
    }
    bool timed_out = false;
    while (!terminated && buf.size() < maxdigits) {
      bool hung = false;
      auto d = co_await x.read_digit(buf.empty() ? first_timeout : next_timeout, &hung);
      if (parsed->has('i')) media::stop_generator(chan_ptr);  // the tone stops at the first digit
      if (hung) {
        chan.set_variable("READSTATUS", "HANGUP");
        co_return AppResult::Hangup;
      }
      if (!d) {
        timed_out = true;
        break;
      }
      if (terminators.find(*d) != std::string::npos) terminated = true;
      else buf += *d;
    }
    if (parsed->has('i')) media::stop_generator(chan_ptr);
    if (!timed_out) {
      status = "OK";  // # (also with nothing before it) or maxdigits reached
      break;
    }
    if (!buf.empty()) {
      status = "TIMEOUT";  // some digits, then silence: kept, as Asterisk does
      break;
    }
  }
  if (auto r = x.assign(var, buf); !r) warn(x, "Read", r.error().to_string());
  chan.set_variable("READSTATUS", status);
  co_return AppResult::Continue;
}

asio::awaitable<AppResult> wait_digit(Execution& x, std::string_view data) {
  auto args = split_args(data);
  Channel& chan = x.channel();
  auto timeout = std::chrono::milliseconds(-1);
  if (!args.empty() && !trim(args[0]).empty()) {
    auto t = parse_seconds(args[0]);
    if (!t) {
      warn(x, "WaitDigit", "invalid number of seconds '" + args[0] + "'");
      chan.set_variable("WAITDIGITSTATUS", "ERROR");
      co_return AppResult::Continue;
    }
    timeout = *t;
  }
  const std::string accepted = args.size() > 1 ? trim(args[1]) : std::string();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (chan.hangup_requested()) {
      chan.set_variable("WAITDIGITSTATUS", "CANCEL");
      co_return AppResult::Hangup;
    }
    auto wait = std::chrono::milliseconds(-1);
    if (timeout.count() >= 0) {
      wait = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (wait.count() <= 0) {
        chan.set_variable("WAITDIGITSTATUS", "TIMEOUT");
        co_return AppResult::Continue;
      }
    }
    auto f = co_await chan.read(wait);
    if (!f || f->kind != FrameKind::DtmfEnd) continue;
    if (!accepted.empty() && accepted.find(f->digit()) == std::string::npos) continue;
    chan.set_variable("WAITDIGITRESULT", std::string(1, f->digit()));
    chan.set_variable("WAITDIGITSTATUS", "DTMF");
    co_return AppResult::Continue;
  }
}

}  // namespace

void register_read_applications(Engine& engine) {
  add_application(
      engine, "Read",
      doc("Read a variable.", "Read(variable[,filename[&filename2[&...]][,maxdigits[,options[,attempts[,timeout]]]]])",
          "Plays the prompts (any digit stops them and counts) and reads a #-terminated string of digits into "
          "variable. Reading ends on a terminator, after maxdigits digits, or after the timeout (first digit: "
          "TIMEOUT(response), further digits: TIMEOUT(digit), unless timeout is given). With nothing entered the "
          "prompt is repeated up to attempts times. Digits followed by a timeout are kept. Sets READSTATUS: OK, "
          "TIMEOUT, HANGUP, SKIPPED or ERROR.",
          {{"variable", "where the digits go"}, {"filenames", "prompts joined by & (or a tone with option i)"},
           {"maxdigits", "stop after this many digits (0/empty: up to 255, until the terminator)"},
           {"options", "s: SKIPPED when not answered; n: read without answering; i: filename is an indication "
                       "tone or tonelist; t(digits): terminators instead of # (t() or t: none)"},
           {"attempts", "tries when nothing is entered (default 1)"},
           {"timeout", "seconds per digit, overriding the TIMEOUT() values"}},
          {"WaitDigit", "Background", "TIMEOUT"}),
      read_app);
  add_application(
      engine, "WaitDigit",
      doc("Waits for a digit to be entered.", "WaitDigit([seconds[,digits]])",
          "Waits up to seconds (fractions allowed; empty: forever) for one of the accepted digits; others are "
          "ignored. Sets WAITDIGITSTATUS (DTMF, TIMEOUT, CANCEL on hangup, ERROR for bad arguments) and "
          "WAITDIGITRESULT (the digit, only with DTMF).",
          {{"seconds", "how long to wait"}, {"digits", "digits to accept (empty: any)"}},
          {"Read", "WaitExten"}),
      wait_digit);
}

}  // namespace telephony::dialplan
