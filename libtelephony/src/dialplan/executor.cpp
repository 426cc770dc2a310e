// The pbx loop (Asterisk's __ast_pbx_run) and DialplanPbx, the engine's Pbx.
#include "telephony/dialplan/executor.hpp"

#include <strings.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "telephony/engine.hpp"
#include "telephony/events.hpp"

namespace telephony::dialplan {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {
bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}
}  // namespace

// --- stepping ----------------------------------------------------------------------------------

bool Execution::locate() {
  auto f = plan_->find(loc_.context, loc_.exten, loc_.priority, caller_number());
  found_ = f ? *f : Found{};
  return f.has_value();
}

asio::awaitable<AppResult> Execution::execute_current() {
  const Priority& p = *found_.priority;
  auto keep = plan_;  // the priority lives in this snapshot; a jump may replace plan_
  std::string data = p.data.find('$') == std::string::npos ? p.data : substitute(p.data);
  chan_->set_location(loc_);
  chan_->set_application(p.app, data);
  Engine& eng = engine();
  // Asterisk's trace of every step (ast_verb(3) in pbx.c), built only when someone will see it.
  if (eng.log().enabled(LogLevel::Verbose, 3))
    eng.log().verbose(3, "pbx", "Executing [" + loc_.exten + "@" + loc_.context + ":" + std::to_string(loc_.priority) +
                                    "] " + p.app + "(\"" + chan_->name() + "\", \"" + data + "\") in new stack");
  DialplanStep ev;
  ev.channel = chan_->snapshot();
  ev.application = p.app;
  ev.data = data;
  eng.events().emit(std::move(ev));
  jumped_ = false;
  co_return co_await run_application(p.app, data);
}

asio::awaitable<AppResult> Execution::run_application(std::string_view app, std::string_view data) {
  auto a = engine().applications().find(app);
  if (!a || !a->run) {
    engine().log().warning("pbx", "No application '" + std::string(app) + "' for extension (" + loc_.context + ", " +
                                      loc_.exten + ", " + std::to_string(loc_.priority) + ")");
    co_return AppResult::Hangup;
  }
  co_return co_await a->run(*this, data);
}

void Execution::advance() {
  if (!jumped_) ++loc_.priority;
  jumped_ = false;
}

// --- special extensions ------------------------------------------------------------------------

bool Execution::goto_invalid(std::string_view dialed) {
  if (exists(loc_.context, "i", 1)) {
    engine().log().verbose("pbx", "Invalid extension '" + std::string(dialed) + "' in context '" + loc_.context +
                                      "' on " + chan_->name());
    chan_->set_variable("INVALID_EXTEN", std::string(dialed));
    jump(loc_.context, "i", 1);
    return true;
  }
  if (exists(loc_.context, "e", 1)) {
    raise_exception("INVALID");
    return true;
  }
  return false;
}

void Execution::raise_exception(std::string reason) {
  exception_ = ExceptionInfo{std::move(reason), loc_.context, loc_.exten, loc_.priority};
  jump(loc_.context, "e", 1);
}

bool Execution::handle_absolute_timeout() {
  if (exists(loc_.context, "T", 1)) {
    chan_->clear_timeout_hangup();
    absolute_deadline.reset();
    jump(loc_.context, "T", 1);
    return true;
  }
  if (exists(loc_.context, "e", 1)) {
    chan_->clear_timeout_hangup();
    absolute_deadline.reset();
    raise_exception("ABSOLUTETIMEOUT");
    return true;
  }
  return false;
}

// AMI Redirect / BlindTransfer interrupted the application: continue at the new location unless
// a real hangup came too.
asio::awaitable<bool> Execution::take_redirect() {
  if (!chan_->redirect_pending()) co_return false;
  auto r = chan_->take_redirect();
  if (!r) co_return false;
  engine().log().verbose("pbx", "Redirecting " + chan_->name() + " to " + r->to.context + "," + r->to.exten + "," +
                                    std::to_string(r->to.priority));
  if (r->first && !chan_->hangup_requested()) {
    co_await r->first(chan_);
    if (chan_->redirect_pending()) co_return co_await take_redirect();
  }
  jump(r->to.context, r->to.exten, r->to.priority);
  co_return !chan_->hangup_requested();
}

