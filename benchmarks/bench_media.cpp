// Media benchmarks. Ratios are measured in the same run: each "overhead" benchmark times the
// bare libopus/speexdsp call and the TranslatorPath doing the same work on alternate frames of
// the same loop, so machine noise hits both equally.
#include <benchmark/benchmark.h>
#include <opus/opus.h>
#include <speex/speex_resampler.h>

#include <chrono>
#include <cmath>
#include <numbers>
#include <vector>

#include "telephony/media/codec.hpp"
#include "telephony/media/mixer.hpp"
#include "telephony/media/translator.hpp"

using namespace telephony::media;
using Clock = std::chrono::steady_clock;

namespace {

std::vector<std::int16_t> tone(std::uint32_t rate, std::size_t n, double hz = 440) {
  std::vector<std::int16_t> v(n);
  for (std::size_t i = 0; i < n; ++i)
    v[i] = static_cast<std::int16_t>(8000 * std::sin(2 * std::numbers::pi * hz * static_cast<double>(i) / rate) +
                                     2000 * std::sin(2 * std::numbers::pi * 1700 * static_cast<double>(i) / rate));
  return v;
}

double ns(Clock::duration d) { return static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count()); }

// Runs both sides, swapping which goes first every frame so neither always gets warm caches.
template <class A, class B>
void alternate(std::size_t frame, A&& a, B&& b) {
  if (frame & 1) {
    a();
    b();
  } else {
    b();
    a();
  }
}

void report(benchmark::State& state, double bare_ns, double path_ns, std::int64_t frames) {
  state.counters["bare_us_per_frame"] = bare_ns / 1000.0 / static_cast<double>(frames);
  state.counters["path_us_per_frame"] = path_ns / 1000.0 / static_cast<double>(frames);
  state.counters["overhead_pct"] = 100.0 * (path_ns - bare_ns) / bare_ns;
}

// slin48 -> opus: bare opus_encode with the same settings vs a TranslatorPath.
void BM_Overhead_Slin48ToOpus(benchmark::State& state) {
  int err = 0;
  OpusEncoder* bare = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &err);
  opus_encoder_ctl(bare, OPUS_SET_BITRATE(32000));
  opus_encoder_ctl(bare, OPUS_SET_COMPLEXITY(5));
  opus_encoder_ctl(bare, OPUS_SET_INBAND_FEC(0));
  opus_encoder_ctl(bare, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
  auto path = TranslationGraph::shared().build_path(Format::slin(48000), Format::opus());
  auto pcm = tone(48000, 960 * 50);
  std::vector<unsigned char> out(kMaxOpusPacket);
  double bare_ns = 0, path_ns = 0;
  std::int64_t frames = 0;
  std::size_t f = 0;
  for (auto _ : state) {
    const std::int16_t* frame = pcm.data() + (f++ % 50) * 960;
    auto run_bare = [&] {
      auto t0 = Clock::now();
      benchmark::DoNotOptimize(opus_encode(bare, frame, 960, out.data(), static_cast<opus_int32>(out.size())));
      bare_ns += ns(Clock::now() - t0);
    };
    auto run_path = [&] {
      auto t0 = Clock::now();
      auto r = path->convert(slin_bytes(std::span(frame, 960)));
      benchmark::DoNotOptimize(r);
      path_ns += ns(Clock::now() - t0);
    };
    alternate(f, run_bare, run_path);
    ++frames;
  }
  report(state, bare_ns, path_ns, frames);
  opus_encoder_destroy(bare);
}
BENCHMARK(BM_Overhead_Slin48ToOpus)->MinTime(1.0);

// opus -> slin48: bare opus_decode vs a TranslatorPath.
void BM_Overhead_OpusToSlin48(benchmark::State& state) {
  int err = 0;
  OpusEncoder* enc = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &err);
  auto pcm = tone(48000, 960 * 50);
  std::vector<std::vector<unsigned char>> packets;
  for (int i = 0; i < 50; ++i) {
    std::vector<unsigned char> p(kMaxOpusPacket);
    p.resize(static_cast<std::size_t>(opus_encode(enc, pcm.data() + i * 960, 960, p.data(), 1275)));
    packets.push_back(p);
  }
  opus_encoder_destroy(enc);
  OpusDecoder* bare = opus_decoder_create(48000, 1, &err);
  auto path = TranslationGraph::shared().build_path(Format::opus(), Format::slin(48000));
  std::vector<std::int16_t> out(5760);
  double bare_ns = 0, path_ns = 0;
  std::int64_t frames = 0;
  std::size_t f = 0;
  for (auto _ : state) {
    const auto& p = packets[f++ % 50];
    auto run_bare = [&] {
      auto t0 = Clock::now();
      benchmark::DoNotOptimize(opus_decode(bare, p.data(), static_cast<opus_int32>(p.size()), out.data(), 5760, 0));
      bare_ns += ns(Clock::now() - t0);
    };
    auto run_path = [&] {
      auto t0 = Clock::now();
      auto r = path->convert(p);
      benchmark::DoNotOptimize(r);
      path_ns += ns(Clock::now() - t0);
    };
    alternate(f, run_bare, run_path);
    ++frames;
  }
  report(state, bare_ns, path_ns, frames);
  opus_decoder_destroy(bare);
}
BENCHMARK(BM_Overhead_OpusToSlin48)->MinTime(1.0);

