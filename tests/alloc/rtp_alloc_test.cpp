// Per-packet work of the RTP layer must not touch the heap in steady state: the native relay
// (receive, rewrite, re-protect, sendmmsg) and the send path of a decoded call (write()). This
// binary counts global operator new calls while packets flow; it is its own executable so that
// the count sees nothing but this file's traffic.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <new>

#include "../unit/rtp_session_support.hpp"
#include "rtp/rtp_stack.hpp"
#include "telephony/rtp/packet.hpp"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace rtp_test {
namespace {

struct AllocFixture : SessionFixture {
  void SetUp() override {
    SessionFixture::SetUp();
    rtp::RtpConfig c;
    c.bind_address = "127.0.0.1";
    c.rtcp_interval = std::chrono::milliseconds(0);  // no reports during the count
    c.io_threads = 1;
    rtp::rtp_module(engine)->set_config(c);
  }
};

// Sends `n` packets phone -> port, each awaited at `sink`; returns how many arrived. `pkt` is
// built by the caller so this loop itself allocates nothing.
int pump(UdpPeer& from, std::uint16_t port, UdpPeer& sink, std::uint16_t& seq, int n, std::vector<std::uint8_t>& pkt) {
  int seen = 0;
  std::array<std::uint8_t, 2048> buf;
  for (int i = 0; i < n; ++i) {
    pkt[2] = static_cast<std::uint8_t>(seq >> 8);
    pkt[3] = static_cast<std::uint8_t>(seq);
    const std::uint32_t ts = seq * 160u;
    for (int k = 0; k < 4; ++k) pkt[4 + k] = static_cast<std::uint8_t>(ts >> (24 - 8 * k));
    ++seq;
    from.send_to(port, pkt);
    if (sink.receive_into(buf) > 0) ++seen;
  }
  return seen;
}

TEST_F(AllocFixture, NativeRelayAllocatesNothingPerPacket) {
  for (bool secure : {false, true}) {
    UdpPeer phone_x, phone_y;
    auto sx = settings("ulaw", "x");
    auto sy = settings("ulaw", "y");
    std::string crypto;
    if (secure) {
      sx.encryption = rtp::MediaEncryption::Sdes;
      crypto = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\r\n";
    }
    auto x = session(sx);
    auto y = session(sy, x.get());
    ASSERT_TRUE(x->answer_offer(phone_x.sdp("0 101", crypto)));
    ASSERT_TRUE(y->answer_offer(phone_y.sdp("0 101")));
    ASSERT_TRUE(rtp::MediaSession::start_native_relay(x, y));
    ASSERT_TRUE(testkit::eventually([&] { return x->native_relay_active() && y->native_relay_active(); }, std::chrono::seconds(2)));
    std::uint16_t seq = 1;
    std::vector<std::uint8_t> pkt = rtp_packet(0, 0, 0, 0x1234, 160);
    // Plain phone y -> x exercises protect when x is secure; x's phone would need real SRTP.
    ASSERT_EQ(pump(phone_y, y->local_rtp_port(), phone_x, seq, 50, pkt), 50);  // warm-up: handler memory, caches
    const long before = g_allocations.load();
    const int seen = pump(phone_y, y->local_rtp_port(), phone_x, seq, 300, pkt);
    const long after = g_allocations.load();
    EXPECT_EQ(seen, 300);
    EXPECT_EQ(after - before, 0) << (secure ? "SRTP" : "plain") << " relay allocated per packet";
    EXPECT_EQ(y->statistics().relayed_packets, 350u);
    x->stop();
    y->stop();
  }
}

TEST_F(AllocFixture, SendingVoiceAllocatesNothingPerFrame) {
  UdpPeer phone;
  auto s = session(settings("ulaw", "x"));
  ASSERT_TRUE(s->answer_offer(phone.sdp("0 101")));
  const Frame f = ulaw_frame(7);
  for (int i = 0; i < 50; ++i) s->write(f);
  while (!phone.receive().empty()) {
  }
  const long before = g_allocations.load();
  for (int i = 0; i < 300; ++i) s->write(f);
  const long after = g_allocations.load();
  EXPECT_EQ(after - before, 0);
  int got = 0;
  while (!phone.receive().empty()) ++got;
  EXPECT_GT(got, 250);  // loopback may drop a few of a 300-packet burst
}

// The metrics add nothing per packet: the relay above stays allocation-free, and what a scrape
// reads (RtpStack::totals) is the streams' own counters — summed while they live, folded once
// into the totals when they are destroyed, so every packet is counted exactly once.
TEST_F(AllocFixture, MetricsTotalsCountEveryPacketOnceWithoutPerPacketWork) {
  auto stack = rtp::rtp_module(engine)->stack();
  const auto start = stack->totals();
  UdpPeer phone_x, phone_y;
  auto x = session(settings("ulaw", "x"));
  auto y = session(settings("ulaw", "y"), x.get());
  ASSERT_TRUE(x->answer_offer(phone_x.sdp("0 101")));
  ASSERT_TRUE(y->answer_offer(phone_y.sdp("0 101")));
  ASSERT_TRUE(rtp::MediaSession::start_native_relay(x, y));
  ASSERT_TRUE(testkit::eventually([&] { return x->native_relay_active() && y->native_relay_active(); }, std::chrono::seconds(2)));
  std::uint16_t seq = 1;
  std::vector<std::uint8_t> pkt = rtp_packet(0, 0, 0, 0x4321, 160);
  ASSERT_EQ(pump(phone_y, y->local_rtp_port(), phone_x, seq, 50, pkt), 50);
  const long before = g_allocations.load();
  ASSERT_EQ(pump(phone_y, y->local_rtp_port(), phone_x, seq, 200, pkt), 200);
  EXPECT_EQ(g_allocations.load() - before, 0) << "the relay allocated per packet";
  const auto live = stack->totals();
  EXPECT_EQ(live.live_streams, start.live_streams + 2);
  EXPECT_EQ(live.rx_packets - start.rx_packets, 250u);  // y received them all
  EXPECT_EQ(live.tx_packets - start.tx_packets, 250u);  // x sent them all
  EXPECT_EQ(live.rx_lost - start.rx_lost, 0u);
  x->stop();
  y->stop();
  x.reset();
  y.reset();
  ASSERT_TRUE(testkit::eventually([&] { return stack->totals().live_streams == start.live_streams; }, std::chrono::seconds(2)));
  const auto ended = stack->totals();
  EXPECT_EQ(ended.ended_streams - start.ended_streams, 2u);
  EXPECT_EQ(ended.rx_packets, live.rx_packets) << "a destroyed stream's packets were lost or counted twice";
  EXPECT_EQ(ended.tx_packets, live.tx_packets);
  EXPECT_EQ(ended.jitter_count - start.jitter_count, 1u);  // only y received media
}

}  // namespace
}  // namespace rtp_test