// --- digits ------------------------------------------------------------------------------------

asio::awaitable<std::optional<char>> Execution::read_digit(std::chrono::milliseconds timeout, bool* hung_up) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (chan_->hangup_requested()) {
      if (hung_up) *hung_up = true;
      co_return std::nullopt;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) co_return std::nullopt;
    auto f = co_await chan_->read(left);
    if (!f) continue;  // timeout or hangup: the checks above decide
    if (f->kind == FrameKind::DtmfEnd) co_return f->digit();
  }
}

asio::awaitable<AppResult> Execution::collect_extension(std::string buf, std::chrono::milliseconds first_wait) {
  bool hung = false;
  if (buf.empty()) {
    auto d = co_await read_digit(first_wait, &hung);
    if (hung) co_return AppResult::Hangup;
    if (d) buf += *d;
  }
  while (!buf.empty() && match_more(loc_.context, buf)) {
    auto d = co_await read_digit(digit_timeout, &hung);
    if (hung) co_return AppResult::Hangup;
    if (!d) break;
    buf += *d;
  }
  if (!buf.empty()) {
    if (exists(loc_.context, buf, 1)) {
      jump(loc_.context, buf, 1);
      co_return AppResult::Continue;
    }
    if (goto_invalid(buf)) co_return AppResult::Continue;
    engine().log().warning("pbx", "Invalid extension '" + buf + "', but no rule 'i' or 'e' in context '" +
                                      loc_.context + "'");
    co_return AppResult::Hangup;
  }
  if (exists(loc_.context, "t", 1)) {
    engine().log().verbose("pbx", "Timeout on " + chan_->name() + ", going to 't'");
    jump(loc_.context, "t", 1);
    co_return AppResult::Continue;
  }
  if (exists(loc_.context, "e", 1)) {
    raise_exception("RESPONSETIMEOUT");
    co_return AppResult::Continue;
  }
  engine().log().warning("pbx", "Timeout, but no rule 't' or 'e' in context '" + loc_.context + "'");
  co_return AppResult::Hangup;
}

// --- the loop ----------------------------------------------------------------------------------

asio::awaitable<Execution::LoopEnd> Execution::main_loop() {
  for (;;) {
    if (locate()) {
      AppResult r = co_await execute_current();
      if (in_h_) {
        if (r == AppResult::Hangup) co_return LoopEnd::Finished;
        advance();
        continue;
      }
      if (r == AppResult::Hangup || chan_->hangup_requested()) {
        if (co_await take_redirect()) continue;
        if (chan_->timeout_fired() && handle_absolute_timeout()) continue;
        engine().log().verbose(2, "pbx", "Spawn extension (" + loc_.context + ", " + loc_.exten + ", " +
                                             std::to_string(loc_.priority) + ") exited non-zero on '" + chan_->name() + "'");
        co_return chan_->hangup_requested() ? LoopEnd::HungUp : LoopEnd::Error;
      }
      advance();
      continue;
    }
    if (in_h_) co_return LoopEnd::Finished;
    if (chan_->hangup_requested()) {
      if (co_await take_redirect()) continue;
      if (chan_->timeout_fired() && handle_absolute_timeout()) continue;
      co_return LoopEnd::HungUp;
    }
    if (!exists(loc_.context, loc_.exten, 1)) {
      if (goto_invalid(loc_.exten)) continue;
      engine().log().warning("pbx", "Channel '" + chan_->name() + "' sent to invalid extension but no invalid handler: context,exten,priority=" +
                                        loc_.context + "," + loc_.exten + "," + std::to_string(loc_.priority));
      co_return LoopEnd::Error;
    }
    // The extension ran out of priorities.
    if (plan_->general().autofallthrough) {
      co_await fall_through();
      co_return LoopEnd::Finished;
    }
    AppResult r = co_await collect_extension("", response_timeout);
    if (r == AppResult::Hangup) {
      if (co_await take_redirect()) continue;
      if (chan_->timeout_fired() && handle_absolute_timeout()) continue;
      co_return chan_->hangup_requested() ? LoopEnd::HungUp : LoopEnd::Error;
    }
  }
}

