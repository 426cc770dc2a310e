// PJSIPHangup (AMI action and dialplan application): refuse an incoming SIP call that is not yet
// answered with a chosen final response — a number 400–699 or a pjproject status name
// (BUSY_HERE, PJSIP_SC_UNSUPPORTED_CERTIFICATE …). As Asterisk: an unknown name or a number out
// of range becomes 603 Decline with a warning; the channel's hangup cause follows from the code
// (hangup_sip2cause), so DIALSTATUS and CDRs read as for any refused call. Unlike Asterisk, the
// AMI action answers an error (instead of "Channel Hungup") when the channel is not an
// unanswered incoming SIP call (docs/compatibility.md).
#include <regex.h>

#include <charconv>

#include "call_session.hpp"
#include "sip_console.hpp"
#include "telephony/dialplan/application.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/engine.hpp"
#include "telephony/manager/module.hpp"
#include "telephony/sip/uri.hpp"

// GCC 12 false positive on inlined coroutine frames (see app_dial.cpp).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace telephony::sip {

namespace {

struct StatusName {
  std::string_view name;
  int code;
};

// pjproject's pjsip_status_code names for final failure responses (without PJSIP_SC_).
constexpr StatusName kStatusNames[] = {
    {"BAD_REQUEST", 400}, {"UNAUTHORIZED", 401}, {"PAYMENT_REQUIRED", 402}, {"FORBIDDEN", 403},
    {"NOT_FOUND", 404}, {"METHOD_NOT_ALLOWED", 405}, {"NOT_ACCEPTABLE", 406},
    {"PROXY_AUTHENTICATION_REQUIRED", 407}, {"REQUEST_TIMEOUT", 408}, {"CONFLICT", 409}, {"GONE", 410},
    {"LENGTH_REQUIRED", 411}, {"CONDITIONAL_REQUEST_FAILED", 412}, {"REQUEST_ENTITY_TOO_LARGE", 413},
    {"REQUEST_URI_TOO_LONG", 414}, {"UNSUPPORTED_MEDIA_TYPE", 415}, {"UNSUPPORTED_URI_SCHEME", 416},
    {"UNKNOWN_RESOURCE_PRIORITY", 417}, {"BAD_EXTENSION", 420}, {"EXTENSION_REQUIRED", 421},
    {"SESSION_TIMER_TOO_SMALL", 422}, {"INTERVAL_TOO_BRIEF", 423}, {"BAD_LOCATION_INFORMATION", 424},
    {"USE_IDENTITY_HEADER", 428}, {"PROVIDE_REFERRER_HEADER", 429}, {"FLOW_FAILED", 430},
    {"ANONIMITY_DISALLOWED", 433}, {"BAD_IDENTITY_INFO", 436}, {"UNSUPPORTED_CERTIFICATE", 437},
    {"INVALID_IDENTITY_HEADER", 438}, {"FIRST_HOP_LACKS_OUTBOUND_SUPPORT", 439}, {"MAX_BREADTH_EXCEEDED", 440},
    {"BAD_INFO_PACKAGE", 469}, {"CONSENT_NEEDED", 470}, {"TEMPORARILY_UNAVAILABLE", 480},
    {"CALL_TSX_DOES_NOT_EXIST", 481}, {"LOOP_DETECTED", 482}, {"TOO_MANY_HOPS", 483}, {"ADDRESS_INCOMPLETE", 484},
    {"AMBIGUOUS", 485}, {"BUSY_HERE", 486}, {"REQUEST_TERMINATED", 487}, {"NOT_ACCEPTABLE_HERE", 488},
    {"BAD_EVENT", 489}, {"REQUEST_UPDATED", 490}, {"REQUEST_PENDING", 491}, {"UNDECIPHERABLE", 493},
    {"SECURITY_AGREEMENT_NEEDED", 494}, {"INTERNAL_SERVER_ERROR", 500}, {"NOT_IMPLEMENTED", 501},
    {"BAD_GATEWAY", 502}, {"SERVICE_UNAVAILABLE", 503}, {"SERVER_TIMEOUT", 504}, {"VERSION_NOT_SUPPORTED", 505},
    {"MESSAGE_TOO_LARGE", 513}, {"PUSH_NOTIFICATION_SERVICE_NOT_SUPPORTED", 555}, {"PRECONDITION_FAILURE", 580},
    {"BUSY_EVERYWHERE", 600}, {"DECLINE", 603}, {"DOES_NOT_EXIST_ANYWHERE", 604}, {"NOT_ACCEPTABLE_ANYWHERE", 606},
    {"UNWANTED", 607}, {"REJECTED", 608},
};

// The response a Cause argument asks for; 603 (with a warning naming the channel) when it is
// neither a known name nor a number in 400–699.
int response_code(Engine& engine, std::string_view channel, std::string_view cause) {
  cause = trim_lws(cause);
  int code = -1;
  if (auto [p, ec] = std::from_chars(cause.data(), cause.data() + cause.size(), code);
      ec != std::errc() || p != cause.data() + cause.size()) {
    code = -1;
    auto name = cause;
    if (name.size() > 9 && iequals(name.substr(0, 9), "PJSIP_SC_")) name.remove_prefix(9);
    for (const auto& s : kStatusNames)
      if (iequals(s.name, name)) code = s.code;
    if (code < 0) {
      engine.log().warning("chan_pjsip", std::string(channel) + ": Unrecognized response code parameter '" +
                                             std::string(cause) + "'. Defaulting to 603 DECLINE");
      return 603;
    }
  }
  if (code < 400 || code > 699) {
    engine.log().warning("chan_pjsip", std::string(channel) + ": Response code " + std::to_string(code) +
                                           " is out of range 400 -> 699. Defaulting to 603 DECLINE");
    return 603;
  }
  return code;
}

// True when `chan` is an unanswered incoming SIP call, which now gets `code`.
bool refuse_with(Channel& chan, int code) {
  auto session = session_of(chan);
  if (session && session->hangup_with_response(code)) return true;
  chan.engine().log().warning("chan_pjsip", chan.name() + ": Not an incoming SIP channel that is still unanswered");
  return false;
}

}  // namespace

