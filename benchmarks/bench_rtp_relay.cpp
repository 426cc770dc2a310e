// Native RTP relay at scale: N bridged G.711 calls (both directions, 50 packets/s each) between
// loopback "phones", relayed by the engine's RTP shards, against a bare recvmmsg+sendmmsg relay
// loop over the same number of sockets measured in the same run. Reports CPU per relayed packet
// (engine shard threads + engine threads vs the bare loop's thread), the ratio, packet loss,
// one-way latency added, threads and heap per call.
//
//   ./build/bin/bench_rtp_relay --benchmark_filter='/2000'     (see docs/benchmarks/rtp.md)
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cstdlib>

#include "rtp_load.hpp"
#include "telephony/engine.hpp"
#include "telephony/rtp/media_session.hpp"
#include "telephony/rtp/rtp_config.hpp"

namespace {

using namespace telephony;
using namespace rtp_bench;
using namespace std::chrono_literals;

std::string phone_sdp(std::uint16_t port) {
  return "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio " + std::to_string(port) +
         " RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n";
}

// RTP shard threads of the engine under test (RTP_BENCH_SHARDS, default 1: the baseline is one
// thread too).
unsigned shards() {
  const char* v = std::getenv("RTP_BENCH_SHARDS");
  return v && std::atoi(v) > 0 ? static_cast<unsigned>(std::atoi(v)) : 1u;
}

struct Window {
  double cpu_ns_per_packet = 0;
  double loss = 0;
  double mean_latency_us = 0;
  double max_latency_us = 0;
  std::uint64_t packets = 0;
  std::uint64_t offered = 0;  // packets the generator managed to send in the window
};

// Runs the generator for `seconds` after a 1 s warm-up; `cpu` reads the relay's CPU ns.
template <class CpuFn>
Window measure(std::vector<Flow> flows, const std::vector<int>& sink_fds, double seconds, CpuFn cpu) {
  std::vector<std::uint8_t> payload(160, 0xff);
  Sink sink(sink_fds, true);
  Generator gen(std::move(flows), payload);
  sink.start();
  gen.start();
  std::this_thread::sleep_for(1s);
  sink.reset();
  // Loss over the packets stamped in the window, counted after they had time to arrive: exact
  // whatever is in flight at the window's edges.
  const std::uint64_t t0 = now_ns(), t1 = t0 + static_cast<std::uint64_t>(seconds * 1e9);
  gen.set_window(t0, t1);
  sink.set_window(t0, t1);
  const std::uint64_t cpu0 = cpu(gen.tid(), sink.tid());
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const std::uint64_t cpu1 = cpu(gen.tid(), sink.tid());
  const std::uint64_t received = sink.received();
  std::this_thread::sleep_for(500ms);  // drain what is in flight
  gen.stop();
  const std::uint64_t sent = gen.sent_in_window();
  const std::uint64_t got = sink.received_in_window();
  sink.stop();
  Window w;
  w.packets = received;
  w.offered = sent;
  w.cpu_ns_per_packet = received ? static_cast<double>(cpu1 - cpu0) / static_cast<double>(received) : 0;
  w.loss = sent ? std::max(0.0, 1.0 - static_cast<double>(got) / static_cast<double>(sent)) : 0;
  w.mean_latency_us = sink.mean_latency_us();
  w.max_latency_us = sink.max_latency_us();
  return w;
}

void BM_RelayEngineVsBare(benchmark::State& state) {
  const int calls = static_cast<int>(state.range(0));
  const double seconds = 5;
  // The "phones": one socket sends every call's RTP (sendmmsg), one receives what the relay
  // sends on (recvmmsg), so the load generator costs little next to the relay under test.
  Socket gen = open_udp(), sink = open_udp();
  enlarge_buffers(gen);
  enlarge_buffers(sink);
  for (auto _ : state) {
    // ---- engine ----
    Window engine_w;
    std::size_t threads = 0;
    double heap_per_call = 0;
    {
      Engine engine(EngineOptions{.threads = 2});
      engine.start();
      rtp::RtpConfig c;
      c.bind_address = "127.0.0.1";
      c.io_threads = shards();
      rtp::rtp_module(engine)->set_config(c);
      rtp::MediaSettings s;
      s.endpoint = "bench";
      s.codecs = *rtp::CodecPreferences::from_allow("ulaw");
      s.bind_address = "127.0.0.1";
      // Warm the stack (threads, pools) before measuring the per-call heap.
      { auto warm = rtp::MediaSession::create(engine, s); }
      const std::size_t heap0 = mallinfo2().uordblks;
      std::vector<rtp::MediaSession::Ptr> legs;
      std::vector<Flow> flows;
      for (int i = 0; i < calls; ++i) {
        auto x = rtp::MediaSession::create(engine, s);
        auto y = x ? rtp::MediaSession::create(engine, s, x->get()) : x;
        if (!x || !y) {
          state.SkipWithError((x ? y : x).error().to_string().c_str());
          return;
        }
        (void)(*x)->answer_offer(phone_sdp(sink.port));
        (void)(*y)->answer_offer(phone_sdp(sink.port));
        if (auto r = rtp::MediaSession::start_native_relay(*x, *y); !r) {
          state.SkipWithError(r.error().to_string().c_str());
          return;
        }
        flows.push_back({gen.fd, (*x)->local_rtp_port(), 0, 0x1000u + static_cast<std::uint32_t>(i), 0});
        flows.push_back({gen.fd, (*y)->local_rtp_port(), 0, 0x9000u + static_cast<std::uint32_t>(i), 0});
        legs.push_back(*x);
        legs.push_back(*y);
      }
      heap_per_call = static_cast<double>(mallinfo2().uordblks - heap0) / calls;
      threads = thread_count();
      const pid_t main_tid = current_tid();
      engine_w = measure(flows, {sink.fd}, seconds, [main_tid](pid_t g, pid_t k) { return cpu_ns("", {g, k, main_tid}); });
      for (auto& l : legs) l->stop();
      legs.clear();
      std::this_thread::sleep_for(200ms);
      engine.stop();
    }
    // ---- baseline: the bare loop over the same number of sockets ----
    Window bare_w;
    {
      std::vector<BareRelay::Pair> pairs;
      std::vector<Flow> flows;
      for (int i = 0; i < calls; ++i) {
        BareRelay::Pair p{open_udp(), open_udp(), sink.port, sink.port};
        flows.push_back({gen.fd, p.a.port, 0, 0x1000u + static_cast<std::uint32_t>(i), 0});
        flows.push_back({gen.fd, p.b.port, 0, 0x9000u + static_cast<std::uint32_t>(i), 0});
        pairs.push_back(p);
      }
      BareRelay relay(std::move(pairs));
      relay.start();
      bare_w = measure(flows, {sink.fd}, seconds, [&relay](pid_t, pid_t) {
        for (const auto& t : thread_cpu())
          if (t.tid == relay.tid()) return t.ns;
        return std::uint64_t{0};
      });
      relay.stop();
    }
    state.SetIterationTime(seconds * 2);
    state.counters["calls"] = calls;
    state.counters["shards"] = shards();
    state.counters["pkts_per_s"] = static_cast<double>(engine_w.packets) / seconds;
    // 100 packets/s per call are due; less means the generator (not the relay) fell behind.
    state.counters["offered_pct"] = 100.0 * static_cast<double>(engine_w.offered) / (seconds * 100.0 * calls);
    state.counters["engine_ns_per_pkt"] = engine_w.cpu_ns_per_packet;
    state.counters["bare_ns_per_pkt"] = bare_w.cpu_ns_per_packet;
    state.counters["ratio_to_bare"] = bare_w.cpu_ns_per_packet > 0 ? engine_w.cpu_ns_per_packet / bare_w.cpu_ns_per_packet : 0;
    state.counters["engine_loss_pct"] = engine_w.loss * 100;
    state.counters["bare_loss_pct"] = bare_w.loss * 100;
    state.counters["engine_lat_us"] = engine_w.mean_latency_us;
    state.counters["bare_lat_us"] = bare_w.mean_latency_us;
    state.counters["added_lat_us"] = engine_w.mean_latency_us - bare_w.mean_latency_us;
    state.counters["engine_max_lat_us"] = engine_w.max_latency_us;
    state.counters["threads"] = static_cast<double>(threads);
    state.counters["heap_bytes_per_call"] = heap_per_call;
  }
  ::close(gen.fd);
  ::close(sink.fd);
}
BENCHMARK(BM_RelayEngineVsBare)->Arg(10)->Arg(200)->Arg(2000)->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond);

}  // namespace
