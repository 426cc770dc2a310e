// Events the RTP layer publishes on the engine's EventBus: RTCP reports sent and received (AMI
// RTCPSent/RTCPReceived), an RTP timeout that hung a call up, and a failed SDP negotiation with
// its structured reason (AMI MediaNegotiationFailed, our addition).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "telephony/events.hpp"
#include "telephony/rtp/packet.hpp"

namespace telephony::rtp {

#define TELEPHONY_RTP_EVENT_TYPE(name) \
  static constexpr std::string_view kType = #name; \
  std::string_view type() const override { return kType; }

struct RtcpEvent : Event {
  std::optional<ChannelSnapshot> channel;  // absent when no channel is attached
  std::uint32_t ssrc = 0;                  // ours (sent) or theirs (received)
  RtcpType packet_type = RtcpType::RR;  // PT: 200 (SR) or 201 (RR)
  std::string address;                     // To (sent) / From (received), "ip:port"
  std::optional<RtcpSenderInfo> sender;
  std::vector<RtcpReportBlock> blocks;
};

struct RtcpSent : RtcpEvent { TELEPHONY_RTP_EVENT_TYPE(RTCPSent) };
struct RtcpReceived : RtcpEvent {
  TELEPHONY_RTP_EVENT_TYPE(RTCPReceived)
  std::optional<double> rtt_seconds;  // when a block about our stream carried LSR/DLSR
};

struct RtpTimedOut : Event {
  TELEPHONY_RTP_EVENT_TYPE(RtpTimedOut)
  ChannelSnapshot channel;
  std::uint32_t seconds = 0;
  bool on_hold = false;
};

struct MediaNegotiationFailed : Event {
  TELEPHONY_RTP_EVENT_TYPE(MediaNegotiationFailed)
  std::optional<ChannelSnapshot> channel;
  std::string endpoint;
  std::string kind;     // "no-common-codec", "srtp-required", …
  std::string offered;  // "PCMA/8000,G729/8000"
  std::string allowed;  // "ulaw,opus"
  std::string reason;   // the Warning text
};

#undef TELEPHONY_RTP_EVENT_TYPE

}  // namespace telephony::rtp
