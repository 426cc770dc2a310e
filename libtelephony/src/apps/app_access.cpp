// Access control by the caller's digits: DISA (a password, then system dial tone), Authenticate
// (a password, a password file or AstDB keys), PrivacyManager (a number when there is no caller
// ID).
#include <openssl/evp.h>

#include <fstream>

#include "apps/dialplan_apps.hpp"
#include "apps/media_apps.hpp"
#include "funcs/function_support.hpp"
#include "telephony/astdb.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/media/channel_media.hpp"
#include "telephony/media/playback.hpp"

// GCC 12 false positive on inlined coroutine frames (see app_dial.cpp).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace telephony::dialplan {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace media_apps;

namespace {

bool all_digits(std::string_view s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos; }

asio::awaitable<bool> play(Execution& x, std::string prompt) {
  media::PlayOptions po;
  po.skip_missing = true;
  std::vector<std::string> list{std::move(prompt)};
  auto r = co_await media::play_files(x.channel_ptr(), std::move(list), std::move(po));
  co_return r.status != media::PlayStatus::HungUp;
}

// Congestion for ten seconds (the caller usually hangs up first), then the call ends.
asio::awaitable<AppResult> reorder(Execution& x) {
  media::stop_generator(x.channel_ptr());
  x.channel().indicate(Control::Congestion);
  co_await x.channel().sleep(10s);
  co_return AppResult::Hangup;
}

// A DISA passcode file line: passcode[,context[,cid[,mailbox]]] (# and ; start comments).
struct DisaEntry {
  std::string passcode, context, cid;
};

std::optional<DisaEntry> find_passcode(const std::string& file, const std::string& entered) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    auto parts = split_args(line);
    if (parts.empty() || !all_digits(funcs::trim(parts[0]))) continue;
    if (std::string(funcs::trim(parts[0])) != entered) continue;
    return DisaEntry{entered, parts.size() > 1 ? parts[1] : "", parts.size() > 2 ? parts[2] : ""};
  }
  return std::nullopt;
}

asio::awaitable<AppResult> disa(Execution& x, std::string_view data) {
  Channel& chan = x.channel();
  auto chan_ptr = x.channel_ptr();
  auto args = split_args(data);
  if (args.empty() || args[0].empty()) {
    warn(x, "DISA", "requires an argument (passcode/passcode file)");
    co_return AppResult::Hangup;
  }
  std::string context = args.size() > 1 && !args[1].empty() ? args[1] : "disa";
  std::string cid = args.size() > 2 ? args[2] : "";
  ParsedOptions opts;
  if (args.size() > 4) {
    if (auto p = parse_options(args[4], "")) opts = std::move(*p);
  }
  if (!opts.has('n') && chan.state() != ChannelState::Up) chan.answer();
  const std::string zone = tone_zone(chan);
  auto dialtone = [&] {
    media::stop_generator(chan_ptr);
    if (auto t = media::play_tones(chan_ptr, "dial", zone); !t) warn(x, "DISA", t.error().to_string());
  };
  bool authenticated = funcs::to_lower(args[0]) == "no-password";
  std::string account;
  dialtone();
  auto pbx = std::dynamic_pointer_cast<DialplanPbx>(x.engine().pbx());
  const std::string caller = chan.caller().number;
  std::string buf;
  bool any_digit = false;
  for (;;) {
    bool hung = false;
    auto d = co_await x.read_digit(any_digit ? x.digit_timeout : x.response_timeout, &hung);
    if (hung) {
      media::stop_generator(chan_ptr);
      co_return AppResult::Hangup;
    }
    if (!d) break;  // out of time: reorder below (or the number collected so far)
    if (!any_digit) media::stop_generator(chan_ptr);
    any_digit = true;
    if (!authenticated) {
      if (*d != '#') {
        buf += *d;
        continue;
      }
      // End of the password: a number is the passcode, anything else a file of passcodes.
      bool good = false;
      if (all_digits(args[0])) {
        good = buf == args[0];
      } else if (auto entry = find_passcode(args[0], buf)) {
        good = true;
        if (!entry->context.empty()) context = entry->context;
        if (!entry->cid.empty()) cid = entry->cid;
      }
      if (!good) {
        x.engine().log().warning("pbx", "DISA on chan " + chan.name() + " got bad password " + buf);
        co_return co_await reorder(x);
      }
      account = buf;
      buf.clear();
      authenticated = true;
      any_digit = false;
      dialtone();
      continue;
    }
    if (*d == '#' && !(buf.empty() && (pbx->snapshot()->match_more(context, "#", caller) ||
                                       pbx->snapshot()->exists(context, "#", 1, caller))))
      break;
    buf += *d;
    if (opts.has('p') && *d == '#') {
      buf.pop_back();
      break;
    }
    if (!pbx->snapshot()->match_more(context, buf, caller)) break;
  }
  media::stop_generator(chan_ptr);
  if (!authenticated || buf.empty()) co_return co_await reorder(x);
  std::string target = buf;
  if (!pbx->snapshot()->exists(context, target, 1, caller)) {
    chan.set_variable("INVALID_EXTEN", target);
    target = "i";
    if (!pbx->snapshot()->exists(context, target, 1, caller)) co_return co_await reorder(x);
  }
  if (!cid.empty()) chan.set_caller(CallerId::parse(cid));
  if (!account.empty()) chan.set_accountcode(account);
  x.jump(context, target, 1);
  co_return AppResult::Continue;
}

