// Dialplan machinery: extension lookup in a 100k-extension context (ratio against an
// std::unordered_map lookup of the same literal strings, measured in the same run), build time
// for 100k extensions, and $[...] / ${...} evaluation cost.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "telephony/dialplan/expression.hpp"
#include "telephony/dialplan/matcher.hpp"
#include "telephony/dialplan/substitution.hpp"

namespace {

using telephony::dialplan::ExtensionMatcher;

constexpr int kExtensions = 100000;
constexpr int kPatterns = 20000;  // the rest are literals

struct Context {
  std::vector<std::pair<std::string, int>> entries;
  std::vector<std::string> literal_dials;  // dialed strings equal to a literal extension
  std::vector<std::string> pattern_dials;  // dialed strings only a pattern matches
};

const Context& context() {
  static const Context ctx = [] {
    Context c;
    std::mt19937 rng(42);
    std::vector<int> numbers(1000000);
    for (int i = 0; i < 1000000; ++i) numbers[i] = i;
    std::shuffle(numbers.begin(), numbers.end(), rng);
    for (int i = 0; i < kExtensions - kPatterns; ++i) {
      std::string e = "5" + std::to_string(1000000 + numbers[i]).substr(1);  // 7 digits
      c.entries.emplace_back(e, i);
      c.literal_dials.push_back(e);
    }
    const char* classes[] = {"X", "N", "Z", "[1-5]", "[2468]"};
    for (int i = 0; i < kPatterns; ++i) {
      // Patterns hang off distinct literal prefixes (trunk codes, site codes) as real plans do.
      std::string prefix = std::to_string(60000 + i);
      std::string e = "_" + prefix;
      std::string dial = prefix;
      const int tail = 2 + static_cast<int>(rng() % 3);
      for (int k = 0; k < tail; ++k) {
        e += classes[rng() % 5];
        dial += '2';
      }
      if (rng() % 4 == 0) {
        e += rng() % 2 ? "." : "!";
        dial += "99";
      }
      c.entries.emplace_back(e, kExtensions - kPatterns + i);
      c.pattern_dials.push_back(dial);
    }
    return c;
  }();
  return ctx;
}

const ExtensionMatcher<int>& matcher() {
  static const auto m = *ExtensionMatcher<int>::build(context().entries);
  return m;
}

const std::unordered_map<std::string, int>& baseline_map() {
  static const auto map = [] {
    std::unordered_map<std::string, int> m;
    for (const auto& [e, v] : context().entries) m.emplace(e, v);
    return m;
  }();
  return map;
}

// ns per lookup of every literal extension through an unordered_map (the baseline).
double baseline_ns() {
  {
    const auto& map = baseline_map();
    const auto& dials = context().literal_dials;
    long sum = 0;
    const auto t0 = std::chrono::steady_clock::now();
    constexpr int kRounds = 10;
    for (int r = 0; r < kRounds; ++r)
      for (const auto& d : dials) sum += map.find(d)->second;
    const auto t1 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(sum);
    return std::chrono::duration<double, std::nano>(t1 - t0).count() / (kRounds * dials.size());
  }
}

// The matcher timed exactly like baseline_ns(): same loop, same clock, same dialed strings.
double matcher_loop_ns(const std::vector<std::string>& dials) {
  const auto& m = matcher();
  long sum = 0;
  constexpr int kRounds = 10;
  const auto t0 = std::chrono::steady_clock::now();
  for (int r = 0; r < kRounds; ++r)
    for (const auto& d : dials) sum += *m.find_first(d);
  const auto t1 = std::chrono::steady_clock::now();
  benchmark::DoNotOptimize(sum);
  return std::chrono::duration<double, std::nano>(t1 - t0).count() / (kRounds * dials.size());
}

double median_single_lookup_ns(const std::vector<std::string>& dials) {
  const auto& m = matcher();
  std::vector<double> samples;
  for (std::size_t i = 0; i < 20000; ++i) {
    const auto& d = dials[(i * 7919) % dials.size()];
    const auto t0 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(m.find_first(d));
    const auto t1 = std::chrono::steady_clock::now();
    samples.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
  }
  std::nth_element(samples.begin(), samples.begin() + samples.size() / 2, samples.end());
  return samples[samples.size() / 2];
}

void report(benchmark::State& state, const std::vector<std::string>& dials) {
  const auto& m = matcher();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(m.find_first(dials[i]));
    if (++i == dials.size()) i = 0;
  }
  state.counters["ns_per_lookup"] =
      benchmark::Counter(static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["median_ns"] = median_single_lookup_ns(dials);
  // Baseline and matcher alternate three times; the best of each is kept, so a burst of load
  // from other processes on the machine does not skew the ratio.
  double base = 1e18, loop = 1e18;
  for (int k = 0; k < 3; ++k) {
    base = std::min(base, baseline_ns());
    loop = std::min(loop, matcher_loop_ns(dials));
  }
  state.counters["loop_ns"] = loop;
  state.counters["baseline_map_ns"] = base;
  state.counters["ratio_vs_map"] = loop / base;
}

void BM_Lookup100k_Literal(benchmark::State& state) { report(state, context().literal_dials); }
void BM_Lookup100k_Pattern(benchmark::State& state) { report(state, context().pattern_dials); }

void BM_UnorderedMapBaseline(benchmark::State& state) {
  std::unordered_map<std::string, int> map;
  for (const auto& [e, v] : context().entries) map.emplace(e, v);
  const auto& dials = context().literal_dials;
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(map.find(dials[i]));
    if (++i == dials.size()) i = 0;
  }
}

void BM_MatchMore100k(benchmark::State& state) {
  const auto& m = matcher();
  const auto& dials = context().literal_dials;
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(m.match_more(std::string_view(dials[i]).substr(0, 4)));
    if (++i == dials.size()) i = 0;
  }
}

void BM_Build100k(benchmark::State& state) {
  const auto& entries = context().entries;
  for (auto _ : state) {
    auto m = ExtensionMatcher<int>::build(entries);
    benchmark::DoNotOptimize(m);
  }
  state.counters["extensions"] = kExtensions;
}

void BM_Expression(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(telephony::dialplan::evaluate_expression("4 + 8 / 3 = 2 | \"abc\" : \"a(.)\""));
}

struct FixedResolver : telephony::dialplan::VariableResolver {
  std::optional<std::string> variable(std::string_view name) const override {
    return name == "EXTEN" ? std::optional<std::string>("5551234") : std::nullopt;
  }
  std::optional<std::string> function(std::string_view, std::string_view a) const override {
    return std::string(a);
  }
};

void BM_Substitute(benchmark::State& state) {
  FixedResolver r;
  for (auto _ : state)
    benchmark::DoNotOptimize(
        telephony::dialplan::substitute("Dial(SIP/${EXTEN:1},$[${EXTEN:0:2} * 2],tT)", r));
}

}  // namespace

BENCHMARK(BM_UnorderedMapBaseline);
BENCHMARK(BM_Lookup100k_Literal);
BENCHMARK(BM_Lookup100k_Pattern);
BENCHMARK(BM_MatchMore100k);
BENCHMARK(BM_Build100k)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_Expression);
BENCHMARK(BM_Substitute);
