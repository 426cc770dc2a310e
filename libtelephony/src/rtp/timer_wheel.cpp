#include "rtp/timer_wheel.hpp"

namespace telephony::rtp {

TimerWheel::TimerWheel(boost::asio::io_context& io, std::chrono::milliseconds tick)
    : timer_(io), tick_(tick), origin_(Clock::now()) {
  for (auto& s : slots_) s.prev = s.next = &s;
}

TimerWheel::~TimerWheel() { stop(); }

void TimerWheel::stop() {
  stopped_ = true;
  timer_.cancel();
  for (auto& s : slots_) {
    while (s.next != &s) {
      Entry* e = s.next;
      s.next = e->next;
      e->prev = e->next = nullptr;
    }
    s.prev = &s;
  }
  armed_ = 0;
}

std::uint64_t TimerWheel::tick_of(Clock::time_point t) const {
  return static_cast<std::uint64_t>((t - origin_) / tick_);
}

void TimerWheel::link(Entry& e) {
  Entry& head = slots_[e.due % kSlots];
  e.prev = head.prev;
  e.next = &head;
  head.prev->next = &e;
  head.prev = &e;
  ++armed_;
}

void TimerWheel::schedule(Entry& e, std::chrono::milliseconds after) {
  if (stopped_) return;
  cancel(e);
  const auto ticks = static_cast<std::uint64_t>((after + tick_ - std::chrono::milliseconds(1)) / tick_);
  const std::uint64_t now = tick_of(Clock::now());
  e.due = std::max(now + (ticks ? ticks : 1), current_);
  link(e);
  arm_timer();
}

void TimerWheel::schedule_periodic(Entry& e, std::chrono::milliseconds period) {
  if (stopped_) return;
  const std::uint64_t last_due = e.due;
  cancel(e);
  const auto ticks = std::max<std::uint64_t>(1, static_cast<std::uint64_t>((period + tick_ - std::chrono::milliseconds(1)) / tick_));
  const std::uint64_t now = tick_of(Clock::now());
  std::uint64_t due = last_due + ticks;
  if (last_due == 0 || due + 4 * ticks < now) due = now + ticks;
  // Never into the slot being walked (or already walked): it would wait a whole turn.
  e.due = std::max(due, current_ + 1);
  link(e);
  arm_timer();
}

void TimerWheel::cancel(Entry& e) {
  if (!e.armed()) return;
  e.prev->next = e.next;
  e.next->prev = e.prev;
  e.prev = e.next = nullptr;
  --armed_;
}

void TimerWheel::arm_timer() {
  if (timer_running_ || stopped_ || armed_ == 0) return;
  timer_running_ = true;
  timer_.expires_at(origin_ + tick_ * static_cast<std::int64_t>(std::max(current_, tick_of(Clock::now()) + 1)));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    timer_running_ = false;
    if (ec || stopped_) return;
    on_timer();
  });
}

void TimerWheel::on_timer() {
  const std::uint64_t now = tick_of(Clock::now());
  // Process every tick up to now; after a long stall visit each slot at most once.
  std::uint64_t last = now;
  if (last >= current_ + kSlots) current_ = last - kSlots + 1;
  for (; current_ <= last; ++current_) {
    Entry& head = slots_[current_ % kSlots];
    if (head.next == &head) continue;
    // Move the slot's entries to a local list first: callbacks may cancel other entries of it
    // or re-arm into this slot, and neither may disturb the walk.
    Entry pending;
    pending.next = head.next;
    pending.prev = head.prev;
    pending.next->prev = &pending;
    pending.prev->next = &pending;
    head.next = head.prev = &head;
    while (pending.next != &pending) {
      Entry* e = pending.next;
      pending.next = e->next;
      e->next->prev = &pending;
      e->prev = e->next = nullptr;
      --armed_;
      if (e->due <= current_) {
        e->fire(*e, e->owner);
        if (stopped_) {
          for (Entry* x = pending.next; x != &pending;) {
            Entry* n = x->next;
            x->prev = x->next = nullptr;
            x = n;
          }
          return;
        }
      } else {
        link(*e);  // a later turn of the wheel
      }
    }
  }
  arm_timer();
}

}  // namespace telephony::rtp
