// The media clock runs every 20 ms on a shared thread pool: after setup, per-frame work must not
// touch the heap. This file counts global operator new calls while the per-frame entry points run.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "testkit/testkit.hpp"
#include "allocation_counter.hpp"
#include "media_signals.hpp"
#include "telephony/media/codec.hpp"
#include "telephony/media/dtmf.hpp"
#include "telephony/media/file_format.hpp"
#include "telephony/media/jitter.hpp"
#include "telephony/media/mixer.hpp"
#include "telephony/media/tone.hpp"
#include "telephony/media/translator.hpp"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

long telephony::testing::allocation_count() { return g_allocations.load(); }

// Counting replacements of the global allocation functions (forwarding to malloc/free).
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

using namespace telephony::media;

TEST(MediaAllocation, PerFrameWorkDoesNotAllocate) {
  // ---- setup (allocates) ----
  const auto& g = TranslationGraph::shared();
  auto u2o = g.build_path(Format::ulaw(), Format::opus());
  auto o2s = g.build_path(Format::opus(), Format::slin(8000));
  auto s16 = g.build_path(Format::slin(16000), Format::alaw());
  ASSERT_TRUE(u2o && o2s && s16);
  Mixer mixer(MixerSettings{.rate = 8000});
  std::vector<ParticipantId> talkers;
  for (int i = 0; i < 10; ++i) talkers.push_back(mixer.join(MixRole::Talker));
  for (int i = 0; i < 100; ++i) mixer.join(MixRole::Listener);
  DtmfDetector det;
  DtmfGenerator dtmf;
  auto tone_spec = parse_tone_spec("!480+620/500,0/500");
  ASSERT_TRUE(tone_spec);
  ToneGenerator tone(*tone_spec, 8000);
  auto reader = AudioFileReader::open(telephony::testkit::prompt_file("hello-world"));
  ASSERT_TRUE(reader);
  auto jb = JitterBuffer::create();
  ASSERT_TRUE(jb);
  TelephoneEventSender tx;
  auto voice = media_test::speech_like(160 * 50);
  auto wide = media_test::sine(16000, 440, 320);
  std::vector<std::uint8_t> ulaw(160);
  std::vector<std::uint8_t> packet(kMaxOpusPacket);
  std::vector<std::int16_t> scratch(160);
  // Warm-up frame: lazily sized buffers settle here.
  g711::ulaw_encode(std::span(voice).first(160), ulaw);
  ASSERT_TRUE(u2o->convert(ulaw));

  // ---- per frame (must not allocate) ----
  const long before = g_allocations.load();
  ASSERT_GT(before, 0) << "the counting operator new is not in use";
  for (std::size_t f = 1; f < 50; ++f) {
    auto frame = std::span<const std::int16_t>(voice).subspan(f * 160, 160);
    g711::ulaw_encode(frame, ulaw);
    auto opus = u2o->convert(ulaw);
    ASSERT_TRUE(opus);
    std::copy(opus->begin(), opus->end(), packet.begin());
    auto pcm = (f % 10 == 0) ? o2s->conceal() : o2s->convert(std::span(packet).first(opus->size()));
    ASSERT_TRUE(pcm);
    ASSERT_TRUE(s16->convert(slin_bytes(wide)));
    for (auto t : talkers) mixer.put_input(t, frame);
    mixer.tick();
    (void)det.process(frame);
    if (f == 5) dtmf.play('5');
    dtmf.generate(scratch);
    tone.generate(scratch);
    (void)reader->read_slin();
    jb->put(ulaw, static_cast<std::uint32_t>(f * 160));
    (void)jb->pull();
    if (f == 3) tx.begin('1', 0, f * 20);
    while (tx.poll(f * 20)) {
    }
  }
  EXPECT_EQ(g_allocations.load() - before, 0);
}
