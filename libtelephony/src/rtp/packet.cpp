// RTP/RTCP header parsing and writing (see telephony/rtp/packet.hpp).
#include "telephony/rtp/packet.hpp"

#include <chrono>
#include <string>

namespace telephony::rtp {
namespace {

std::uint16_t get16(const std::uint8_t* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }
std::uint32_t get32(const std::uint8_t* p) {
  return (static_cast<std::uint32_t>(p[0]) << 24) | (static_cast<std::uint32_t>(p[1]) << 16) |
         (static_cast<std::uint32_t>(p[2]) << 8) | p[3];
}
void put16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
void put32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

Unexpected<Error> at(std::size_t offset, std::string message) {
  return fail(std::move(message), "offset " + std::to_string(offset));
}

}  // namespace

Result<RtpHeader> parse_rtp(std::span<const std::uint8_t> pkt) {
  if (pkt.size() < kRtpHeaderSize) return at(0, "RTP packet shorter than 12 bytes");
  const std::uint8_t* p = pkt.data();
  if ((p[0] >> 6) != 2) return at(0, "RTP version is not 2");
  RtpHeader h;
  const bool padding = p[0] & 0x20;
  h.has_extension = p[0] & 0x10;
  h.csrc_count = p[0] & 0x0f;
  h.marker = p[1] & 0x80;
  h.payload_type = p[1] & 0x7f;
  h.sequence = get16(p + 2);
  h.timestamp = get32(p + 4);
  h.ssrc = get32(p + 8);
  std::size_t pos = kRtpHeaderSize + 4u * h.csrc_count;
  if (pos > pkt.size()) return at(kRtpHeaderSize, "CSRC list longer than the packet");
  if (h.has_extension) {
    if (pos + 4 > pkt.size()) return at(pos, "header extension longer than the packet");
    h.extension_profile = get16(p + pos);
    const std::size_t words = get16(p + pos + 2);
    if (pos + 4 + words * 4 > pkt.size()) return at(pos, "header extension longer than the packet");
    h.extension = pkt.subspan(pos + 4, words * 4);
    pos += 4 + words * 4;
  }
  std::size_t end = pkt.size();
  if (padding) {
    const std::size_t pad = p[end - 1];
    if (pad == 0 || pad > end - pos) return at(end - 1, "padding longer than the payload");
    end -= pad;
  }
  h.header_size = pos;
  h.payload = pkt.subspan(pos, end - pos);
  return h;
}

std::size_t write_rtp_header(std::span<std::uint8_t> out, const RtpHeader& h) {
  std::uint8_t* p = out.data();
  p[0] = 0x80;
  p[1] = static_cast<std::uint8_t>((h.marker ? 0x80 : 0) | (h.payload_type & 0x7f));
  put16(p + 2, h.sequence);
  put32(p + 4, h.timestamp);
  put32(p + 8, h.ssrc);
  return kRtpHeaderSize;
}

void rewrite_rtp_header(std::span<std::uint8_t> pkt, std::uint8_t pt, std::uint16_t seq, std::uint32_t ts,
                        std::uint32_t ssrc) {
  std::uint8_t* p = pkt.data();
  p[1] = static_cast<std::uint8_t>((p[1] & 0x80) | (pt & 0x7f));
  put16(p + 2, seq);
  put32(p + 4, ts);
  put32(p + 8, ssrc);
}

PacketClass classify_packet(std::span<const std::uint8_t> pkt) {
  if (pkt.size() < 8 || (pkt[0] >> 6) != 2) return PacketClass::Other;
  const std::uint8_t pt = pkt[1];
  if (pt >= 192 && pt <= 223) return PacketClass::Rtcp;
  return pkt.size() >= kRtpHeaderSize ? PacketClass::Rtp : PacketClass::Other;
}

Result<RtcpReport> parse_rtcp(std::span<const std::uint8_t> pkt) {
  RtcpReport report;
  bool found = false;
  std::size_t pos = 0;
  if (pkt.size() < 8) return at(0, "RTCP packet shorter than 8 bytes");
  while (pos + 4 <= pkt.size()) {
    const std::uint8_t* p = pkt.data() + pos;
    if ((p[0] >> 6) != 2) return at(pos, "RTCP version is not 2");
    const std::uint8_t count = p[0] & 0x1f;
    const std::uint8_t type = p[1];
    const std::size_t len = (static_cast<std::size_t>(get16(p + 2)) + 1) * 4;
    if (pos + len > pkt.size()) return at(pos, "RTCP part longer than the packet");
    if (!found && (type == 200 || type == 201)) {
      std::size_t q = 4;
      if (len < 8) return at(pos, "RTCP report without SSRC");
      report.type = static_cast<RtcpType>(type);
      report.ssrc = get32(p + q);
      q += 4;
      if (type == 200) {
        if (len < q + 20) return at(pos, "SR shorter than its sender info");
        RtcpSenderInfo si;
        si.ntp = (static_cast<std::uint64_t>(get32(p + q)) << 32) | get32(p + q + 4);
        si.rtp_timestamp = get32(p + q + 8);
        si.packet_count = get32(p + q + 12);
        si.octet_count = get32(p + q + 16);
        report.sender = si;
        q += 20;
      }
      if (len < q + 24u * count) return at(pos, "report blocks longer than the RTCP part");
      for (std::uint8_t i = 0; i < count; ++i, q += 24) {
        auto& b = report.blocks[i];
        b.ssrc = get32(p + q);
        b.fraction_lost = p[q + 4];
        std::uint32_t lost = (static_cast<std::uint32_t>(p[q + 5]) << 16) | (p[q + 6] << 8) | p[q + 7];
        b.cumulative_lost = (lost & 0x800000) ? static_cast<std::int32_t>(lost | 0xff000000u) : static_cast<std::int32_t>(lost);
        b.highest_sequence = get32(p + q + 8);
        b.jitter = get32(p + q + 12);
        b.lsr = get32(p + q + 16);
        b.dlsr = get32(p + q + 20);
      }
      report.block_count = count;
      found = true;
    } else if (type == 203) {
      report.bye = true;
    }
    pos += len;
  }
  if (!found) {
    if (report.bye) {
      report.type = RtcpType::BYE;
      return report;
    }
    return at(0, "no SR or RR in the RTCP packet");
  }
  return report;
}

std::size_t write_rtcp_report(std::span<std::uint8_t> out, std::uint32_t ssrc, const std::optional<RtcpSenderInfo>& sender,
                              const std::optional<RtcpReportBlock>& block, std::span<const char> cname) {
  const std::size_t report_len = 8 + (sender ? 20 : 0) + (block ? 24 : 0);
  // SDES: header 4, SSRC 4, item type+len 2, cname, end 1, padded to 4.
  const std::size_t cname_len = cname.size() > 255 ? 255 : cname.size();
  const std::size_t sdes_len = (4 + 4 + 2 + cname_len + 1 + 3) / 4 * 4;
  if (out.size() < report_len + sdes_len) return 0;
  std::uint8_t* p = out.data();
  p[0] = static_cast<std::uint8_t>(0x80 | (block ? 1 : 0));
  p[1] = sender ? 200 : 201;
  put16(p + 2, static_cast<std::uint16_t>(report_len / 4 - 1));
  put32(p + 4, ssrc);
  std::size_t q = 8;
  if (sender) {
    put32(p + q, static_cast<std::uint32_t>(sender->ntp >> 32));
    put32(p + q + 4, static_cast<std::uint32_t>(sender->ntp));
    put32(p + q + 8, sender->rtp_timestamp);
    put32(p + q + 12, sender->packet_count);
    put32(p + q + 16, sender->octet_count);
    q += 20;
  }
  if (block) {
    put32(p + q, block->ssrc);
    p[q + 4] = block->fraction_lost;
    const std::uint32_t lost = static_cast<std::uint32_t>(block->cumulative_lost) & 0xffffff;
    p[q + 5] = static_cast<std::uint8_t>(lost >> 16);
    p[q + 6] = static_cast<std::uint8_t>(lost >> 8);
    p[q + 7] = static_cast<std::uint8_t>(lost);
    put32(p + q + 8, block->highest_sequence);
    put32(p + q + 12, block->jitter);
    put32(p + q + 16, block->lsr);
    put32(p + q + 20, block->dlsr);
    q += 24;
  }
  std::uint8_t* s = p + q;
  s[0] = 0x81;
  s[1] = 202;
  put16(s + 2, static_cast<std::uint16_t>(sdes_len / 4 - 1));
  put32(s + 4, ssrc);
  s[8] = 1;  // CNAME
  s[9] = static_cast<std::uint8_t>(cname_len);
  for (std::size_t i = 0; i < cname_len; ++i) s[10 + i] = static_cast<std::uint8_t>(cname[i]);
  for (std::size_t i = 10 + cname_len; i < sdes_len; ++i) s[i] = 0;  // END item + padding
  return report_len + sdes_len;
}

std::size_t write_rtcp_bye(std::span<std::uint8_t> out, std::uint32_t ssrc) {
  if (out.size() < 8) return 0;
  out[0] = 0x81;
  out[1] = 203;
  put16(out.data() + 2, 1);
  put32(out.data() + 4, ssrc);
  return 8;
}

std::uint64_t ntp_now() {
  using namespace std::chrono;
  const auto now = system_clock::now().time_since_epoch();
  const auto secs = duration_cast<seconds>(now);
  const auto frac = duration_cast<nanoseconds>(now - secs).count();
  const std::uint64_t ntp_secs = static_cast<std::uint64_t>(secs.count()) + 2208988800ull;
  const std::uint64_t ntp_frac = (static_cast<std::uint64_t>(frac) << 32) / 1000000000ull;
  return (ntp_secs << 32) | ntp_frac;
}

}  // namespace telephony::rtp
