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
