// .conf parser throughput on a generated 100k-line config, against a baseline measured in the same
// run: only splitting the same text into lines (the least any line-oriented parser must do).
#include <benchmark/benchmark.h>

#include <ctime>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "telephony/config/config.hpp"

namespace {

constexpr int kLines = 100'000;

// Shaped like real sip.conf/extensions.conf: templates, inheriting peers, `=>` dialplan lines,
// comments, blank lines, an occasional block comment and `+=`.
std::string generate_config() {
  std::string out;
  out.reserve(kLines * 32);
  int lines = 0;
  auto line = [&](const std::string& s) {
    out += s;
    out += '\n';
    ++lines;
  };
  line("[general]");
  line("context = default ; where unknown callers land");
  line("[phone](!)");
  line("type = friend");
  line("host = dynamic");
  line("allow = ulaw");
  int n = 0;
  while (lines < kLines) {
    ++n;
    const std::string id = std::to_string(1000 + n);
    if (n % 2) {
      line("[peer" + id + "](phone)");
      line("secret = pw" + id);
      line("callerid = \"User " + id + "\" <" + id + ">");
      line("allow += ,alaw");
      line("");
    } else {
      line("[ctx" + id + "]");
      line("exten => " + id + ",1,Answer()");
      line(" same => n,Dial(SIP/peer" + id + ",30) ; ring the phone");
      line(" same => n,Hangup()");
      line(";-- retired:");
      line("exten => 9" + id + ",1,NoOp() --;");
      line("; a plain comment line");
    }
  }
  return out;
}

const std::string& config_text() {
  static const std::string text = generate_config();
  return text;
}

std::size_t count_lines(std::string_view text) {
  std::size_t count = 0, pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::string_view l = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    benchmark::DoNotOptimize(l.data());
    ++count;
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
  }
  return count;
}

void BM_SplitLinesBaseline(benchmark::State& state) {
  const std::string& text = config_text();
  std::size_t lines = 0;
  for (auto _ : state) {
    lines = count_lines(text);
    benchmark::DoNotOptimize(lines);
  }
  state.counters["lines_per_s"] = benchmark::Counter(static_cast<double>(lines * state.iterations()),
                                                     benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<std::int64_t>(text.size() * state.iterations()));
}
BENCHMARK(BM_SplitLinesBaseline)->Unit(benchmark::kMillisecond);

void BM_ParseString(benchmark::State& state) {
  const std::string& text = config_text();
  for (auto _ : state) {
    auto r = telephony::config::parse_string(text, "bench.conf");
    if (!r) state.SkipWithError(r.error().items.front().to_string().c_str());
    benchmark::DoNotOptimize(r);
  }
  state.counters["lines_per_s"] =
      benchmark::Counter(static_cast<double>(kLines) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<std::int64_t>(text.size() * state.iterations()));
}
BENCHMARK(BM_ParseString)->Unit(benchmark::kMillisecond);

void BM_ParseFile(benchmark::State& state) {
  const auto path = std::filesystem::temp_directory_path() / "telephony-bench-config.conf";
  { std::ofstream(path, std::ios::binary) << config_text(); }
  for (auto _ : state) {
    auto r = telephony::config::parse_file(path);
    if (!r) state.SkipWithError(r.error().items.front().to_string().c_str());
    benchmark::DoNotOptimize(r);
  }
  state.counters["lines_per_s"] =
      benchmark::Counter(static_cast<double>(kLines) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
  std::filesystem::remove(path);
}
BENCHMARK(BM_ParseFile)->Unit(benchmark::kMillisecond);

// This thread's CPU time: on a shared build machine wall time mostly measures the neighbours.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Both measured back to back in every iteration, so the ratio is immune to machine load drifting
// between separate benchmarks: parse_over_split = parse CPU time / split CPU time.
void BM_ParseVsSplit(benchmark::State& state) {
  const std::string& text = config_text();
  double split_s = 0, parse_s = 0;
  for (auto _ : state) {
    const double t0 = thread_cpu_seconds();
    benchmark::DoNotOptimize(count_lines(text));
    const double t1 = thread_cpu_seconds();
    {
      auto r = telephony::config::parse_string(text, "bench.conf");
      benchmark::DoNotOptimize(r);
    }  // the model is freed inside the timed span: a parse that leaves cleanup to later is no faster
    const double t2 = thread_cpu_seconds();
    split_s += t1 - t0;
    parse_s += t2 - t1;
  }
  const double it = static_cast<double>(state.iterations());
  state.counters["parse_lines_per_s"] = kLines * it / parse_s;
  state.counters["split_lines_per_s"] = kLines * it / split_s;
  state.counters["parse_over_split"] = parse_s / split_s;
}
BENCHMARK(BM_ParseVsSplit)->Unit(benchmark::kMillisecond);

}  // namespace
