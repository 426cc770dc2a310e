// The TDM audio path allocates nothing per block in steady state: a block written on one `loc`
// span channel crosses the wire to its peer, is delivered on the peer's strand, re-blocked into a
// 20 ms frame whose payload comes from the recycling pool, and the wire framing of the socket
// span encodes and decodes it — all counted with global operator new, as media_alloc_test does.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <atomic>
#include <cstdlib>
#include <new>

#include "drivers/tdm/frame_pool.hpp"
#include "drivers/tdm/soft_spans.hpp"
#include "telephony/tdm/wire.hpp"

namespace {
std::atomic<long> g_allocs{0};
std::atomic<bool> g_counting{false};
}  // namespace

void* operator new(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocs.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocs.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

using namespace telephony::tdm;

namespace {

// What a line does with a received block: re-block into 20 ms frames from the pool, and keep
// the last few frames alive for a while, as a consumer (bridge, recorder) would.
struct Sink : PortListener {
  RxFramer framer;
  std::array<std::shared_ptr<const std::vector<std::uint8_t>>, 4> held;
  std::size_t next = 0;
  std::size_t frames = 0;
  void on_event(PortEvent) override {}
  void on_audio(std::span<const std::uint8_t> g711) override {
    framer.push(g711, nullptr, [&](std::shared_ptr<const std::vector<std::uint8_t>> p) {
      held[next++ % held.size()] = std::move(p);
      ++frames;
    });
  }
};

}  // namespace

TEST(TdmAllocation, LocWireAndFramingAllocateNothingPerBlock) {
  boost::asio::io_context io;
  auto a = make_loc_span(1, {5, 0}, std::vector<Law>(2, Law::Ulaw));
  auto b = make_loc_span(2, {5, 1}, std::vector<Law>(2, Law::Ulaw));
  link_loc_spans({a, b});
  Sink sink_a, sink_b;
  auto strand_a = boost::asio::make_strand(io);
  auto strand_b = boost::asio::make_strand(io);
  a->channel(0).attach(&sink_a, strand_a, Signalling::FxoKs, {});
  b->channel(0).attach(&sink_b, strand_b, Signalling::FxsKs, {});
  std::array<std::uint8_t, 160> block;
  block.fill(0x55);
  std::array<std::uint8_t, kWireMaxDatagram> dgram;
  auto one_round = [&] {
    a->channel(0).write_audio(block);  // phone port -> line port
    b->channel(0).write_audio(block);  // and back
    io.poll();
    io.restart();
    // The socket span's framing of the same block, both ways.
    const auto n = encode_wire_audio(dgram, 7, WireLaw::Ulaw, block);
    auto m = decode_wire(std::span<const std::uint8_t>(dgram.data(), n));
    ASSERT_TRUE(m);
  };
  for (int i = 0; i < 200; ++i) one_round();  // warm up: pools, asio's handler memory
  g_allocs = 0;
  g_counting = true;
  for (int i = 0; i < 2000; ++i) one_round();
  g_counting = false;
  EXPECT_EQ(g_allocs.load(), 0) << "allocations in 2000 blocks each way";
  EXPECT_EQ(sink_a.frames, 2200u);
  EXPECT_EQ(sink_b.frames, 2200u);
  a->channel(0).detach();
  b->channel(0).detach();
  io.poll();
}
