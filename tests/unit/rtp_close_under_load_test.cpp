// A mass hangup while RTP flows: hundreds of sessions stopped at once (channel request hangup all)
// while their sockets still receive. A stopping stream no longer reads its socket, and the shard's
// level-triggered poll set reported those sockets again and again: with more than one batch
// (128) of them the shard thread spun in PollSet::process() forever, never ran the queued halves
// of close(), and every other call on that shard went silent. Found by benchmarks/bench_rtp_relay
// at 2000 calls (docs/benchmarks/rtp.md).
#include <dirent.h>
#include <sched.h>
#include <sys/resource.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "rtp_session_support.hpp"

namespace rtp_test {
namespace {

using rtp::MediaSession;

// The tid of RTP shard thread `index` (threads are named rtp-shard-N), 0 when not found.
pid_t shard_tid(std::size_t index) {
  const std::string want = "rtp-shard-" + std::to_string(index);
  pid_t tid = 0;
  if (DIR* d = ::opendir("/proc/self/task")) {
    while (auto* e = ::readdir(d)) {
      if (e->d_name[0] == '.') continue;
      std::ifstream comm(std::string("/proc/self/task/") + e->d_name + "/comm");
      std::string name;
      std::getline(comm, name);
      if (name == want) tid = static_cast<pid_t>(std::stol(e->d_name));
    }
    ::closedir(d);
  }
  return tid;
}
void pin_to_cpu0(pid_t tid) {
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(0, &one);
  ::sched_setaffinity(tid, sizeof one, &one);
}
void unpin(pid_t tid) {
  cpu_set_t all;
  CPU_ZERO(&all);
  for (int i = 0; i < CPU_SETSIZE; ++i) CPU_SET(i, &all);
  ::sched_setaffinity(tid, sizeof all, &all);
}

TEST_F(SessionFixture, StoppingHundredsOfSessionsWhileTheirRtpFlowsLeavesTheShardWorking) {
  constexpr int kSessions = 400;
  UdpPeer phone;
  std::vector<MediaSession::Ptr> legs;
  std::vector<std::uint16_t> ports;
  auto first = session(settings("ulaw", "load"));
  ASSERT_TRUE(first);
  ASSERT_TRUE(first->answer_offer(phone.sdp("0")));
  legs.push_back(first);
  for (int i = 1; i < kSessions; ++i) {
    auto s = session(settings("ulaw", "load"), first.get());  // all on one shard
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->answer_offer(phone.sdp("0")));
    legs.push_back(s);
  }
  for (auto& s : legs) ports.push_back(s->local_rtp_port());
  // The shard falls behind, as under real overload: it shares CPU 0 with the flooding thread at
  // nice 19. Every session then has packets queued when all of them stop.
  const pid_t shard = shard_tid(first->shard_index());
  ASSERT_NE(shard, 0);
  pin_to_cpu0(shard);
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(shard), 19);
  std::atomic<bool> flooding{true};
  std::thread flood([&] {
    pin_to_cpu0(0);
    std::uint16_t seq = 0;
    while (flooding) {
      for (auto port : ports) phone.send_to(port, rtp_packet(0, seq, seq * 160u, 0x1234, 160));
      ++seq;
    }
  });
  std::this_thread::sleep_for(300ms);
  for (auto& s : legs) s->stop();
  std::this_thread::sleep_for(200ms);
  flooding = false;
  flood.join();
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(shard),
                0);  // may be refused unprivileged: harmless
  unpin(shard);
  // A new call on the same shard still gets its audio.
  UdpPeer phone2;
  auto fresh = session(settings("ulaw", "after"), first.get());
  ASSERT_TRUE(fresh);
  ASSERT_EQ(fresh->shard_index(), first->shard_index());
  ASSERT_TRUE(fresh->answer_offer(phone2.sdp("0")));
  for (std::uint16_t i = 0; i < 10; ++i)
    phone2.send_to(fresh->local_rtp_port(), rtp_packet(0, i, i * 160u, 0x77, 160));
  EXPECT_TRUE(testkit::eventually([&] { return fresh->statistics().rx_packets >= 10; }, 5s))
      << "the shard stopped serving sockets after the mass stop";
  fresh->stop();
}

}  // namespace
}  // namespace rtp_test
