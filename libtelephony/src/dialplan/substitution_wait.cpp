#include "dialplan/substitution_wait.hpp"

#include <algorithm>
#include <optional>

#include "telephony/dialplan/executor.hpp"

// GCC 12 false positive on inlined coroutine frames (see app_dial.cpp).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace telephony::dialplan {

namespace {

// Strand-only state of one channel, kept as a channel datastore.
struct WaitState {
  struct Deferral {
    std::function<bool()> ready;
    std::chrono::steady_clock::time_point until;
  };
  std::optional<Deferral> pending;
  std::uint64_t serial = 0;
  bool active = false;
};

std::shared_ptr<WaitState> state_of(Channel& chan) {
  return std::static_pointer_cast<WaitState>(
      chan.datastore_or_create("substitution-wait", [] { return std::make_shared<WaitState>(); }));
}

constexpr int kMaxRounds = 1000;

}  // namespace

void defer_substitution(Channel& chan, std::function<bool()> ready, std::chrono::steady_clock::time_point until) {
  auto s = state_of(chan);
  if (s->pending) {
    auto first = std::move(s->pending->ready);
    s->pending->ready = [first = std::move(first), second = std::move(ready)] { return first() || second(); };
    s->pending->until = std::min(s->pending->until, until);
    return;
  }
  s->pending = WaitState::Deferral{std::move(ready), until};
}

std::uint64_t substitution_serial(Channel& chan) { return state_of(chan)->serial; }

bool substitution_can_wait(Channel& chan) {
  return chan.strand().running_in_this_thread() && state_of(chan)->active;
}

boost::asio::awaitable<std::string> substitute_waiting(Execution& x, std::string_view text) {
  Channel& chan = x.channel();
  auto s = state_of(chan);
  ++s->serial;
  const bool outer = !s->active;
  s->active = true;
  std::string out;
  for (int round = 0;; ++round) {
    s->pending.reset();
    out = x.substitute(text);
    if (!s->pending || round == kMaxRounds) break;
    auto d = std::move(*s->pending);
    s->pending.reset();
    std::chrono::milliseconds left(-1);  // no deadline: wait for ready() (or hangup)
    if (d.until != std::chrono::steady_clock::time_point::max())
      left = std::max(std::chrono::milliseconds(0),
                      std::chrono::duration_cast<std::chrono::milliseconds>(d.until - std::chrono::steady_clock::now()));
    co_await chan.wait_until(d.ready, left);
    if (chan.hangup_requested()) break;
  }
  s->pending.reset();
  if (outer) s->active = false;
  co_return out;
}

}  // namespace telephony::dialplan
