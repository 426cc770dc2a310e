// In-band signalling: SendMF, ReceiveMF, SendSF, ReceiveSF, Morsecode, Zapateller. Sending plays
// one tonelist (tone_signals.cpp) on the channel's generator; receiving reads the channel's audio
// as 8 kHz signed linear through the MF/SF detectors.
#include <cstdlib>

#include "apps/dialplan_apps.hpp"
#include "apps/media_apps.hpp"
#include "apps/tone_signals.hpp"
#include "funcs/function_support.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/media/channel_media.hpp"
#include "telephony/media/codec.hpp"
#include "telephony/media/translator.hpp"

// GCC 12 false positive on inlined coroutine frames (see app_dial.cpp).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace telephony::dialplan {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace media_apps;

namespace {

std::optional<int> int_arg(const std::vector<std::string>& a, std::size_t i, int fallback) {
  if (i >= a.size() || funcs::trim(a[i]).empty()) return fallback;
  char* end = nullptr;
  long v = std::strtol(a[i].c_str(), &end, 10);
  if (*end != '\0' || v < 0 || v > 100000) return std::nullopt;
  return static_cast<int>(v);
}

// Plays `seq` on `target` while `self` waits for it to end; false when `self` hung up.
asio::awaitable<bool> play_sequence(Execution& x, const Channel::Ptr& target, const signals::ToneSequence& seq,
                                    std::string_view app) {
  if (seq.tonelist.empty()) co_return !x.channel().hangup_requested();
  auto task = media::play_tones(target, seq.tonelist);
  if (!task) {
    warn(x, app, task.error().to_string());
    co_return true;
  }
  // One frame of slack: the generator's last frame starts at the list's end.
  const bool ok = co_await x.channel().sleep(seq.length + 20ms);
  (*task)->stop();
  co_return ok;
}

// Plays `digits` split at flash (f/F) and wink (W) marks, which are indicated in between.
template <class Build>
asio::awaitable<AppResult> send_signals(Execution& x, const Channel::Ptr& target, std::string_view digits,
                                        std::string_view app, Build build) {
  std::string segment;
  auto flush = [&]() -> asio::awaitable<bool> {
    auto seq = build(segment);
    if (!seq.skipped.empty()) warn(x, app, "illegal characters '" + seq.skipped + "' skipped");
    segment.clear();
    co_return co_await play_sequence(x, target, seq, app);
  };
  for (char c : digits) {
    if (c == 'f' || c == 'F' || c == 'W') {
      if (!co_await flush()) co_return AppResult::Hangup;
      target->indicate(c == 'W' ? Control::Wink : Control::Flash);
      continue;
    }
    segment += c;
  }
  if (!co_await flush()) co_return AppResult::Hangup;
  co_return AppResult::Continue;
}

// Reads voice from the channel as 8 kHz slin for the detectors; restores the read format after.
class SlinReader {
 public:
  explicit SlinReader(Channel& c) : chan_(c), saved_(c.read_format()) { c.set_read_format(media::Format::slin(8000)); }
  ~SlinReader() { chan_.set_read_format(saved_); }
  SlinReader(const SlinReader&) = delete;
  SlinReader& operator=(const SlinReader&) = delete;
  // The next voice frame's samples (empty on timeout or other frames); nullopt on hangup.
  asio::awaitable<std::optional<std::vector<std::int16_t>>> next(std::chrono::milliseconds wait) {
    auto f = co_await chan_.read(wait);
    if (chan_.hangup_requested()) co_return std::nullopt;
    std::vector<std::int16_t> pcm;
    if (f && f->kind == FrameKind::Voice && f->format == media::Format::slin(8000)) {
      auto s = media::slin_samples(f->data());
      pcm.assign(s.begin(), s.end());
    }
    co_return pcm;
  }

