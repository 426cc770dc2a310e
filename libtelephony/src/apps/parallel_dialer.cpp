// The parallel dialing shared by Dial() and Page(); see parallel_dialer.hpp.
#include "apps/parallel_dialer.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "telephony/engine.hpp"
#include "telephony/events.hpp"

// GCC 12 reports -Wmismatched-new-delete on coroutines whose frame it inlines (asio's awaitable
// frame has its own operator new/delete pair); a known false positive, silenced for this file.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace telephony::dialplan {

namespace asio = boost::asio;
using namespace std::chrono_literals;

std::string_view dialstatus_word(LegOutcome o) {
  switch (o) {
    case LegOutcome::Pending: return "";
    case LegOutcome::Answered: return "ANSWER";
    case LegOutcome::Busy: return "BUSY";
    case LegOutcome::Congestion: return "CONGESTION";
    case LegOutcome::ChanUnavail: return "CHANUNAVAIL";
    case LegOutcome::NoAnswer: return "NOANSWER";
    case LegOutcome::Cancel: return "CANCEL";
  }
  return "";
}

std::string gosub_from_option(std::string_view text) {
  std::string out(text);
  int depth = 0;
  for (char& c : out) {
    if (c == '(') ++depth;
    else if (c == ')' && depth > 0) --depth;
    else if (c == '^' && depth == 0) c = ',';
  }
  return out;
}

namespace {

// A leg that hung up before answering, by its cause (Asterisk's handle_cause in app_dial).
LegOutcome outcome_for_cause(HangupCause c) {
  switch (c) {
    case HangupCause::UserBusy: return LegOutcome::Busy;
    case HangupCause::NormalCircuitCongestion:
    case HangupCause::SwitchCongestion: return LegOutcome::Congestion;
    case HangupCause::NotDefined:
    case HangupCause::NormalClearing:
    case HangupCause::NoUserResponse:
    case HangupCause::NoAnswer: return LegOutcome::NoAnswer;
    default: return LegOutcome::ChanUnavail;
  }
}

}  // namespace

std::shared_ptr<ParallelDialer> ParallelDialer::create(Channel::Ptr caller, Settings settings) {
  return std::make_shared<ParallelDialer>(std::move(caller), std::move(settings));
}

ParallelDialer::ParallelDialer(Channel::Ptr caller, Settings settings)
    : engine_(caller->engine()), caller_(caller), caller_snapshot_(caller->snapshot()), settings_(std::move(settings)) {}

void ParallelDialer::dial(const std::vector<std::string>& dialstrings) {
  auto caller = caller_.lock();
  std::vector<std::pair<std::size_t, Channel::Ptr>> started;
  {
    std::lock_guard lock(mu_);
    for (const auto& ds : dialstrings) {
      Leg leg;
      leg.info.dialstring = ds;
      const auto slash = ds.find('/');
      if (slash == std::string::npos || slash == 0 || slash + 1 == ds.size()) {
        leg.info.outcome = LegOutcome::ChanUnavail;
        leg.info.error = "'" + ds + "' is not Tech/resource";
      } else {
        leg.resource = ds.substr(slash + 1);
        auto chan = engine_.request(ds, caller.get(), caller ? caller->native_formats() : std::vector<media::Format>{});
        if (!chan) {
          leg.info.outcome = LegOutcome::ChanUnavail;
          leg.info.error = chan.error().to_string();
        } else {
          leg.info.chan = *chan;
        }
      }
      if (!leg.info.error.empty())
        engine_.log().warning(settings_.log_source, "Unable to create channel of type '" + ds + "': " + leg.info.error);
      legs_.push_back(std::move(leg));
      if (legs_.back().info.chan) started.emplace_back(legs_.size() - 1, legs_.back().info.chan);
    }
  }
  for (auto& [index, chan] : started) {
    // The outbound leg presents the caller's identity (Asterisk copies caller id, language and
    // account code to the dialed channel; `_`/`__` variables came with the request).
    if (caller) {
      chan->set_caller(caller->caller());
      chan->set_connected(caller->caller());
      chan->set_language(caller->language());
      if (!caller->accountcode().empty()) chan->set_accountcode(caller->accountcode());
    }
    auto token = chan->hold();
    // The spawned function owns the dialer: a monitor's body starts only when the leg's strand
    // runs it, and by then the caller may be gone with its reference (a page that ended at once:
    // shared_from_this() there was a use after free, found by make tsan). The bindings are copied
    // by init-capture: clang before 16 (make fuzz) cannot capture a structured binding.
    asio::co_spawn(
        chan->strand(),
        [self = shared_from_this(), index = index, chan = chan, token = std::move(token)]() mutable -> asio::awaitable<void> {
          co_await self->monitor(index, chan, std::move(token));
        },
        asio::detached);
  }
  wake_caller();
}

