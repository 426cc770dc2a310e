// Shared fixture and audio helpers for the media-engine tests (mediax_*_test.cpp): an engine
// with Test and Local drivers, coroutine runners on channel strands, and decoding of what a Test
// device was sent so tests can measure it with media/spectrum.hpp.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_future.hpp>
#include <cmath>
#include <future>
#include <numbers>
#include <thread>

#include "telephony/bridge.hpp"
#include "telephony/engine.hpp"
#include "telephony/local/local_driver.hpp"
#include "telephony/media/codec.hpp"
#include "telephony/media/spectrum.hpp"
#include "telephony/media/translator.hpp"
#include "testkit/engine_kit.hpp"

namespace mediax_test {

using namespace telephony;
using namespace std::chrono_literals;
namespace asio = boost::asio;

struct EngineFixture : ::testing::Test {
  Engine engine{EngineOptions{.threads = 2}};
  std::shared_ptr<testkit::TestDriver> test_driver = std::make_shared<testkit::TestDriver>();
  std::shared_ptr<testkit::ScriptedPbx> pbx = std::make_shared<testkit::ScriptedPbx>();
  void SetUp() override {
    ASSERT_TRUE(engine.drivers().add("Test", test_driver));
    ASSERT_TRUE(engine.drivers().add("Local", std::make_shared<LocalDriver>()));
    engine.set_pbx(pbx);
    engine.start();
  }
  void TearDown() override { engine.stop(); }

  // A Test/<name> channel whose device speaks `formats` (first = native).
  Channel::Ptr test_channel(const std::string& name, std::vector<media::Format> formats = {media::Format::slin()},
                            bool inband = false) {
    auto ep = test_driver->endpoint(name);
    {
      std::lock_guard lock(ep->mu);
      ep->formats = std::move(formats);
      ep->inband_dtmf = inband;
    }
    auto c = engine.request("Test/" + name);
    EXPECT_TRUE(c);
    return c ? *c : nullptr;
  }
  std::shared_ptr<testkit::TestEndpoint> ep(const std::string& name) { return test_driver->endpoint(name); }

  // Runs `coro` on chan's strand and returns its future.
  template <class T>
  std::future<T> spawn(const Channel::Ptr& chan, asio::awaitable<T> coro) {
    return asio::co_spawn(chan->strand(), std::move(coro), asio::use_future);
  }
  std::future<BridgeExit> join(const Bridge::Ptr& b, const Channel::Ptr& chan) {
    return spawn(chan, b->join(chan));
  }
};

// Voice frames the device was sent, decoded to slin at `rate` (frames of other kinds skipped).
inline std::vector<std::int16_t> decoded(testkit::TestEndpoint& ep, std::uint32_t rate, std::size_t from_frame = 0,
                                         media::Format* seen = nullptr) {
  std::vector<Frame> frames;
  {
    std::lock_guard lock(ep.mu);
    frames = ep.written;
  }
  std::vector<std::int16_t> out;
  std::optional<media::TranslatorPath> path;
  std::size_t k = 0;
  for (const auto& f : frames) {
    if (f.kind != FrameKind::Voice) continue;
    if (k++ < from_frame) continue;
    if (seen) *seen = f.format;
    if (f.format == media::Format::slin(rate)) {
      auto s = media::slin_samples(f.data());
      out.insert(out.end(), s.begin(), s.end());
      continue;
    }
    if (!path || path->from() != f.format) path.emplace(*media::TranslationGraph::shared().build_path(f.format, media::Format::slin(rate)));
    auto o = path->convert(f.format, f.data());
    if (!o) continue;
    auto s = media::slin_samples(*o);
    out.insert(out.end(), s.begin(), s.end());
  }
  return out;
}

inline std::size_t voice_frames(testkit::TestEndpoint& ep) {
  std::lock_guard lock(ep.mu);
  std::size_t n = 0;
  for (auto& f : ep.written) n += f.kind == FrameKind::Voice;
  return n;
}

// One 20 ms frame of a continuous sine: frame `k` of the tone `hz` in format `fmt`.
inline Frame tone_frame(media::Format fmt, double hz, std::size_t k, double amp = 8000) {
  const std::uint32_t rate = fmt.rate;
  const std::size_t n = rate / 50;
  std::vector<std::int16_t> pcm(n);
  for (std::size_t i = 0; i < n; ++i)
    pcm[i] = static_cast<std::int16_t>(std::lround(amp * std::sin(2 * std::numbers::pi * hz * double(k * n + i) / rate)));
  if (fmt.codec == media::Codec::Slin)
    return Frame::voice(fmt, std::vector<std::uint8_t>(media::slin_bytes(pcm).begin(), media::slin_bytes(pcm).end()),
                        static_cast<std::uint32_t>(n));
  std::vector<std::uint8_t> enc(n);
  if (fmt.codec == media::Codec::Ulaw) media::g711::ulaw_encode(pcm, enc);
  else media::g711::alaw_encode(pcm, enc);
  return Frame::voice(fmt, std::move(enc), static_cast<std::uint32_t>(n));
}

inline Frame silence_frame(std::uint32_t rate = 8000) {
  std::vector<std::uint8_t> z(rate / 50 * 2, 0);
  return Frame::voice(media::Format::slin(rate), std::move(z), rate / 50);
}

// Last `n` samples of v (or all of it).
inline std::span<const std::int16_t> tail(const std::vector<std::int16_t>& v, std::size_t n) {
  return n >= v.size() ? std::span<const std::int16_t>(v) : std::span<const std::int16_t>(v).subspan(v.size() - n);
}

// The n-sample window (on 20 ms steps at `rate`) where `hz` is strongest: on a loaded machine a
// real-time feed can leave silent ticks anywhere, so "the last n samples" may miss the signal.
inline std::span<const std::int16_t> loudest_window(const std::vector<std::int16_t>& v, std::size_t n, std::uint32_t rate,
                                                    double hz) {
  if (n >= v.size()) return std::span<const std::int16_t>(v);
  const std::size_t step = rate / 50;
  std::span<const std::int16_t> best = tail(v, n);
  double best_power = -1;
  for (std::size_t off = 0; off + n <= v.size(); off += step) {
    auto w = std::span<const std::int16_t>(v).subspan(off, n);
    const double p = media::goertzel_power(w, rate, hz);
    if (p > best_power) {
      best_power = p;
      best = w;
    }
  }
  return best;
}

}  // namespace mediax_test