std::string md5_hex(std::string_view text) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(text.data(), text.size(), out, &len, EVP_md5(), nullptr);
  static constexpr char hex[] = "0123456789abcdef";
  std::string s;
  for (unsigned i = 0; i < len; ++i) {
    s += hex[out[i] >> 4];
    s += hex[out[i] & 15];
  }
  return s;
}

asio::awaitable<AppResult> authenticate(Execution& x, std::string_view data) {
  Channel& chan = x.channel();
  auto args = split_args(data);
  if (args.empty() || args[0].empty()) {
    warn(x, "Authenticate", "requires an argument (password)");
    co_return AppResult::Hangup;
  }
  if (chan.state() != ChannelState::Up) chan.answer();
  const std::string password = args[0];
  ParsedOptions opts;
  if (args.size() > 1) {
    if (auto p = parse_options(args[1], "")) opts = std::move(*p);
  }
  std::size_t max_digits = 0;
  if (args.size() > 2 && !args[2].empty()) {
    auto n = parse_integer(args[2]);
    if (n && *n >= 1 && *n <= 254) max_digits = static_cast<std::size_t>(*n);
  }
  std::string prompt = args.size() > 3 && !args[3].empty() ? args[3] : "agent-pass";
  prepare_for_prompt(chan, true);
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto entered = co_await get_data(x, prompt, max_digits, x.response_timeout, x.digit_timeout);
    if (!entered) co_return AppResult::Hangup;
    bool ok = false;
    std::string account = *entered;
    if (password[0] != '/') {
      ok = *entered == password;
    } else if (opts.has('d')) {
      // AstDB: the family is the "password" without its slash; a key named as the entered digits.
      auto got = x.engine().astdb().get(password.substr(1), *entered);
      ok = got && *got;
      if (ok && opts.has('r')) (void)x.engine().astdb().del(password.substr(1), *entered);
    } else {
      std::ifstream in(password);
      if (!in) warn(x, "Authenticate", "Unable to open file '" + password + "' for authentication");
      std::string line;
      while (!ok && std::getline(in, line)) {
        if (line.empty()) continue;
        if (opts.has('m')) {
          // accountcode:md5(password)
          auto colon = line.find(':');
          if (colon == std::string::npos) continue;
          if (md5_hex(*entered) == line.substr(colon + 1)) {
            ok = true;
            account = line.substr(0, colon);
          }
        } else if (line == *entered) {
          ok = true;
        }
      }
    }
    if (ok) {
      if (opts.has('a')) chan.set_accountcode(account);
      if (!co_await play(x, "auth-thankyou")) co_return AppResult::Hangup;
      co_return AppResult::Continue;
    }
    prompt = "auth-incorrect";
  }
  co_await play(x, "vm-goodbye");
  co_return AppResult::Hangup;
}

