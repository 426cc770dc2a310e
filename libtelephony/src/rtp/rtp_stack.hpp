// RtpStack: the RTP layer's share of the machine — a fixed set of shards (one io_context run by
// one thread, with one TimerWheel each) and the rtpstart..rtpend port allocator.
//
// Every RTP stream lives on one shard: its sockets, its receive loop, its timers. Two streams
// relayed natively are put on the same shard, so a relayed packet never crosses a thread. The
// shard count is fixed when the stack starts (rtp.conf io_threads), so the thread count does
// not grow with calls. When the core shards its own I/O (issue 12, core half) the stack can run
// on those io_contexts instead of its own threads; nothing above this file would notice.
// Internal: not installed.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "rtp/timer_wheel.hpp"
#include "telephony/result.hpp"
#include "telephony/rtp/rtp_config.hpp"

namespace telephony::rtp {

// recvmmsg() buffers shared by every stream of a shard (only the shard thread uses them), so a
// stream costs no receive memory of its own.
struct ReceiveBatch {
  static constexpr std::size_t kPackets = 32;
  static constexpr std::size_t kBytes = 1536 + 160;  // MTU-sized packet + SRTP trailer room
  std::array<std::array<std::uint8_t, kBytes>, kPackets> data;
  std::array<::mmsghdr, kPackets> headers;
  std::array<::iovec, kPackets> iov;
  std::array<::sockaddr_storage, kPackets> from;
  ReceiveBatch();
};

// sendmmsg() staging for the native relay: packets relayed while draining one socket leave in
// one system call.
struct SendBatch {
  static constexpr std::size_t kPackets = 32;
  static constexpr std::size_t kBytes = 1536 + 160;
  std::array<std::array<std::uint8_t, kBytes>, kPackets> data;
  std::array<::mmsghdr, kPackets> headers;
  std::array<::iovec, kPackets> iov;
  std::array<::sockaddr_storage, kPackets> to;
  std::size_t count = 0;
  int fd = -1;
  SendBatch();
  // Sends what is staged; returns packets the kernel refused.
  std::size_t flush();
};

// The shard's readiness set: every RTP/RTCP socket of the shard sits in one (level-triggered)
// epoll set, and only that set's descriptor is known to Asio. One Asio wakeup then serves every
// socket that became readable, and no Asio operation is started per packet or per socket — the
// per-packet cost is what a bare epoll/recvmmsg loop pays. Works on any io_context (ours, or the
// engine's shards later, as long as each io_context is run by one thread). Shard thread only,
// except construction.
class PollSet {
 public:
  struct Slot {
    void (*ready)(void* owner, bool rtcp) = nullptr;
    void* owner = nullptr;
    bool rtcp = false;
  };
  explicit PollSet(boost::asio::io_context& io);
  ~PollSet();
  Result<void> add(int fd, Slot* slot);
  void remove(int fd);
  // Keeps `keep` alive until the current batch of readiness events is done (a stream closed
  // while its events are still in the batch).
  void retire(std::shared_ptr<void> keep);
  void stop();

 private:
  void arm();
  void process();
  int epfd_ = -1;
  boost::asio::posix::stream_descriptor descriptor_;
  std::array<::epoll_event, 128> events_{};
  std::vector<std::shared_ptr<void>> retired_;
  std::size_t registered_ = 0;
  bool armed_ = false;
  bool stopped_ = false;
};

struct Shard {
  explicit Shard(unsigned index);
  unsigned index;
  boost::asio::io_context io{1};
  TimerWheel wheel{io};
  PollSet poll{io};
  ReceiveBatch batch;
  SendBatch out;
  std::atomic<int> streams{0};
  std::thread thread;
  std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
};

class RtpStream;

// What the metrics report about RTP. Nothing is counted for them per packet beyond each stream's
// own relaxed counters: a scrape sums the streams that exist, and a stream's counters are folded
// into the stack's totals once, when it is destroyed (so counters never go backwards). A stream
// ends (live_streams, ended_streams, the jitter histogram) when it is closed, which may be a
// while before the last reference to it goes.
struct RtpTotals {
  std::uint64_t live_streams = 0;  // open (not closed) streams
  std::uint64_t ended_streams = 0;
  std::uint64_t rx_packets = 0, tx_packets = 0, rx_octets = 0, tx_octets = 0;
  std::uint64_t rx_lost = 0;  // expected - received, as we measured their stream
  std::uint64_t tx_lost = 0;  // what peers reported (RTCP) about ours
  double max_live_jitter = 0;  // seconds, the worst current receive jitter of a live stream
  // Receive jitter of each ended stream that received media, at its end (seconds).
  static constexpr std::array<double, 8> kJitterBounds{0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16};
  std::array<std::uint64_t, kJitterBounds.size()> jitter_buckets{};  // per bound, not cumulative
  std::uint64_t jitter_count = 0;
  double jitter_sum = 0;
};

// One stream's counters, read with relaxed loads (RtpStream::counters()).
struct StreamCounters {
  std::uint64_t rx_packets = 0, tx_packets = 0, rx_octets = 0, tx_octets = 0;
  std::uint32_t rx_lost = 0, tx_lost = 0;
  double rx_jitter = 0;
};

struct SocketPair {
  boost::asio::ip::udp::socket rtp;
  boost::asio::ip::udp::socket rtcp;
};

class RtpStack {
 public:
  explicit RtpStack(RtpConfig config);
  ~RtpStack();
  RtpStack(const RtpStack&) = delete;
  RtpStack& operator=(const RtpStack&) = delete;

  std::shared_ptr<const RtpConfig> config() const;
  void set_config(RtpConfig c);  // new sessions use it; running ones keep theirs

  std::size_t shard_count() const { return shards_.size(); }
  Shard& shard(std::size_t i) { return *shards_[i]; }
  Shard& least_loaded_shard();

  // An even RTP port and the odd RTCP port above it from rtpstart..rtpend, bound on `address`
  // and registered with `shard`'s io_context. Fails naming the range when none is free.
  Result<SocketPair> open_pair(Shard& shard, const std::string& address);

  void stop();

  // Streams tell the stack they exist (constructor), have ended (closed, on the shard) and are
  // gone (destructor, folding their counters into the totals); the metrics read totals(). Once
  // per stream, never per packet.
  void track(const RtpStream* s);
  void stream_closed(const RtpStream* s, const StreamCounters& c);
  void untrack(const RtpStream* s, const StreamCounters& final_counters);
  RtpTotals totals() const;

 private:
  struct TrackedStream {
    const RtpStream* stream;
    bool closed;
  };
  void end_locked(TrackedStream& t, const StreamCounters& c);  // with streams_mu_ held
  mutable std::mutex streams_mu_;
  std::vector<TrackedStream> live_;  // guarded by streams_mu_
  RtpTotals ended_;                  // guarded by streams_mu_ (live_streams unused)
  mutable std::mutex mu_;
  std::shared_ptr<const RtpConfig> config_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<std::uint32_t> cursor_;
  bool stopped_ = false;
};

}  // namespace telephony::rtp
