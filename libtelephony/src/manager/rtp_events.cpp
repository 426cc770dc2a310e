// RTP layer events -> AMI: RTCPSent / RTCPReceived with Asterisk's field set and order (channel
// snapshot, To/From, RTT, SSRC, PT, ReportCount, Sent*, ReportX*), class reporting; and our
// MediaNegotiationFailed (class call) carrying the structured reason of a 488.
#include <cstdio>

#include "engine_events.hpp"
#include "telephony/rtp/events.hpp"

namespace telephony::manager {

namespace {

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%.8x", v);
  return buf;
}

void add_rtcp(ami::Message& m, const rtp::RtcpEvent& e) {
  m.add("SSRC", hex32(e.ssrc));
  m.add("PT", e.packet_type == rtp::RtcpType::SR ? "200(SR)" : "201(RR)");
  m.add("ReportCount", std::to_string(e.blocks.size()));
  if (e.sender) {
    // NTP 32.32 -> seconds since 1970 "sec.usec", as Asterisk prints its timeval.
    const std::uint64_t secs = (e.sender->ntp >> 32) - 2208988800ull;
    const std::uint64_t usec = ((e.sender->ntp & 0xffffffffull) * 1000000ull) >> 32;
    char ntp[48];
    std::snprintf(ntp, sizeof ntp, "%llu.%06llu", static_cast<unsigned long long>(secs), static_cast<unsigned long long>(usec));
    m.add("SentNTP", ntp);
    m.add("SentRTP", std::to_string(e.sender->rtp_timestamp));
    m.add("SentPackets", std::to_string(e.sender->packet_count));
    m.add("SentOctets", std::to_string(e.sender->octet_count));
  }
  for (std::size_t i = 0; i < e.blocks.size(); ++i) {
    const auto& b = e.blocks[i];
    const std::string p = "Report" + std::to_string(i);
    char dlsr[32];
    std::snprintf(dlsr, sizeof dlsr, "%4.4f", b.dlsr / 65536.0);
    m.add(p + "SourceSSRC", hex32(b.ssrc));
    m.add(p + "FractionLost", std::to_string(b.fraction_lost));
    m.add(p + "CumulativeLost", std::to_string(b.cumulative_lost > 0 ? b.cumulative_lost : 0));
    m.add(p + "HighestSequence", std::to_string(b.highest_sequence & 0xffff));
    m.add(p + "SequenceNumberCycles", std::to_string(b.highest_sequence >> 16));
    m.add(p + "IAJitter", std::to_string(b.jitter));
    m.add(p + "LSR", std::to_string(b.lsr));
    m.add(p + "DLSR", dlsr);
  }
}

}  // namespace

std::optional<MappedEvent> map_rtp_event(const Event& ev, const ChannelVarLookup& vars) {
  if (auto* e = dynamic_cast<const rtp::RtcpEvent*>(&ev)) {
    MappedEvent out{ami::Message{}, Privilege::Reporting};
    out.message.add("Event", ev.type());
    if (e->channel) add_channel_snapshot(out.message, *e->channel, {}, vars ? vars(*e->channel) : ChannelVars{});
    if (ev.as<rtp::RtcpSent>()) {
      out.message.add("To", e->address);
    } else if (auto* r = ev.as<rtp::RtcpReceived>()) {
      out.message.add("From", e->address);
      if (r->rtt_seconds) {
        char rtt[32];
        std::snprintf(rtt, sizeof rtt, "%4.4f", *r->rtt_seconds);
        out.message.add("RTT", rtt);
      }
    }
    add_rtcp(out.message, *e);
    return out;
  }
  if (auto* e = ev.as<rtp::MediaNegotiationFailed>()) {
    MappedEvent out{ami::Message{}, Privilege::Call};
    out.message.add("Event", ev.type());
    if (e->channel) add_channel_snapshot(out.message, *e->channel, {}, vars ? vars(*e->channel) : ChannelVars{});
    out.message.add("Endpoint", e->endpoint)
        .add("Reason", e->kind)
        .add("Offered", e->offered)
        .add("Allowed", e->allowed)
        .add("Warning", e->reason);
    return out;
  }
  if (auto* e = ev.as<rtp::RtpTimedOut>()) {
    MappedEvent out{ami::Message{}, Privilege::Call};
    out.message.add("Event", ev.type());
    add_channel_snapshot(out.message, e->channel, {}, vars ? vars(e->channel) : ChannelVars{});
    out.message.add("Seconds", std::to_string(e->seconds)).add("OnHold", e->on_hold ? "Yes" : "No");
    return out;
  }
  return std::nullopt;
}

}  // namespace telephony::manager
