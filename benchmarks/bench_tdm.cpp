// The TDM audio path per block, on one core, against copying the same blocks.
//
// BM_TdmLoc/N: N channels of a `loc` span pair; per block: write on span A channel i (the law
// table, the loop's ring slot), one drain on span B's strand, the line's receive work (rx gain
// table, re-blocking into a 20 ms frame from the recycling payload pool). Both directions.
// BM_TdmSocket/N: N socket-span ports, each fed by a peer Unix datagram socket as tdmphone does:
// the peer encodes and sends, the port's receive (on its strand) decodes the wire framing and does
// the same line work. Everything runs on the benchmark thread's io_context (one core).
// BM_CopyBlocks/N: the baseline — memcpy of the same 160-byte blocks into N frame buffers.
// Counters: blocks_per_s (per core) and, for the TDM paths, ratio_to_copy = ns per block of the
// path / ns per block of the copy measured in the same run. Results: docs/benchmarks/tdm.md.
#include <benchmark/benchmark.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "drivers/tdm/frame_pool.hpp"
#include "drivers/tdm/soft_spans.hpp"
#include "telephony/tdm/wire.hpp"

using namespace telephony::tdm;

namespace {

double g_copy_ns_per_block = 0;  // BM_CopyBlocks/N sets it for the same N before the TDM runs

std::array<std::uint8_t, 256> gain_table() {
  std::array<std::uint8_t, 256> t;
  for (int i = 0; i < 256; ++i) t[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i ^ 0x01);
  return t;
}

// What a line does with each received block.
struct LineWork : PortListener {
  RxFramer framer;
  const std::uint8_t* gain = nullptr;
  std::shared_ptr<const std::vector<std::uint8_t>> last;
  std::uint64_t frames = 0;
  void on_event(PortEvent) override {}
  void on_audio(std::span<const std::uint8_t> g711) override {
    framer.push(g711, gain, [&](std::shared_ptr<const std::vector<std::uint8_t>> p) {
      last = std::move(p);
      ++frames;
    });
  }
};

void report(benchmark::State& state, std::size_t blocks, double seconds) {
  const double per_s = static_cast<double>(blocks) / seconds;
  state.counters["blocks_per_s"] = per_s;
  const double ns = 1e9 / per_s;
  state.counters["ns_per_block"] = ns;
  if (g_copy_ns_per_block > 0) state.counters["ratio_to_copy"] = ns / g_copy_ns_per_block;
}

void BM_CopyBlocks(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::vector<std::array<std::uint8_t, 160>> src(n), dst(n);
  for (auto& b : src) b.fill(0x55);
  std::size_t blocks = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    for (std::size_t i = 0; i < n; ++i) {
      std::memcpy(dst[i].data(), src[i].data(), 160);
      benchmark::DoNotOptimize(dst[i].data());
    }
    blocks += n;
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  report(state, blocks, s);
  g_copy_ns_per_block = s * 1e9 / static_cast<double>(blocks);
}

void BM_TdmLoc(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  boost::asio::io_context io;
  auto a = make_loc_span(1, {9, 0}, std::vector<Law>(n, Law::Ulaw));
  auto b = make_loc_span(2, {9, 1}, std::vector<Law>(n, Law::Ulaw));
  link_loc_spans({a, b});
  const auto table = gain_table();
  std::vector<LineWork> work_a(n), work_b(n);
  for (std::size_t i = 0; i < n; ++i) {
    work_a[i].gain = work_b[i].gain = table.data();
    a->channel(i).attach(&work_a[i], boost::asio::make_strand(io), Signalling::FxoKs, {});
    b->channel(i).attach(&work_b[i], boost::asio::make_strand(io), Signalling::FxsKs, {});
  }
  io.poll();
  std::array<std::uint8_t, 160> block;
  block.fill(0x55);
  std::size_t blocks = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    for (std::size_t i = 0; i < n; ++i) {
      a->channel(i).write_audio(block);
      b->channel(i).write_audio(block);
    }
    io.poll();
    io.restart();
    blocks += 2 * n;
  }
  report(state, blocks, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  for (std::size_t i = 0; i < n; ++i) {
    a->channel(i).detach();
    b->channel(i).detach();
  }
  io.poll();
}

void BM_TdmSocket(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  boost::asio::io_context io;
  const auto dir = std::filesystem::temp_directory_path() / ("bench_tdm_" + std::to_string(::getpid()));
  auto span = make_socket_span(io, 1, dir, std::vector<Law>(n, Law::Ulaw), nullptr);
  if (!span->start()) {
    state.SkipWithError("cannot bind the span's sockets");
    return;
  }
  const auto table = gain_table();
  std::vector<LineWork> work(n);
  std::vector<int> peers(n);
  for (std::size_t i = 0; i < n; ++i) {
    work[i].gain = table.data();
    span->channel(i).attach(&work[i], boost::asio::make_strand(io), Signalling::FxoKs, {});
    peers[i] = ::socket(AF_UNIX, SOCK_DGRAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const auto path = (dir / std::to_string(i + 1)).string();
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    if (::connect(peers[i], reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      state.SkipWithError("cannot reach a span socket");
      return;
    }
  }
  io.poll();
  std::array<std::uint8_t, 160> block;
  block.fill(0x55);
  std::array<std::uint8_t, kWireMaxDatagram> dgram;
  std::uint16_t seq = 0;
  std::size_t blocks = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    for (std::size_t i = 0; i < n; ++i) {
      const auto len = encode_wire_audio(dgram, seq++, WireLaw::Ulaw, block);
      (void)::send(peers[i], dgram.data(), len, 0);
    }
    io.poll();
    io.restart();
    blocks += n;
  }
  report(state, blocks, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  std::uint64_t got = 0;
  for (auto& w : work) got += w.frames;
  state.counters["frames_delivered"] = static_cast<double>(got);
  for (std::size_t i = 0; i < n; ++i) {
    span->channel(i).detach();
    ::close(peers[i]);
  }
  span->stop();
  io.poll();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace

// Copy first for each N, so the TDM runs of that N report their ratio to it.
BENCHMARK(BM_CopyBlocks)->Arg(8)->UseRealTime();
BENCHMARK(BM_TdmLoc)->Arg(8)->UseRealTime();
BENCHMARK(BM_TdmSocket)->Arg(8)->UseRealTime();
BENCHMARK(BM_CopyBlocks)->Arg(96)->UseRealTime();
BENCHMARK(BM_TdmLoc)->Arg(96)->UseRealTime();
BENCHMARK(BM_TdmSocket)->Arg(96)->UseRealTime();