asio::awaitable<void> Execution::fall_through() {
  std::string status = chan_->variable("DIALSTATUS").value_or("UNKNOWN");
  engine().log().verbose("pbx", "Auto fallthrough, channel '" + chan_->name() + "' status is '" + status + "'");
  const bool busy = iequals(status, "BUSY");
  if (busy || iequals(status, "CONGESTION") || iequals(status, "CHANUNAVAIL")) {
    chan_->indicate(busy ? Control::Busy : Control::Congestion);
    if (chan_->state() != ChannelState::Up) {
      chan_->set_hangup_cause(busy ? HangupCause::UserBusy : HangupCause::NormalCircuitCongestion);
      if (busy) chan_->set_state(ChannelState::Busy);
    }
    // As Asterisk's indicate_busy/congestion("10"): give the caller the tone, up to 10 s.
    co_await chan_->sleep(10s);
  }
}

asio::awaitable<void> Execution::run_hangup_extension() {
  if (!exists(loc_.context, "h", 1)) co_return;
  in_h_ = true;
  jump(loc_.context, "h", 1);
  jumped_ = false;
  co_await main_loop();
  in_h_ = false;
}

asio::awaitable<void> Execution::run() {
  chan_->set_pbx_running(true);
  if (loc_.exten.empty()) loc_.exten = "s";
  if (loc_.context.empty()) loc_.context = "default";
  if (loc_.priority < 1) loc_.priority = 1;
  if (!exists(loc_.context, loc_.exten, loc_.priority)) {
    if (exists(loc_.context, "s", 1)) {
      engine().log().verbose("pbx", "Starting " + chan_->name() + " at " + loc_.context + "," + loc_.exten + "," +
                                        std::to_string(loc_.priority) + " failed so falling back to exten 's'");
      loc_.exten = "s";
      loc_.priority = 1;
    } else if (exists("default", "s", 1)) {
      engine().log().verbose("pbx", "Starting " + chan_->name() + " at " + loc_.context + "," + loc_.exten + "," +
                                        std::to_string(loc_.priority) + " still failed so falling back to context 'default'");
      loc_ = {"default", "s", 1};
    }
  }
  chan_->set_location(loc_);
  co_await main_loop();
  if (!chan_->hangup_requested()) {
    auto cause = chan_->hangup_cause();
    chan_->request_hangup(cause == HangupCause::NotDefined ? HangupCause::NormalClearing : cause);
  }
  co_await run_hangup_extension();
  chan_->set_pbx_running(false);
  chan_->hangup();
}

// --- DialplanPbx -------------------------------------------------------------------------------

DialplanPbx::DialplanPbx(Engine& engine, std::shared_ptr<const Dialplan> plan) : engine_(engine) {
  replace(plan ? std::move(plan) : DialplanBuilder().build());
}

std::shared_ptr<const Dialplan> DialplanPbx::snapshot() const {
  std::lock_guard lock(mu_);
  return plan_;
}

void DialplanPbx::replace(std::shared_ptr<const Dialplan> plan) {
  if (plan->general().clearglobalvars) globals_.clear();
  for (const auto& [k, v] : plan->globals()) globals_.set(k, v);
  std::lock_guard lock(mu_);
  plan_ = std::move(plan);
}

void DialplanPbx::set_global(std::string_view name, std::string value) {
  GlobalVarSet ev;
  ev.variable = std::string(name);
  ev.value = value;
  globals_.set(name, std::move(value));
  engine_.events().emit(std::move(ev));
}

bool DialplanPbx::exists(std::string_view context, std::string_view exten, int priority,
                         std::string_view caller_number) const {
  return snapshot()->exists(context, exten, priority, caller_number);
}