asio::awaitable<AppResult> privacy_manager(Execution& x, std::string_view data) {
  Channel& chan = x.channel();
  if (!chan.caller().number.empty()) co_return AppResult::Continue;  // caller ID present: nothing to do
  if (chan.state() != ChannelState::Up) chan.answer();
  auto args = split_args(data);
  int max_retries = 3, min_length = 10;
  if (!args.empty() && !args[0].empty()) {
    auto n = parse_integer(args[0]);
    if (n && *n > 0) max_retries = static_cast<int>(*n);
    else warn(x, "PrivacyManager", "Invalid max retries argument: '" + args[0] + "'");
  }
  if (args.size() > 1 && !args[1].empty()) {
    auto n = parse_integer(args[1]);
    if (n && *n > 0) min_length = static_cast<int>(*n);
    else warn(x, "PrivacyManager", "Invalid min length argument: '" + args[1] + "'");
  }
  const std::string check_context = args.size() > 3 ? args[3] : "";
  auto pbx = std::dynamic_pointer_cast<DialplanPbx>(x.engine().pbx());
  prepare_for_prompt(chan, true);
  if (!co_await chan.sleep(1s) || !co_await play(x, "privacy-unident")) co_return AppResult::Hangup;
  for (int attempt = 0; attempt < max_retries; ++attempt) {
    if (!co_await play(x, "privacy-prompt")) co_return AppResult::Hangup;
    // Asterisk's ast_readstring: 5 s for the first digit, 3.2 s between digits, # ends.
    auto number = co_await get_data(x, "", 29, 5000ms, 3200ms);
    if (!number) co_return AppResult::Hangup;
    const bool long_enough = static_cast<int>(number->size()) >= min_length;
    const bool allowed = check_context.empty() || pbx->snapshot()->exists(check_context, *number, 1, "");
    if (long_enough && allowed) {
      if (!co_await play(x, "privacy-thankyou")) co_return AppResult::Hangup;
      chan.set_caller(CallerId{*number, "Privacy Manager", 0});
      chan.set_variable("PRIVACYMGRSTATUS", "SUCCESS");
      co_return AppResult::Continue;
    }
    if (!co_await play(x, "privacy-incorrect")) co_return AppResult::Hangup;
  }
  chan.set_variable("PRIVACYMGRSTATUS", "FAILED");
  co_return AppResult::Continue;
}

}  // namespace

void register_access_applications(Engine& engine) {
  add_application(
      engine, "DISA",
      doc("Direct Inward System Access.", "DISA(passcode|filename[,context[,cid[,mailbox[@context][,options]]]])",
          "Answers (unless n) and plays dial tone. The caller enters the numeric passcode followed by #; a filename "
          "instead of a passcode holds one passcode[,context[,cid[,mailbox]]] per line (# and ; comment lines); "
          "no-password skips this step. Then dial tone again, and the digits dialed (while a longer extension of "
          "context, default \"disa\", can still match; # ends them with p) are the extension the call continues at — "
          "or i with ${INVALID_EXTEN}. The passcode becomes the account code and cid the caller ID. A bad passcode, "
          "a timeout or an invalid extension without i gets ten seconds of congestion and the call ends. mailbox is "
          "accepted (no voicemail here, so never a stutter tone).",
          {{"passcode|filename", "numeric passcode, a passcode file, or no-password"},
           {"context", "where the dialed extension runs (default disa)"},
           {"cid", "caller ID for the call, \"Name\" <number>"},
           {"mailbox", "accepted"},
           {"options", "n: do not answer; p: # ends the extension"}},
          {"Authenticate"}),
      disa);
  add_application(
      engine, "Authenticate",
      doc("Authenticate a user", "Authenticate(password[,options[,maxdigits[,prompt]]])",
          "Answers, plays prompt (default agent-pass) and reads digits until # or maxdigits. The entry must equal "
          "password; a password starting with / is a file with one password per line (with m: accountcode:md5hash "
          "lines), or with d an AstDB family whose key named as the entry must exist (r deletes it after use). Three "
          "attempts (auth-incorrect before the second and third); success plays auth-thankyou and continues, failure "
          "plays vm-goodbye and hangs up. With a the account code becomes the password entered (with m: the file's "
          "account code).",
          {{"password", "password, /path/to/file, or /family with d"},
           {"options", "a: set the account code; d: AstDB; m: accountcode:md5 file; r: remove the AstDB key"},
           {"maxdigits", "stop after this many digits (default: until #)"},
           {"prompt", "prompt(s) to play, & separated"}},
          {"DISA", "VMAuthenticate"}),
      authenticate);
  add_application(
      engine, "PrivacyManager",
      doc("Require phone number to be entered, if no CallerID sent", "PrivacyManager([maxretries[,minlength[,options[,context]]]])",
          "Without a caller ID number: answers, plays privacy-unident, and asks (privacy-prompt) for the caller's "
          "number, at least minlength digits (default 10) and, with context, an extension that exists there. "
          "maxretries attempts (default 3). The number becomes the caller ID (name \"Privacy Manager\"). "
          "${PRIVACYMGRSTATUS}: SUCCESS or FAILED. With a caller ID number the application does nothing.",
          {{"maxretries", "attempts"}, {"minlength", "minimum number of digits"}, {"options", "reserved"},
           {"context", "the number must be an extension of this context"}},
          {"Zapateller"}),
      privacy_manager);
}

}  // namespace telephony::dialplan
