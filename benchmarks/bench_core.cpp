// Channel create/destroy rate and the memory an idle channel costs.
//
// Baseline (same run): registering and removing a plain record of the same shape (name,
// uniqueid, a few strings) in a mutex-guarded std::map — the floor any channel registry pays.
// The ratio counter says how many times that floor a full channel costs (strand, events, tech).
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <map>
#include <mutex>
#include <thread>

#include "telephony/engine.hpp"

using namespace telephony;

namespace {
class IdleTech : public ChannelTech {};

class IdleDriver : public ChannelDriver {
 public:
  std::string_view technology() const override { return "Idle"; }
  std::string_view description() const override { return "benchmark channel"; }
  Result<Channel::Ptr> request(Engine& engine, const ChannelRequest& req) override {
    Engine::ChannelInit init;
    init.tech = "Idle";
    init.resource = req.resource;
    init.impl = std::make_unique<IdleTech>();
    return engine.create_channel(std::move(init));
  }
};

struct PlainRecord {
  std::string name, uniqueid, linkedid, context, exten, language = "en";
};


void BM_Baseline_RegistryRecord(benchmark::State& state) {
  std::mutex mu;
  std::map<std::string, std::shared_ptr<PlainRecord>, std::less<>> reg;
  std::uint64_t i = 0;
  for (auto _ : state) {
    auto r = std::make_shared<PlainRecord>();
    r->name = "Idle/dev-" + std::to_string(i++);
    r->uniqueid = "1700000000." + std::to_string(i);
    r->linkedid = r->uniqueid;
    {
      std::lock_guard l(mu);
      reg[r->name] = r;
    }
    std::lock_guard l(mu);
    reg.erase(r->name);
  }
  state.counters["per_second"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_ChannelCreateHangup(benchmark::State& state) {
  Engine engine(EngineOptions{.threads = 1});
  (void)engine.drivers().add("Idle", std::make_shared<IdleDriver>());
  engine.start();
  auto c0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    auto c = engine.request("Idle/dev");
    (*c)->hangup();
  }
  while (engine.channel_count() > 0) std::this_thread::yield();
  double chan_ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - c0).count() /
                   static_cast<double>(state.iterations());
  state.counters["per_second"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  engine.stop();
  // Same number of baseline records, timed here so the ratio comes from one run.
  std::mutex mu;
  std::map<std::string, std::shared_ptr<PlainRecord>, std::less<>> reg;
  auto t0 = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < static_cast<std::uint64_t>(state.iterations()); ++i) {
    auto r = std::make_shared<PlainRecord>();
    r->name = "Idle/dev-" + std::to_string(i);
    r->uniqueid = "1700000000." + std::to_string(i);
    r->linkedid = r->uniqueid;
    std::lock_guard l(mu);
    reg[r->name] = r;
    reg.erase(r->name);
  }
  double base_ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() /
                   static_cast<double>(state.iterations());
  state.counters["baseline_ns"] = base_ns;
  state.counters["channel_ns"] = chan_ns;
  state.counters["ratio_to_baseline"] = chan_ns / base_ns;
}

// Memory: heap bytes held per idle (created, not hung up) channel, 10,000 of them.
void BM_BytesPerIdleChannel(benchmark::State& state) {
  const int n = 10000;
  for (auto _ : state) {
    Engine engine(EngineOptions{.threads = 1});
    (void)engine.drivers().add("Idle", std::make_shared<IdleDriver>());
    engine.start();
    std::vector<Channel::Ptr> keep;
    keep.reserve(n);
    auto before = mallinfo2().uordblks;
    for (int i = 0; i < n; ++i) keep.push_back(*engine.request("Idle/dev"));
    auto after = mallinfo2().uordblks;
    state.counters["bytes_per_channel"] = static_cast<double>(after - before) / n;
    std::vector<PlainRecord> plain;
    plain.reserve(n);
    auto pb = mallinfo2().uordblks;
    for (int i = 0; i < n; ++i) plain.push_back(PlainRecord{"Idle/dev-" + std::to_string(i) + "-padpadpad", "1700000000.123456", "1700000000.123456", "default", "s"});
    auto pa = mallinfo2().uordblks;
    state.counters["baseline_bytes_per_record"] = static_cast<double>(pa - pb) / n + sizeof(PlainRecord);
    state.counters["ratio_to_baseline"] = state.counters["bytes_per_channel"] / state.counters["baseline_bytes_per_record"];
    for (auto& c : keep) c->hangup();
    while (engine.channel_count() > 0) std::this_thread::yield();
    engine.stop();
  }
}

}  // namespace

BENCHMARK(BM_Baseline_RegistryRecord);
BENCHMARK(BM_ChannelCreateHangup)->UseRealTime();
BENCHMARK(BM_BytesPerIdleChannel)->Iterations(1)->Unit(benchmark::kMillisecond);
