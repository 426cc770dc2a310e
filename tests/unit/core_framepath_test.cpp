// The core frame path around bridges (bridge.hpp, frame.hpp): what takes the direct peer-to-peer
// relay and what still goes through the bridge strand (three members, DTMF under features), the
// bounded inbox of a channel nobody reads, and pooled payloads with their RTP metadata.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <thread>

#include "telephony/bridge.hpp"
#include "telephony/engine.hpp"
#include "telephony/media/features.hpp"
#include "testkit/engine_kit.hpp"

using namespace telephony;
using namespace std::chrono_literals;
using testkit::eventually;
namespace asio = boost::asio;

namespace {

Frame ulaw_frame(std::uint16_t seq, std::size_t bytes = 160) {
  std::vector<std::uint8_t> payload(bytes, static_cast<std::uint8_t>(seq));
  RtpInfo rtp{.timestamp = seq * 160u, .ssrc = 42, .sequence = seq, .marker = false, .present = true};
  return Frame::voice_copy(media::Format::ulaw(), payload, static_cast<std::uint32_t>(bytes), rtp);
}

struct FramePathFixture : ::testing::Test {
  Engine engine{EngineOptions{.threads = 2}};
  std::shared_ptr<testkit::TestDriver> driver = std::make_shared<testkit::TestDriver>();
  void SetUp() override {
    ASSERT_TRUE(engine.drivers().add("Test", driver));
    engine.start();
  }
  void TearDown() override { engine.stop(); }

