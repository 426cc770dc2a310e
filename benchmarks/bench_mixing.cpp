// Mixing bridge at Page scale: 1 talker + 1000 Test channels (µ-law) in a MixingBridge ticking on
// its real 20 ms timer for a few seconds. The 1000 phones are either listen-only members, or --
// what Page() makes them since it runs ConfBridge -- muted conference users whose talking nobody
// watches ({muted, detect_talking = false}, the options ConfBridge sets for them), optionally each
// sending its own 20 ms frames as real phones do. Reports process CPU per tick per phone
// (everything: mix, the ONE shared encode, fan-out posts, channel writes, and the phones' own
// frames when they send) and the ratio to the bare Mixer doing the same mix + encode in the same
// run. Results: docs/benchmarks/mixing.md.
#include <benchmark/benchmark.h>

#include <utility>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <atomic>
#include <cmath>
#include <ctime>
#include <numbers>
#include <thread>

#include "telephony/bridge.hpp"
#include "telephony/engine.hpp"
#include "telephony/media/codec.hpp"
#include "telephony/media/mixer.hpp"
#include "telephony/media/mixing_bridge.hpp"

using namespace telephony;
using namespace std::chrono_literals;

namespace {

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// A device that counts what it is sent (a phone that plays it and forgets it).
struct CountingTech : ChannelTech {
  explicit CountingTech(media::Format f) : format(f) {}
  void write(Channel&, const Frame&) override { frames.fetch_add(1, std::memory_order_relaxed); }
  std::vector<media::Format> native_formats() const override { return {format}; }
  media::Format format;
  static inline std::atomic<std::uint64_t> frames{0};
};

struct CountingDriver : ChannelDriver {
  std::string_view technology() const override { return "Test"; }
  std::string_view description() const override { return "benchmark sink"; }
  Result<Channel::Ptr> request(Engine& engine, const ChannelRequest& req) override {
    Engine::ChannelInit init;
    init.tech = "Test";
    init.resource = req.resource;
    init.impl = std::make_unique<CountingTech>(req.formats.empty() ? media::Format::ulaw() : req.formats.front());
    return engine.create_channel(std::move(init));
  }
};

std::vector<std::uint8_t> tone_slin(std::size_t k) {
  std::vector<std::int16_t> pcm(160);
  for (std::size_t i = 0; i < 160; ++i)
    pcm[i] = static_cast<std::int16_t>(8000 * std::sin(2 * std::numbers::pi * 440 * double(k * 160 + i) / 8000));
  auto b = media::slin_bytes(pcm);
  return {b.begin(), b.end()};
}

// Bare Mixer: 1 talker + `listeners` listeners, one µ-law encode of the shared mix per tick.
double mixer_alone_us_per_tick(int listeners, int ticks) {
  media::Mixer mixer;
  auto talker = mixer.join(media::MixRole::Talker);
  for (int i = 0; i < listeners; ++i) mixer.join(media::MixRole::Listener);
  std::vector<std::uint8_t> enc(160);
  auto in = tone_slin(0);
  const auto t0 = std::chrono::steady_clock::now();
  for (int t = 0; t < ticks; ++t) {
    mixer.put_input(talker, media::slin_samples(in));
    mixer.tick();
    media::g711::ulaw_encode(mixer.listener_mix(), enc);
    benchmark::DoNotOptimize(enc.data());
  }
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / ticks;
}

// range(2): 0 listen-only phones, 1 muted ConfBridge users (Page); range(3): 1 when phones send.
void BM_MixingBridgePage(benchmark::State& state) {
  const int listeners = static_cast<int>(state.range(0));
  const auto seconds = std::chrono::seconds(state.range(1));
  const bool conference_users = state.range(2) != 0;
  const bool phones_send = state.range(3) != 0;
  for (auto _ : state) {
    Engine engine(EngineOptions{.threads = 2});
    engine.drivers().add("Test", std::make_shared<CountingDriver>());
    engine.start();
    auto tech = std::make_unique<media::MixingBridge>(media::MixingBridgeSettings{.talk_events = false});
    auto* mix = tech.get();
    auto bridge = Bridge::create(engine, {.type = "page", .dissolve_when_alone = false}, std::move(tech));
    auto talker = *engine.request("Test/talker", nullptr, {media::Format::slin()});
    std::vector<Channel::Ptr> chans{talker};
    for (int i = 0; i < listeners; ++i) {
      auto c = *engine.request("Test/phone" + std::to_string(i), nullptr, {media::Format::ulaw()});
      if (conference_users) mix->set_member_options(*c, {.muted = true, .detect_talking = false});
      else mix->set_member_options(*c, {.listen_only = true});
      chans.push_back(c);
    }
    for (auto& c : chans)
      boost::asio::co_spawn(c->strand(), [bridge, c]() -> boost::asio::awaitable<void> { co_await bridge->join(c); },
                            boost::asio::detached);
    while (bridge->members().size() < chans.size()) std::this_thread::sleep_for(10ms);
    std::this_thread::sleep_for(200ms);  // let the joins settle before measuring

    const auto s0 = mix->stats();
    const auto f0 = CountingTech::frames.load();
    const double c0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    std::size_t k = 0;
    const Frame phone_frame = Frame::voice(media::Format::ulaw(), std::vector<std::uint8_t>(160, 0xff), 160);
    while (std::chrono::steady_clock::now() - t0 < seconds) {
      talker->queue_frame(Frame::voice(media::Format::slin(), tone_slin(k), 160));
      if (phones_send)
        for (std::size_t i = 1; i < chans.size(); ++i) chans[i]->queue_frame(phone_frame);
      ++k;
      std::this_thread::sleep_until(t0 + k * 20ms);
    }
    const double cpu = cpu_seconds() - c0;
    const auto s1 = mix->stats();
    const auto ticks = static_cast<double>(s1.ticks - s0.ticks);
    const double per_listener_us = cpu * 1e6 / ticks / listeners;
    const double alone_us = mixer_alone_us_per_tick(listeners, 2000) / listeners;
    state.counters["ticks"] = ticks;
    state.counters["cpu_us_per_tick_per_listener"] = per_listener_us;
    state.counters["mixer_alone_us_per_tick_per_listener"] = alone_us;
    state.counters["ratio_bridge_to_mixer"] = per_listener_us / alone_us;
    state.counters["shared_encodes_per_tick"] = static_cast<double>(s1.shared_encodes - s0.shared_encodes) / ticks;
    state.counters["frames_delivered_per_tick"] =
        static_cast<double>(CountingTech::frames.load() - f0) / ticks;
    bridge->dissolve();
    std::this_thread::sleep_for(200ms);
    engine.stop();
  }
}
BENCHMARK(BM_MixingBridgePage)
    ->ArgNames({"phones", "seconds", "confbridge", "send"})
    ->Args({1000, 3, 0, 0})
    ->Args({1000, 3, 1, 0})
    ->Args({1000, 3, 1, 1})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_MixerAlone(benchmark::State& state) {
  const int listeners = static_cast<int>(state.range(0));
  media::Mixer mixer;
  auto talker = mixer.join(media::MixRole::Talker);
  for (int i = 0; i < listeners; ++i) mixer.join(media::MixRole::Listener);
  std::vector<std::uint8_t> enc(160);
  auto in = tone_slin(0);
  for (auto _ : state) {
    mixer.put_input(talker, media::slin_samples(in));
    mixer.tick();
    media::g711::ulaw_encode(mixer.listener_mix(), enc);
    benchmark::DoNotOptimize(enc.data());
  }
}
BENCHMARK(BM_MixerAlone)->Arg(1000);

}  // namespace
