// The originate core: request -> identity and variables -> predial hook -> call -> monitor on the
// new channel's strand -> hand to the PBX or hang up (and run `failed`). See originate.hpp.
#include "telephony/originate.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <atomic>

#include "telephony/engine.hpp"

namespace telephony {

namespace asio = boost::asio;
using namespace std::chrono_literals;

std::string_view reason_text(OriginateReason r) {
  switch (r) {
    case OriginateReason::Failure: return "Call Failure (not BUSY, and not NO_ANSWER, maybe Circuit busy or down?)";
    case OriginateReason::Hangup: return "Hangup";
    case OriginateReason::NoAnswer: return "Remote end Ringing";
    case OriginateReason::Answered: return "Remote end has Answered";
    case OriginateReason::Busy: return "Remote end is Busy";
    case OriginateReason::Congestion: return "Congestion (circuits busy)";
  }
  return "Unknown Reason!!";
}

namespace {

constexpr std::string_view kSource = "originate";

// Delivers the result once, posted to the engine so that it never runs inside originate() or on
// the monitor's stack.
class Completion {
 public:
  Completion(Engine& engine, OriginateCallback cb) : engine_(engine), cb_(std::move(cb)) {}
  void operator()(OriginateResult r) {
    if (fired_.exchange(true)) return;
    asio::post(engine_.io(), [cb = std::move(cb_), r = std::move(r)] {
      if (cb) cb(r);
    });
  }

 private:
  Engine& engine_;
  OriginateCallback cb_;
  std::atomic<bool> fired_{false};
};

// `CDR(userfield)` -> {"CDR", "userfield"}; nullopt for a plain variable name.
std::optional<std::pair<std::string_view, std::string_view>> split_function_name(std::string_view name) {
  auto open = name.find('(');
  if (open == std::string_view::npos || open == 0 || name.back() != ')') return std::nullopt;
  return std::pair{name.substr(0, open), name.substr(open + 1, name.size() - open - 2)};
}

void apply_variables(Engine& engine, Channel& chan, const std::vector<std::pair<std::string, std::string>>& vars) {
  for (const auto& [name, value] : vars) {
    auto fn = split_function_name(name);
    if (!fn) {
      chan.set_variable(name, value);
      continue;
    }
    // As Asterisk's pbx_builtin_setvar_helper: an unknown or read-only function is a warning, and
    // the call still goes out.
    auto func = engine.functions().find(fn->first);
    if (!func || !func->write) {
      engine.log().warning(kSource, "Function " + std::string(fn->first) +
                                        (func ? " cannot be written to" : " not registered") + " (setting " + name +
                                        " on " + chan.name() + ")");
      continue;
    }
    auto r = func->write(dialplan::FunctionCall{engine, &chan, fn->first, fn->second}, value);
    if (!r) engine.log().warning(kSource, "Setting " + name + " on " + chan.name() + ": " + r.error().to_string());
  }
}

void apply_identity(Engine& engine, Channel& chan, const OriginateRequest& req) {
  if (req.caller_id) chan.set_caller(*req.caller_id);
  if (!req.account.empty()) chan.set_accountcode(req.account);
  apply_variables(engine, chan, req.variables);
}

// Causes that mean busy or congestion when the channel goes without the matching indication.
OriginateReason reason_for_cause(HangupCause c) {
  switch (c) {
    case HangupCause::UserBusy: return OriginateReason::Busy;
    case HangupCause::NormalCircuitCongestion:
    case HangupCause::SwitchCongestion: return OriginateReason::Congestion;
    default: return OriginateReason::Hangup;
  }
}

// Asterisk: a failed exten-form originate runs `failed`,1 on a channel named OutgoingSpoolFailed
// with the request's variables and ${REASON}. Returns its name, or "" when none was started.
std::string start_failed_extension(Engine& engine, const OriginateRequest& req, OriginateReason reason) {
  if (req.has_application() || !req.run_failed_extension || !engine.accepting_calls()) return {};
  auto pbx = engine.pbx();
  const std::string caller = req.caller_id ? req.caller_id->number : std::string();
  if (!pbx || !pbx->exists(req.context, "failed", 1, caller)) return {};
  Engine::ChannelInit init;
  init.tech = "OutgoingSpoolFailed";
  init.resource = req.context;
  init.impl = std::make_unique<ChannelTech>();  // no device behind it: every operation is a no-op
  init.direction = ChannelDirection::Inbound;
  auto chan = engine.create_channel(std::move(init));
  apply_identity(engine, *chan, req);
  chan->set_variable("REASON", std::to_string(static_cast<int>(reason)));
  chan->set_location({req.context, "failed", 1});
  engine.log().verbose(kSource, "Running failed@" + req.context + " on " + chan->name() + " (REASON=" +
                                    std::to_string(static_cast<int>(reason)) + ")");
  pbx->start(chan);
  return chan->name();
}

struct Outcome {
  OriginateReason reason = OriginateReason::Failure;
  HangupCause cause = HangupCause::NotDefined;
  std::string error;
};

// Reads the new channel's control frames until it is answered, refused, hung up or times out.
asio::awaitable<Outcome> await_answer(Channel::Ptr chan, const OriginateRequest& req) {
  const auto deadline = std::chrono::steady_clock::now() + req.timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) co_return Outcome{OriginateReason::NoAnswer, HangupCause::NoAnswer, "no answer"};
    auto f = co_await chan->read(left);
    if (!f) {
      if (!chan->hangup_requested()) continue;  // the loop sees the deadline
      auto cause = chan->hangup_cause();
      co_return Outcome{reason_for_cause(cause), cause, "hung up before answer (" + std::string(cause_text(cause)) + ")"};
    }
    if (f->kind != FrameKind::Control) continue;  // voice before answer is early media; nobody listens
    switch (static_cast<Control>(f->subclass)) {
      case Control::Answer: co_return Outcome{OriginateReason::Answered, HangupCause::NotDefined, ""};
      case Control::Busy: co_return Outcome{OriginateReason::Busy, HangupCause::UserBusy, "busy"};
      case Control::Congestion:
        co_return Outcome{OriginateReason::Congestion, HangupCause::NormalCircuitCongestion, "congestion"};
      case Control::Hangup:
        co_return Outcome{OriginateReason::Hangup, HangupCause::NormalClearing, "hung up before answer"};
      case Control::Progress:
        if (req.early_media) co_return Outcome{OriginateReason::Answered, HangupCause::NotDefined, ""};
        break;
      default: break;
    }
  }
}