asio::awaitable<void> ParallelDialer::monitor(std::size_t index, Channel::Ptr leg, std::shared_ptr<void> token) {
  auto self = shared_from_this();  // the dialer lives as long as any monitor
  if (!settings_.predial_gosub.empty()) {
    auto pbx = engine_.pbx();
    Result<void> r = fail("predial Gosub needs the dialplan module");
    if (pbx) r = co_await pbx->run_predial_gosub(leg, settings_.predial_gosub);
    // As Asterisk: a predial handler that cannot run does not stop the call.
    if (!r) engine_.log().warning(settings_.log_source, "Predial Gosub(" + settings_.predial_gosub + ") on " +
                                                            leg->name() + ": " + r.error().to_string());
  }
  auto [outcome, cause] = co_await await_answer(index, leg);
  if (outcome == LegOutcome::Answered) {
    if (claim_answer(index)) {
      finish(index, LegOutcome::Answered);
      if (settings_.on_answered) co_await settings_.on_answered(leg, index);
      if (!leg->hangup_requested()) leg->request_hangup(HangupCause::NormalClearing);
      token.reset();
      co_return;
    }
    outcome = LegOutcome::Cancel;  // answered after another leg won
    cause = HangupCause::AnsweredElsewhere;
  }
  finish(index, outcome);
  leg->set_hangup_cause(cause);
  leg->request_hangup(cause);
  token.reset();  // makes the hangup final
}

