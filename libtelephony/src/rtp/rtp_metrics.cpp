// RTP's Prometheus families: the stack's stream registry and totals (rtp/rtp_stack.hpp) and the
// collector the RTP module registers with res_prometheus once every module has loaded.
//
// Per packet nothing is added: each stream already keeps relaxed atomic counters for RTCP and
// `rtp show stats`. A scrape sums the existing streams under the registry's mutex (taken once per
// stream creation, close, destruction and scrape, never per packet), and a destroyed stream's
// final counters move into the totals under the same mutex, so a packet is counted exactly once.
#include <algorithm>
#include <cstdio>

#include "rtp/rtp_stack.hpp"
#include "rtp/rtp_stream.hpp"
#include "telephony/engine.hpp"
#include "telephony/metrics.hpp"
#include "telephony/rtp/rtp_config.hpp"

namespace telephony::rtp {

void RtpStack::track(const RtpStream* s) {
  std::lock_guard lock(streams_mu_);
  live_.push_back({s, false});
}

void RtpStack::end_locked(TrackedStream& t, const StreamCounters& c) {
  if (t.closed) return;
  t.closed = true;
  ++ended_.ended_streams;
  if (c.rx_packets > 1) {  // jitter needs two packets
    const auto& bounds = RtpTotals::kJitterBounds;
    const auto b = std::lower_bound(bounds.begin(), bounds.end(), c.rx_jitter);
    if (b != bounds.end()) ++ended_.jitter_buckets[static_cast<std::size_t>(b - bounds.begin())];
    ++ended_.jitter_count;
    ended_.jitter_sum += c.rx_jitter;
  }
}

void RtpStack::stream_closed(const RtpStream* s, const StreamCounters& c) {
  std::lock_guard lock(streams_mu_);
  for (auto& t : live_)
    if (t.stream == s) end_locked(t, c);
}

void RtpStack::untrack(const RtpStream* s, const StreamCounters& c) {
  std::lock_guard lock(streams_mu_);
  auto it = std::find_if(live_.begin(), live_.end(),
                         [s](const TrackedStream& t) { return t.stream == s; });
  if (it == live_.end()) return;
  end_locked(*it, c);
  ended_.rx_packets += c.rx_packets;
  ended_.tx_packets += c.tx_packets;
  ended_.rx_octets += c.rx_octets;
  ended_.tx_octets += c.tx_octets;
  ended_.rx_lost += c.rx_lost;
  ended_.tx_lost += c.tx_lost;
  *it = live_.back();
  live_.pop_back();
}

RtpTotals RtpStack::totals() const {
  std::lock_guard lock(streams_mu_);
  RtpTotals t = ended_;
  for (const auto& tracked : live_) {
    const auto c = tracked.stream->counters();
    t.rx_packets += c.rx_packets;
    t.tx_packets += c.tx_packets;
    t.rx_octets += c.rx_octets;
    t.tx_octets += c.tx_octets;
    t.rx_lost += c.rx_lost;
    t.tx_lost += c.tx_lost;
    if (tracked.closed) continue;
    ++t.live_streams;
    t.max_live_jitter = std::max(t.max_live_jitter, c.rx_jitter);
  }
  return t;
}

std::shared_ptr<RtpStack> RtpModule::running_stack() const {
  std::lock_guard lock(mu_);
  return stack_;
}

namespace {

void write_rtp_metrics(const RtpTotals& t, std::string& out) {
  MetricWriter w(out);
  const auto d = [](std::uint64_t v) { return static_cast<double>(v); };
  w.family("telephony_rtp_streams", "gauge", "RTP streams (one per call leg with media) open now.")
      .sample("telephony_rtp_streams", d(t.live_streams));
  w.family("telephony_rtp_streams_ended_total", "counter", "RTP streams closed.")
      .sample("telephony_rtp_streams_ended_total", d(t.ended_streams));
  w.family("telephony_rtp_packets_total", "counter",
           "RTP packets received and sent (relayed ones included).")
      .sample("telephony_rtp_packets_total", d(t.rx_packets), {{"direction", "rx"}})
      .sample("telephony_rtp_packets_total", d(t.tx_packets), {{"direction", "tx"}});
  w.family("telephony_rtp_octets_total", "counter", "RTP payload octets received and sent.")
      .sample("telephony_rtp_octets_total", d(t.rx_octets), {{"direction", "rx"}})
      .sample("telephony_rtp_octets_total", d(t.tx_octets), {{"direction", "tx"}});
  w.family("telephony_rtp_packets_lost_total", "counter",
           "RTP packets lost: rx = missing from what we received (sequence gaps), tx = what peers "
           "reported "
           "losing of ours in RTCP.")
      .sample("telephony_rtp_packets_lost_total", d(t.rx_lost), {{"direction", "rx"}})
      .sample("telephony_rtp_packets_lost_total", d(t.tx_lost), {{"direction", "tx"}});
  w.family(
       "telephony_rtp_jitter_max_seconds", "gauge",
       "The highest current interarrival jitter (RFC 3550) among the live streams' received media.")
      .sample("telephony_rtp_jitter_max_seconds", t.max_live_jitter);
  w.family("telephony_rtp_jitter_seconds", "histogram",
           "Interarrival jitter (RFC 3550) of each ended stream's received media, at its end.");
  std::uint64_t cumulative = 0;
  char le[24];
  for (std::size_t i = 0; i < RtpTotals::kJitterBounds.size(); ++i) {
    cumulative += t.jitter_buckets[i];
    std::snprintf(le, sizeof le, "%g", RtpTotals::kJitterBounds[i]);
    w.sample("telephony_rtp_jitter_seconds_bucket", d(cumulative), {{"le", le}});
  }
  w.sample("telephony_rtp_jitter_seconds_bucket", d(t.jitter_count), {{"le", "+Inf"}})
      .sample("telephony_rtp_jitter_seconds_sum", t.jitter_sum)
      .sample("telephony_rtp_jitter_seconds_count", d(t.jitter_count));
}

}  // namespace

void RtpModule::modules_loaded() {
  auto metrics = std::dynamic_pointer_cast<MetricsModule>(engine_.module("res_prometheus"));
  if (!metrics) return;
  // Looked up on every scrape: the collector holds neither this module nor its stack alive, and
  // a stack not started yet (no call had media) reports zeros without being started.
  Engine* engine = &engine_;
  metrics->set_collector("res_rtp_asterisk", [engine](std::string& out) {
    auto m = std::dynamic_pointer_cast<RtpModule>(engine->module("res_rtp_asterisk"));
    if (!m) return;
    auto stack = m->running_stack();
    write_rtp_metrics(stack ? stack->totals() : RtpTotals{}, out);
  });
}

}  // namespace telephony::rtp
