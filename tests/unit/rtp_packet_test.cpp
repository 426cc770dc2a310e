// RTP and RTCP wire formats: headers with CSRCs, extensions and padding; refused packets name the
// offset; SR/RR reports survive a write/parse round trip.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "telephony/rtp/packet.hpp"

namespace {

using namespace telephony::rtp;

TEST(RtpPacket, HeaderRoundTrip) {
  std::array<std::uint8_t, 64> buf{};
  RtpHeader h;
  h.marker = true;
  h.payload_type = 101;
  h.sequence = 0xfffe;
  h.timestamp = 0x80000001u;
  h.ssrc = 0xdeadbeef;
  ASSERT_EQ(write_rtp_header(buf, h), 12u);
  buf[12] = 0xaa;
  buf[13] = 0xbb;
  auto p = parse_rtp(std::span(buf).first(14));
  ASSERT_TRUE(p) << p.error().to_string();
  EXPECT_TRUE(p->marker);
  EXPECT_EQ(p->payload_type, 101);
  EXPECT_EQ(p->sequence, 0xfffe);
  EXPECT_EQ(p->timestamp, 0x80000001u);
  EXPECT_EQ(p->ssrc, 0xdeadbeefu);
  ASSERT_EQ(p->payload.size(), 2u);
  EXPECT_EQ(p->payload[0], 0xaa);
  rewrite_rtp_header(buf, 0, 7, 9, 11);
  auto q = parse_rtp(std::span(buf).first(14));
  ASSERT_TRUE(q);
  EXPECT_TRUE(q->marker);  // the marker survives a rewrite
  EXPECT_EQ(q->payload_type, 0);
  EXPECT_EQ(q->sequence, 7);
  EXPECT_EQ(q->timestamp, 9u);
  EXPECT_EQ(q->ssrc, 11u);
}

TEST(RtpPacket, CsrcExtensionAndPadding) {
  // V=2 P=1 X=1 CC=2, PT 0; 2 CSRCs; extension profile 0xBEDE with 1 word; 3 payload bytes;
  // 2 padding bytes (last byte = 2).
  std::vector<std::uint8_t> pkt = {0xb2, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3,  // fixed header
                                   0, 0, 0, 9, 0, 0, 0, 10,                     // CSRCs
                                   0xbe, 0xde, 0, 1, 1, 2, 3, 4,                // extension
                                   7, 8, 9, 0, 2};                              // payload + padding
  auto p = parse_rtp(pkt);
  ASSERT_TRUE(p) << p.error().to_string();
  EXPECT_EQ(p->csrc_count, 2);
  EXPECT_TRUE(p->has_extension);
  EXPECT_EQ(p->extension_profile, 0xbede);
  EXPECT_EQ(p->extension.size(), 4u);
  EXPECT_EQ(p->header_size, 28u);
  ASSERT_EQ(p->payload.size(), 3u);
  EXPECT_EQ(p->payload[2], 9);
}

TEST(RtpPacket, RefusesMalformedHeaders) {
  struct Case {
    std::vector<std::uint8_t> bytes;
    std::string where;
  };
  const Case cases[] = {
      {{0x80, 0, 0}, "offset 0"},                                            // short
      {{0x40, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3}, "offset 0"},                 // version 1
      {{0x8f, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0}, "offset 12"},          // 15 CSRCs, 2 bytes
      {{0x90, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xbe, 0xde, 0, 9}, "offset 12"},  // extension too long
      {{0xa0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 1, 5}, "offset 13"},          // padding 5 > 2
      {{0xa0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 1, 0}, "offset 13"},          // padding 0
  };
  for (const auto& c : cases) {
    auto r = parse_rtp(c.bytes);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().where, c.where) << r.error().message;
  }
}

TEST(RtpPacket, ClassifiesMultiplexedRtcp) {
  std::array<std::uint8_t, 12> rtp{0x80, 0x00};
  std::array<std::uint8_t, 12> sr{0x80, 200};
  std::array<std::uint8_t, 12> stun{0x00, 0x01};
  EXPECT_EQ(classify_packet(rtp), PacketClass::Rtp);
  EXPECT_EQ(classify_packet(sr), PacketClass::Rtcp);
  EXPECT_EQ(classify_packet(stun), PacketClass::Other);
}

TEST(RtpPacket, RtcpSenderReportRoundTrip) {
  std::array<std::uint8_t, 256> buf{};
  RtcpSenderInfo si{0x0102030405060708ull, 1234, 50, 8000};
  RtcpReportBlock b;
  b.ssrc = 77;
  b.fraction_lost = 25;
  b.cumulative_lost = -3;  // duplicates can make it negative
  b.highest_sequence = 0x10005;
  b.jitter = 40;
  b.lsr = 0x11223344;
  b.dlsr = 65536;
  const std::string cname = "abc@host";
  const std::size_t n = write_rtcp_report(buf, 99, si, b, {cname.data(), cname.size()});
  ASSERT_GT(n, 0u);
  EXPECT_EQ(n % 4, 0u);
  const std::size_t m = write_rtcp_bye(std::span(buf).subspan(n), 99);
  auto r = parse_rtcp(std::span(buf).first(n + m));
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->type, RtcpType::SR);
  EXPECT_EQ(r->ssrc, 99u);
  ASSERT_TRUE(r->sender);
  EXPECT_EQ(r->sender->ntp, si.ntp);
  EXPECT_EQ(r->sender->rtp_timestamp, 1234u);
  EXPECT_EQ(r->sender->packet_count, 50u);
  ASSERT_EQ(r->block_count, 1);
  EXPECT_EQ(r->blocks[0].ssrc, 77u);
  EXPECT_EQ(r->blocks[0].fraction_lost, 25);
  EXPECT_EQ(r->blocks[0].cumulative_lost, -3);
  EXPECT_EQ(r->blocks[0].highest_sequence, 0x10005u);
  EXPECT_EQ(r->blocks[0].lsr, 0x11223344u);
  EXPECT_TRUE(r->bye);
  // A receiver report without blocks.
  const std::size_t rr = write_rtcp_report(buf, 5, std::nullopt, std::nullopt, {cname.data(), cname.size()});
  auto q = parse_rtcp(std::span(buf).first(rr));
  ASSERT_TRUE(q);
  EXPECT_EQ(q->type, RtcpType::RR);
  EXPECT_FALSE(q->sender);
  EXPECT_EQ(q->block_count, 0);
  // Too small a buffer writes nothing.
  std::array<std::uint8_t, 16> tiny{};
  EXPECT_EQ(write_rtcp_report(tiny, 1, si, b, {cname.data(), cname.size()}), 0u);
}

TEST(RtpPacket, RefusesMalformedRtcp) {
  std::vector<std::uint8_t> lying = {0x81, 201, 0, 20, 0, 0, 0, 1};  // length says 84 bytes
  auto r = parse_rtcp(lying);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().where, "offset 0");
  std::vector<std::uint8_t> blocks = {0x83, 201, 0, 1, 0, 0, 0, 1};  // 3 blocks in 8 bytes
  EXPECT_FALSE(parse_rtcp(blocks));
  std::vector<std::uint8_t> sdes_only = {0x81, 202, 0, 1, 0, 0, 0, 1};
  auto s = parse_rtcp(sdes_only);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("no SR or RR"), std::string::npos);
}

TEST(RtpPacket, NtpClockIsCurrent) {
  const std::uint64_t ntp = ntp_now();
  const std::uint64_t unix_secs = (ntp >> 32) - 2208988800ull;
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_NEAR(static_cast<double>(unix_secs), static_cast<double>(now), 2.0);
}

}  // namespace