asio::awaitable<std::pair<LegOutcome, HangupCause>> ParallelDialer::await_answer(std::size_t index, Channel::Ptr leg) {
  using Outcome = std::pair<LegOutcome, HangupCause>;
  auto cancelled = [&]() -> std::optional<Outcome> {
    if (auto as = cancelled_as(index)) return Outcome{*as, leg->hangup_cause()};
    return std::nullopt;
  };
  if (leg->hangup_requested()) co_return cancelled().value_or(Outcome{LegOutcome::Cancel, leg->hangup_cause()});

  std::string resource;
  {
    std::lock_guard lock(mu_);
    resource = legs_[index].resource;
  }
  {
    DialBegin ev;
    ev.caller = caller_snapshot_;
    ev.dest = leg->snapshot();
    ev.dialstring = resource;
    engine_.events().emit(std::move(ev));
  }
  const auto timeout = settings_.timeout.count() > 0 ? settings_.timeout : std::chrono::hours(24 * 365);
  if (auto called = leg->call(resource, timeout); !called) {
    engine_.log().notice(settings_.log_source, "Unable to call " + leg->name() + ": " + called.error().to_string());
    co_return Outcome{LegOutcome::ChanUnavail, HangupCause::Unallocated};
  }
  // Asterisk's app_dial verbose trace (ast_verb(3)): Called / is ringing / answered.
  const bool trace = engine_.log().enabled(LogLevel::Verbose, 3);  // no text built when nobody listens
  if (trace) engine_.log().verbose(3, settings_.log_source, "Called " + std::string(leg->tech_name()) + "/" + resource);
  const auto deadline = settings_.timeout.count() > 0 ? std::chrono::steady_clock::now() + settings_.timeout
                                                      : std::chrono::steady_clock::time_point::max();
  for (;;) {
    std::chrono::milliseconds left(-1);
    if (deadline != std::chrono::steady_clock::time_point::max()) {
      left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left <= 0ms) co_return Outcome{LegOutcome::NoAnswer, HangupCause::NoAnswer};
    }
    auto f = co_await leg->read(left);
    if (!f) {
      if (!leg->hangup_requested()) continue;  // the loop checks the deadline
      if (auto c = cancelled()) co_return *c;
      auto cause = leg->hangup_cause();
      co_return Outcome{outcome_for_cause(cause), cause};
    }
    if (f->kind == FrameKind::Voice) {
      // Early media (a carrier's ringback or announcement, SIP 183 with SDP): to the caller while
      // this leg is the source; nobody hears the other legs.
      if (is_early_media_source(index))
        if (auto c = caller_.lock()) c->write(*f);
      continue;
    }
    if (f->kind != FrameKind::Control) continue;
    switch (static_cast<Control>(f->subclass)) {
      case Control::Answer:
        if (trace)
          engine_.log().verbose(3, settings_.log_source,
                                leg->name() + " answered " + (caller_snapshot_ ? caller_snapshot_->name : std::string("the call")));
        co_return Outcome{LegOutcome::Answered, HangupCause::NotDefined};
      case Control::Busy: co_return Outcome{LegOutcome::Busy, HangupCause::UserBusy};
      case Control::Congestion: co_return Outcome{LegOutcome::Congestion, HangupCause::NormalCircuitCongestion};
      case Control::Hangup: co_return Outcome{LegOutcome::NoAnswer, HangupCause::NormalClearing};
      case Control::Ringing:
        if (trace) engine_.log().verbose(3, settings_.log_source, leg->name() + " is ringing");
        [[fallthrough]];
      case Control::Progress: {
        if (settings_.pass_early_media && f->is_control(Control::Progress)) {
          if (trace) engine_.log().verbose(3, settings_.log_source, leg->name() + " is making progress");
          adopt_early_media(index, leg);
          break;
        }
        std::lock_guard lock(mu_);
        indications_.push_back(static_cast<Control>(f->subclass));
        break;
      }
      default: break;
    }
    wake_caller();
  }
}

bool ParallelDialer::adopt_early_media(std::size_t index, const Channel::Ptr& leg) {
  {
    std::lock_guard lock(mu_);
    if (early_source_ && *early_source_ != index && legs_[*early_source_].info.outcome == LegOutcome::Pending)
      return false;
    if (early_source_ == index) return true;  // a repeated Progress: indicated once
    early_source_ = index;
  }
  if (auto c = caller_.lock()) {
    engine_.log().debug(settings_.log_source, "early media from " + leg->name() + " passed to " + c->name());
    c->indicate(Control::Progress);  // from this strand, so it reaches the caller before the audio
  }
  return true;
}

bool ParallelDialer::is_early_media_source(std::size_t index) const {
  if (!settings_.pass_early_media) return false;
  std::lock_guard lock(mu_);
  return early_source_ == index;
}

std::optional<std::size_t> ParallelDialer::early_media_source() const {
  std::lock_guard lock(mu_);
  return early_source_;
}

void ParallelDialer::write_early_media(const Frame& f) {
  Channel::Ptr leg;
  {
    std::lock_guard lock(mu_);
    if (!early_source_ || winner_ || legs_[*early_source_].info.outcome != LegOutcome::Pending) return;
    leg = legs_[*early_source_].info.chan;
  }
  if (leg) leg->write(f);
}

bool ParallelDialer::claim_answer(std::size_t index) {
  std::vector<Channel::Ptr> losers;
  {
    std::lock_guard lock(mu_);
    if (legs_[index].cancelled_as) return false;
    if (!settings_.first_answer_wins) return true;
    if (winner_) return false;
    winner_ = index;
    for (std::size_t i = 0; i < legs_.size(); ++i) {
      auto& l = legs_[i];
      if (i == index || l.info.outcome != LegOutcome::Pending || !l.info.chan) continue;
      l.cancelled_as = LegOutcome::Cancel;
      losers.push_back(l.info.chan);
    }
  }
  for (auto& c : losers) {
    c->set_hangup_cause(HangupCause::AnsweredElsewhere);
    c->request_hangup(HangupCause::AnsweredElsewhere);
  }
  return true;
}

