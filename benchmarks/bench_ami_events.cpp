// Engine events to an AMI socket, end to end: a channel's set_variable() publishes ChannelVarSet
// on the engine bus; the manager module maps it to `Event: VarSet` (events.cpp) and the server
// writes it to one logged-in client on 127.0.0.1, read by a plain socket that only counts
// messages. Baseline (same run): the same set_variable() calls with a bare bus subscriber that
// only counts, i.e. what the engine costs before AMI is involved.
#include <benchmark/benchmark.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "telephony/engine.hpp"
#include "telephony/manager/module.hpp"

namespace asio = boost::asio;
using namespace telephony;
using namespace std::chrono_literals;

namespace {
constexpr int kEventsPerIteration = 20000;

class NullTech : public ChannelTech {};

Channel::Ptr make_channel(Engine& engine) {
  Engine::ChannelInit init;
  init.tech = "Bench";
  init.resource = "a";
  init.impl = std::make_unique<NullTech>();
  return engine.create_channel(std::move(init));
}

bool wait_until(const std::atomic<std::uint64_t>& counter, std::uint64_t target) {
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (counter.load(std::memory_order_acquire) < target) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

void BM_BusSubscriberBaseline(benchmark::State& state) {
  Engine engine({.threads = 2, .worker_threads = 1});
  engine.start();
  std::atomic<std::uint64_t> seen{0};
  auto sub = engine.events().subscribe({.name = "bench"}, [&](const EventPtr& ev) {
    if (ev->as<ChannelVarSet>()) seen.fetch_add(1, std::memory_order_release);
  });
  auto chan = make_channel(engine);
  std::uint64_t target = 0;
  for (auto _ : state) {
    for (int i = 0; i < kEventsPerIteration; ++i) chan->set_variable("COUNTER", std::to_string(i));
    target += kEventsPerIteration;
    if (!wait_until(seen, target)) state.SkipWithError("events did not arrive");
  }
  state.SetItemsProcessed(state.iterations() * kEventsPerIteration);
  chan->hangup();
  engine.stop(200ms);
}

void BM_EngineToAmiSocket(benchmark::State& state) {
  Engine engine({.threads = 2, .worker_threads = 1});
  engine.start();
  manager::ManagerModule module(engine);
  manager::ManagerConfig cfg;
  cfg.options.port = 0;
  cfg.options.displayconnects = false;
  // A 20 000-event burst is faster than one loopback socket drains; the default 10 000-message
  // session queue would (correctly) cut this client off as too slow. Measure throughput instead.
  cfg.options.session_queue_limit = 1000000;
  manager::UserOptions u;
  u.name = "bench";
  u.secret = "bench";
  u.read = manager::PrivilegeSet::all();
  u.write = manager::PrivilegeSet::all();
  cfg.users.push_back(u);
  if (!module.apply(cfg)) {
    state.SkipWithError("manager did not start");
    return;
  }
  asio::io_context io;
  asio::ip::tcp::socket sock(io);
  sock.connect({asio::ip::make_address("127.0.0.1"), module.port()});
  const std::string login = "Action: Login\r\nUsername: bench\r\nSecret: bench\r\nEvents: dialplan\r\n\r\n";
  asio::write(sock, asio::buffer(login));
  std::string greeting;
  asio::read_until(sock, asio::dynamic_buffer(greeting), "Authentication accepted\r\n\r\n");
  // Counts messages (each ends with one blank line) on a reader thread.
  std::atomic<std::uint64_t> messages{0};
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    char buf[65536];
    int crlf_run = 0;  // how much of "\r\n\r\n" the previous bytes ended with
    while (!stop.load()) {
      boost::system::error_code ec;
      const auto n = sock.read_some(asio::buffer(buf), ec);
      if (ec) break;
      std::uint64_t found = 0;
      for (std::size_t i = 0; i < n; ++i) {
        const char c = buf[i];
        crlf_run = (c == "\r\n\r\n"[crlf_run]) ? crlf_run + 1 : (c == '\r' ? 1 : 0);
        if (crlf_run == 4) {
          ++found;
          crlf_run = 0;
        }
      }
      messages.fetch_add(found, std::memory_order_release);
    }
  });
  auto chan = make_channel(engine);
  std::this_thread::sleep_for(50ms);
  const std::uint64_t start = messages.load();
  std::uint64_t target = start;
  for (auto _ : state) {
    for (int i = 0; i < kEventsPerIteration; ++i) chan->set_variable("COUNTER", std::to_string(i));
    target += kEventsPerIteration;
    if (!wait_until(messages, target)) state.SkipWithError("events did not reach the AMI client");
  }
  state.SetItemsProcessed(state.iterations() * kEventsPerIteration);
  state.counters["lost"] = static_cast<double>(module.event_stats().lost);
  stop = true;
  boost::system::error_code ec;
  sock.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  sock.close(ec);
  reader.join();
  module.unload();
  chan->hangup();
  engine.stop(200ms);
}

}  // namespace

BENCHMARK(BM_BusSubscriberBaseline)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);
BENCHMARK(BM_EngineToAmiSocket)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);
