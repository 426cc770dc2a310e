// Originate throughput: answered calls per second through the originate core (request, identity,
// variables, call, monitor coroutine on the channel strand, PBX hand-off, result callback).
//
// Baseline (same run): the bare engine steps an originate cannot avoid — request a channel, hold
// it, call it, read the Answer on its strand, hang it up — written inline with no request
// validation, variables, result or PBX. The ratio says what the core adds on top.
// Each iteration runs a batch of 100 calls in flight at once.
#include <benchmark/benchmark.h>

#include <utility>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <atomic>
#include <condition_variable>
#include <mutex>

#include "telephony/engine.hpp"
#include "telephony/originate.hpp"

using namespace telephony;
namespace asio = boost::asio;

namespace {
constexpr int kBatch = 100;

class AnsweringTech : public ChannelTech {
 public:
  Result<void> call(Channel& chan, std::string_view, std::chrono::milliseconds) override {
    chan.queue_frame(Frame::control(Control::Answer));
    return {};
  }
};

class AnsweringDriver : public ChannelDriver {
 public:
  std::string_view technology() const override { return "Bench"; }
  std::string_view description() const override { return "answers at once"; }
  Result<Channel::Ptr> request(Engine& engine, const ChannelRequest& req) override {
    Engine::ChannelInit init;
    init.tech = "Bench";
    init.resource = req.resource;
    init.impl = std::make_unique<AnsweringTech>();
    init.uniqueid = req.uniqueid;
    return engine.create_channel(std::move(init));
  }
};

// Hangs every started channel up at once: the cost of the dialplan is not what is measured.
class HangupPbx : public Pbx {
 public:
  void start(Channel::Ptr chan) override { chan->hangup(); }
  bool exists(std::string_view, std::string_view, int, std::string_view) const override { return true; }
};

struct Latch {
  std::mutex mu;
  std::condition_variable cv;
  int left = 0;
  void done() {
    std::lock_guard l(mu);
    if (--left == 0) cv.notify_all();
  }
  void wait() {
    std::unique_lock l(mu);
    cv.wait(l, [&] { return left == 0; });
  }
};

struct BenchEngine {
  Engine engine{EngineOptions{.threads = 2}};
  BenchEngine() {
    (void)engine.drivers().add("Bench", std::make_shared<AnsweringDriver>());
    engine.set_pbx(std::make_shared<HangupPbx>());
    engine.start();
  }
  ~BenchEngine() { engine.stop(); }
};

void BM_Baseline_RequestCallAnswerHangup(benchmark::State& state) {
  BenchEngine b;
  for (auto _ : state) {
    Latch latch;
    latch.left = kBatch;
    for (int i = 0; i < kBatch; ++i) {
      auto chan = *b.engine.request("Bench/dev");
      auto token = chan->hold();
      (void)chan->call("dev", std::chrono::seconds(5));
      asio::co_spawn(
          chan->strand(),
          [chan, token, &latch]() mutable -> asio::awaitable<void> {
            while (auto f = co_await chan->read(std::chrono::seconds(5)))
              if (f->is_control(Control::Answer)) break;
            chan->hangup();
            token.reset();
            latch.done();
          },
          asio::detached);
    }
    latch.wait();
  }
  state.counters["calls_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations() * kBatch), benchmark::Counter::kIsRate);
}

void BM_Originate(benchmark::State& state) {
  BenchEngine b;
  OriginateRequest req;
  req.dial = "Bench/dev";
  req.context = "bench";
  req.exten = "100";
  req.caller_id = CallerId{"100", "Bench"};
  req.variables = {{"A", "1"}, {"B", "2"}};
  std::atomic<std::uint64_t> failures{0};
  for (auto _ : state) {
    Latch latch;
    latch.left = kBatch;
    for (int i = 0; i < kBatch; ++i)
      originate(b.engine, req, [&](const OriginateResult& r) {
        if (!r.answered()) ++failures;
        latch.done();
      });
    latch.wait();
  }
  if (failures.load()) state.SkipWithError("an originate did not answer");
  state.counters["calls_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations() * kBatch), benchmark::Counter::kIsRate);
}
}  // namespace

BENCHMARK(BM_Baseline_RequestCallAnswerHangup)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Originate)->Unit(benchmark::kMillisecond)->UseRealTime();