void ParallelDialer::finish(std::size_t index, LegOutcome outcome) {
  Channel::Ptr chan;
  {
    std::lock_guard lock(mu_);
    legs_[index].info.outcome = outcome;
    chan = legs_[index].info.chan;
  }
  if (chan) publish_dial_end(chan, outcome);
  wake_caller();
}

void ParallelDialer::publish_dial_end(const Channel::Ptr& leg, LegOutcome outcome) {
  DialEnd ev;
  ev.caller = caller_snapshot_;
  ev.dest = leg->snapshot();
  ev.dialstatus = std::string(dialstatus_word(outcome));
  engine_.events().emit(std::move(ev));
}

void ParallelDialer::wake_caller() {
  if (auto c = caller_.lock()) c->wake();
}

std::optional<LegOutcome> ParallelDialer::cancelled_as(std::size_t index) const {
  std::lock_guard lock(mu_);
  return legs_[index].cancelled_as;
}

bool ParallelDialer::finished() const {
  std::lock_guard lock(mu_);
  for (const auto& l : legs_)
    if (l.info.outcome == LegOutcome::Pending) return false;
  return true;
}

std::optional<std::size_t> ParallelDialer::winner() const {
  std::lock_guard lock(mu_);
  return winner_;
}

std::vector<DialLegInfo> ParallelDialer::legs() const {
  std::lock_guard lock(mu_);
  std::vector<DialLegInfo> out;
  for (const auto& l : legs_) out.push_back(l.info);
  return out;
}

std::size_t ParallelDialer::answered_count() const {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const auto& l : legs_) n += l.info.outcome == LegOutcome::Answered;
  return n;
}

std::vector<Control> ParallelDialer::take_indications() {
  std::lock_guard lock(mu_);
  return std::exchange(indications_, {});
}

std::string ParallelDialer::dialstatus() const {
  std::lock_guard lock(mu_);
  bool busy = false, congestion = false, unavailable = false, rang_out = false;
  for (const auto& l : legs_) {
    if (l.info.outcome == LegOutcome::Answered) return "ANSWER";
    busy |= l.info.outcome == LegOutcome::Busy;
    congestion |= l.info.outcome == LegOutcome::Congestion;
    unavailable |= l.info.outcome == LegOutcome::ChanUnavail;
    rang_out |= l.info.outcome == LegOutcome::NoAnswer;
  }
  // A device that rang until the timeout makes the whole attempt a no-answer (Asterisk reports
  // NOANSWER when its timer expires, whatever the other legs did).
  if (rang_out) return "NOANSWER";
  if (busy) return "BUSY";
  if (congestion) return "CONGESTION";
  if (unavailable) return "CHANUNAVAIL";
  return "NOANSWER";
}

void ParallelDialer::cancel_pending(LegOutcome as, HangupCause cause) {
  std::vector<Channel::Ptr> chans;
  {
    std::lock_guard lock(mu_);
    for (auto& l : legs_) {
      if (l.info.outcome != LegOutcome::Pending || !l.info.chan || l.cancelled_as) continue;
      l.cancelled_as = as;
      chans.push_back(l.info.chan);
    }
  }
  for (auto& c : chans) {
    c->set_hangup_cause(cause);
    c->request_hangup(cause);
  }
}

void ParallelDialer::hangup_all(HangupCause cause) {
  cancel_pending(LegOutcome::Cancel, cause);
  std::vector<Channel::Ptr> chans;
  {
    std::lock_guard lock(mu_);
    for (auto& l : legs_)
      if (l.info.chan && l.info.outcome == LegOutcome::Answered) chans.push_back(l.info.chan);
  }
  for (auto& c : chans) c->request_hangup(cause);
}

}  // namespace telephony::dialplan
