// Originate(tech_data,type,arg1[,arg2[,arg3[,timeout[,options]]]]): the dialplan's way to place
// a call on the originate core (telephony/originate.hpp) — Asterisk's app_originate. The
// current channel waits for the outcome (unless option a) and gets ${ORIGINATE_STATUS}.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>

#include "dialplan_apps.hpp"
#include "funcs/function_support.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/originate.hpp"

namespace telephony::dialplan {

namespace {

namespace asio = boost::asio;

// Asterisk's mapping of the originate outcome to ORIGINATE_STATUS.
std::string_view status_of(const OriginateResult& r) {
  switch (r.reason) {
    case OriginateReason::Answered: return "SUCCESS";
    case OriginateReason::Busy: return "BUSY";
    case OriginateReason::Congestion: return "CONGESTION";
    case OriginateReason::NoAnswer: return "NOANSWER";
    case OriginateReason::Hangup:
    case OriginateReason::Failure: return "CHANUNAVAIL";
  }
  return "FAILED";
}

// `ctx^exten^prio(args)` -> `ctx,exten,prio(args)` (Gosub syntax).
std::string gosub_target(std::string text) {
  const auto paren = text.find('(');
  for (std::size_t i = 0; i < std::min(paren, text.size()); ++i)
    if (text[i] == '^') text[i] = ',';
  return text;
}

asio::awaitable<AppResult> originate_app(Execution& x, std::string_view data) {
  auto failed = [&](const std::string& why) {
    x.engine().log().warning("pbx", "Originate: " + why);
    x.channel().set_variable("ORIGINATE_STATUS", "FAILED");
  };
  auto args = split_args(data);
  if (args.size() < 3 || args[0].empty() || args[2].empty()) {
    failed("expected Originate(tech_data,type,arg1[,arg2[,arg3[,timeout[,options]]]])");
    co_return AppResult::Continue;
  }
  args.resize(7);
  OriginateRequest req;
  req.dial = args[0];
  // The type is compared without regard to case, as Asterisk does (Originate(...,EXTEN,...)).
  if (funcs::keyword_is(args[1], "exten")) {
    req.context = args[2];
    req.exten = args[3].empty() ? "s" : args[3];
    if (!args[4].empty()) {
      int n = 0;
      auto [p, ec] = std::from_chars(args[4].data(), args[4].data() + args[4].size(), n);
      if (ec != std::errc() || p != args[4].data() + args[4].size() || n < 1) {
        failed("priority '" + args[4] + "' is not a number >= 1");
        co_return AppResult::Continue;
      }
      req.priority = n;
    }
  } else if (funcs::keyword_is(args[1], "app")) {
    req.application = args[2];
    req.data = args[3];
  } else {
    failed("type must be 'exten' or 'app', not '" + args[1] + "'");
    co_return AppResult::Continue;
  }
  if (!args[5].empty()) {
    char* end = nullptr;
    const double secs = std::strtod(args[5].c_str(), &end);
    if (end == args[5].c_str() || *end != '\0' || secs <= 0) {
      failed("timeout '" + args[5] + "' is not a positive number of seconds");
      co_return AppResult::Continue;
    }
    req.timeout = std::chrono::milliseconds(static_cast<long long>(secs * 1000));
  }
  auto opts = parse_options(args[6], "bBv");
  if (!opts) {
    failed(opts.error().message);
    co_return AppResult::Continue;
  }
  if (opts->has('b')) req.predial_gosub = opts->argument('b');
  if (opts->has('c')) req.caller_id = x.channel().caller();
  if (opts->has('v')) {
    for (auto& item : split_args(opts->argument('v'), '^')) {
      const auto eq = item.find('=');
      if (eq == std::string::npos || eq == 0) {
        failed("v(): '" + item + "' is not name=value");
        co_return AppResult::Continue;
      }
      req.variables.emplace_back(item.substr(0, eq), item.substr(eq + 1));
    }
  }
  if (auto ok = validate_originate(x.engine(), req); !ok) {
    failed(ok.error().message);
    co_return AppResult::Continue;
  }
  if (opts->has('B') && !opts->argument('B').empty()) {
    // Predial Gosub on the current channel, before the new one is requested.
    auto r = co_await x.run_subroutine(gosub_target(opts->argument('B')));
    if (!r) {
      failed("B(): " + r.error().message);
      co_return AppResult::Continue;
    }
    if (x.channel().hangup_requested()) co_return AppResult::Hangup;
  }
  if (opts->has('a')) {
    // Continue at once; the outcome is only logged.
    Engine* engine = &x.engine();
    const std::string dial = req.dial;
    originate(x.engine(), std::move(req), [engine, dial](const OriginateResult& r) {
      if (!r.answered())
        engine->log().notice("pbx", "Originate to " + dial + " failed: " + std::string(reason_text(r.reason)));
    });
    x.channel().set_variable("ORIGINATE_STATUS", "SUCCESS");
    co_return AppResult::Continue;
  }
  auto result = co_await originate(x.engine(), std::move(req));
  x.channel().set_variable("ORIGINATE_STATUS", std::string(status_of(result)));
  co_return x.channel().hangup_requested() ? AppResult::Hangup : AppResult::Continue;
}

}  // namespace

void register_originate_application(Engine& engine) {
  add_application(
      engine, "Originate",
      Documentation{
          "Originate a call.",
          "Originate(tech_data,type,arg1[,arg2[,arg3[,timeout[,options]]]])",
          "Places a call to tech_data and, when it answers, connects it to an extension (type exten: arg1 "
          "context, arg2 extension (default s), arg3 priority (default 1)) or to an application (type app: arg1 "
          "application, arg2 its data). The current channel waits for the outcome (option a: it does not) and "
          "continues with ORIGINATE_STATUS set: SUCCESS (answered; with a: queued), BUSY, CONGESTION, NOANSWER "
          "(timeout), CHANUNAVAIL (the channel could not be created, refused the call or hung up), FAILED "
          "(bad arguments, unknown technology or destination).",
          {{"tech_data", "Channel technology and data, e.g. Local/100@default or SIP/alice."},
           {"type", "exten or app."},
           {"arg1", "Context (exten) or application (app)."},
           {"arg2", "Extension (exten) or application data (app)."},
           {"arg3", "Priority (exten)."},
           {"timeout", "Seconds to wait for an answer (default 30)."},
           {"options", "a: asynchronous; b(context^exten^priority(args)): Gosub on the new channel before it is "
                       "dialed; B(context^exten^priority(args)): Gosub on the current channel first; c: the new "
                       "channel gets this channel's caller id; v(var1=value1^var2=value2): variables of the new "
                       "channel."}},
          {"Dial", "Originate (AMI)"}},
      originate_app);
}

}  // namespace telephony::dialplan
