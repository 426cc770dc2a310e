// RtpStream's RTCP (SR/RR out every rtcpinterval, reports in, RTT), the RTP timeout, and the
// statistics snapshot behind CHANNEL(rtpqos).
#include <sys/random.h>
#include <sys/socket.h>

#include <cstdio>

#include "rtp/rtp_stream.hpp"
#include "telephony/engine.hpp"
#include "telephony/rtp/events.hpp"

namespace telephony::rtp {

namespace {

std::string endpoint_text(const boost::asio::ip::udp::endpoint& ep) {
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

void atomic_max(std::atomic<double>& a, double v) {
  double cur = a.load(std::memory_order_relaxed);
  while (v > cur && !a.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
  }
}

}  // namespace

void RtpStream::schedule_rtcp() {
  const auto interval = config_->rtcp_interval;
  if (interval.count() <= 0) return;
  // RFC 3550 §6.3.1: randomize to [0.5, 1.5] × the interval so calls started together do not
  // report in lockstep.
  std::uint16_t r = 0;
  if (getrandom(&r, sizeof r, 0) != static_cast<ssize_t>(sizeof r)) r = 32768;
  const auto ms = interval.count() / 2 + interval.count() * r / 65536;
  shard_.wheel.schedule(rtcp_timer_, std::chrono::milliseconds(ms));
}

void RtpStream::on_rtcp_timer(TimerWheel::Entry&, void* p) {
  auto* self = static_cast<RtpStream*>(p);
  if (self->closed_) return;
  self->send_rtcp_report();
  self->schedule_rtcp();
}

void RtpStream::send_rtcp_report(bool bye) {
  std::optional<RtcpReportBlock> block;
  if (src_.valid) {
    auto& s = src_;
    RtcpReportBlock b;
    b.ssrc = s.ssrc;
    const std::uint32_t expected = s.expected();
    const std::uint32_t expected_interval = expected - s.expected_prior;
    const std::uint32_t received_interval = s.received - s.received_prior;
    s.expected_prior = expected;
    s.received_prior = s.received;
    const std::int64_t lost_interval = static_cast<std::int64_t>(expected_interval) - received_interval;
    b.fraction_lost = expected_interval == 0 || lost_interval <= 0
                          ? 0
                          : static_cast<std::uint8_t>(std::min<std::int64_t>(255, (lost_interval << 8) / expected_interval));
    const std::int64_t lost = static_cast<std::int64_t>(expected) - s.received;
    b.cumulative_lost = static_cast<std::int32_t>(std::clamp<std::int64_t>(lost, -0x800000, 0x7fffff));
    b.highest_sequence = s.extended_max();
    b.jitter = static_cast<std::uint32_t>(s.jitter);
    if (last_sr_middle_) {
      b.lsr = *last_sr_middle_;
      const auto since = std::chrono::steady_clock::now() - last_sr_at_;
      b.dlsr = static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::microseconds>(since).count() * 65536 / 1000000);
    }
    block = b;
  }
  std::optional<RtcpSenderInfo> sender;
  std::string to;
  {
    std::lock_guard lock(send_mu_);
    if (!target_.valid || !send_params_) return;
    const std::uint64_t sent = tx_packets_.load(std::memory_order_relaxed);
    if (sent > 0) {
      RtcpSenderInfo si;
      si.ntp = ntp_now();
      // The RTP time that corresponds to now: the last timestamp plus the time since it left.
      const auto since = std::chrono::steady_clock::now() - last_send_time_;
      const auto clock = last_clock_ ? last_clock_ : 8000;
      si.rtp_timestamp = last_sent_ts_ + static_cast<std::uint32_t>(
                                             std::chrono::duration_cast<std::chrono::microseconds>(since).count() * clock / 1000000);
      si.packet_count = static_cast<std::uint32_t>(sent);
      si.octet_count = static_cast<std::uint32_t>(tx_octets_.load(std::memory_order_relaxed));
      sender = si;
    }
    char cname[40];
    const int cn = std::snprintf(cname, sizeof cname, "%08x@libtelephony", ssrc_);
    std::size_t len = write_rtcp_report(send_buf_, ssrc_, sender, block, {cname, static_cast<std::size_t>(cn)});
    if (len == 0) return;
    if (bye) len += write_rtcp_bye(std::span(send_buf_).subspan(len), ssrc_);
    send_packet_locked(len, /*rtcp=*/true);
    to = endpoint_text(target_.rtcp);
  }
  rtcp_sent_.fetch_add(1, std::memory_order_relaxed);
  // Published outside the send lock: subscribers never hold up this call's packets.
  if (auto chan = channel_.lock()) {
    auto ev = std::make_shared<RtcpSent>();
    ev->channel = chan->snapshot();
    ev->ssrc = ssrc_;
    ev->packet_type = sender ? RtcpType::SR : RtcpType::RR;
    ev->address = std::move(to);
    ev->sender = sender;
    if (block) ev->blocks.push_back(*block);
    engine_.events().publish(std::move(ev));
  }
}

void RtpStream::on_rtcp(std::uint8_t* data, std::size_t len, const boost::asio::ip::udp::endpoint& from) {
  if (!recv_params_) return;
  if (srtp_recv_) {
    if (!srtp_recv_.unprotect_rtcp(data, len)) {
      srtp_failures_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  } else if (recv_params_->secure()) {
    return;
  }
  auto report = parse_rtcp({data, len});
  if (!report) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  rtcp_received_.fetch_add(1, std::memory_order_relaxed);
  std::optional<double> rtt;
  if (report->sender) {
    last_sr_middle_ = ntp_middle32(report->sender->ntp);
    last_sr_at_ = std::chrono::steady_clock::now();
  }
  for (std::uint8_t i = 0; i < report->block_count; ++i) {
    const auto& b = report->blocks[i];
    if (b.ssrc != ssrc_) continue;
    tx_lost_.store(b.cumulative_lost > 0 ? static_cast<std::uint32_t>(b.cumulative_lost) : 0, std::memory_order_relaxed);
    std::uint32_t clock = 8000;
    {
      // The send side's clock: written under send_mu_ by whichever thread sends (make tsan).
      std::lock_guard lock(send_mu_);
      if (last_clock_) clock = last_clock_;
    }
    tx_jitter_s_.store(static_cast<double>(b.jitter) / clock, std::memory_order_relaxed);
    if (b.lsr != 0) {
      // RFC 3550 §6.4.1: RTT = arrival - LSR - DLSR, in 1/65536 s.
      const std::uint32_t a = ntp_middle32(ntp_now());
      const std::int32_t r = static_cast<std::int32_t>(a - b.lsr - b.dlsr);
      if (r >= 0) {
        rtt = r / 65536.0;
        rtt_.store(*rtt, std::memory_order_relaxed);
        if (rtt_count_.fetch_add(1, std::memory_order_relaxed) == 0) rtt_min_.store(*rtt, std::memory_order_relaxed);
        else if (*rtt < rtt_min_.load(std::memory_order_relaxed)) rtt_min_.store(*rtt, std::memory_order_relaxed);
        atomic_max(rtt_max_, *rtt);
        rtt_sum_.store(rtt_sum_.load(std::memory_order_relaxed) + *rtt, std::memory_order_relaxed);
      }
    }
  }
  if (auto chan = channel_.lock()) {
    auto ev = std::make_shared<RtcpReceived>();
    ev->channel = chan->snapshot();
    ev->ssrc = report->ssrc;
    ev->packet_type = report->type;
    ev->address = endpoint_text(from);
    ev->sender = report->sender;
    for (std::uint8_t i = 0; i < report->block_count; ++i) ev->blocks.push_back(report->blocks[i]);
    ev->rtt_seconds = rtt;
    engine_.events().publish(std::move(ev));
  }
}

// ---- RTP timeout --------------------------------------------------------------------------------

void RtpStream::on_timeout_timer(TimerWheel::Entry&, void* p) {
  auto* self = static_cast<RtpStream*>(p);
  if (!self->closed_) self->check_timeout();
}

void RtpStream::check_timeout() {
  using namespace std::chrono;
  const auto now = steady_clock::now();
  auto chan = channel_.lock();
  const seconds limit = remote_hold_ ? settings_.rtp_timeout_hold : settings_.rtp_timeout;
  if (!chan || limit.count() == 0 || chan->state() != ChannelState::Up) {
    // Not answered yet (or no timeout in this hold state): the clock starts when it matters.
    last_rx_ = now;
    shard_.wheel.schedule(timeout_timer_, limit.count() ? duration_cast<milliseconds>(limit) / 2 : milliseconds(1000));
    return;
  }
  const auto quiet = now - last_rx_;
  if (quiet < limit) {
    shard_.wheel.schedule(timeout_timer_, duration_cast<milliseconds>(limit - quiet) + milliseconds(10));
    return;
  }
  const auto secs = static_cast<std::uint32_t>(duration_cast<seconds>(quiet).count());
  engine_.log().notice("rtp", "Disconnecting channel '" + chan->name() + "' for lack of audio RTP activity in " +
                                  std::to_string(secs) + " seconds" + (remote_hold_ ? " (on hold)" : ""));
  auto ev = std::make_shared<RtpTimedOut>();
  ev->channel = chan->snapshot();
  ev->seconds = secs;
  ev->on_hold = remote_hold_;
  engine_.events().publish(std::move(ev));
  chan->set_variable("RTPTIMEOUT", std::to_string(secs));
  chan->set_hangup_cause(HangupCause::RequestedChanUnavail);
  chan->request_hangup(HangupCause::RequestedChanUnavail);
}

// ---- statistics ---------------------------------------------------------------------------------

RtpStatistics RtpStream::statistics() const {
  RtpStatistics s;
  s.local_ssrc = ssrc_;
  s.remote_ssrc = remote_ssrc_.load(std::memory_order_relaxed);
  s.tx_packets = tx_packets_.load(std::memory_order_relaxed);
  s.tx_octets = tx_octets_.load(std::memory_order_relaxed);
  s.rx_packets = rx_packets_.load(std::memory_order_relaxed);
  s.rx_octets = rx_octets_.load(std::memory_order_relaxed);
  s.rx_lost = rx_lost_.load(std::memory_order_relaxed);
  s.rx_jitter = rx_jitter_s_.load(std::memory_order_relaxed);
  s.tx_lost = tx_lost_.load(std::memory_order_relaxed);
  s.tx_jitter = tx_jitter_s_.load(std::memory_order_relaxed);
  const auto n = rtt_count_.load(std::memory_order_relaxed);
  if (n > 0) {
    s.rtt = rtt_.load(std::memory_order_relaxed);
    s.min_rtt = rtt_min_.load(std::memory_order_relaxed);
    s.max_rtt = rtt_max_.load(std::memory_order_relaxed);
    s.avg_rtt = rtt_sum_.load(std::memory_order_relaxed) / n;
  }
  s.rtcp_sent = rtcp_sent_.load(std::memory_order_relaxed);
  s.rtcp_received = rtcp_received_.load(std::memory_order_relaxed);
  s.relayed_packets = relayed_.load(std::memory_order_relaxed);
  s.jitter_buffer_max_ms = jitter_max_ms_.load(std::memory_order_relaxed);
  s.jitter_buffer_extra_ms = jitter_extra_ms_.load(std::memory_order_relaxed);
  s.delivered_frames = delivered_.load(std::memory_order_relaxed);
  s.dropped_packets = dropped_.load(std::memory_order_relaxed);
  s.srtp_failures = srtp_failures_.load(std::memory_order_relaxed);
  s.concealed_frames = concealed_.load(std::memory_order_relaxed);
  s.fec_recovered_frames = fec_recovered_.load(std::memory_order_relaxed);
  s.ssrc_changes = ssrc_changes_.load(std::memory_order_relaxed);
  s.local_address = local_address();
  {
    std::lock_guard lock(text_mu_);
    s.remote_address = remote_text_;
  }
  {
    std::lock_guard lock(send_mu_);
    s.secure = send_params_ && send_params_->secure();
    s.remote_hold = send_params_ && send_params_->remote_hold();
  }
  s.native_relay = relay_active_.load(std::memory_order_relaxed);
  return s;
}

StreamCounters RtpStream::counters() const {
  StreamCounters c;
  c.rx_packets = rx_packets_.load(std::memory_order_relaxed);
  c.tx_packets = tx_packets_.load(std::memory_order_relaxed);
  c.rx_octets = rx_octets_.load(std::memory_order_relaxed);
  c.tx_octets = tx_octets_.load(std::memory_order_relaxed);
  c.rx_lost = rx_lost_.load(std::memory_order_relaxed);
  c.tx_lost = tx_lost_.load(std::memory_order_relaxed);
  c.rx_jitter = rx_jitter_s_.load(std::memory_order_relaxed);
  return c;
}

std::string rtpqos_text(const RtpStatistics& s) {
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "ssrc=%u;themssrc=%u;lp=%u;rxjitter=%f;rxcount=%llu;txjitter=%f;txcount=%llu;rlp=%u;rtt=%f",
                s.local_ssrc, s.remote_ssrc, s.rx_lost, s.rx_jitter, static_cast<unsigned long long>(s.rx_packets),
                s.tx_jitter, static_cast<unsigned long long>(s.tx_packets), s.tx_lost, s.rtt.value_or(0.0));
  return buf;
}

std::string native_relay_text(const RtpStatistics& s) {
  return std::string(s.native_relay ? "on" : "off") + ";relayed=" + std::to_string(s.relayed_packets) +
         ";delivered=" + std::to_string(s.delivered_frames);
}

}  // namespace telephony::rtp
