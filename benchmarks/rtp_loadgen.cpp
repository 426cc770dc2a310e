// The media side of benchmarks/sip_rtp_load.sh: SIPp places and answers the calls (signalling
// only), this program is every phone's RTP. Two sockets stand for all phones: A (the callers,
// the port SIPp's UAC advertised) and B (the callees, the port SIPp's UAS advertised). Each
// sends one 20 ms G.711 packet per call per tick to the engine's port of its leg and receives
// what the engine relays from the other leg; the payload carries the send time, so the sink
// reads one-way latency and counts, exactly, the packets sent in the measurement window that
// came back (loss).
//
//   rtp_loadgen engine --pid PID --a-port PA --b-port PB --a-targets FILE --b-targets FILE
//                      [--warmup S] [--seconds S]
//       CPU of process PID (/proc/PID/stat utime+stime, every thread) over the window divided by
//       the packets relayed in it; threads and RSS of PID at the end of the window.
//   rtp_loadgen bare --calls N [--warmup S] [--seconds S]
//       The baseline at the same packet rate: a bare epoll + recvmmsg + sendmmsg relay thread
//       between 2N sockets (rtp_load.hpp BareRelay), its thread's CPU per relayed packet.
//
// Prints one line of key=value pairs. Target files hold one port per line.
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "rtp_load.hpp"