  Channel::Ptr chan(const std::string& device, media::Format native = media::Format::ulaw()) {
    driver->endpoint(device)->formats = {native};
    auto c = engine.request("Test/" + device);
    EXPECT_TRUE(c);
    return *c;
  }
  // Joins from the channel's strand; `exit` gets why it left.
  void join(const Bridge::Ptr& b, const Channel::Ptr& c, std::shared_ptr<std::promise<BridgeExit>> exit = nullptr) {
    asio::co_spawn(
        c->strand(),
        [b, c, exit]() -> asio::awaitable<void> {
          auto token = c->hold();
          auto why = co_await b->join(c);
          if (exit) exit->set_value(why);
        },
        asio::detached);
  }
  std::size_t voice_written(const std::string& device) {
    auto ep = driver->endpoint(device);
    std::lock_guard lock(ep->mu);
    return std::count_if(ep->written.begin(), ep->written.end(), [](const Frame& f) { return f.kind == FrameKind::Voice; });
  }
  template <class F>
  auto on_strand(const Channel::Ptr& c, F f) {
    std::promise<decltype(f())> p;
    asio::post(c->strand(), [&] { p.set_value(f()); });
    return p.get_future().get();
  }
};

TEST_F(FramePathFixture, ThreeMembersGoThroughTheBridgeTwoGoDirect) {
  auto a = chan("a"), b = chan("b"), c = chan("c");
  auto bridge = Bridge::create(engine, BridgeOptions{.dissolve_when_alone = false});
  for (auto& x : {a, b, c}) join(bridge, x);
  ASSERT_TRUE(eventually([&] { return bridge->members().size() == 3; }));
  const auto before = frame_path_counters();
  a->queue_frame(ulaw_frame(1));
  ASSERT_TRUE(eventually([&] { return voice_written("b") == 1 && voice_written("c") == 1; }));
  const auto mid = frame_path_counters();
  EXPECT_EQ(mid.bridge_hops - before.bridge_hops, 1u) << "three members: the technology fans out";
  EXPECT_EQ(mid.relay_direct - before.relay_direct, 0u);

  bridge->kick(c);
  ASSERT_TRUE(eventually([&] { return bridge->members().size() == 2; }));
  // Once the refreshed peers reach the strands, a's frames go straight to b.
  std::uint16_t seq = 2;
  ASSERT_TRUE(eventually([&] {
    const auto was = frame_path_counters().relay_direct;
    a->queue_frame(ulaw_frame(seq++));
    std::this_thread::sleep_for(5ms);
    return frame_path_counters().relay_direct > was;
  }));
  ASSERT_TRUE(eventually([&] { return voice_written("b") == seq - 1u; }));
  EXPECT_EQ(voice_written("c"), 1u) << "a kicked member hears nothing more";
  auto ep = driver->endpoint("b");
  std::lock_guard lock(ep->mu);
  const Frame& last = ep->written.back();
  EXPECT_TRUE(last.rtp.present);
  EXPECT_EQ(last.rtp.sequence, seq - 1u) << "RTP metadata relayed as it came";
  EXPECT_EQ(last.rtp.ssrc, 42u);
  bridge->dissolve();
}

TEST_F(FramePathFixture, FeatureRelayMatchesDtmfWhileVoiceGoesDirect) {
  auto a = chan("a"), b = chan("b");
  auto relay = std::make_unique<media::FeatureRelay>();  // "*" disconnects, "#" blind transfer
  relay->set_features(*b, media::FeatureSet::none());
  auto bridge = Bridge::create(engine, {}, std::move(relay));
  auto a_exit = std::make_shared<std::promise<BridgeExit>>();
  auto a_left = a_exit->get_future();
  join(bridge, a, a_exit);
  join(bridge, b);
  ASSERT_TRUE(eventually([&] { return bridge->members().size() == 2; }));
  std::uint16_t seq = 0;
  ASSERT_TRUE(eventually([&] {
    const auto was = frame_path_counters().relay_direct;
    a->queue_frame(ulaw_frame(seq++));
    std::this_thread::sleep_for(5ms);
    return frame_path_counters().relay_direct > was;
  }));
  // A digit that is no feature code reaches b, begin and end.
  a->queue_frame(Frame::dtmf_begin('5'));
  a->queue_frame(Frame::dtmf_end('5', 120ms));
  ASSERT_TRUE(eventually([&] {
    auto ep = driver->endpoint("b");
    std::lock_guard lock(ep->mu);
    return std::count_if(ep->written.begin(), ep->written.end(), [](const Frame& f) {
             return (f.kind == FrameKind::DtmfBegin || f.kind == FrameKind::DtmfEnd) && f.digit() == '5';
           }) == 2;
  }));
  // b's digits are not watched (no features): they pass through the bridge strand unchanged.
  b->queue_frame(Frame::dtmf_begin('*'));
  b->queue_frame(Frame::dtmf_end('*', 100ms));
  ASSERT_TRUE(eventually([&] {
    auto ep = driver->endpoint("a");
    std::lock_guard lock(ep->mu);
    return std::any_of(ep->written.begin(), ep->written.end(),
                       [](const Frame& f) { return f.kind == FrameKind::DtmfEnd && f.digit() == '*'; });
  }));
  // a's "*" is the disconnect code: a leaves, kicked.
  a->queue_frame(Frame::dtmf_begin('*'));
  a->queue_frame(Frame::dtmf_end('*', 100ms));
  ASSERT_EQ(a_left.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(a_left.get(), BridgeExit::Kicked);
  auto ep = driver->endpoint("b");
  std::lock_guard lock(ep->mu);
  EXPECT_FALSE(std::any_of(ep->written.begin(), ep->written.end(),
                           [](const Frame& f) { return f.kind == FrameKind::DtmfBegin && f.digit() == '*'; }))
      << "b must not hear the feature code";
}

TEST_F(FramePathFixture, UnreadInboxKeepsAboutASecondOfVoiceAndEveryOtherFrame) {
  auto a = chan("a");
  // Three seconds of G.711 with a DTMF digit every 200 ms and a few indications, nobody reading.
  std::size_t digits = 0;
  for (std::uint16_t i = 0; i < 150; ++i) {
    a->queue_frame(ulaw_frame(i));
    if (i % 10 == 0) {
      a->queue_frame(Frame::dtmf_end('1', 100ms));
      ++digits;
    }
    if (i % 50 == 0) a->queue_frame(Frame::control(Control::Progress));
  }
  const auto usage = on_strand(a, [&] { return a->inbox_usage(); });
  EXPECT_LE(usage.voice, 2000ms);
  EXPECT_GE(usage.voice, 1980ms) << "the most recent two seconds are kept";
  // 100 G.711 frames in 256-byte blocks, plus the ring.
  EXPECT_LE(usage.memory_bytes, 26u * 1024 + 256 * sizeof(Frame)) << "bytes held by an unread inbox";
  std::vector<Frame> frames;
  on_strand(a, [&] {
    asio::co_spawn(
        a->strand(),
        [&]() -> asio::awaitable<void> {
          while (auto f = co_await a->read(0ms)) frames.push_back(std::move(*f));
        },
        asio::detached);
    return 0;
  });
  ASSERT_TRUE(eventually([&] { return on_strand(a, [&] { return a->inbox_usage().frames; }) == 0u; }));
  std::size_t dtmf = 0, controls = 0, voice = 0;
  std::uint16_t first_voice = 0;
  for (const auto& f : on_strand(a, [&] { return frames; })) {
    if (f.kind == FrameKind::DtmfEnd) ++dtmf;
    if (f.kind == FrameKind::Control) ++controls;
    if (f.kind == FrameKind::Voice && voice++ == 0) first_voice = f.rtp.sequence;
  }
  EXPECT_EQ(dtmf, digits) << "DTMF is never shed";
  EXPECT_EQ(controls, 3u) << "control frames are never shed";
  EXPECT_EQ(voice, 100u);
  EXPECT_EQ(first_voice, 50u) << "the oldest voice went first";

  // Wideband: 640-byte slin16 frames take 1 KB blocks; the byte bound keeps 52 of them (1.04 s).
  auto w = chan("w", media::Format::slin(16000));
  for (std::uint16_t i = 0; i < 100; ++i)
    w->queue_frame(Frame::voice(media::Format::slin(16000), std::vector<std::uint8_t>(640, 1), 320));
  const auto wide = on_strand(w, [&] { return w->inbox_usage(); });
  EXPECT_EQ(wide.frames, 52u);
  EXPECT_LE(wide.memory_bytes, 52u * 1024 + 128 * sizeof(Frame)) << "within the 64 KB per-call budget";
}

TEST(CoreFramePayload, PooledPayloadsAreSharedAndOversizeTakesTheHeap) {
  const auto before = frame_path_counters();
  const std::uint8_t bytes[160] = {7};
  Frame f = Frame::voice_copy(media::Format::ulaw(), bytes, 160);
  Frame copy = f;
  EXPECT_EQ(copy.payload.get(), f.payload.get()) << "a copy shares the payload";
  EXPECT_EQ(f.data().size(), 160u);
  EXPECT_EQ(f.data()[0], 7);
  EXPECT_FALSE(f.rtp.present);
  EXPECT_EQ(payload_capacity_for(160), 256u);
  EXPECT_EQ(payload_capacity_for(320), 512u) << "20 ms of slin8";
  EXPECT_EQ(payload_capacity_for(5760), 6144u) << "60 ms of slin48 still pooled";
  Frame big = Frame::voice(media::Format::slin(48000), std::vector<std::uint8_t>(9000, 1), 4500);
  EXPECT_EQ(big.data().size(), 9000u);
  Frame text = Frame::text("hello");
  EXPECT_EQ(text.text_view(), "hello");
  const auto after = frame_path_counters();
  EXPECT_EQ(after.payloads_pooled - before.payloads_pooled, 2u);
  EXPECT_EQ(after.payloads_heap - before.payloads_heap, 1u);
  // A payload returned to the pool is handed out again: no growth for the next one.
  f = {};
  copy = {};
  const auto grown = frame_path_counters().pool_growth;
  Frame again = Frame::voice_copy(media::Format::ulaw(), bytes, 160);
  EXPECT_EQ(frame_path_counters().pool_growth, grown);
}

}  // namespace
