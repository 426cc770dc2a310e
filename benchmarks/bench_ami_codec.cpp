// AMI codec throughput. Baseline: splitting the same bytes into messages with memchr alone (the
// least work any AMI reader must do); counters report messages/s and the ratio to that baseline.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstring>
#include <string>

#include "telephony/manager/parser.hpp"
#include "telephony/manager/writer.hpp"

using namespace telephony::ami;

namespace {
// A realistic mix: a Newchannel-sized event, a short response, a Hangup event.
std::string make_stream(int messages) {
  const std::string newchannel =
      "Event: Newchannel\r\nPrivilege: call,all\r\nChannel: SIP/alice-00000001\r\nChannelState: 0\r\n"
      "ChannelStateDesc: Down\r\nCallerIDNum: 1001\r\nCallerIDName: Alice\r\nConnectedLineNum: <unknown>\r\n"
      "ConnectedLineName: <unknown>\r\nLanguage: en\r\nAccountCode: \r\nContext: default\r\nExten: 100\r\n"
      "Priority: 1\r\nUniqueid: 1700000000.1\r\nLinkedid: 1700000000.1\r\n\r\n";
  const std::string response = "Response: Success\r\nActionID: 42\r\nPing: Pong\r\nTimestamp: 1700000000.123456\r\n\r\n";
  const std::string hangup =
      "Event: Hangup\r\nPrivilege: call,all\r\nChannel: SIP/alice-00000001\r\nUniqueid: 1700000000.1\r\n"
      "Cause: 16\r\nCause-txt: Normal Clearing\r\n\r\n";
  std::string s;
  for (int i = 0; i < messages; ++i) s += (i % 3 == 0 ? newchannel : i % 3 == 1 ? response : hangup);
  return s;
}
constexpr int kMessages = 3000;
constexpr std::size_t kChunk = 4096;  // a typical socket read

double g_baseline_rate = 0;

// Wall-clock rate of a loop, measured by the benchmark itself so later benchmarks can divide by it.
struct RateClock {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  double rate(benchmark::State& st) const {
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return secs > 0 ? static_cast<double>(st.iterations()) * kMessages / secs : 0;
  }
};
void report_ratio(benchmark::State& state, const RateClock& clock) {
  if (g_baseline_rate > 0) state.counters["ratio_vs_memchr"] = clock.rate(state) / g_baseline_rate;
}

void BM_Baseline_MemchrSplit(benchmark::State& state) {
  const std::string s = make_stream(kMessages);
  RateClock clock;
  for (auto _ : state) {
    std::size_t count = 0;
    const char* p = s.data();
    const char* end = p + s.size();
    bool prev_blank_start = true;
    while (p < end) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
      if (!nl) break;
      const bool blank = (nl == p) || (nl == p + 1 && *p == '\r');
      if (blank && !prev_blank_start) ++count;
      prev_blank_start = blank;
      p = nl + 1;
    }
    benchmark::DoNotOptimize(count);
  }
  g_baseline_rate = clock.rate(state);
  state.SetItemsProcessed(state.iterations() * kMessages);
  state.counters["msgs_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()) * kMessages,
                                                    benchmark::Counter::kIsRate);
}

void BM_Parse(benchmark::State& state) {
  const std::string s = make_stream(kMessages);
  RateClock clock;
  for (auto _ : state) {
    Parser p;
    std::size_t count = 0;
    for (std::size_t off = 0; off < s.size(); off += kChunk) {
      p.feed(std::string_view(s).substr(off, kChunk));
      while (auto r = p.next()) {
        benchmark::DoNotOptimize(r->has_value());
        ++count;
      }
    }
    if (count != kMessages) state.SkipWithError("wrong message count");
  }
  report_ratio(state, clock);
  state.SetItemsProcessed(state.iterations() * kMessages);
  state.counters["msgs_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()) * kMessages,
                                                    benchmark::Counter::kIsRate);
}

void BM_Write(benchmark::State& state) {
  const std::string s = make_stream(kMessages);
  std::vector<Message> msgs;
  Parser p;
  p.feed(s);
  while (auto r = p.next()) msgs.push_back(std::move(**r));
  std::string out;
  RateClock clock;
  for (auto _ : state) {
    out.clear();
    for (const auto& m : msgs) Writer::write(out, m);
    benchmark::DoNotOptimize(out.data());
  }
  report_ratio(state, clock);
  if (out != s) state.SkipWithError("write did not reproduce the input");
  state.SetItemsProcessed(state.iterations() * kMessages);
  state.counters["msgs_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()) * kMessages,
                                                    benchmark::Counter::kIsRate);
}
}  // namespace

BENCHMARK(BM_Baseline_MemchrSplit);
BENCHMARK(BM_Parse);
BENCHMARK(BM_Write);
