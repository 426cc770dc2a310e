// RTP (RFC 3550 §5) and RTCP (RFC 3550 §6) wire formats: views over received bytes and writers
// into caller buffers. Nothing here allocates; parsing never reads past the buffer.
//
// parse_rtp() accepts version 2 packets of at least 12 bytes, with CSRCs, a header extension
// and padding, and rejects (naming the byte offset) a wrong version, a CSRC list or extension
// longer than the packet, and padding that claims more bytes than the payload has.
// parse_rtcp() walks a compound packet: each part must be version 2 and fit the buffer; SR and
// RR report blocks are decoded, SDES/BYE/APP and unknown types are skipped by their length.
// classify_packet() tells RTP from RTCP on a multiplexed port (RFC 5761 §4: PT 192..223).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "telephony/result.hpp"

namespace telephony::rtp {

inline constexpr std::size_t kRtpHeaderSize = 12;
inline constexpr std::size_t kMaxRtpPacket = 1500;

struct RtpHeader {
  bool marker = false;
  std::uint8_t payload_type = 0;
  std::uint16_t sequence = 0;
  std::uint32_t timestamp = 0;
  std::uint32_t ssrc = 0;
  std::uint8_t csrc_count = 0;
  bool has_extension = false;
  std::uint16_t extension_profile = 0;
  std::span<const std::uint8_t> extension;  // extension data (without its 4-byte header)
  std::span<const std::uint8_t> payload;    // without padding
  std::size_t header_size = kRtpHeaderSize; // bytes before the payload
};

Result<RtpHeader> parse_rtp(std::span<const std::uint8_t> packet);

// Writes a 12-byte header (no CSRC, no extension) and returns kRtpHeaderSize. `out` must hold
// at least 12 bytes.
std::size_t write_rtp_header(std::span<std::uint8_t> out, const RtpHeader& h);

// In-place rewrite of a received packet's fixed header fields (native relay).
void rewrite_rtp_header(std::span<std::uint8_t> packet, std::uint8_t payload_type, std::uint16_t sequence,
                        std::uint32_t timestamp, std::uint32_t ssrc);

enum class PacketClass : std::uint8_t { Rtp, Rtcp, Other };
PacketClass classify_packet(std::span<const std::uint8_t> packet);

// ---- RTCP ------------------------------------------------------------------------------------

enum class RtcpType : std::uint8_t { SR = 200, RR = 201, SDES = 202, BYE = 203, APP = 204 };

struct RtcpReportBlock {
  std::uint32_t ssrc = 0;             // source this block is about
  std::uint8_t fraction_lost = 0;     // /256 since the previous report
  std::int32_t cumulative_lost = 0;   // 24-bit signed
  std::uint32_t highest_sequence = 0; // extended (cycles << 16 | seq)
  std::uint32_t jitter = 0;           // timestamp units
  std::uint32_t lsr = 0;              // middle 32 bits of the last SR's NTP time
  std::uint32_t dlsr = 0;             // 1/65536 s since that SR
};

struct RtcpSenderInfo {
  std::uint64_t ntp = 0;  // 32.32 fixed point seconds since 1900
  std::uint32_t rtp_timestamp = 0;
  std::uint32_t packet_count = 0;
  std::uint32_t octet_count = 0;
};

// The SR or RR of a compound packet (the first one), plus whether a BYE was present.
struct RtcpReport {
  RtcpType type = RtcpType::RR;
  std::uint32_t ssrc = 0;  // the sender of this report
  std::optional<RtcpSenderInfo> sender;
  std::array<RtcpReportBlock, 31> blocks{};
  std::uint8_t block_count = 0;
  bool bye = false;
};

// nullopt-like error when no SR/RR is found in a well-formed compound packet ("no report").
Result<RtcpReport> parse_rtcp(std::span<const std::uint8_t> packet);

// Writes an SR (when `sender` is set) or RR with up to one report block, followed by an SDES
// with the CNAME (a compound packet as RFC 3550 §6.1 requires). Returns the bytes written, or 0
// when `out` is too small.
std::size_t write_rtcp_report(std::span<std::uint8_t> out, std::uint32_t ssrc, const std::optional<RtcpSenderInfo>& sender,
                              const std::optional<RtcpReportBlock>& block, std::span<const char> cname);
// A BYE for `ssrc` appended as the last part of a compound packet; returns bytes written or 0.
std::size_t write_rtcp_bye(std::span<std::uint8_t> out, std::uint32_t ssrc);

// NTP time helpers (RFC 3550 §4).
std::uint64_t ntp_now();
inline std::uint32_t ntp_middle32(std::uint64_t ntp) { return static_cast<std::uint32_t>(ntp >> 16); }

}  // namespace telephony::rtp
