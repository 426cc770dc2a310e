// ReadExten: digits collected while they can still form an extension of a context, checked
// against that context; SendText and ReceiveText: text messages on the channel.
#include <strings.h>

#include "apps/dialplan_apps.hpp"
#include "apps/media_apps.hpp"
#include "funcs/function_support.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/driver_abilities.hpp"
#include "telephony/media/channel_media.hpp"
#include "telephony/media/playback.hpp"

// GCC 12 false positive on inlined coroutine frames (see app_dial.cpp).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace telephony::dialplan {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace media_apps;

namespace {

asio::awaitable<AppResult> read_exten(Execution& x, std::string_view data) {
  Channel& chan = x.channel();
  auto chan_ptr = x.channel_ptr();
  auto args = split_args(data);
  if (args.empty() || args[0].empty()) {
    warn(x, "ReadExten", "Usage: ReadExten(variable[,filename[,context[,options[,timeout]]]])");
    chan.set_variable("READEXTENSTATUS", "ERROR");
    co_return AppResult::Continue;
  }
  const std::string var = args[0];
  const std::string file = args.size() > 1 ? args[1] : "";
  const std::string context = args.size() > 2 && !args[2].empty() ? args[2] : x.location().context;
  ParsedOptions opts;
  if (args.size() > 3) {
    if (auto p = parse_options(args[3], "")) opts = std::move(*p);
  }
  auto timeout = x.response_timeout;
  if (args.size() > 4) {
    if (auto t = parse_seconds(args[4]); t && t->count() > 0) timeout = std::chrono::duration_cast<std::chrono::seconds>(*t);
  }
  auto finish = [&](const char* status) {
    chan.set_variable("READEXTENSTATUS", status);
    return std::string_view(status) == "HANGUP" ? AppResult::Hangup : AppResult::Continue;
  };
  if (chan.state() != ChannelState::Up) {
    if (opts.has('s')) {
      chan.set_variable(var, "");
      co_return finish("SKIP");
    }
    if (!opts.has('n')) chan.answer();
  }
  prepare_for_prompt(chan, true);
  std::string exten;
  // The prompt (or, with i, an indication or tonelist) runs until the first digit.
  if (!file.empty() && opts.has('i')) {
    auto tones = media::play_tones(chan_ptr, file, tone_zone(chan));
    if (!tones) warn(x, "ReadExten", tones.error().to_string());
  } else if (!file.empty()) {
    media::PlayOptions po;
    po.interrupt_digits = "any";
    po.skip_missing = true;
    std::vector<std::string> prompts{file};
    auto r = co_await media::play_files(chan_ptr, std::move(prompts), std::move(po));
    if (r.status == media::PlayStatus::HungUp) co_return finish("HANGUP");
    if (r.status == media::PlayStatus::Interrupted) exten += r.digit;
  }
  const std::string caller = chan.caller().number;
  auto pbx = std::dynamic_pointer_cast<DialplanPbx>(x.engine().pbx());
  auto plan = pbx->snapshot();
  for (bool first = exten.empty();; first = false) {
    if (!exten.empty()) {
      const char last = exten.back();
      if (opts.has('p') && last == '#') {
        exten.pop_back();
        break;
      }
      if (!plan->match_more(context, exten, caller)) {
        if (last == '#' && !plan->exists(context, exten, 1, caller)) exten.pop_back();
        break;
      }
    }
    bool hung = false;
    auto d = co_await x.read_digit(first ? timeout : x.digit_timeout, &hung);
    media::stop_generator(chan_ptr);
    if (hung) co_return finish("HANGUP");
    if (!d) {
      if (exten.empty()) {
        chan.set_variable(var, "t");
        co_return finish("TIMEOUT");
      }
      break;
    }
    exten += *d;
  }
  media::stop_generator(chan_ptr);
  if (plan->exists(context, exten, 1, caller)) {
    chan.set_variable(var, exten);
    co_return finish("OK");
  }
  chan.set_variable(var, "i");
  chan.set_variable("INVALID_EXTEN", exten);
  co_return finish("INVALID");
}

// As app_sendtext: an enhanced driver (SIP) gets the content type and display names too; a basic
// one only text/*. SENDTEXTSTATUS is the driver's verdict: on SIP the phone's final response to
// the MESSAGE (Asterisk says SUCCESS once the message is queued; docs/compatibility.md).
asio::awaitable<AppResult> send_text(Execution& x, std::string_view data) {
  Channel& chan = x.channel();
  TextMessage msg;
  msg.body = chan.variable("SENDTEXT_BODY").value_or("");
  if (msg.body.empty()) msg.body = std::string(data);
  msg.content_type = chan.variable("SENDTEXT_CONTENT_TYPE").value_or("");
  msg.from_display_name = chan.variable("SENDTEXT_FROM_DISPLAYNAME").value_or("");
  msg.to_display_name = chan.variable("SENDTEXT_TO_DISPLAYNAME").value_or("");
  for (const char* v : {"SENDTEXT_FROM_DISPLAYNAME", "SENDTEXT_TO_DISPLAYNAME", "SENDTEXT_CONTENT_TYPE", "SENDTEXT_BODY"})
    chan.unset_variable(v);
  std::string msg_type = "NONE", status = "UNSUPPORTED";
  if (auto* driver = dynamic_cast<DriverText*>(&chan.tech())) {
    const bool enhanced = driver->enhanced_text();
    if (!enhanced && !msg.content_type.empty() && ::strncasecmp(msg.content_type.c_str(), "text/", 5) != 0) {
      // Only text/* goes through a driver without enhanced messaging (Asterisk returns -1).
      warn(x, "SendText", "content type '" + msg.content_type + "' cannot be sent on " + chan.name());
      co_return AppResult::Hangup;
    }
    msg_type = enhanced ? "ENHANCED" : "BASIC";
    const TextResult r = co_await driver->deliver_text(chan, std::move(msg));
    status = r.status == TextResult::Status::Success ? "SUCCESS" : "FAILURE";
  }
  chan.set_variable("SENDTEXTTYPE", msg_type);
  chan.set_variable("SENDTEXTSTATUS", status);
  co_return AppResult::Continue;
}

asio::awaitable<AppResult> receive_text(Execution& x, std::string_view data) {
  Channel& chan = x.channel();
  auto args = split_args(data);
  std::chrono::milliseconds timeout(-1);
  if (!args.empty() && !args[0].empty()) {
    auto t = parse_seconds(args[0]);
    if (!t) {
      warn(x, "ReceiveText", "Invalid timeout provided: " + args[0] + ". No timeout set.");
      co_return AppResult::Hangup;
    }
    if (t->count() > 0) timeout = *t;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = timeout.count() < 0 ? std::chrono::milliseconds(-1)
                                    : std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (timeout.count() >= 0 && left.count() <= 0) break;
    auto f = co_await chan.read(left);
    if (chan.hangup_requested()) break;
    if (f && f->kind == FrameKind::Text) {
      chan.set_variable("RECEIVETEXTSTATUS", "SUCCESS");
      chan.set_variable("RECEIVETEXTMESSAGE", std::string(f->text_view()));
      co_return AppResult::Continue;
    }
  }
  chan.set_variable("RECEIVETEXTSTATUS", "FAILURE");
  co_return chan.hangup_requested() ? AppResult::Hangup : AppResult::Continue;
}

}  // namespace