 private:
  Channel& chan_;
  media::Format saved_;
};

asio::awaitable<AppResult> receive_mf(Execution& x, std::string_view data) {
  Channel& chan = x.channel();
  auto args = split_args(data);
  if (args.empty() || args[0].empty()) {
    warn(x, "ReceiveMF", "requires an argument (variable)");
    co_return AppResult::Continue;
  }
  std::optional<std::chrono::milliseconds> timeout;
  if (args.size() > 1 && !args[1].empty()) {
    auto t = parse_seconds(args[1]);
    if (!t) warn(x, "ReceiveMF", "invalid timeout '" + args[1] + "'; none used");
    else if (t->count() > 0) timeout = *t;
  }
  ParsedOptions opts;
  if (args.size() > 2) {
    if (auto p = parse_options(args[2], "n")) opts = std::move(*p);
  }
  const bool lax_kp = opts.has('l'), no_kp = opts.has('k'), no_st = opts.has('s'), override_kp = opts.has('o');
  const int max_digits = opts.has('n') ? std::atoi(opts.argument('n').c_str()) : 0;
  SlinReader reader(chan);
  signals::MfDetector detector;
  std::string out;
  int count = 0;
  std::string status;
  const auto start = std::chrono::steady_clock::now();
  while (status.empty()) {
    if (timeout && std::chrono::steady_clock::now() - start >= *timeout) {
      status = "TIMEOUT";
      break;
    }
    if (max_digits > 0 && count >= max_digits) {
      status = "MAXDIGITS";
      break;
    }
    auto pcm = co_await reader.next(20ms);
    if (!pcm) {
      status = "HANGUP";
      break;
    }
    for (char d : detector.feed(*pcm)) {
      if (count == 0 && !lax_kp && d != '*') continue;  // nothing counts before KP
      if (d == '*') {
        if (override_kp && count > 0) {
          out.clear();
          count = 1;
        } else {
          ++count;
        }
        if (!no_kp) out += d;
        continue;
      }
      ++count;
      const bool st = d == '#' || d == 'A' || d == 'B' || d == 'C';
      if (!st || !no_st) out += d;
      if (st) {
        status = "START";
        break;
      }
      if (max_digits > 0 && count >= max_digits) break;
    }
  }
  chan.set_variable(args[0], out);
  chan.set_variable("RECEIVEMFSTATUS", status);
  co_return status == "HANGUP" ? AppResult::Hangup : AppResult::Continue;
}

asio::awaitable<AppResult> receive_sf(Execution& x, std::string_view data) {
  Channel& chan = x.channel();
  auto args = split_args(data);
  if (args.empty() || args[0].empty()) {
    warn(x, "ReceiveSF", "requires an argument (variable)");
    co_return AppResult::Continue;
  }
  const auto max_digits = int_arg(args, 1, 0);
  std::optional<std::chrono::milliseconds> timeout;
  if (args.size() > 2 && !args[2].empty()) {
    auto t = parse_seconds(args[2]);
    if (t && t->count() > 0) timeout = *t;
  }
  const auto freq = int_arg(args, 3, 2600);
  if (!max_digits || !freq || *freq == 0 || *freq >= 100000) {
    warn(x, "ReceiveSF", "invalid digits or frequency argument");
    chan.set_variable("RECEIVESFSTATUS", "ERROR");
    co_return AppResult::Continue;
  }
  ParsedOptions opts;
  if (args.size() > 4) {
    if (auto p = parse_options(args[4], "t")) opts = std::move(*p);
  }
  const bool extra_pulses = opts.has('e');
  std::chrono::milliseconds post_digit = 800ms;
  if (opts.has('t')) {
    auto t = parse_seconds(opts.argument('t'));
    if (t && *t >= 600ms) post_digit = *t;
    else warn(x, "ReceiveSF", "t(" + opts.argument('t') + ") must be at least 0.6 seconds; 0.8 used");
  }
  constexpr auto kBetween = 600ms;  // no pulse for this long ends a digit
  SlinReader reader(chan);
  signals::SfDetector detector(*freq);
  std::string out;
  int hits = 0;
  std::chrono::steady_clock::time_point last_pulse{};
  std::string status;
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    if (timeout && now - start >= *timeout) {
      status = "TIMEOUT";
      break;
    }
    if (!out.empty() && hits == 0 && now - last_pulse >= post_digit) {
      status = "TIMEOUT";
      break;
    }
    if (hits > 0 && now - last_pulse >= kBetween) {
      char d;
      if (hits <= 10) d = static_cast<char>('0' + hits % 10);
      else if (!extra_pulses) d = '0';  // more than ten pulses: truncated to 0
      else d = "*#DCBA"[std::min(hits, 16) - 11];
      out += d;
      hits = 0;
      if (*max_digits > 0 && static_cast<int>(out.size()) >= *max_digits) {
        status = "START";
        break;
      }
    }
    auto pcm = co_await reader.next(20ms);
    if (!pcm) {
      status = "HANGUP";
      break;
    }
    if (int n = detector.feed(*pcm); n > 0) {
      hits += n;
      last_pulse = std::chrono::steady_clock::now();
    }
  }
  chan.set_variable(args[0], out);
  chan.set_variable("RECEIVESFSTATUS", status);
  co_return status == "HANGUP" ? AppResult::Hangup : AppResult::Continue;
}

