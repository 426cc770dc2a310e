// The TDM audio path allocates nothing per block in steady state: a block written on one `loc`
// span channel crosses the wire to its peer, is delivered on the peer's strand, re-blocked into a
// 20 ms frame whose payload comes from the recycling pool, and the wire framing of the socket
// span encodes and decodes it — all counted with global operator new, as media_alloc_test does.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <atomic>
#include <cstdlib>
#include <functional>
#include <new>

#include <boost/asio/post.hpp>

#include "drivers/tdm/conference_mix.hpp"
#include "drivers/tdm/frame_pool.hpp"
#include "drivers/tdm/handler_arena.hpp"
#include "drivers/tdm/soft_spans.hpp"
#include "telephony/tdm/wire.hpp"

// The replacements below pair malloc with free on purpose; gcc cannot see that through inlining.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

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

// The writer of a block, as a channel's strand is in the engine: each round writes one block each
// way and posts the next round to itself, so everything runs inside the io_context (where asio
// recycles handler memory) exactly as a call's frames do.
struct Writer {
  HandlerArena* arena;  // the test's own reposting must not be what allocates
  Span* a;
  Span* b;
  boost::asio::strand<boost::asio::io_context::executor_type>* strand;
  std::array<std::uint8_t, 160>* block;
  int* left;
  int counted = 0;  // rounds to count (0: warm-up)
  void operator()() const {
    // Counting starts and stops inside the running io_context, so run()'s own setup is not
    // charged to the blocks.
    if (counted && *left == counted) g_counting = true;
    a->channel(0).write_audio(*block);  // phone port -> line port
    b->channel(0).write_audio(*block);  // and back
    std::array<std::uint8_t, kWireMaxDatagram> dgram;
    const auto n = encode_wire_audio(dgram, 7, WireLaw::Ulaw, *block);
    if (!decode_wire(std::span<const std::uint8_t>(dgram.data(), n))) std::abort();
    if (--*left > 0) boost::asio::post(*strand, arena_bound(*arena, *this));
    else g_counting = false;
  }
};

TEST(TdmAllocation, LocWireAndFramingAllocateNothingPerBlock) {
  boost::asio::io_context io;
  auto a = make_loc_span(1, {5, 0}, std::vector<Law>(2, Law::Ulaw));
  auto b = make_loc_span(2, {5, 1}, std::vector<Law>(2, Law::Ulaw));
  link_loc_spans({a, b});
  Sink sink_a, sink_b;
  auto strand_a = boost::asio::make_strand(io);
  auto strand_b = boost::asio::make_strand(io);
  auto strand_w = boost::asio::make_strand(io);
  a->channel(0).attach(&sink_a, strand_a, Signalling::FxoKs, {});
  b->channel(0).attach(&sink_b, strand_b, Signalling::FxsKs, {});
  std::array<std::uint8_t, 160> block;
  block.fill(0x55);
  HandlerArena arena;
  int left = 300;  // warm up: pools, asio's recycled handler memory
  boost::asio::post(strand_w, Writer{&arena, a.get(), b.get(), &strand_w, &block, &left, 0});
  io.run();
  io.restart();
  left = 2000;
  g_allocs = 0;
  boost::asio::post(strand_w, Writer{&arena, a.get(), b.get(), &strand_w, &block, &left, 2000});
  io.run();
  EXPECT_EQ(g_allocs.load(), 0) << "allocations in 2000 blocks each way";
  EXPECT_EQ(sink_a.frames, 2300u);
  EXPECT_EQ(sink_b.frames, 2300u);
  a->channel(0).detach();
  b->channel(0).detach();
  io.restart();
  io.poll();
}

// A phone's three-way conference: both parties' writes go into the line's rings (channel
// strands) and each phone block pulls and mixes them (line strand). Nothing is allocated per
// block, whatever block sizes the two sides use.
TEST(TdmAllocation, ThreeWayConferenceMixAllocatesNothingPerBlock) {
  auto mix = std::make_unique<ConferenceMix>();
  std::array<std::int16_t, 160> party_a, party_b;
  party_a.fill(1000);
  party_b.fill(-300);
  std::array<std::int16_t, 80> out_a, out_b, phone;  // 10 ms phone blocks against 20 ms writes
  long mixed = 0;
  g_counting = true;
  g_allocs = 0;
  for (int i = 0; i < 4000; ++i) {
    if (i % 2 == 0) {
      mix->push(0, party_a);
      mix->push(1, party_b);
    }
    mix->pull(0, out_a);
    mix->pull(1, out_b);
    for (std::size_t k = 0; k < phone.size(); ++k) phone[k] = ConferenceMix::add(out_a[k], out_b[k]);
    mixed += phone[0];
  }
  g_counting = false;
  EXPECT_EQ(g_allocs.load(), 0) << "allocations in 4000 conference blocks";
  EXPECT_EQ(mixed, 4000L * 700);
}