void register_sip_hangup_action(manager::Server& server, std::weak_ptr<SipStack> weak) {
  server.register_action(
      "PJSIPHangup", manager::Privilege::System | manager::Privilege::Call,
      manager::ActionDoc{
          "Hangup an incoming PJSIP channel with a SIP response code",
          "Hangs up an incoming SIP channel that is not yet answered and returns the specified SIP response code "
          "in the final response to the caller. The channel's hangup cause follows from the code.",
          {manager::ActionArgument{"Channel", true,
                                   "The exact channel name to be hungup, or to use a regular expression, set this "
                                   "parameter to: /regex/"},
           manager::ActionArgument{"Cause", true,
                                   "A response code 400-699, or a response code name such as BUSY_HERE or "
                                   "PJSIP_SC_UNSUPPORTED_CERTIFICATE"}},
          {"Hangup"}},
      [weak](std::shared_ptr<manager::ActionResponder> r) {
        auto stack = weak.lock();
        if (!stack) return r->error("The SIP stack is not running");
        Engine& engine = stack->engine();
        const std::string target(r->request().get_or("Channel"));
        const std::string cause(r->request().get_or("Cause"));
        if (target.empty()) return r->error("No channel specified");
        if (cause.empty()) return r->error("No cause specified");
        if (target.size() < 2 || target.front() != '/' || target.back() != '/') {
          auto c = engine.find_channel(target);
          if (!c) return r->error("No such channel");
          if (!refuse_with(*c, response_code(engine, c->name(), cause)))
            return r->error("Not an incoming SIP channel that is still unanswered");
          return r->success("Channel Hungup");
        }
        // /regex/: every matching channel (POSIX extended, as Asterisk's Hangup).
        regex_t re;
        const std::string pattern = target.substr(1, target.size() - 2);
        if (::regcomp(&re, pattern.c_str(), REG_EXTENDED | REG_NOSUB) != 0)
          return r->error("Regex compile failed on: " + pattern);
        r->list_start("Channels hung up will follow");
        for (const auto& c : engine.channels()) {
          if (::regexec(&re, c->name().c_str(), 0, nullptr, 0) != 0) continue;
          if (!refuse_with(*c, response_code(engine, c->name(), cause))) continue;
          ami::Message ev;
          ev.add("Event", "ChannelHungup").add("Channel", c->name());
          r->list_item(std::move(ev));
        }
        ::regfree(&re);
        r->list_complete("ChannelsHungupListComplete");
      });
}

void register_sip_applications(Engine& engine) {
  auto app = std::make_shared<dialplan::Application>();
  app->name = "PJSIPHangup";
  app->doc.synopsis = "Hangup an incoming PJSIP channel with a SIP response code";
  app->doc.syntax = "PJSIPHangup(Cause)";
  app->doc.description =
      "Hangs up an incoming SIP channel and returns the specified SIP response code in the final response to the "
      "caller. Call it before anything sends another final response (Answer(), Playback() without noanswer). "
      "As with Hangup(), the dialplan ends after it.";
  app->doc.arguments = {{"Cause", "A response code 400-699, or a response code name such as BUSY_HERE"}};
  app->doc.see_also = {"Hangup"};
  app->run = [](dialplan::Execution& x, std::string_view data) -> boost::asio::awaitable<dialplan::AppResult> {
    Channel& chan = x.channel();
    if (trim_lws(data).empty()) {
      x.engine().log().warning("chan_pjsip", chan.name() + ": Missing response code parameter");
      co_return dialplan::AppResult::Hangup;
    }
    refuse_with(chan, response_code(x.engine(), chan.name(), data));
    co_return dialplan::AppResult::Hangup;
  };
  (void)engine.applications().add("PJSIPHangup", std::move(app));
}

}  // namespace telephony::sip