namespace {

using namespace rtp_bench;

struct Options {
  std::string mode;
  std::map<std::string, std::string> kv;
  std::string get(const std::string& k, const std::string& def = "") const {
    auto it = kv.find(k);
    return it == kv.end() ? def : it->second;
  }
};

std::vector<std::uint16_t> read_ports(const std::string& path) {
  std::vector<std::uint16_t> out;
  std::ifstream in(path);
  long p;
  while (in >> p)
    if (p > 0 && p < 65536) out.push_back(static_cast<std::uint16_t>(p));
  return out;
}

Socket open_udp_at(std::uint16_t port) {
  Socket s;
  s.fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  int one = 1;
  ::setsockopt(s.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a = loopback(port);
  if (::bind(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    std::cerr << "rtp_loadgen: cannot bind 127.0.0.1:" << port << ": " << std::strerror(errno)
              << "\n";
    std::exit(2);
  }
  s.port = port;
  return s;
}

// utime + stime of every thread of `pid`, in nanoseconds.
std::uint64_t process_cpu_ns(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(in, line);
  const auto close = line.rfind(')');
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  std::uint64_t utime = 0, stime = 0;
  for (int i = 3; rest >> field; ++i) {  // field 3 is the state
    if (i == 14) utime = std::stoull(field);
    if (i == 15) {
      stime = std::stoull(field);
      break;
    }
  }
  return (utime + stime) * (1'000'000'000ull / static_cast<std::uint64_t>(::sysconf(_SC_CLK_TCK)));
}

std::string status_field(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + ":", 0) == 0) {
      std::istringstream v(line.substr(key.size() + 1));
      std::string x;
      v >> x;
      return x;
    }
  return "0";
}

struct Result {
  std::uint64_t sent = 0, received = 0, cpu_ns = 0, late = 0;
  std::uint64_t sent_total = 0, received_total = 0;  // whole run: warm-up, window, drain
  double seconds = 0, lat_us = 0, max_lat_us = 0;
};

// Runs the generator and sink for warm-up + window; `cpu()` reads the relay's CPU nanoseconds.
template <class CpuFn>
Result run_window(std::vector<Flow> flows, const std::vector<int>& sink_fds, double warmup,
                  double seconds, CpuFn cpu) {
  std::vector<std::uint8_t> payload(160, 0xff);
  Sink sink(sink_fds, true);
  Generator gen(std::move(flows), payload);
  sink.start();
  gen.start();
  std::this_thread::sleep_for(std::chrono::duration<double>(warmup));
  sink.reset();
  const std::uint64_t t0 = now_ns(), t1 = t0 + static_cast<std::uint64_t>(seconds * 1e9);
  sink.set_window(t0, t1);
  gen.set_window(t0, t1);
  const std::uint64_t late0 = gen.late_ticks();
  const std::uint64_t cpu0 = cpu();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const std::uint64_t cpu1 = cpu();
  Result r;
  r.late = gen.late_ticks() - late0;
  // The decoded path holds packets in its jitter buffer: let the window's last ones come out.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  gen.stop();
  sink.stop();
  r.sent_total = gen.sent();
  r.received_total = sink.received_since_start();
  r.sent = gen.sent_in_window();
  r.received = sink.received_in_window();
  r.cpu_ns = cpu1 - cpu0;
  r.seconds = seconds;
  r.lat_us = sink.mean_latency_us();
  r.max_lat_us = sink.max_latency_us();
  return r;
}

void print(const Result& r, const std::string& extra) {
  const double loss =
      r.sent ? 100.0 * (1.0 - static_cast<double>(r.received) / static_cast<double>(r.sent)) : 0;
  std::printf(
      "sent=%llu received=%llu loss_pct=%.4f pps=%.0f cpu_ms=%.1f ns_per_pkt=%.0f lat_us=%.0f "
      "max_lat_us=%.0f late_ticks=%llu sent_total=%llu received_total=%llu%s\n",
      static_cast<unsigned long long>(r.sent), static_cast<unsigned long long>(r.received), loss,
      static_cast<double>(r.received) / r.seconds, static_cast<double>(r.cpu_ns) / 1e6,
      r.received ? static_cast<double>(r.cpu_ns) / static_cast<double>(r.received) : 0, r.lat_us,
      r.max_lat_us, static_cast<unsigned long long>(r.late), static_cast<unsigned long long>(r.sent_total),
      static_cast<unsigned long long>(r.received_total), extra.c_str());
}

int run_engine(const Options& o) {
  const pid_t pid = static_cast<pid_t>(std::stol(o.get("pid", "0")));
  const auto a_targets = read_ports(o.get("a-targets")), b_targets = read_ports(o.get("b-targets"));
  if (!pid || a_targets.empty() || a_targets.size() != b_targets.size()) {
    std::cerr << "rtp_loadgen engine: need --pid and as many --a-targets as --b-targets (got "
              << a_targets.size() << " and " << b_targets.size() << ")\n";
    return 2;
  }
  Socket a = open_udp_at(static_cast<std::uint16_t>(std::stoi(o.get("a-port")))),
         b = open_udp_at(static_cast<std::uint16_t>(std::stoi(o.get("b-port"))));
  enlarge_buffers(a);
  enlarge_buffers(b);
  std::vector<Flow> flows;
  for (std::size_t i = 0; i < a_targets.size(); ++i)
    flows.push_back({a.fd, a_targets[i], 0, 0x1000u + static_cast<std::uint32_t>(i), 0});
  for (std::size_t i = 0; i < b_targets.size(); ++i)
    flows.push_back({b.fd, b_targets[i], 0, 0x9000u + static_cast<std::uint32_t>(i), 0});
  const Result r =
      run_window(std::move(flows), {a.fd, b.fd}, std::stod(o.get("warmup", "2")),
                 std::stod(o.get("seconds", "10")), [pid] { return process_cpu_ns(pid); });
  print(r, " calls=" + std::to_string(a_targets.size()) + " threads=" +
               status_field(pid, "Threads") + " rss_kb=" + status_field(pid, "VmRSS"));
  ::close(a.fd);
  ::close(b.fd);
  return r.received ? 0 : 1;
}

int run_bare(const Options& o) {
  const int calls = std::stoi(o.get("calls", "0"));
  if (calls <= 0) {
    std::cerr << "rtp_loadgen bare: need --calls N\n";
    return 2;
  }
  Socket a = open_udp(), b = open_udp();
  enlarge_buffers(a);
  enlarge_buffers(b);
  std::vector<BareRelay::Pair> pairs;
  std::vector<Flow> flows;
  for (int i = 0; i < calls; ++i) {
    BareRelay::Pair p{open_udp(), open_udp(), a.port, b.port};
    flows.push_back({a.fd, p.a.port, 0, 0x1000u + static_cast<std::uint32_t>(i), 0});
    flows.push_back({b.fd, p.b.port, 0, 0x9000u + static_cast<std::uint32_t>(i), 0});
    pairs.push_back(p);
  }
  BareRelay relay(std::move(pairs));
  relay.start();
  const Result r = run_window(std::move(flows), {a.fd, b.fd}, std::stod(o.get("warmup", "2")),
                              std::stod(o.get("seconds", "10")), [&relay] {
                                for (const auto& t : thread_cpu())
                                  if (t.tid == relay.tid()) return t.ns;
                                return std::uint64_t{0};
                              });
  relay.stop();
  print(r, " calls=" + std::to_string(calls));
  ::close(a.fd);
  ::close(b.fd);
  return r.received ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (argc > 1) o.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k.rfind("--", 0) != 0) {
      std::cerr << "rtp_loadgen: expected --option value, got " << k << "\n";
      return 2;
    }
    o.kv[k.substr(2)] = argv[i + 1];
  }
  if (o.mode == "engine") return run_engine(o);
  if (o.mode == "bare") return run_bare(o);
  std::cerr << "usage: rtp_loadgen engine --pid PID --a-port PA --b-port PB --a-targets FILE "
               "--b-targets FILE [--warmup S] [--seconds S]\n"
               "       rtp_loadgen bare --calls N [--warmup S] [--seconds S]\n";
  return 2;
}
