#include <gtest/gtest.h>

#include "telephony/media/jitter.hpp"

using namespace telephony::media;

namespace {
std::vector<std::uint8_t> frame_for(std::uint32_t seq) {
  return std::vector<std::uint8_t>(160, static_cast<std::uint8_t>(seq));
}
}  // namespace

TEST(MediaJitter, ReordersAndReportsLossForConcealment) {
  auto jb = JitterBuffer::create();
  ASSERT_TRUE(jb);
  std::vector<std::uint32_t> concealed;
  jb->on_missing = [&](std::uint32_t ts) { concealed.push_back(ts); };
  // Arrival order 0 2 1 3 5 6 ... (frame 4 lost, 1 and 2 swapped).
  const std::uint32_t order[] = {0, 2, 1, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19};
  std::vector<int> played;
  std::size_t next = 0;
  // Two frames arrive before playout starts: that is the initial buffering delay (40 ms).
  for (; next < 2; ++next) ASSERT_TRUE(jb->put(frame_for(order[next]), order[next] * 160));
  for (int tick = 0; tick < 30; ++tick) {
    if (next < std::size(order)) {
      const auto s = order[next++];
      ASSERT_TRUE(jb->put(frame_for(s), s * 160, static_cast<std::uint16_t>(s)));
    }
    auto got = jb->pull();
    if (got.status == JitterBuffer::Status::Frame) played.push_back(got.payload[0]);
  }
  // In order, nothing played twice, the lost frame skipped.
  ASSERT_FALSE(played.empty());
  for (std::size_t i = 1; i < played.size(); ++i) EXPECT_LT(played[i - 1], played[i]);
  EXPECT_EQ(std::count(played.begin(), played.end(), 4), 0);
  EXPECT_EQ(std::count(played.begin(), played.end(), 1), 1);
  EXPECT_EQ(std::count(played.begin(), played.end(), 2), 1);
  EXPECT_FALSE(concealed.empty());
  EXPECT_EQ(jb->missing(), concealed.size());
}

TEST(MediaJitter, DropsOversizeAndPoolOverflow) {
  auto jb = JitterBuffer::create(JitterBuffer::Settings{.frame_ticks = 160, .max_late_rate = 4, .slots = 4, .max_payload = 200});
  ASSERT_TRUE(jb);
  EXPECT_FALSE(jb->put(std::vector<std::uint8_t>(201, 0), 0));
  for (std::uint32_t i = 0; i < 4; ++i) EXPECT_TRUE(jb->put(frame_for(i), i * 160));
  EXPECT_FALSE(jb->put(frame_for(4), 4 * 160));
  EXPECT_EQ(jb->dropped(), 2u);
  // Pulling frees slots again.
  for (int i = 0; i < 8; ++i) (void)jb->pull();
  EXPECT_TRUE(jb->put(frame_for(9), 9 * 160));
}

TEST(MediaJitter, MoveAssignedBufferKeepsWorking) {
  auto a = JitterBuffer::create();
  auto b = JitterBuffer::create();
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->put(frame_for(7), 0));
  *b = std::move(*a);  // b's old state is released by a's destructor
  auto got = b->pull();
  ASSERT_EQ(got.status, JitterBuffer::Status::Frame);
  EXPECT_EQ(got.payload[0], 7);
}

// A packet that arrives a few ms after its playout slot (the engine's own scheduling delay, not
// the network's): without margin speexdsp counts it late and the frame is lost; one frame of
// margin (RTP JitterSettings::target_extra = 20 ms) keeps every frame.
TEST(MediaJitter, MarginKeepsFramesThatArriveJustAfterTheirSlot) {
  auto played_with = [](std::uint32_t margin_ticks) {
    auto jb = JitterBuffer::create(JitterBuffer::Settings{.frame_ticks = 160, .margin_ticks = margin_ticks});
    EXPECT_TRUE(jb);
    int played = 0;
    constexpr std::uint32_t kNone = ~0u;
    std::uint32_t held = kNone;  // a packet that missed this tick's pull
    for (std::uint32_t tick = 0; tick < 500; ++tick) {
      if (held != kNone) {
        EXPECT_TRUE(jb->put(frame_for(held), held * 160, static_cast<std::uint16_t>(held)));
        held = kNone;
      }
      // One packet in 50 is processed just after the pull of its tick: rarer than the 4 % of
      // late frames speexdsp tolerates before it grows its delay.
      if (tick % 50 == 25) held = tick;
      else EXPECT_TRUE(jb->put(frame_for(tick), tick * 160, static_cast<std::uint16_t>(tick)));
      if (jb->pull().status == JitterBuffer::Status::Frame) ++played;
    }
    return played;
  };
  const int plain = played_with(0), margin = played_with(160);
  EXPECT_GE(margin, 497) << "one frame of margin: only the start-up frames are missing";
  EXPECT_LE(plain, margin - 3) << "without margin some of the late ones are lost";
}
