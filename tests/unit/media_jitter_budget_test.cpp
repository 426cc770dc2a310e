// The receive jitter buffer's memory, measured: sized per codec and capped whatever delay
// JITTERBUFFER() or rtp.conf ask, so a decoded call stays inside the 64 KB per-call budget. The
// bytes are what the heap really handed out (glibc's mallinfo2 before and after), speexdsp's own
// state included — not what the settings claim.
#include <gtest/gtest.h>
#include <malloc.h>

#include <optional>

#include "telephony/media/jitter.hpp"

using namespace telephony::media;
using namespace std::chrono_literals;

namespace {

std::size_t heap_in_use() { return mallinfo2().uordblks; }

struct Sized {
  JitterBuffer::Settings settings;
  std::size_t heap_bytes;
  std::size_t reported;
};

Sized measure(Format f, std::chrono::milliseconds delay, std::uint32_t clock = 0) {
  const auto s = JitterBuffer::Settings::sized_for(f, delay, clock, 1);
  std::optional<JitterBuffer> jb;
  const std::size_t before = heap_in_use();
  auto made = JitterBuffer::create(s);
  EXPECT_TRUE(made);
  jb.emplace(std::move(*made));
  const std::size_t after = heap_in_use();
  return {s, after - before, jb->memory_bytes()};
}

}  // namespace

TEST(MediaJitterBudget, DefaultFitsG711AndNotTheWidestCodec) {
  const std::size_t before = heap_in_use();
  auto jb = JitterBuffer::create();
  ASSERT_TRUE(jb);
  const std::size_t used = heap_in_use() - before;
  EXPECT_LE(used, 16u * 1024) << "the default buffer (was ~123 KB sized for 64 slots of slin48)";
  EXPECT_EQ(jb->settings().slots, 12u);
  // It still carries 20 ms of G.711.
  EXPECT_TRUE(jb->put(std::vector<std::uint8_t>(160, 1), 0));
}

TEST(MediaJitterBudget, SizedPerCodecAndCappedWhateverTheRequest) {
  struct Case {
    Format format;
    std::uint32_t clock;
    std::chrono::milliseconds delay;
  };
  const Case cases[] = {
      {Format::ulaw(), 0, 200ms},    {Format::alaw(), 0, 200ms},          {Format::g722(), 8000, 200ms},
      {Format::opus(), 48000, 200ms}, {Format::ulaw(), 0, 10000ms},       {Format::opus(), 48000, 5000ms},
      {Format::slin(16000), 0, 200ms}, {Format::slin(48000), 0, 1000ms},
  };
  for (const auto& c : cases) {
    const auto m = measure(c.format, c.delay, c.clock);
    SCOPED_TRACE(std::string(c.format.name()) + " " + std::to_string(c.delay.count()) + " ms: " +
                 std::to_string(m.heap_bytes) + " heap bytes, " + std::to_string(m.settings.slots) + " slots");
    // Payload pool capped at 16 KB; speexdsp's fixed state and the playout buffer come on top.
    EXPECT_LE(m.reported, JitterBuffer::kMaxPoolBytes + 6144 + 64 * sizeof(void*));
    EXPECT_LE(m.heap_bytes, 32u * 1024) << "half the per-call budget at most";
    EXPECT_GE(m.settings.slots, 4u);
    EXPECT_GE(m.settings.max_payload, 161u);
  }
  // A 200 ms request on G.711 keeps 200 ms (12 slots of 20 ms, 2 of them margin).
  EXPECT_EQ(JitterBuffer::Settings::sized_for(Format::ulaw(), 200ms).slots, 12u);
  EXPECT_EQ(JitterBuffer::Settings::sized_for(Format::opus(), 200ms, 48000).frame_ticks, 960u);
  // 10 s asked: capped (about 640 ms of G.711).
  const auto capped = JitterBuffer::Settings::sized_for(Format::ulaw(), 10000ms, 0, 1);
  EXPECT_LT(capped.slots, 40u);
  EXPECT_GE(capped.slots, 30u);
}

TEST(MediaJitterBudget, CappedBufferStillReordersAtItsSize) {
  auto jb = JitterBuffer::create(JitterBuffer::Settings::sized_for(Format::ulaw(), 10000ms));
  ASSERT_TRUE(jb);
  const std::size_t slots = jb->settings().slots;
  for (std::uint32_t i = 0; i < slots; ++i)
    EXPECT_TRUE(jb->put(std::vector<std::uint8_t>(160, static_cast<std::uint8_t>(i)), i * 160));
  EXPECT_FALSE(jb->put(std::vector<std::uint8_t>(160, 0), static_cast<std::uint32_t>(slots) * 160))
      << "a full pool drops (and counts) instead of growing";
  EXPECT_EQ(jb->dropped(), 1u);
}
