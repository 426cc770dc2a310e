// FastAGI round trips through the engine vs a bare TCP echo of the same lines, in the same run.
//
// The engine side: a Local channel runs AGI(agi://127.0.0.1:port/bench); this process is the
// FastAGI server, reads the agi_* environment, then sends one command line and waits for its
// status line, again and again (NOOP, GET VARIABLE, SET VARIABLE). Every round trip crosses the
// loopback socket twice, is parsed and dispatched on the channel's strand and publishes
// AGIExecStart/AGIExecEnd on the event bus. The baseline: the same client loop against a thread
// that echoes each line back (the cheapest possible "server" over the same kind of socket).
// Blocks of both alternate so machine load hits them alike; the ratio is engine / echo.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "telephony/agi/agi.hpp"
#include "telephony/dialplan/loader.hpp"
#include "telephony/dialplan/module.hpp"
#include "telephony/engine.hpp"
#include "telephony/local/local_driver.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

int listen_loopback(int* port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin_port);
  ::listen(fd, 4);
  return fd;
}

void no_delay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// Buffered line reader over a blocking socket.
class Lines {
 public:
  explicit Lines(int fd) : fd_(fd) {}
  bool next(std::string& line) {
    for (;;) {
      const auto nl = buf_.find('\n');
      if (nl != std::string::npos) {
        line.assign(buf_, 0, nl);
        buf_.erase(0, nl + 1);
        return true;
      }
      char tmp[4096];
      const ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n <= 0) return false;
      buf_.append(tmp, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_;
  std::string buf_;
};

// `count` round trips of `line` on `fd`; false if the peer went away.
bool round_trips(int fd, Lines& in, const std::string& line, int count) {
  std::string reply;
  for (int i = 0; i < count; ++i) {
    if (::send(fd, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) return false;
    if (!in.next(reply)) return false;
  }
  return true;
}

void BM_FastAgiRoundTrips(benchmark::State& state, std::string command) {
  command += "\n";
  // The echo baseline.
  int echo_port = 0;
  const int echo_listen = listen_loopback(&echo_port);
  std::thread echo([echo_listen] {
    const int c = ::accept(echo_listen, nullptr, nullptr);
    if (c < 0) return;
    no_delay(c);
    Lines in(c);
    std::string l;
    while (in.next(l)) {
      l.push_back('\n');
      if (::send(c, l.data(), l.size(), MSG_NOSIGNAL) <= 0) break;
    }
    ::close(c);
  });
  const int echo_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(echo_port));
  ::connect(echo_fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  no_delay(echo_fd);
  Lines echo_in(echo_fd);

  // The engine: a Local channel whose dialplan connects to our FastAGI listener.
  int agi_port = 0;
  const int agi_listen = listen_loopback(&agi_port);
  telephony::Engine engine(telephony::EngineOptions{.threads = 2});
  engine.log().set_level(telephony::LogLevel::Error);
  (void)engine.drivers().add("Local", std::make_shared<telephony::LocalDriver>());
  auto pbx = telephony::dialplan::install_dialplan(engine);
  telephony::agi::install_agi(engine);
  auto plan = telephony::dialplan::load_dialplan_string(
      "[bench]\nexten => agi,1,AGI(agi://127.0.0.1:" + std::to_string(agi_port) +
          "/bench)\n same => n,Hangup()\nexten => wait,1,Wait(600)\n",
      "extensions.conf");
  pbx->replace(*plan);
  engine.start();
  auto one = *engine.request("Local/agi@bench");
  auto token = one->hold();
  one->set_location({"bench", "wait", 1});
  (void)one->call("", 30s);
  const int agi_fd = ::accept(agi_listen, nullptr, nullptr);
  no_delay(agi_fd);
  Lines agi_in(agi_fd);
  std::string l;
  while (agi_in.next(l) && !l.empty()) {
  }

  constexpr int kBlock = 500;
  double engine_s = 0, echo_s = 0;
  long long engine_n = 0, echo_n = 0;
  for (auto _ : state) {
    auto t0 = Clock::now();
    if (!round_trips(echo_fd, echo_in, command, kBlock)) state.SkipWithError("echo server went away");
    auto t1 = Clock::now();
    if (!round_trips(agi_fd, agi_in, command, kBlock)) state.SkipWithError("the engine closed the AGI");
    auto t2 = Clock::now();
    echo_s += std::chrono::duration<double>(t1 - t0).count();
    engine_s += std::chrono::duration<double>(t2 - t1).count();
    echo_n += kBlock;
    engine_n += kBlock;
  }
  state.counters["agi_per_second"] = engine_n / engine_s;
  state.counters["echo_per_second"] = echo_n / echo_s;
  state.counters["agi_us"] = engine_s / engine_n * 1e6;
  state.counters["echo_us"] = echo_s / echo_n * 1e6;
  state.counters["ratio_to_echo"] = (engine_n / engine_s) / (echo_n / echo_s);

  ::close(agi_fd);
  ::close(echo_fd);
  echo.join();
  ::close(echo_listen);
  ::close(agi_listen);
  token.reset();
  engine.stop();
}
BENCHMARK_CAPTURE(BM_FastAgiRoundTrips, noop, std::string("NOOP"))->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK_CAPTURE(BM_FastAgiRoundTrips, get_variable, std::string("GET VARIABLE CHANNEL"))
    ->Unit(benchmark::kMillisecond)
    ->MinTime(1.0);
BENCHMARK_CAPTURE(BM_FastAgiRoundTrips, set_variable, std::string("SET VARIABLE BENCH \"some value\""))
    ->Unit(benchmark::kMillisecond)
    ->MinTime(1.0);

}  // namespace
