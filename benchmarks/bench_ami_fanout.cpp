// AMI event fan-out: one publisher, 10 logged-in sessions on 127.0.0.1, each read by a plain
// socket that only counts bytes (so the client side costs as little as possible). Reports
// published events/s (each one delivered to all 10 sessions) and deliveries/s. The baseline is
// the same bytes pushed through the same 10 loopback connections by plain asio writes without
// the AMI server (serialise once, write to every socket), measured in the same run.
#include <benchmark/benchmark.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "telephony/manager/server.hpp"
#include "telephony/manager/writer.hpp"

namespace asio = boost::asio;
using namespace telephony;
using namespace std::chrono_literals;

namespace {
constexpr int kClients = 10;
constexpr int kEventsPerIteration = 20000;

struct Runner {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard = asio::make_work_guard(io);
  std::thread thread{[this] { io.run(); }};
  ~Runner() {
    guard.reset();
    io.stop();
    thread.join();
  }
};

// Counts bytes arriving on a socket, forever.
struct Counter {
  asio::ip::tcp::socket sock;
  std::atomic<std::uint64_t>* total;
  std::vector<char> buf = std::vector<char>(64 * 1024);
  void start() {
    sock.async_read_some(asio::buffer(buf), [this](boost::system::error_code ec, std::size_t n) {
      if (ec) return;
      total->fetch_add(n, std::memory_order_relaxed);
      start();
    });
  }
};

ami::Message bench_event(int i) {
  char seq[16];
  std::snprintf(seq, sizeof seq, "%08d", i);
  ami::Message m;
  m.add("Event", "Newchannel").add("Channel", "SIP/alice-00000001").add("ChannelState", "0")
      .add("ChannelStateDesc", "Down").add("CallerIDNum", "1001").add("CallerIDName", "Alice")
      .add("Context", "default").add("Exten", "100").add("Priority", "1").add("Uniqueid", seq);
  return m;
}

std::size_t wire_size(const ami::Message& m) {
  // What publish() writes: Event, Privilege, the rest.
  std::string s;
  ami::Writer::header(s, "Event", m.event());
  ami::Writer::header(s, "Privilege", "call,all");
  for (std::size_t i = 1; i < m.size(); ++i) ami::Writer::header(s, m.at(i).key, m.at(i).value);
  ami::Writer::end(s);
  return s.size();
}

void wait_for(const std::atomic<std::uint64_t>& total, std::uint64_t expected, benchmark::State& state) {
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (total.load(std::memory_order_relaxed) < expected) {
    if (std::chrono::steady_clock::now() > deadline) {
      state.SkipWithError("events not delivered within 60 s");
      return;
    }
    std::this_thread::sleep_for(200us);
  }
}

// Closes the counting sockets on their own thread and waits, so nothing reads into freed memory.
void close_all(Runner& r, std::vector<std::unique_ptr<Counter>>& counters) {
  std::promise<void> done;
  asio::post(r.io, [&] {
    boost::system::error_code ec;
    for (auto& c : counters) c->sock.close(ec);
    done.set_value();
  });
  done.get_future().wait();
  r.guard.reset();
  r.io.stop();
}

double g_baseline_rate = 0;

void BM_Baseline_RawFanOut10(benchmark::State& state) {
  Runner server_side, client_side;
  asio::ip::tcp::acceptor acc(server_side.io, {asio::ip::make_address("127.0.0.1"), 0});
  std::vector<asio::ip::tcp::socket> outs;
  std::atomic<std::uint64_t> total{0};
  std::vector<std::unique_ptr<Counter>> counters;
  for (int i = 0; i < kClients; ++i) {
    asio::ip::tcp::socket c(client_side.io);
    c.connect(acc.local_endpoint());
    outs.push_back(acc.accept());
    counters.push_back(std::make_unique<Counter>(Counter{std::move(c), &total}));
  }
  asio::post(client_side.io, [&] { for (auto& c : counters) c->start(); });
  const auto size = wire_size(bench_event(0));
  std::uint64_t expected = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    std::string batch;
    for (int i = 0; i < kEventsPerIteration; ++i) {
      auto m = bench_event(i);
      std::string s;
      ami::Writer::header(s, "Event", m.event());
      ami::Writer::header(s, "Privilege", "call,all");
      for (std::size_t k = 1; k < m.size(); ++k) ami::Writer::header(s, m.at(k).key, m.at(k).value);
      ami::Writer::end(s);
      batch += s;
    }
    for (auto& o : outs) asio::write(o, asio::buffer(batch));
    expected += static_cast<std::uint64_t>(kEventsPerIteration) * size * kClients;
    wait_for(total, expected, state);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  g_baseline_rate = static_cast<double>(state.iterations()) * kEventsPerIteration / secs;
  state.counters["events_per_s"] = g_baseline_rate;
  state.counters["deliveries_per_s"] = g_baseline_rate * kClients;
  close_all(client_side, counters);
}

void BM_ServerFanOut10(benchmark::State& state) {
  Runner server_side, client_side;
  manager::ServerOptions opts;
  opts.port = 0;
  opts.session_queue_limit = 1000000;
  manager::UserOptions u;
  u.name = "bench";
  u.secret = "pw";
  u.read = manager::PrivilegeSet::all();
  u.write = manager::PrivilegeSet::all();
  u.writetimeout = 10000ms;
  manager::Server server(server_side.io, opts, {u});
  server.set_log([](std::string_view) {});
  if (!server.start()) {
    state.SkipWithError("server did not start");
    return;
  }
  std::atomic<std::uint64_t> total{0};
  std::vector<std::unique_ptr<Counter>> counters;
  for (int i = 0; i < kClients; ++i) {
    asio::ip::tcp::socket c(client_side.io);
    c.connect({asio::ip::make_address("127.0.0.1"), server.port()});
    // Events: call only, so the FullyBooted event (system) is not sent and byte counts are exact.
    const std::string login = "Action: Login\r\nUsername: bench\r\nSecret: pw\r\nEvents: call\r\n\r\n";
    asio::write(c, asio::buffer(login));
    std::string got;
    asio::read_until(c, asio::dynamic_buffer(got), "Authentication accepted\r\n\r\n");
    counters.push_back(std::make_unique<Counter>(Counter{std::move(c), &total}));
  }
  asio::post(client_side.io, [&] { for (auto& c : counters) c->start(); });
  const auto size = wire_size(bench_event(0));
  std::vector<ami::Message> events;
  for (int i = 0; i < kEventsPerIteration; ++i) events.push_back(bench_event(i));
  std::uint64_t expected = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    for (const auto& e : events) server.publish(e, manager::Privilege::Call);
    expected += static_cast<std::uint64_t>(kEventsPerIteration) * size * kClients;
    wait_for(total, expected, state);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double rate = static_cast<double>(state.iterations()) * kEventsPerIteration / secs;
  state.counters["events_per_s"] = rate;
  state.counters["deliveries_per_s"] = rate * kClients;
  if (g_baseline_rate > 0) state.counters["ratio_vs_raw"] = rate / g_baseline_rate;
  if (server.stats().write_timeout_disconnects + server.stats().queue_overflow_disconnects != 0)
    state.SkipWithError("a bench client was disconnected");
  server.stop();
  close_all(client_side, counters);
}
}  // namespace

BENCHMARK(BM_Baseline_RawFanOut10)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ServerFanOut10)->Unit(benchmark::kMillisecond)->UseRealTime();