// slin8 -> slin48: bare speex_resampler_process_int (same quality) vs a TranslatorPath.
void BM_Overhead_Slin8ToSlin48(benchmark::State& state) {
  int err = 0;
  SpeexResamplerState* bare = speex_resampler_init(1, 8000, 48000, 3, &err);
  auto path = TranslationGraph::shared().build_path(Format::slin(8000), Format::slin(48000));
  auto pcm = tone(8000, 160 * 50);
  std::vector<std::int16_t> out(960);
  double bare_ns = 0, path_ns = 0;
  std::int64_t frames = 0;
  std::size_t f = 0;
  for (auto _ : state) {
    const std::int16_t* frame = pcm.data() + (f++ % 50) * 160;
    auto run_bare = [&] {
      spx_uint32_t in_len = 160, out_len = 960;
      auto t0 = Clock::now();
      speex_resampler_process_int(bare, 0, frame, &in_len, out.data(), &out_len);
      benchmark::DoNotOptimize(out.data());
      bare_ns += ns(Clock::now() - t0);
    };
    auto run_path = [&] {
      auto t0 = Clock::now();
      auto r = path->convert(slin_bytes(std::span(frame, 160)));
      benchmark::DoNotOptimize(r);
      path_ns += ns(Clock::now() - t0);
    };
    alternate(f, run_bare, run_path);
    ++frames;
  }
  report(state, bare_ns, path_ns, frames);
  speex_resampler_destroy(bare);
}
BENCHMARK(BM_Overhead_Slin8ToSlin48)->MinTime(1.0);

// One conference tick with N talkers at `rate`: cost per participant per 20 ms tick.
void BM_MixerTick(benchmark::State& state) {
  const auto rate = static_cast<std::uint32_t>(state.range(0));
  const auto n = static_cast<std::size_t>(state.range(1));
  Mixer m(MixerSettings{.rate = rate});
  std::vector<ParticipantId> ids;
  std::vector<std::vector<std::int16_t>> inputs;
  for (std::size_t i = 0; i < n; ++i) {
    ids.push_back(m.join(MixRole::Talker));
    inputs.push_back(tone(rate, m.frame_samples(), 200.0 + 37.0 * static_cast<double>(i)));
  }
  for (auto _ : state) {
    for (std::size_t i = 0; i < n; ++i) m.put_input(ids[i], inputs[i]);
    m.tick();
    benchmark::DoNotOptimize(m.output(ids[0]).data());
  }
  state.counters["s_per_participant_per_tick"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * static_cast<double>(n),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_MixerTick)->ArgsProduct({{8000, 48000}, {3, 10, 50}})->Unit(benchmark::kMicrosecond);

// Page(): one talker, 1000 listen-only phones. Per tick: mix, encode the shared mix once to
// µ-law and once to Opus, hand every listener its payload (pointer + length, as a bridge would
// queue it). Reported per listener.
void BM_PageThousandListeners(benchmark::State& state) {
  const auto rate = static_cast<std::uint32_t>(state.range(0));
  constexpr std::size_t kListeners = 1000;
  Mixer m(MixerSettings{.rate = rate});
  auto pager = m.join(MixRole::Talker);
  std::vector<ParticipantId> listeners;
  for (std::size_t i = 0; i < kListeners; ++i) listeners.push_back(m.join(MixRole::Listener));
  auto to_ulaw = TranslationGraph::shared().build_path(Format::slin(rate), Format::ulaw());
  auto to_opus = TranslationGraph::shared().build_path(Format::slin(rate), Format::opus());
  auto voice = tone(rate, m.frame_samples());
  std::vector<std::span<const std::uint8_t>> queued(kListeners);
  for (auto _ : state) {
    m.put_input(pager, voice);
    m.tick();
    auto mix = slin_bytes(m.listener_mix());
    auto ulaw = to_ulaw->convert(mix);
    auto opus = to_opus->convert(mix);
    for (std::size_t i = 0; i < kListeners; ++i) queued[i] = (i & 1) ? *ulaw : *opus;
    benchmark::DoNotOptimize(queued.data());
  }
  state.counters["s_per_listener_per_tick"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * kListeners,
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_PageThousandListeners)->Arg(8000)->Arg(48000)->Unit(benchmark::kMicrosecond);

}  // namespace
