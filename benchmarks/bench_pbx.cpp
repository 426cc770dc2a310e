// Dialplan executor figures, each with a baseline from the same run:
//  * loading a generated 100k-line extensions.conf (target <= 1 s) vs config::parse_file of the
//    same file — the ratio says what the dialplan model (patterns, duplicate checks, matchers)
//    adds on top of reading the text;
//  * steps/s of a tight dialplan loop (NoOp, Set with $[...], GotoIf) on one channel, vs the same
//    number of bare NoOp steps, so the cost of substitution/expressions is visible.
#include <benchmark/benchmark.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "telephony/config/config.hpp"
#include "telephony/dialplan/loader.hpp"
#include "telephony/dialplan/module.hpp"
#include "telephony/engine.hpp"

namespace {

constexpr int kLines = 100'000;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Contexts of literal and pattern extensions with labels, includes and globals, like a real
// PBX's generated dialplan.
const fs::path& extensions_file() {
  static const fs::path path = [] {
    fs::path p = fs::temp_directory_path() / "bench_pbx_extensions.conf";
    std::ofstream out(p);
    int lines = 0;
    auto line = [&](const std::string& s) {
      out << s << '\n';
      ++lines;
    };
    line("[general]");
    line("autofallthrough=yes");
    line("[globals]");
    line("TRUNK=SIP/provider");
    int ctx = 0, n = 0;
    while (lines < kLines) {
      line("[ctx" + std::to_string(++ctx) + "]");
      if (ctx > 1) line("include => ctx" + std::to_string(ctx - 1));
      for (int i = 0; i < 100 && lines < kLines; ++i) {
        const std::string id = std::to_string(100000 + ++n);
        line("exten => " + id + ",1,Answer()");
        line(" same => n,Dial(SIP/" + id + ",30) ; ring");
        line(" same => n(vm),VoiceMail(" + id + "@default,u)");
        line(" same => n,Hangup()");
      }
      line("exten => _9NXXXXXX,1,Dial(${TRUNK}/${EXTEN:1})");
      line("exten => _0.,1,Congestion()");
    }
    return p;
  }();
  return path;
}

void BM_LoadExtensions100k(benchmark::State& state) {
  const auto& file = extensions_file();
  double parse_s = 0, load_s = 0;
  for (auto _ : state) {
    auto t0 = Clock::now();
    auto cfg = telephony::config::parse_file(file);
    auto t1 = Clock::now();
    auto plan = telephony::dialplan::load_dialplan(*cfg);
    auto t2 = Clock::now();
    if (!plan) state.SkipWithError(plan.error().to_string().c_str());
    benchmark::DoNotOptimize(plan);
    parse_s += std::chrono::duration<double>(t1 - t0).count();
    load_s += std::chrono::duration<double>(t2 - t1).count();
  }
  const double it = static_cast<double>(state.iterations());
  state.counters["parse_ms"] = parse_s / it * 1000;
  state.counters["model_ms"] = load_s / it * 1000;
  state.counters["total_ms"] = (parse_s + load_s) / it * 1000;
  state.counters["ratio_to_parse"] = (parse_s + load_s) / parse_s;
  state.counters["lines"] = kLines;
}
BENCHMARK(BM_LoadExtensions100k)->Unit(benchmark::kMillisecond)->Iterations(3);

// Runs `conf`'s s@bench on one channel until it hangs up; returns seconds.
double run_loop(const std::string& conf) {
  telephony::Engine engine({.threads = 1});
  engine.log().set_level(telephony::LogLevel::Error);
  auto pbx = telephony::dialplan::install_dialplan(engine);
  auto plan = telephony::dialplan::load_dialplan_string(conf, "bench.conf");
  pbx->replace(*plan);
  engine.start();
  telephony::Engine::ChannelInit init;
  init.tech = "Bench";
  init.resource = "loop";
  init.impl = std::make_unique<telephony::ChannelTech>();
  auto chan = engine.create_channel(std::move(init));
  chan->set_location({"bench", "s", 1});
  auto t0 = Clock::now();
  pbx->start(chan);
  while (!chan->is_hung_up()) std::this_thread::sleep_for(std::chrono::microseconds(200));
  auto secs = std::chrono::duration<double>(Clock::now() - t0).count();
  engine.stop();
  return secs;
}

constexpr int kRounds = 20000;

void BM_DialplanLoopSteps(benchmark::State& state) {
  const std::string loop = "[bench]\nexten => s,1,Set(I=0)\n same => n(top),NoOp(${I})\n same => n,Set(I=$[${I}+1])\n"
                           " same => n,GotoIf($[${I}<" + std::to_string(kRounds) + "]?top)\n";
  std::string flat = "[bench]\nexten => s,1,NoOp(start)\n";
  for (int i = 0; i < 3 * kRounds; ++i) flat += " same => n,NoOp(x)\n";
  const double steps = 3.0 * kRounds;
  double loop_s = 0, flat_s = 0;
  for (auto _ : state) {
    loop_s += run_loop(loop);
    flat_s += run_loop(flat);
  }
  const double it = static_cast<double>(state.iterations());
  state.counters["loop_steps_per_s"] = steps * it / loop_s;
  state.counters["noop_steps_per_s"] = steps * it / flat_s;
  state.counters["loop_vs_noop"] = loop_s / flat_s;
}
BENCHMARK(BM_DialplanLoopSteps)->Unit(benchmark::kMillisecond)->Iterations(2);

}  // namespace
