// TimerWheel: the one timer of an RTP shard. RTCP reports, RTP timeouts, jitter-buffer playout
// and RFC 4733 updates of every stream on the shard hang off it as intrusive entries, so a
// shard with 2000 calls arms one steady_timer, not thousands, and scheduling allocates nothing.
//
// A hashed wheel of 256 slots of `tick` (default 10 ms); an entry further away than one turn
// stays in its slot and is skipped until its turn comes. All methods run on the shard thread.
// Internal: not installed.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <array>
#include <chrono>
#include <cstdint>

namespace telephony::rtp {

class TimerWheel {
 public:
  struct Entry {
    Entry* prev = nullptr;
    Entry* next = nullptr;
    std::uint64_t due = 0;  // tick number
    void (*fire)(Entry&, void* owner) = nullptr;
    void* owner = nullptr;
    bool armed() const { return prev != nullptr; }
  };
  using Clock = std::chrono::steady_clock;

  TimerWheel(boost::asio::io_context& io, std::chrono::milliseconds tick = std::chrono::milliseconds(10));
  ~TimerWheel();
  TimerWheel(const TimerWheel&) = delete;
  TimerWheel& operator=(const TimerWheel&) = delete;

  // (Re)arms `e` to fire after `after` (rounded up to a tick, at least one tick).
  void schedule(Entry& e, std::chrono::milliseconds after);
  // For periodic work (jitter-buffer playout): re-arms `e` one `period` after the tick it was
  // last due, not after now, so a shard that runs late catches up instead of drifting (a 20 ms
  // playout re-armed from "now" delivers fewer than 50 frames/s on a loaded box). After a stall
  // of more than four periods it restarts from now rather than firing a burst.
  void schedule_periodic(Entry& e, std::chrono::milliseconds period);
  void cancel(Entry& e);
  std::chrono::milliseconds tick() const { return tick_; }
  std::size_t armed_count() const { return armed_; }
  void stop();

 private:
  static constexpr std::size_t kSlots = 256;
  std::uint64_t tick_of(Clock::time_point t) const;
  void link(Entry& e);
  void arm_timer();
  void on_timer();

  boost::asio::steady_timer timer_;
  std::chrono::milliseconds tick_;
  Clock::time_point origin_;
  std::uint64_t current_ = 0;  // every tick < current_ has been processed
  std::array<Entry, kSlots> slots_;  // sentinels of circular lists
  std::size_t armed_ = 0;
  bool timer_running_ = false;
  bool stopped_ = false;
};

}  // namespace telephony::rtp
