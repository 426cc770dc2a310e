// Actions that act on one channel (or a regex of them): Hangup, Setvar, Getvar, AbsoluteTimeout,
// PlayDTMF, SendText. Dialplan functions are reached through engine.functions(); which of them a
// user may call is ActionSettings::allowed_functions unless the user has `system` write access,
// because functions such as SHELL or FILE reach outside the call.
#include <regex.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "action_context.hpp"
#include "telephony/dialplan/application.hpp"
#include "telephony/dialplan/executor.hpp"

namespace telephony::manager {

namespace {

using ResponderPtr = std::shared_ptr<ActionResponder>;

bool parse_int(std::string_view text, long long& out) {
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && ec == std::errc() && p == text.data() + text.size();
}

// "NAME(args)" -> {NAME, args}; nullopt for a plain variable name.
std::optional<std::pair<std::string, std::string>> split_function(std::string_view v) {
  const auto open = v.find('(');
  if (open == std::string_view::npos || open == 0 || v.back() != ')') return std::nullopt;
  return std::pair{std::string(v.substr(0, open)), std::string(v.substr(open + 1, v.size() - open - 2))};
}

// nullopt when the user may call `name`, else the refusal text.
std::optional<std::string> function_refused(const ActionContextPtr& ctx, const ActionResponder& r, const std::string& name) {
  if (r.session().write.contains(Privilege::System)) return std::nullopt;
  const auto s = ctx->settings();
  for (const auto& allowed : s->allowed_functions)
    if (ami::iequals(allowed, name)) return std::nullopt;
  return "Function " + name + " is not allowed for this user (needs 'system' write access or "
         "manager.conf allowedfunctions)";
}

// Global variables live in the dialplan module; without it there are none to read or write.
std::shared_ptr<dialplan::DialplanPbx> globals_owner(const ActionContextPtr& ctx, const ResponderPtr& r) {
  auto pbx = std::dynamic_pointer_cast<dialplan::DialplanPbx>(ctx->engine.pbx());
  if (!pbx) r->error("No channel specified, and there are no global variables: the dialplan module (pbx_config, "
                     "extensions.conf) is not loaded");
  return pbx;
}

Channel::Ptr required_channel(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const auto name = header(*r, "Channel");
  if (name.empty()) {
    r->error("No channel specified");
    return nullptr;
  }
  auto c = ctx->engine.find_channel(name);
  if (!c) r->error("No such channel");
  return c;
}

void hangup(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const std::string target(header(*r, "Channel"));
  if (target.empty()) {
    r->error("No channel specified");
    return;
  }
  HangupCause cause = HangupCause::NormalClearing;
  if (const auto text = header(*r, "Cause"); !text.empty()) {
    auto c = cause_from_name(text);
    if (!c) {
      r->error("Invalid cause: " + std::string(text));
      return;
    }
    cause = *c;
  }
  if (target.size() < 2 || target.front() != '/' || target.back() != '/') {
    auto c = ctx->engine.find_channel(target);
    if (!c) {
      r->error("No such channel");
      return;
    }
    c->request_hangup(cause);
    r->success("Channel Hungup");
    return;
  }
  // /regex/: every channel whose name matches (POSIX extended, as Asterisk).
  regex_t re;
  const std::string pattern = target.substr(1, target.size() - 2);
  if (::regcomp(&re, pattern.c_str(), REG_EXTENDED | REG_NOSUB) != 0) {
    r->error("Regex compile failed on: " + pattern);
    return;
  }
  r->list_start("Channels hung up will follow");
  for (const auto& c : ctx->engine.channels()) {
    if (::regexec(&re, c->name().c_str(), 0, nullptr, 0) != 0) continue;
    c->request_hangup(cause);
    ami::Message ev;
    ev.add("Event", "ChannelHungup").add("Channel", c->name());
    r->list_item(std::move(ev));
  }
  ::regfree(&re);
  r->list_complete("ChannelsHungupListComplete");
}

void setvar(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const std::string variable(header(*r, "Variable"));
  if (variable.empty()) {
    r->error("No variable specified");
    return;
  }
  const std::string value(header(*r, "Value"));
  Channel::Ptr chan;
  if (!header(*r, "Channel").empty()) {
    chan = ctx->engine.find_channel(header(*r, "Channel"));
    if (!chan) {
      r->error("No such channel");
      return;
    }
  }
  if (auto fn = split_function(variable)) {
    if (auto why = function_refused(ctx, *r, fn->first)) return r->error(*why);
    auto f = ctx->engine.functions().find(fn->first);
    if (!f) return r->error("Unknown function " + fn->first);
    if (!f->write) return r->error("Function " + fn->first + " cannot be written");
    auto res = f->write(dialplan::FunctionCall{ctx->engine, chan.get(), fn->first, fn->second}, value);
    if (!res) return r->error("Function " + fn->first + " failed: " + res.error().message);
    r->success("Variable Set");
    return;
  }
  if (!chan) {
    // Without a channel Asterisk sets a global variable (as Set(GLOBAL(x)=...) does).
    auto pbx = globals_owner(ctx, r);
    if (!pbx) return;
    pbx->set_global(variable, value);
    r->success("Variable Set");
    return;
  }
  chan->set_variable(variable, value);
  r->success("Variable Set");
}

void getvar(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const std::string variable(header(*r, "Variable"));
  if (variable.empty()) {
    r->error("No variable specified");
    return;
  }
  Channel::Ptr chan;
  if (!header(*r, "Channel").empty()) {
    chan = ctx->engine.find_channel(header(*r, "Channel"));
    if (!chan) {
      r->error("No such channel");
      return;
    }
  }
  std::string value;
  if (auto fn = split_function(variable)) {
    if (auto why = function_refused(ctx, *r, fn->first)) return r->error(*why);
    auto f = ctx->engine.functions().find(fn->first);
    if (!f) return r->error("Unknown function " + fn->first);
    if (!f->read) return r->error("Function " + fn->first + " cannot be read");
    auto res = f->read(dialplan::FunctionCall{ctx->engine, chan.get(), fn->first, fn->second});
    if (!res) return r->error("Function " + fn->first + " failed: " + res.error().message);
    value = std::move(*res);
  } else if (chan) {
    // A channel without the variable falls back to the global of that name, as in the dialplan.
    auto v = chan->variable(variable);
    if (!v)
      if (auto pbx = std::dynamic_pointer_cast<dialplan::DialplanPbx>(ctx->engine.pbx())) v = pbx->globals().get(variable);
    value = v.value_or("");
  } else {
    auto pbx = globals_owner(ctx, r);
    if (!pbx) return;
    value = pbx->globals().get(variable).value_or("");
  }
  ami::Message m;
  m.add("Response", "Success").add("Variable", variable).add("Value", value);
  r->send(std::move(m));
}

void absolute_timeout(const ActionContextPtr& ctx, const ResponderPtr& r) {
  auto chan = required_channel(ctx, r);
  if (!chan) return;
  long long secs = 0;
  if (!parse_int(header(*r, "Timeout"), secs) || secs < 0) {
    r->error("Timeout must be a number of seconds (0 clears it)");
    return;
  }
  chan->set_absolute_timeout(std::chrono::seconds(secs));
  r->success("Timeout Set");
}

void play_dtmf(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const auto digit = header(*r, "Digit");
  if (digit.empty()) {
    r->error("No digit specified");
    return;
  }
  const char d = static_cast<char>(std::toupper(static_cast<unsigned char>(digit[0])));
  if (digit.size() != 1 || !(std::isdigit(static_cast<unsigned char>(d)) || d == '*' || d == '#' || (d >= 'A' && d <= 'D'))) {
    r->error("Digit must be one of 0-9, *, #, A-D");
    return;
  }
  long long ms = 100;
  if (const auto t = header(*r, "Duration"); !t.empty() && (!parse_int(t, ms) || ms <= 0 || ms > 60000)) {
    r->error("Duration must be milliseconds between 1 and 60000");
    return;
  }
  auto chan = required_channel(ctx, r);
  if (!chan) return;
  if (header_true(*r, "Receive")) {
    // As if the device had pressed it: the application reading the channel sees the digit.
    chan->queue_frame(Frame::dtmf_begin(d));
    chan->queue_frame(Frame::dtmf_end(d, std::chrono::milliseconds(ms)));
  } else {
    chan->send_digit(d, std::chrono::milliseconds(ms));
  }
  r->success("DTMF successfully queued");
}

void send_text(const ActionContextPtr& ctx, const ResponderPtr& r) {
  auto chan = required_channel(ctx, r);
  if (!chan) return;
  if (!r->request().has("Message")) {
    r->error("No Message specified");
    return;
  }
  chan->send_text(header(*r, "Message"));
  r->success("Success");
}

}  // namespace

void register_channel_control_actions(Server& server, const ActionContextPtr& ctx) {
  server.register_action(
      "Hangup", Privilege::System | Privilege::Call,
      ActionDoc{"Hangup channel.",
                "Hangs up a channel by exact name, or every channel whose name matches /regex/ (then an "
                "EventList of ChannelHungup events and ChannelsHungupListComplete).",
                {{"Channel", true, "The exact channel name to be hungup, or to use a regular expression, set this parameter to: /regex/"},
                 {"Cause", false, "Numeric hangup cause (or its name, e.g. USER_BUSY)."}},
                {"Status"}},
      [ctx](ResponderPtr r) { hangup(ctx, r); });
  server.register_action(
      "Setvar", Privilege::Call,
      ActionDoc{"Sets a channel variable or function value.",
                "Sets a variable on a channel, or writes a dialplan function (NAME(args)). Without Channel a "
                "global variable is set (the ones GLOBAL() reads; the dialplan module must be loaded). "
                "Functions not in allowedfunctions need system write access.",
                {{"Channel", false, "Channel to set variable for. If not set, a global variable is set."},
                 {"Variable", true, "Variable name, function or expression."},
                 {"Value", true, "Variable or function value."}},
                {"Getvar"}},
      [ctx](ResponderPtr r) { setvar(ctx, r); });
  server.register_action(
      "Getvar", Privilege::Call | Privilege::Reporting,
      ActionDoc{"Gets a channel variable or function value.",
                "Gets the value of a channel variable or dialplan function (NAME(args)). Without Channel a "
                "global variable is read (the ones GLOBAL() reads). Functions not in allowedfunctions need "
                "system write access.",
                {{"Channel", false, "Channel to read variable from. If not set, a global variable is read."},
                 {"Variable", true, "Variable name, function or expression."}},
                {"Setvar"}},
      [ctx](ResponderPtr r) { getvar(ctx, r); });
  server.register_action(
      "AbsoluteTimeout", Privilege::System | Privilege::Call,
      ActionDoc{"Set absolute timeout.",
                "Hangup a channel after a certain time. Acknowledges set time with Timeout Set message.",
                {{"Channel", true, "Channel name to hangup."}, {"Timeout", true, "Maximum duration of the call (sec)."}},
                {}},
      [ctx](ResponderPtr r) { absolute_timeout(ctx, r); });
  server.register_action(
      "PlayDTMF", Privilege::Call,
      ActionDoc{"Play DTMF signal on a specific channel.",
                "Plays a dtmf digit on the specified channel, or with Receive: true queues it as if the "
                "device had sent it.",
                {{"Channel", true, "Channel name to send digit to."},
                 {"Digit", true, "The DTMF digit to play."},
                 {"Duration", false, "The duration, in milliseconds, of the digit to be played."},
                 {"Receive", false, "Emulate receiving DTMF on this channel instead of sending it out."}},
                {}},
      [ctx](ResponderPtr r) { play_dtmf(ctx, r); });
  server.register_action(
      "SendText", Privilege::Call,
      ActionDoc{"Sends a text message to channel.",
                "Sends A Text Message to a channel while in a call.",
                {{"Channel", true, "Channel to send message to."}, {"Message", true, "Message to send."}},
                {}},
      [ctx](ResponderPtr r) { send_text(ctx, r); });
}

}  // namespace telephony::manager
