// The RTP shard's timer wheel keeps a periodic entry (jitter-buffer playout, 20 ms) on its own
// clock: a callback that runs late or takes long must not stretch the period, or a loaded shard
// delivers fewer than 50 frames a second and the decoded call loses audio.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <thread>

#include "../../libtelephony/src/rtp/timer_wheel.hpp"

namespace {

using namespace std::chrono_literals;
using telephony::rtp::TimerWheel;

struct Periodic {
  TimerWheel* wheel = nullptr;
  TimerWheel::Entry entry;
  int fired = 0;
  bool periodic = true;
  std::chrono::milliseconds work{0};
  static void on_fire(TimerWheel::Entry&, void* self) {
    auto& p = *static_cast<Periodic*>(self);
    ++p.fired;
    // A busy shard: the entry runs 15 ms after its tick (other streams' callbacks ran first),
    // then re-arms, as RtpStream::playout() does.
    std::this_thread::sleep_for(p.work);
    if (p.periodic)
      p.wheel->schedule_periodic(p.entry, 20ms);
    else
      p.wheel->schedule(p.entry, 20ms);
  }
};

int fires_in_one_second(bool periodic) {
  boost::asio::io_context io;
  TimerWheel wheel(io);
  Periodic p;
  p.wheel = &wheel;
  p.periodic = periodic;
  p.work = 15ms;
  p.entry.fire = &Periodic::on_fire;
  p.entry.owner = &p;
  wheel.schedule(p.entry, 20ms);
  io.run_for(1s);
  wheel.stop();
  return p.fired;
}

TEST(RtpTimerWheel, PeriodicEntryKeepsItsRateWhenCallbacksRunLong) {
  // 20 ms period for 1 s: 50 fires. Re-armed from "now" when it runs 15 ms late, each period
  // stretches by the lateness (fewer than 35 a second); schedule_periodic keeps the rate.
  const int periodic = fires_in_one_second(true);
  EXPECT_GE(periodic, 45) << "periodic playout slipped";
  EXPECT_LE(periodic, 52);
  const int from_now = fires_in_one_second(false);
  EXPECT_LE(from_now, 40) << "the baseline (re-armed from now) should drift";
}

TEST(RtpTimerWheel, PeriodicEntryRestartsAfterAStallInsteadOfBursting) {
  boost::asio::io_context io;
  TimerWheel wheel(io);
  Periodic p;
  p.wheel = &wheel;
  p.entry.fire = &Periodic::on_fire;
  p.entry.owner = &p;
  wheel.schedule(p.entry, 20ms);
  io.run_for(100ms);
  const int before = p.fired;
  std::this_thread::sleep_for(500ms);  // the shard thread was away for 25 periods
  io.restart();
  io.run_for(60ms);
  wheel.stop();
  // At most the four-period catch-up plus the ~3 periods of the window, never the 25 missed.
  EXPECT_LE(p.fired - before, 9);
  EXPECT_GE(p.fired - before, 1);
}

}  // namespace
