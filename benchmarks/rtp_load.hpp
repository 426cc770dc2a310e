// Load-generation helpers of the RTP benchmarks: loopback "phones" (plain UDP sockets), a paced
// RTP generator, a sink that counts packets and one-way latency, and per-thread CPU accounting
// from /proc/self/task/*/schedstat (nanoseconds on CPU), so the engine's shard threads can be
// compared with a bare relay loop run in the same process.
#pragma once

#include <dirent.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace rtp_bench {

inline std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

inline pid_t current_tid() { return static_cast<pid_t>(::syscall(SYS_gettid)); }

// CPU nanoseconds of every thread of this process, keyed by tid, with the thread's name.
struct ThreadCpu {
  pid_t tid;
  std::string name;
  std::uint64_t ns;
};
inline std::vector<ThreadCpu> thread_cpu() {
  std::vector<ThreadCpu> out;
  DIR* d = ::opendir("/proc/self/task");
  if (!d) return out;
  while (auto* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    const std::string base = std::string("/proc/self/task/") + e->d_name;
    std::ifstream stat(base + "/schedstat"), comm(base + "/comm");
    ThreadCpu t{static_cast<pid_t>(std::stol(e->d_name)), {}, 0};
    stat >> t.ns;
    std::getline(comm, t.name);
    out.push_back(t);
  }
  ::closedir(d);
  return out;
}
// Sum over threads whose name starts with `prefix` (or every thread not in `exclude` when the
// prefix is empty).
inline std::uint64_t cpu_ns(const std::string& prefix, const std::vector<pid_t>& exclude = {}) {
  std::uint64_t sum = 0;
  for (const auto& t : thread_cpu()) {
    if (std::find(exclude.begin(), exclude.end(), t.tid) != exclude.end()) continue;
    if (prefix.empty() || t.name.rfind(prefix, 0) == 0) sum += t.ns;
  }
  return sum;
}
inline std::size_t thread_count() { return thread_cpu().size(); }

