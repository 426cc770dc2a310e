// Per-frame cost of a two-party bridge: G.711 voice frames made per packet on one channel's strand
// (pooled payload, RTP metadata) reach the other channel's driver.
//
// Baseline (same run, same engine): the same frames posted bare from one strand to another with
// asio::post — the floor any hand-over between two strands pays. `ratio_to_baseline` says how
// many times that floor the bridge costs; `via_bridge_strand_ns` is the path every frame took
// before the direct relay (a technology that sees every frame: sender → bridge strand → peer).
#include <benchmark/benchmark.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <atomic>
#include <thread>

#include "telephony/bridge.hpp"
#include "telephony/engine.hpp"

using namespace telephony;
namespace asio = boost::asio;

namespace {

constexpr std::size_t kBatch = 1000;

struct Sink {
  std::atomic<std::uint64_t> frames{0};
};

class CountingTech : public ChannelTech {
 public:
  explicit CountingTech(Sink* s) : sink_(s) {}
  std::vector<media::Format> native_formats() const override { return {media::Format::ulaw()}; }
  void write(Channel&, const Frame& f) override {
    if (f.kind == FrameKind::Voice) sink_->frames.fetch_add(1, std::memory_order_release);
  }

 private:
  Sink* sink_;
};

// TwoPartyRelay without the direct path: every frame through the bridge strand.
class ViaBridgeStrand : public TwoPartyRelay {
 public:
  bool relays_directly(FrameKind) const override { return false; }
};

Frame packet(std::uint16_t seq) {
  std::uint8_t bytes[160];
  std::fill(std::begin(bytes), std::end(bytes), static_cast<std::uint8_t>(seq));
  return Frame::voice_copy(media::Format::ulaw(), bytes, 160,
                           RtpInfo{.timestamp = seq * 160u, .ssrc = 1, .sequence = seq, .marker = false, .present = true});
}

void wait_for(const Sink& s, std::uint64_t n) {
  while (s.frames.load(std::memory_order_acquire) < n) std::this_thread::yield();
}

struct Pair {
  Engine& engine;
  Sink sink;
  Channel::Ptr a, b;
  Bridge::Ptr bridge;
  Pair(Engine& e, std::unique_ptr<BridgeTechnology> tech) : engine(e) {
    a = make(nullptr);
    b = make(&sink);
    bridge = Bridge::create(engine, {}, std::move(tech));
    for (auto& c : {a, b})
      asio::co_spawn(
          c->strand(),
          [c, br = bridge]() -> asio::awaitable<void> {
            auto token = c->hold();
            co_await br->join(c);
          },
          asio::detached);
    while (bridge->members().size() < 2) std::this_thread::yield();
    // Until the cached peers are in place (or, without a direct path, the first frame arrives).
    for (std::uint64_t sent = 0; sent < 100; ++sent) send(1);
  }
  ~Pair() {
    bridge->dissolve();
    a->request_hangup();
    b->request_hangup();
  }
  Channel::Ptr make(Sink* s) {
    Engine::ChannelInit init;
    init.tech = "Bench";
    init.resource = "leg";
    init.impl = std::make_unique<CountingTech>(s ? s : &discard);
    return engine.create_channel(std::move(init));
  }
  // `n` packets into a's driver on a's strand; waits until b's driver has them all.
  void send(std::size_t n) {
    const auto target = sink.frames.load() + n;
    asio::post(a->strand(), [ch = a.get(), n] {
      for (std::size_t i = 0; i < n; ++i) ch->queue_frame(packet(static_cast<std::uint16_t>(i)));
    });
    wait_for(sink, target);
  }
  Sink discard;
};

double bare_post_ns(Engine& engine, std::size_t frames) {
  Channel::Strand from = asio::make_strand(engine.io()), to = asio::make_strand(engine.io());
  Sink sink;
  const auto t0 = std::chrono::steady_clock::now();
  for (std::size_t sent = 0; sent < frames; sent += kBatch) {
    asio::post(from, [&] {
      for (std::size_t i = 0; i < kBatch; ++i)
        asio::post(to, [&sink, f = packet(static_cast<std::uint16_t>(i))] {
          if (f.kind == FrameKind::Voice) sink.frames.fetch_add(1, std::memory_order_release);
        });
    });
    wait_for(sink, sent + kBatch);
  }
  return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() / double(frames);
}

double through(Pair& p, std::size_t frames) {
  const auto t0 = std::chrono::steady_clock::now();
  for (std::size_t sent = 0; sent < frames; sent += kBatch) p.send(kBatch);
  return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() / double(frames);
}

void BM_TwoPartyBridgeFrame(benchmark::State& state) {
  Engine engine(EngineOptions{.threads = static_cast<unsigned>(state.range(0))});
  engine.start();
  double direct = 0, via = 0, base = 0;
  std::size_t frames = 0;
  const auto c0 = frame_path_counters();
  {
    Pair relay(engine, std::make_unique<TwoPartyRelay>());
    Pair hop(engine, std::make_unique<ViaBridgeStrand>());
    for (auto _ : state) {
      direct += through(relay, kBatch);
      via += through(hop, kBatch);
      base += bare_post_ns(engine, kBatch);
      frames += kBatch;
    }
  }
  const auto c1 = frame_path_counters();
  const double n = static_cast<double>(state.iterations());
  state.counters["bridge_ns_per_frame"] = direct / n;
  state.counters["via_bridge_strand_ns"] = via / n;
  state.counters["baseline_ns_per_frame"] = base / n;
  state.counters["ratio_to_baseline"] = direct / base;
  state.counters["speedup_vs_bridge_strand"] = via / direct;
  state.counters["posts_per_direct_frame"] =
      double(c1.frame_posts - c0.frame_posts - (c1.bridge_hops - c0.bridge_hops)) /
      double(std::max<std::uint64_t>(1, c1.relay_direct - c0.relay_direct));
  state.counters["pool_growth"] = double(c1.pool_growth - c0.pool_growth);
  state.SetItemsProcessed(static_cast<std::int64_t>(frames));
  engine.stop();
}

}  // namespace

BENCHMARK(BM_TwoPartyBridgeFrame)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMicrosecond);
