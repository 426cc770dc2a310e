// SIP parser speed against a baseline measured in the same run: a memchr line split of the same
// bytes (the least any parser must do). Reports INVITEs/s per core and the ratio to the baseline.
// Target (issue 11): >= 500k INVITEs/s per core.
#include <benchmark/benchmark.h>

#include <time.h>

#include <chrono>
#include <cstring>
#include <string>

#include "telephony/sip/message.hpp"
#include "telephony/sip/uri.hpp"

namespace {

// What SIPp's default UAC sends, plus the headers a phone adds.
const std::string kInvite =
    "INVITE sip:100@127.0.0.1:5060 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-4147-1-0;rport\r\n"
    "From: \"sipp\" <sip:sipp@127.0.0.1:5061>;tag=4147SIPpTag001\r\n"
    "To: <sip:100@127.0.0.1:5060>\r\n"
    "Call-ID: 1-4147@127.0.0.1\r\n"
    "CSeq: 1 INVITE\r\n"
    "Contact: <sip:sipp@127.0.0.1:5061>\r\n"
    "Max-Forwards: 70\r\n"
    "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY\r\n"
    "Supported: replaces, timer\r\n"
    "User-Agent: Phone/1.0\r\n"
    "Subject: Performance Test\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 129\r\n"
    "\r\n"
    "v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

std::size_t split_lines(const std::string& bytes) {
  std::size_t lines = 0;
  const char* p = bytes.data();
  const char* end = p + bytes.size();
  while (p < end) {
    const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
    if (!nl) break;
    ++lines;
    p = static_cast<const char*>(nl) + 1;
  }
  return lines;
}

double thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

// The baseline measured in this process, in thread CPU time as google-benchmark's rates are:
// ns per memchr line split of the same INVITE.
double baseline_ns() {
  static const double ns = [] {
    std::size_t sink = 0;
    const int n = 2'000'000;
    const double t0 = thread_cpu_ns();
    for (int i = 0; i < n; ++i) {
      sink += split_lines(kInvite);
      benchmark::DoNotOptimize(sink);
    }
    return (thread_cpu_ns() - t0) / n;
  }();
  return ns;
}

void report(benchmark::State& state) {
  state.SetItemsProcessed(state.iterations());
  state.counters["msgs_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["baseline_ns"] = baseline_ns();
  state.counters["ratio_to_baseline"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * baseline_ns() * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_Baseline_MemchrLineSplit(benchmark::State& state) {
  std::size_t lines = 0;
  for (auto _ : state) {
    const char* p = kInvite.data();
    const char* end = p + kInvite.size();
    while (p < end) {
      const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
      if (!nl) break;
      ++lines;
      p = static_cast<const char*>(nl) + 1;
    }
    benchmark::DoNotOptimize(lines);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["msgs_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Baseline_MemchrLineSplit);

void BM_ParseInvite(benchmark::State& state) {
  std::size_t headers = 0;
  for (auto _ : state) {
    auto r = telephony::sip::parse_message(kInvite, true);
    headers += r ? r->header_count() : 0;
    benchmark::DoNotOptimize(headers);
  }
  report(state);
}
BENCHMARK(BM_ParseInvite);

// Parse plus what a UAS reads of every INVITE: From/To/Contact name-addrs and the Request-URI.
void BM_ParseInviteAndAddresses(benchmark::State& state) {
  using namespace telephony::sip;
  std::size_t n = 0;
  for (auto _ : state) {
    auto r = parse_message(kInvite, true);
    if (r) {
      auto from = parse_name_addr(r->value(Header::From));
      auto contact = parse_name_addr(r->value(Header::Contact));
      auto uri = parse_uri(r->request_uri());
      n += (from ? 1 : 0) + (contact ? 1 : 0) + (uri ? 1 : 0);
    }
    benchmark::DoNotOptimize(n);
  }
  report(state);
}
BENCHMARK(BM_ParseInviteAndAddresses);

}  // namespace