Channel::Ptr target_channel(Execution& x, const std::vector<std::string>& args, std::size_t index, std::string_view app) {
  if (index >= args.size() || args[index].empty()) return x.channel_ptr();
  auto c = x.engine().find_channel(args[index]);
  if (!c) warn(x, app, "no such channel '" + args[index] + "'");
  return c;
}

}  // namespace

void register_signalling_applications(Engine& engine) {
  add_application(
      engine, "SendMF",
      doc("Sends arbitrary MF digits on the current or specified channel.",
          "SendMF(digits[,timeout_ms[,duration_ms[,duration_ms_kp[,duration_ms_st[,channel]]]]])",
          "Plays Bell R1 MF tones: 0-9, * (KP), # (ST), A (STP), B (ST2P), C (ST3P); w pauses 500 ms, h/H sends 250 ms "
          "of 2600 Hz, f/F indicates a flash-hook and W a wink. Key pulse and start digits are not added "
          "automatically. Other characters are skipped with a warning.",
          {{"digits", "the digits"}, {"timeout_ms", "silence after each digit (default 50)"},
           {"duration_ms", "numeric digits (default 55)"}, {"duration_ms_kp", "KP (default 120)"},
           {"duration_ms_st", "ST, STP, ST2P, ST3P (default 65)"}, {"channel", "where to play (default: this one)"}},
          {"ReceiveMF", "SendSF", "SendDTMF"}),
      [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
        auto args = split_args(data);
        if (args.empty() || args[0].empty()) {
          warn(x, "SendMF", "requires an argument (digits or *#ABC)");
          co_return AppResult::Continue;
        }
        signals::MfTiming t;
        auto between = int_arg(args, 1, 50), digit = int_arg(args, 2, 55), kp = int_arg(args, 3, 120), st = int_arg(args, 4, 65);
        if (!between || !digit || !kp || !st) {
          warn(x, "SendMF", "durations must be whole milliseconds");
          co_return AppResult::Continue;
        }
        t = {*between, std::max(*digit, 40), std::max(*kp, 40), std::max(*st, 40)};
        auto target = target_channel(x, args, 5, "SendMF");
        if (!target) co_return AppResult::Continue;
        // Named: GCC 12 mishandles lambda temporaries in a co_await operand.
        auto build = [t](const std::string& s) { return signals::mf_sequence(s, t); };
        co_return co_await send_signals(x, target, args[0], "SendMF", build);
      });
  add_application(
      engine, "ReceiveMF",
      doc("Detects MF digits on a channel and saves them to a variable.", "ReceiveMF(variable[,timeout[,options]])",
          "Reads a ST-, STP-, ST2P- or ST3P-terminated string of MF digits into variable (KP is '*', ST '#', STP 'A', "
          "ST2P 'B', ST3P 'C'). Digits before a KP are ignored unless l. Does not answer. ${RECEIVEMFSTATUS}: START (a "
          "start digit ended it), TIMEOUT, MAXDIGITS, HANGUP, ERROR.",
          {{"variable", "where the digits go"}, {"timeout", "seconds for all digits (fractions allowed); default none"},
           {"options", "l: accept digits before KP; k: leave KP out; s: leave ST out; o: a repeated KP starts over; "
                       "n(x): at most x digits; d, m, q, r: accepted"}},
          {"SendMF", "ReceiveSF", "Read"}),
      receive_mf);
  add_application(
      engine, "SendSF",
      doc("Sends arbitrary SF digits on the current or specified channel.", "SendSF(digits[,frequency[,channel]])",
          "Sends each digit as pulses of a single frequency (default 2600 Hz): N pulses of 67 ms on, 33 ms off (10 for "
          "0; 11-16 for * # D C B A), then 600 ms of silence. w pauses 500 ms, h/H sends 250 ms of 2600 Hz, f/F "
          "indicates a flash-hook and W a wink.",
          {{"digits", "the digits"}, {"frequency", "Hz (default 2600)"}, {"channel", "where to play (default: this one)"}},
          {"ReceiveSF", "SendMF", "SendDTMF"}),
      [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
        auto args = split_args(data);
        if (args.empty() || args[0].empty()) {
          warn(x, "SendSF", "requires an argument (digits)");
          co_return AppResult::Continue;
        }
        auto freq = int_arg(args, 1, 2600);
        if (!freq || *freq == 0 || *freq >= 100000) {
          warn(x, "SendSF", "invalid frequency '" + args[1] + "'");
          co_return AppResult::Continue;
        }
        auto target = target_channel(x, args, 2, "SendSF");
        if (!target) co_return AppResult::Continue;
        const int f = *freq;
        auto build = [f](const std::string& s) { return signals::sf_sequence(s, f); };
        co_return co_await send_signals(x, target, args[0], "SendSF", build);
      });
  add_application(
      engine, "ReceiveSF",
      doc("Detects SF digits on a channel and saves them to a variable.",
          "ReceiveSF(variable[,digits[,timeout[,frequency[,options]]]])",
          "Counts pulses of the frequency (default 2600 Hz) into digits (10 pulses are 0; with e, 11-16 are * # D C B "
          "A) until digits have been read, the timeout passes, or (after the first digit) no pulse comes for the "
          "post-digit time. Does not answer. ${RECEIVESFSTATUS}: START (digits reached), TIMEOUT, MAXDIGITS, HANGUP, "
          "ERROR.",
          {{"variable", "where the digits go"}, {"digits", "how many to read (default: no limit)"},
           {"timeout", "seconds for all digits; default none"}, {"frequency", "Hz (default 2600)"},
           {"options", "e: pulses 11-16; t(x): post-digit timeout, seconds, at least 0.6 (default 0.8); d, m, q, r: "
                       "accepted"}},
          {"SendSF", "ReceiveMF", "Read"}),
      receive_sf);
  add_application(
      engine, "Morsecode",
      doc("Plays morse code.", "Morsecode(string)",
          "Plays string as Morse code. ${MORSEDITLEN} sets the dit length in ms (default 80), ${MORSETONE} the tone in "
          "Hz (default 800), ${MORSESPACETONE} the tone of the spaces (default 0, silence) and ${MORSETYPE} the code: "
          "INTERNATIONAL (default) or AMERICAN. A dah is three dits; elements are a dit apart and characters three.",
          {{"string", "the text to play"}}, {"SayAlpha", "SayPhonetic"}),
      [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
        if (data.empty()) {
          warn(x, "Morsecode", "no argument found");
          co_return AppResult::Continue;
        }
        auto number = [&](const char* var, int fallback) {
          auto v = x.channel().variable(var);
          if (!v || v->empty()) return fallback;
          return std::atoi(v->c_str());
        };
        const bool american = x.channel().variable("MORSETYPE").value_or("") == "AMERICAN";
        auto seq = signals::morse_sequence(data, american, std::max(number("MORSEDITLEN", 80), 10),
                                           number("MORSETONE", 800), number("MORSESPACETONE", 0));
        prepare_for_prompt(x.channel(), true);
        co_return co_await play_sequence(x, x.channel_ptr(), seq, "Morsecode") ? AppResult::Continue : AppResult::Hangup;
      });
  add_application(
      engine, "Zapateller",
      doc("Block telemarketers with SIT.", "Zapateller([options])",
          "Plays the special information tone (950, 1400 and 1800 Hz, 330 ms each, then a second of silence) that "
          "autodialers take for a disconnected number. An unanswered channel is answered first with answer (else "
          "there is only a half-second pause); with nocallerid nothing is played when the caller has a number. "
          "${ZAPATELLERSTATUS}: NOTHING, ANSWERED or ZAPPED.",
          {{"options", "answer, nocallerid (comma separated)"}}, {"PlayTones"}),
      [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
        Channel& chan = x.channel();
        bool answer = false, nocallerid = false;
        for (const auto& o : split_args(data)) {
          if (funcs::to_lower(funcs::trim(o)) == "answer") answer = true;
          else if (funcs::to_lower(funcs::trim(o)) == "nocallerid") nocallerid = true;
        }
        chan.set_variable("ZAPATELLERSTATUS", "NOTHING");
        if (chan.state() != ChannelState::Up) {
          if (answer) {
            chan.answer();
            chan.set_variable("ZAPATELLERSTATUS", "ANSWERED");
          }
          if (!co_await chan.sleep(500ms)) co_return AppResult::Hangup;
        }
        if (nocallerid && !chan.caller().number.empty()) co_return AppResult::Continue;
        signals::ToneSequence sit;
        sit.tonelist = "!950/330,!1400/330,!1800/330,!0/1000";
        sit.length = 1990ms;
        prepare_for_prompt(chan, true);
        if (!co_await play_sequence(x, x.channel_ptr(), sit, "Zapateller")) co_return AppResult::Hangup;
        chan.set_variable("ZAPATELLERSTATUS", "ZAPPED");
        co_return AppResult::Continue;
      });
}

}  // namespace telephony::dialplan
