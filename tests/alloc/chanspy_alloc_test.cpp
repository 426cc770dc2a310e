// ChanSpy's per-frame work must not touch the heap in steady state: the spy tap on the spied
// channel (both directions, slin and G.711), the spy draining the mix into its own frames, and the
// whisper tap mixing the spy's voice into what a channel hears. Each step runs on the test thread
// exactly as it runs on the channels' strands; a thread-local count of operator new sees only it.
// The same loop checks the audio sample for sample: the spy hears read + write, the whispered
// channel hears its own audio + the spy.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <new>

#include "apps/spy_taps.hpp"
#include "telephony/engine.hpp"
#include "testkit/engine_kit.hpp"

namespace {
thread_local long t_allocations = 0;
}  // namespace

void* operator new(std::size_t n) {
  ++t_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  ++t_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace {

using namespace telephony;
using telephony::dialplan::spy::PcmFramePool;
using telephony::dialplan::spy::SpyTap;
using telephony::dialplan::spy::WhisperTap;
using Dir = AudioHook::Direction;

constexpr std::size_t kFrame = 160;
constexpr std::size_t kFrames = 600;

std::vector<std::int16_t> tone(double hz, std::size_t n, double amplitude) {
  std::vector<std::int16_t> out(n);
  for (std::size_t i = 0; i < n; ++i)
    out[i] = static_cast<std::int16_t>(
        std::lround(amplitude * std::sin(2 * M_PI * hz * double(i) / 8000.0)));
  return out;
}

std::vector<Frame> frames_of(const std::vector<std::int16_t>& pcm, media::Format format) {
  std::vector<Frame> out;
  auto path = media::TranslationGraph::shared().build_path(media::Format::slin(), format);
  EXPECT_TRUE(path);
  for (std::size_t i = 0; i + kFrame <= pcm.size(); i += kFrame) {
    auto bytes = media::slin_bytes(std::span(pcm).subspan(i, kFrame));
    auto enc = path->convert(bytes);
    EXPECT_TRUE(enc);
    out.push_back(
        Frame::voice(format, std::vector<std::uint8_t>(enc->begin(), enc->end()), kFrame));
  }
  return out;
}

struct ChanSpyAlloc : ::testing::TestWithParam<media::Format> {
  Engine engine{EngineOptions{.threads = 1}};
  std::shared_ptr<testkit::TestDriver> driver = std::make_shared<testkit::TestDriver>();
  Channel::Ptr chan;
  void SetUp() override {
    ASSERT_TRUE(engine.drivers().add("Test", driver));
    engine.start();
    auto c = engine.request("Test/a");
    ASSERT_TRUE(c);
    chan = *c;
  }
  void TearDown() override {
    chan.reset();
    engine.stop();
  }
};

TEST_P(ChanSpyAlloc, SpyAndWhisperPerFrameAllocateNothing) {
  const media::Format format = GetParam();
  const auto said = tone(440, kFrames * kFrame, 3000), heard = tone(1000, kFrames * kFrame, 3000),
             spy_voice = tone(1600, kFrames * kFrame, 3000);
  const auto rx = frames_of(said, format), tx = frames_of(heard, format);
  SpyTap tap(false);
  WhisperTap whisper;
  PcmFramePool pool;
  std::vector<std::int16_t> mix(PcmFramePool::kMaxSamples);
  // The decoded reference: what the taps see after G.711 (exact for slin).
  const auto said_ref = frames_of(said, media::Format::slin()),
             heard_ref = frames_of(heard, media::Format::slin());
  auto decoded = [&](const Frame& f) {
    auto p = media::TranslationGraph::shared().build_path(f.format, media::Format::slin());
    auto out = p->convert(f.data());
    return std::vector<std::int16_t>(media::slin_samples(*out).begin(),
                                     media::slin_samples(*out).end());
  };
  std::vector<std::vector<std::int16_t>> said_dec, heard_dec;
  for (std::size_t i = 0; i < kFrames; ++i) {
    said_dec.push_back(decoded(rx[i]));
    heard_dec.push_back(decoded(tx[i]));
  }

  long steady = 0, warm_up = 0;
  std::size_t mismatches = 0, whisper_mismatches = 0;
  for (std::size_t i = 0; i < kFrames; ++i) {
    const long before = t_allocations;
    // Spied channel's strand: both directions through the tap, then what it hears through the
    // whisper tap (the spy spoke on the previous turn).
    Frame in = rx[i], out = tx[i];
    tap.on_frame(*chan, Dir::Read, in);
    tap.on_frame(*chan, Dir::Write, out);
    whisper.on_frame(*chan, Dir::Write, out);
    // Spy's strand: drain the mix into a frame, then say something.
    const std::size_t n = tap.mix_into(std::span(mix).first(kFrame));
    Frame to_spy = pool.make(std::span(mix).first(n));
    whisper.say(std::span(spy_voice).subspan(i * kFrame, kFrame));
    (i >= 50 ? steady : warm_up) += t_allocations - before;
    // Outside the count: check the audio.
    if (n != kFrame) {
      ++mismatches;
    } else {
      auto got = media::slin_samples(to_spy.data());
      for (std::size_t k = 0; k < kFrame; ++k)
        if (got[k] != std::clamp(said_dec[i][k] + heard_dec[i][k], -32768, 32767)) ++mismatches;
    }
    if (i > 0) {
      ASSERT_EQ(out.format, media::Format::slin());
      auto got = media::slin_samples(out.data());
      for (std::size_t k = 0; k < kFrame; ++k)
        if (got[k] != std::clamp(heard_dec[i][k] + spy_voice[(i - 1) * kFrame + k], -32768, 32767))
          ++whisper_mismatches;
    }
  }
  EXPECT_GT(warm_up, 0) << "the counter sees the pools and paths being built";
  EXPECT_EQ(steady, 0) << "allocations after warm-up, " << format.name();
  EXPECT_EQ(mismatches, 0u);
  EXPECT_EQ(whisper_mismatches, 0u);
}

INSTANTIATE_TEST_SUITE_P(Formats, ChanSpyAlloc,
                         ::testing::Values(media::Format::slin(), media::Format::ulaw()),
                         [](const auto& info) {
                           return info.index == 0 ? std::string("slin") : std::string("ulaw");
                         });

TEST(ChanSpyVolume, FactorMultipliesOrDividesAsAsterisk) {
  std::vector<std::int16_t> pcm = {1000, -1000, 20000};
  telephony::dialplan::spy::apply_volume(pcm, 2);
  EXPECT_EQ(pcm, (std::vector<std::int16_t>{2000, -2000, 32767}));
  telephony::dialplan::spy::apply_volume(pcm, -4);
  EXPECT_EQ(pcm, (std::vector<std::int16_t>{500, -500, 8191}));
  telephony::dialplan::spy::apply_volume(pcm, 1);
  EXPECT_EQ(pcm, (std::vector<std::int16_t>{500, -500, 8191}));
}

}  // namespace