// Runs on the new channel's strand and owns the channel (through `token`) until it hands it on.
asio::awaitable<void> monitor(Engine& engine, Channel::Ptr chan, std::shared_ptr<void> token, OriginateRequest req,
                              std::shared_ptr<Completion> done) {
  Outcome out;
  if (!req.predial_gosub.empty()) {
    auto pbx = engine.pbx();
    Result<void> r = fail("predial Gosub needs the dialplan module (no PBX is loaded)");
    if (pbx) r = co_await pbx->run_predial_gosub(chan, req.predial_gosub);
    // Asterisk dials even when the predial handler cannot run; the warning says why it did not.
    if (!r) engine.log().warning(kSource, "Predial Gosub(" + req.predial_gosub + ") on " + chan->name() + ": " +
                                              r.error().to_string());
  }
  if (chan->hangup_requested()) {
    out = {OriginateReason::Hangup, chan->hangup_cause(), "hung up before it was dialed"};
  } else {
    const std::string dest = req.dial.substr(req.dial.find('/') + 1);
    if (auto called = chan->call(dest, req.timeout); !called) {
      out = {OriginateReason::Failure, HangupCause::Unallocated, called.error().to_string()};
    } else {
      out = co_await await_answer(chan, req);
    }
  }

  OriginateResult res;
  res.reason = out.reason;
  if (out.reason == OriginateReason::Answered) {
    auto pbx = engine.pbx();
    Result<void> handed = {};
    if (req.has_application()) {
      handed = pbx ? pbx->start_application(chan, req.application, req.data)
                   : Result<void>(fail("application originate needs the dialplan module", chan->name()));
    } else if (pbx) {
      chan->set_location({req.context, req.exten, req.priority});
      pbx->start(chan);
    } else {
      handed = fail("no dialplan module is loaded", chan->name());
    }
    if (!handed) {
      // Answered but nobody can run it: report the failure and drop the call.
      res.reason = OriginateReason::Failure;
      res.error = handed.error().to_string();
      res.cause = HangupCause::NormalClearing;
      chan->request_hangup(HangupCause::NormalClearing);
    }
  } else {
    res.error = out.error;
    res.cause = out.cause;
    chan->set_hangup_cause(out.cause);
    chan->request_hangup(out.cause);
  }
  res.channel = chan->snapshot();
  token.reset();  // answered: the PBX holds its own token; otherwise this makes the hangup final
  if (res.reason != OriginateReason::Answered) {
    engine.log().debug(kSource, "Originate of " + req.dial + " failed, reason (" +
                                    std::to_string(static_cast<int>(res.reason)) + ") " +
                                    std::string(reason_text(res.reason)) + ": " + res.error);
    res.failed_channel = start_failed_extension(engine, req, res.reason);
  }
  (*done)(std::move(res));
}

}  // namespace