bool DialplanPbx::can_match(std::string_view context, std::string_view exten, std::string_view caller_number) const {
  return snapshot()->can_match(context, exten, caller_number);
}

bool DialplanPbx::match_more(std::string_view context, std::string_view exten, std::string_view caller_number) const {
  return snapshot()->match_more(context, exten, caller_number);
}

void DialplanPbx::start(Channel::Ptr chan) {
  auto self = shared_from_this();
  auto token = chan->hold();
  asio::co_spawn(
      chan->strand(),
      [self, chan, token]() -> asio::awaitable<void> {
        try {
          Execution exec(*self, chan);
          co_await exec.run();
        } catch (const std::exception& e) {
          self->engine_.log().error("pbx", "dialplan of " + chan->name() + " ended by an exception: " + e.what());
          chan->set_pbx_running(false);
          chan->hangup();
        }
      },
      asio::detached);
}

Result<void> DialplanPbx::start_application(Channel::Ptr chan, std::string app, std::string data) {
  if (!engine_.applications().find(app)) return fail("no application '" + app + "'", chan->name());
  auto self = shared_from_this();
  auto token = chan->hold();
  asio::co_spawn(
      chan->strand(),
      [self, chan, token, app = std::move(app), data = std::move(data)]() -> asio::awaitable<void> {
        try {
          Execution exec(*self, chan);
          chan->set_pbx_running(true);
          chan->set_application(app, data);  // what `core show channels` and Status report
          co_await exec.run_application(app, data);
        } catch (const std::exception& e) {
          self->engine_.log().error("pbx", "application " + app + " on " + chan->name() + " ended by an exception: " + e.what());
        }
        chan->set_pbx_running(false);
        // Redirected while the application ran: the dialplan takes the channel there.
        if (auto r = chan->take_redirect(); r && !chan->hangup_requested()) {
          chan->continue_redirect(std::move(*r));
          co_return;
        }
        chan->hangup();
      },
      asio::detached);
  return {};
}

asio::awaitable<Result<void>> DialplanPbx::run_predial_gosub(Channel::Ptr chan, std::string gosub) {
  // Dial/Page/Originate write the target with '^' between context, exten and priority.
  auto paren = gosub.find('(');
  for (std::size_t i = 0; i < std::min(paren, gosub.size()); ++i)
    if (gosub[i] == '^') gosub[i] = ',';
  Execution exec(*this, chan);
  auto r = co_await exec.run_subroutine(gosub);
  if (!r) co_return Unexpected<Error>{r.error()};
  co_return Result<void>{};
}

Execution* DialplanPbx::execution_of(const Channel& chan) {
  auto& c = const_cast<Channel&>(chan);
  if (!c.strand().running_in_this_thread()) return nullptr;
  std::lock_guard lock(mu_);
  auto it = running_.find(&chan);
  return it == running_.end() ? nullptr : it->second;
}

void DialplanPbx::attach(const Channel& chan, Execution* e) {
  std::lock_guard lock(mu_);
  running_[&chan] = e;
}

void DialplanPbx::detach(const Channel& chan) {
  std::lock_guard lock(mu_);
  running_.erase(&chan);
}

bool run_failed_extension(Engine& engine, std::string_view context,
                          const std::vector<std::pair<std::string, std::string>>& vars, std::string_view reason) {
  auto pbx = std::dynamic_pointer_cast<DialplanPbx>(engine.pbx());
  if (!pbx || !pbx->exists(context, "failed", 1, "")) return false;
  Engine::ChannelInit init;
  init.tech = "OutgoingSpoolFailed";
  init.resource = "failed";
  init.impl = std::make_unique<ChannelTech>();
  auto chan = engine.create_channel(std::move(init));
  for (const auto& [k, v] : vars) chan->set_variable(k, v);
  chan->set_variable("REASON", std::string(reason));
  chan->set_location({std::string(context), "failed", 1});
  pbx->start(chan);
  return true;
}

}  // namespace telephony::dialplan