void register_readexten_applications(Engine& engine) {
  add_application(
      engine, "ReadExten",
      doc("Read an extension into a variable.", "ReadExten(variable[,filename[,context[,option[,timeout]]]])",
          "Answers (unless n), plays filename (or with i an indication or tonelist) until the first digit, and reads "
          "digits while they can still form a longer extension of context (default: the channel's): the first digit "
          "within timeout seconds (default TIMEOUT(response)), the others within TIMEOUT(digit). ${READEXTENSTATUS}: "
          "OK (variable holds a valid extension), TIMEOUT (nothing dialed; variable is \"t\"), INVALID (variable is "
          "\"i\", ${INVALID_EXTEN} the digits), SKIP (not answered and s), HANGUP, ERROR.",
          {{"variable", "where the extension goes"}, {"filename", "prompt (or tone with i)"},
           {"context", "where extensions are matched"},
           {"option", "s: return at once when not answered; i: filename is an indication; n: read without answering; "
                      "p: # ends the extension"},
           {"timeout", "seconds for the first digit"}},
          {"Read", "WaitExten"}),
      read_exten);
  add_application(
      engine, "SendText",
      doc("Send a Text Message on a channel.", "SendText([text])",
          "Sends text (or ${SENDTEXT_BODY} when set) to the channel's device; on SIP an in-dialog MESSAGE of an "
          "answered call. ${SENDTEXTSTATUS}: SUCCESS (SIP: the phone answered 2xx), FAILURE (refused, no answer "
          "within 32 s, the call not answered) or UNSUPPORTED (the driver has no text); ${SENDTEXTTYPE}: BASIC, "
          "ENHANCED (SIP: ${SENDTEXT_CONTENT_TYPE}, default text/plain;charset=UTF-8, and "
          "${SENDTEXT_FROM_DISPLAYNAME}/${SENDTEXT_TO_DISPLAYNAME} go into the MESSAGE) or NONE. A "
          "${SENDTEXT_CONTENT_TYPE} other than text/* cannot be sent by a basic driver and ends the call, as in "
          "Asterisk. The SENDTEXT_* variables are cleared afterwards.",
          {{"text", "the message"}}, {"ReceiveText"}),
      send_text);
  add_application(engine, "ReceiveText",
                  doc("Receive a Text Message on a channel.", "ReceiveText([timeout])",
                      "Waits timeout seconds (default 0: forever) for a text message from the device. "
                      "${RECEIVETEXTSTATUS}: SUCCESS or FAILURE (timeout or hangup); ${RECEIVETEXTMESSAGE}: the text.",
                      {{"timeout", "seconds"}}, {"SendText"}),
                  receive_text);
}

}  // namespace telephony::dialplan
