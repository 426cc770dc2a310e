// Attended transfer: three coroutines (transferrer, transferee, target), one per channel strand,
// sharing the transfer's outcome. Each channel leaves its current bridge through
// request_redirect(), whose first step is our coroutine; when that ends the channel is hung up
// (the call it belonged to is over) — see docs/ami-actions.md.
#include "apps/attended_transfer.hpp"

#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <mutex>

#include "telephony/bridge.hpp"
#include "telephony/engine.hpp"
#include "telephony/media/music_on_hold.hpp"

// GCC 12 false positive on inlined coroutine frames (see app_dial.cpp).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace telephony::dialplan {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view kSource = "atxfer";
const std::chrono::milliseconds kForever(-1);

enum class Outcome { Pending, Complete, Abort, Failed };

struct Transfer {
  Channel::Ptr transferrer, transferee, target;
  Bridge::Ptr consultation, final_bridge;
  std::mutex mu;
  Outcome outcome = Outcome::Pending;
  bool answered = false;
  bool target_gone = false;

  Outcome get() {
    std::lock_guard lock(mu);
    return outcome;
  }
  void decide(Outcome o) {
    {
      std::lock_guard lock(mu);
      if (outcome != Outcome::Pending) return;
      outcome = o;
    }
    // Whatever happens next, the consultation is over (a target that answers late and joined it
    // alone must come out).
    consultation->dissolve();
    if (o == Outcome::Failed) final_bridge->dissolve();
    wake_all();
  }
  void wake_all() {
    for (auto& c : {transferrer, transferee, target}) c->wake();
  }
};

asio::awaitable<void> transferee_waits(std::shared_ptr<Transfer> t, Channel::Ptr self) {
  media::start_moh(self, media::default_moh_class());
  std::function<bool()> decided = [t] { return t->get() != Outcome::Pending; };
  co_await self->wait_until(decided, kForever);
  media::stop_moh(self);
  if (self->hangup_requested()) {
    t->decide(Outcome::Failed);  // nobody to transfer any more
    co_return;
  }
  if (t->get() != Outcome::Failed) co_await t->final_bridge->join(self);
  if (!self->hangup_requested()) self->request_hangup(HangupCause::NormalClearing);
}

asio::awaitable<void> transferrer_consults(std::shared_ptr<Transfer> t, Channel::Ptr self) {
  std::function<bool()> progressed = [t] {
    std::lock_guard lock(t->mu);
    return t->answered || t->target_gone || t->outcome == Outcome::Failed;
  };
  co_await self->wait_until(progressed, kForever);
  if (self->hangup_requested()) {
    // Hung up before the target answered: the transferee gets the target when it answers.
    t->decide(Outcome::Complete);
    co_return;
  }
  bool talk = false;
  {
    std::lock_guard lock(t->mu);
    talk = t->answered && !t->target_gone && t->outcome == Outcome::Pending;
  }
  if (talk) co_await t->consultation->join(self);
  if (self->hangup_requested()) {
    t->decide(Outcome::Complete);
    co_return;
  }
  // The target hung up (or never answered): back to the transferee.
  t->decide(Outcome::Abort);
  if (t->get() == Outcome::Abort) co_await t->final_bridge->join(self);
  if (!self->hangup_requested()) self->request_hangup(HangupCause::NormalClearing);
}

asio::awaitable<void> target_rings(std::shared_ptr<Transfer> t, Channel::Ptr self, std::shared_ptr<void> token,
                                   std::string dest) {
  auto gone = [t] {
    {
      std::lock_guard lock(t->mu);
      t->target_gone = true;
    }
    t->wake_all();
  };
  if (auto called = self->call(dest, std::chrono::hours(1)); !called) {
    self->engine().log().notice(kSource, "Unable to call " + self->name() + ": " + called.error().to_string());
    gone();
    self->request_hangup(HangupCause::Unallocated);
    co_return;
  }
  std::function<bool()> up = [self] { return self->state() == ChannelState::Up; };
  co_await self->wait_until(up, kForever);
  if (self->hangup_requested()) {
    gone();
    co_return;
  }
  {
    std::lock_guard lock(t->mu);
    t->answered = true;
  }
  t->wake_all();
  // (Not transferrer->hangup_requested(): its pending redirect looks like a soft hangup until it
  // is taken. A consultation that already ended is dissolved, so join returns at once.)
  if (t->get() == Outcome::Pending) co_await t->consultation->join(self);
  if (self->hangup_requested()) {
    gone();
    co_return;
  }
  std::function<bool()> decided = [t] { return t->get() != Outcome::Pending; };
  co_await self->wait_until(decided, kForever);
  if (t->get() == Outcome::Complete && !self->hangup_requested()) co_await t->final_bridge->join(self);
  if (!self->hangup_requested()) self->request_hangup(HangupCause::NormalClearing);
  (void)token;
}

}  // namespace

Result<void> start_attended_transfer(Engine& engine, const Channel::Ptr& transferrer, const Channel::Ptr& transferee,
                                     const DialplanLocation& target) {
  const std::string dest = target.exten + "@" + target.context;
  auto local = engine.request("Local/" + dest, transferrer.get(), transferrer->native_formats());
  if (!local) return fail("Unable to create Local/" + dest + ": " + local.error().to_string());
  auto t = std::make_shared<Transfer>();
  t->transferrer = transferrer;
  t->transferee = transferee;
  t->target = *local;
  t->consultation = Bridge::create(engine, {.type = "basic", .name = "", .creator = "Atxfer", .dissolve_when_alone = true});
  t->final_bridge = Bridge::create(engine, {.type = "basic", .name = "", .creator = "Atxfer", .dissolve_when_alone = true});
  t->target->set_caller(transferrer->caller());
  engine.log().verbose(kSource, transferrer->name() + " attended transfer of " + transferee->name() + " to " + dest);

  auto token = t->target->hold();
  asio::co_spawn(t->target->strand(), target_rings(t, t->target, std::move(token), dest), asio::detached);
  // Both redirects are requested on the transferrer's strand. The transferee leaving a
  // two-party bridge dissolves it; were the transferrer's strand free in between, it could come
  // out of the dissolved bridge before its own redirect is pending and run on in the dialplan
  // (or hang up at its end) instead of consulting. Its strand being ours, it cannot.
  asio::dispatch(transferrer->strand(), [t] {
    t->transferee->request_redirect(t->transferee->location(),
                                    [t](Channel::Ptr c) { return transferee_waits(t, c); });
    t->transferrer->request_redirect(t->transferrer->location(),
                                     [t](Channel::Ptr c) { return transferrer_consults(t, c); });
  });
  return {};
}

}  // namespace telephony::dialplan