struct Socket {
  int fd = -1;
  std::uint16_t port = 0;
};
inline Socket open_udp() {
  Socket s;
  s.fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(s.fd, reinterpret_cast<sockaddr*>(&a), &len);
  s.port = ntohs(a.sin_port);
  return s;
}
// A socket that absorbs bursts: the generator's and the sink's (SO_RCVBUFFORCE when permitted).
inline void enlarge_buffers(const Socket& s, int bytes = 16 * 1024 * 1024) {
  if (::setsockopt(s.fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0)
    ::setsockopt(s.fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
  if (::setsockopt(s.fd, SOL_SOCKET, SO_SNDBUFFORCE, &bytes, sizeof bytes) != 0)
    ::setsockopt(s.fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes);
}

inline sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  return a;
}

// One direction of one call: packets leave `from` towards `to_port`.
// Points each of `n` receive entries at its own 2048-byte slice of `bufs` (recvmmsg batches).
inline void prepare_recv(mmsghdr* msgs, iovec* iov, std::uint8_t* bufs, int n) {
  for (int k = 0; k < n; ++k) {
    iov[k] = {bufs + k * 2048, 2048};
    msgs[k] = {};
    msgs[k].msg_hdr.msg_iov = &iov[k];
    msgs[k].msg_hdr.msg_iovlen = 1;
  }
}

struct Flow {
  int from_fd;
  std::uint16_t to_port;
  std::uint16_t seq = 0;
  std::uint32_t ssrc = 0;
  std::uint8_t pt = 0;
  std::uint32_t ts_step = 160;  // RTP clock ticks per 20 ms packet (960 for opus)
  std::uint32_t ts = 0;
};

// Sends one 20 ms packet per flow per tick until stopped; the first 8 payload bytes carry the
// send time for the sink's latency figure. `payload` is the codec payload (e.g. 160 µ-law bytes
// or one opus packet).
class Generator {
 public:
  // `stamp`: overwrite the first 8 payload bytes with the send time (not for codec payloads
  // that must stay decodable, like opus).
  Generator(std::vector<Flow> flows, std::vector<std::uint8_t> payload, bool stamp = true)
      : flows_(std::move(flows)), payload_(std::move(payload)), stamp_(stamp) {}
  void start() {
    thread_ = std::thread([this] { run(); });
  }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::uint64_t sent() const { return sent_.load(); }
  pid_t tid() const { return tid_.load(); }
  std::uint64_t late_ticks() const { return late_.load(); }
  // Packets whose send time (the stamp) falls in [t0, t1): with Sink::set_window over the same
  // interval, loss is exact whatever is in flight at the window's edges.
  void set_window(std::uint64_t t0, std::uint64_t t1) {
    w1_ = t1;
    w0_ = t0;
  }
  std::uint64_t sent_in_window() const { return sent_window_.load(); }

 private:
  void run() {
    tid_ = current_tid();
    // One buffer and one sendmmsg entry per flow; flows that share a socket leave in one call.
    const std::size_t len = 12 + payload_.size();
    std::vector<std::uint8_t> bufs(flows_.size() * len);
    std::vector<sockaddr_in> to(flows_.size());
    std::vector<iovec> iov(flows_.size());
    std::vector<mmsghdr> msgs(flows_.size());
    for (std::size_t i = 0; i < flows_.size(); ++i) {
      std::memcpy(bufs.data() + i * len + 12, payload_.data(), payload_.size());
      to[i] = loopback(flows_[i].to_port);
      iov[i] = {bufs.data() + i * len, len};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_name = &to[i];
      msgs[i].msg_hdr.msg_namelen = sizeof to[i];
    }
    auto next = std::chrono::steady_clock::now();
    while (!stop_) {
      const std::uint64_t t = now_ns();
      for (std::size_t i = 0; i < flows_.size(); ++i) {
        auto& f = flows_[i];
        std::uint8_t* pkt = bufs.data() + i * len;
        pkt[0] = 0x80;
        pkt[1] = f.pt;
        pkt[2] = static_cast<std::uint8_t>(f.seq >> 8);
        pkt[3] = static_cast<std::uint8_t>(f.seq);
        for (int k = 0; k < 4; ++k) pkt[4 + k] = static_cast<std::uint8_t>(f.ts >> (24 - 8 * k));
        for (int k = 0; k < 4; ++k) pkt[8 + k] = static_cast<std::uint8_t>(f.ssrc >> (24 - 8 * k));
        ++f.seq;
        f.ts += f.ts_step;
        if (stamp_ && payload_.size() >= 8) std::memcpy(pkt + 12, &t, 8);
      }
      for (std::size_t i = 0; i < flows_.size();) {
        std::size_t j = i;
        while (j < flows_.size() && j - i < 256 && flows_[j].from_fd == flows_[i].from_fd) ++j;
        std::size_t done = i;
        while (done < j) {
          const int n = ::sendmmsg(flows_[i].from_fd, msgs.data() + done, static_cast<unsigned>(j - done), 0);
          if (n <= 0) break;
          done += static_cast<std::size_t>(n);
        }
        sent_ += done - i;
        if (w0_.load(std::memory_order_relaxed) && t >= w0_ && t < w1_) sent_window_ += done - i;
        i = j;
      }
      next += std::chrono::milliseconds(20);
      if (std::chrono::steady_clock::now() > next + std::chrono::milliseconds(20)) {
        ++late_;
        next = std::chrono::steady_clock::now();
      }
      std::this_thread::sleep_until(next);
    }
  }
  std::vector<Flow> flows_;
  std::vector<std::uint8_t> payload_;
  bool stamp_ = true;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> sent_{0};
  std::atomic<std::uint64_t> late_{0};
  std::atomic<std::uint64_t> w0_{0}, w1_{0}, sent_window_{0};
  std::atomic<pid_t> tid_{0};
};

// Receives on the phones' sockets; counts packets and the one-way latency of those whose
// payload starts with the send time (`latency_from_payload`).
class Sink {
 public:
  Sink(const std::vector<int>& fds, bool latency_from_payload) : latency_(latency_from_payload) {
    ep_ = ::epoll_create1(0);
    for (int fd : fds) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.fd = fd;
      ::epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev);
    }
  }
  ~Sink() {
    stop();
    ::close(ep_);
  }
  void start() {
    thread_ = std::thread([this] { run(); });
  }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::uint64_t received() const { return received_.load(); }
  pid_t tid() const { return tid_.load(); }
  // Counts received packets whose send stamp lies in [t0, t1) (see Generator::set_window).
  void set_window(std::uint64_t t0, std::uint64_t t1) {
    w1_ = t1;
    w0_ = t0;
  }
  std::uint64_t received_in_window() const { return received_window_.load(); }
  std::uint64_t received_since_start() const { return received_all_.load(); }  // reset() keeps it
  void reset() {
    received_ = 0;
    lat_sum_ = 0;
    lat_n_ = 0;
    lat_max_ = 0;
  }
  double mean_latency_us() const { return lat_n_ ? static_cast<double>(lat_sum_.load()) / lat_n_.load() / 1000.0 : 0; }
  double max_latency_us() const { return static_cast<double>(lat_max_.load()) / 1000.0; }

 private:
  void run() {
    tid_ = current_tid();
    constexpr int kBatch = 32;
    std::vector<std::uint8_t> bufs(kBatch * 2048);
    mmsghdr msgs[kBatch];
    iovec iov[kBatch];
    epoll_event events[64];
    while (!stop_) {
      const int n = ::epoll_wait(ep_, events, 64, 50);
      for (int i = 0; i < n; ++i) {
        for (;;) {
          prepare_recv(msgs, iov, bufs.data(), kBatch);
          const int got = ::recvmmsg(events[i].data.fd, msgs, kBatch, MSG_DONTWAIT, nullptr);
          if (got <= 0) break;
          const std::uint64_t t = now_ns();
          for (int k = 0; k < got; ++k) {
            const auto* p = bufs.data() + k * 2048;
            // Not audio: telephone-event (101 in every offer of these benchmarks) and RTCP
            // (PT 200-204, only with rtcp-mux). Dynamic audio types (opus 107) count.
            if (msgs[k].msg_len < 12 || (p[1] & 0x7f) == 101 || (p[1] >= 200 && p[1] <= 204)) continue;
            ++received_;
            ++received_all_;
            if (latency_ && msgs[k].msg_len >= 20) {
              std::uint64_t sent;
              std::memcpy(&sent, p + 12, 8);
              if (sent && sent <= t && t - sent < 2'000'000'000ull) {
                if (w0_.load(std::memory_order_relaxed) && sent >= w0_ && sent < w1_) ++received_window_;
                lat_sum_ += t - sent;
                ++lat_n_;
                if (t - sent > lat_max_) lat_max_ = t - sent;
              }
            }
          }
          if (got < kBatch) break;
        }
      }
    }
  }
  int ep_ = -1;
  bool latency_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> received_{0}, lat_sum_{0}, lat_n_{0}, lat_max_{0};
  std::atomic<std::uint64_t> w0_{0}, w1_{0}, received_window_{0}, received_all_{0};
  std::atomic<pid_t> tid_{0};
};