Result<void> validate_originate(Engine& engine, const OriginateRequest& req) {
  auto slash = req.dial.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == req.dial.size())
    return fail("channel '" + req.dial + "' is not Tech/resource");
  if (!engine.drivers().find(std::string_view(req.dial).substr(0, slash)))
    return fail("No such channel technology '" + req.dial.substr(0, slash) + "'");
  if (req.timeout <= 0ms) return fail("timeout must be positive");
  if (req.has_application()) {
    if (!engine.applications().find(req.application))
      return fail("No such application '" + req.application + "'");
  } else {
    if (req.context.empty() || req.exten.empty()) return fail("originate needs a context and an extension");
    if (req.priority < 1) return fail("priority must be 1 or more");
  }
  if (!engine.pbx()) return fail("no dialplan module is loaded; nothing could run the answered call");
  for (const auto* id : {&req.channel_id, &req.other_channel_id})
    if (!id->empty() && engine.find_channel(*id)) return fail("channel id '" + *id + "' is already in use");
  if (!req.channel_id.empty() && req.channel_id == req.other_channel_id)
    return fail("ChannelId and OtherChannelId must differ");
  return {};
}

void originate(Engine& engine, OriginateRequest req, OriginateCallback cb) {
  auto done = std::make_shared<Completion>(engine, std::move(cb));
  if (auto ok = validate_originate(engine, req); !ok) {
    OriginateResult res;
    res.error = ok.error().to_string();
    res.failed_channel = start_failed_extension(engine, req, res.reason);
    (*done)(std::move(res));
    return;
  }
  ChannelRequest creq;
  creq.formats = req.codecs;
  creq.uniqueid = req.channel_id;
  creq.other_uniqueid = req.other_channel_id;
  auto chan = engine.request_channel(req.dial, std::move(creq));
  if (!chan) {
    OriginateResult res;
    res.error = chan.error().to_string();
    engine.log().notice(kSource, "Unable to request channel " + req.dial + ": " + res.error);
    res.failed_channel = start_failed_extension(engine, req, res.reason);
    (*done)(std::move(res));
    return;
  }
  Channel::Ptr c = *chan;
  auto token = c->hold();
  apply_identity(engine, *c, req);
  asio::co_spawn(c->strand(), monitor(engine, c, std::move(token), std::move(req), done), asio::detached);
}

asio::awaitable<OriginateResult> originate(Engine& engine, OriginateRequest request) {
  auto initiate = [&engine](auto handler, OriginateRequest req) {
    auto h = std::make_shared<decltype(handler)>(std::move(handler));
    originate(engine, std::move(req), [h](const OriginateResult& r) {
      auto ex = asio::get_associated_executor(*h);
      asio::dispatch(ex, [h, r]() mutable { (*h)(std::move(r)); });
    });
  };
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(OriginateResult)>(
      std::move(initiate), asio::use_awaitable, std::move(request));
}

}  // namespace telephony