// The baseline: one thread, epoll over every leg socket, recvmmsg from the readable one and
// sendmmsg of the batch from its partner socket to the partner's phone — the least a relay can do.
class BareRelay {
 public:
  struct Pair {
    Socket a, b;                     // stand-ins for the engine's two legs of a call
    std::uint16_t phone_a, phone_b;  // where each leg's phone listens
  };
  explicit BareRelay(std::vector<Pair> pairs) : pairs_(std::move(pairs)) {
    ep_ = ::epoll_create1(0);
    for (std::size_t i = 0; i < pairs_.size(); ++i) {
      for (int side = 0; side < 2; ++side) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = i * 2 + static_cast<std::uint64_t>(side);
        ::epoll_ctl(ep_, EPOLL_CTL_ADD, side ? pairs_[i].b.fd : pairs_[i].a.fd, &ev);
      }
    }
  }
  ~BareRelay() {
    stop();
    for (auto& p : pairs_) {
      ::close(p.a.fd);
      ::close(p.b.fd);
    }
    ::close(ep_);
  }
  void start() {
    thread_ = std::thread([this] { run(); });
  }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  pid_t tid() const { return tid_.load(); }
  std::uint64_t relayed() const { return relayed_.load(); }

 private:
  void run() {
    tid_ = current_tid();
    constexpr int kBatch = 32;
    std::vector<std::uint8_t> bufs(kBatch * 2048);
    mmsghdr msgs[kBatch];
    iovec iov[kBatch];
    epoll_event events[256];
    while (!stop_) {
      const int n = ::epoll_wait(ep_, events, 256, 50);
      for (int i = 0; i < n; ++i) {
        const auto idx = events[i].data.u64 / 2;
        const bool from_b = events[i].data.u64 % 2;
        auto& p = pairs_[idx];
        const int in = from_b ? p.b.fd : p.a.fd;
        const int out = from_b ? p.a.fd : p.b.fd;
        sockaddr_in to = loopback(from_b ? p.phone_a : p.phone_b);
        for (;;) {
          prepare_recv(msgs, iov, bufs.data(), kBatch);
          const int got = ::recvmmsg(in, msgs, kBatch, MSG_DONTWAIT, nullptr);
          if (got <= 0) break;
          for (int k = 0; k < got; ++k) {
            iov[k].iov_len = msgs[k].msg_len;
            msgs[k].msg_hdr.msg_name = &to;
            msgs[k].msg_hdr.msg_namelen = sizeof to;
          }
          ::sendmmsg(out, msgs, static_cast<unsigned>(got), MSG_DONTWAIT);
          relayed_ += static_cast<std::uint64_t>(got);
          if (got < kBatch) break;
        }
      }
    }
  }
  std::vector<Pair> pairs_;
  int ep_ = -1;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> relayed_{0};
  std::atomic<pid_t> tid_{0};
};

}  // namespace rtp_bench
