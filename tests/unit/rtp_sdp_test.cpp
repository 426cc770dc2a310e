// SDP parser/serializer (RFC 4566): what phones send is read, what is broken is refused with the
// line, and what we write reads back the same.
#include <gtest/gtest.h>

#include "telephony/rtp/sdp.hpp"

namespace {

using namespace telephony::rtp;

// What baresip 1.x sends (trimmed), CRLF line ends.
constexpr std::string_view kBaresipOffer =
    "v=0\r\n"
    "o=- 1431928468 2366219876 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "c=IN IP4 127.0.0.1\r\n"
    "t=0 0\r\n"
    "a=tool:baresip 1.0.0\r\n"
    "m=audio 10002 RTP/AVP 96 0 8 101\r\n"
    "b=AS:128\r\n"
    "a=rtpmap:96 opus/48000/2\r\n"
    "a=fmtp:96 stereo=1;sprop-stereo=1\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-15\r\n"
    "a=sendrecv\r\n"
    "a=label:1\r\n"
    "a=rtcp-rsize\r\n"
    "a=ssrc:1208931154 cname:sip:alice@127.0.0.1\r\n"
    "a=ptime:20\r\n";

TEST(RtpSdp, ParsesAPhoneOffer) {
  auto sdp = parse_sdp(kBaresipOffer);
  ASSERT_TRUE(sdp) << sdp.error().to_string();
  EXPECT_EQ(sdp->origin.session_id, 1431928468u);
  EXPECT_EQ(sdp->origin.session_version, 2366219876u);
  EXPECT_EQ(sdp->origin.address, "127.0.0.1");
  ASSERT_TRUE(sdp->connection);
  EXPECT_EQ(sdp->connection->address, "127.0.0.1");
  ASSERT_EQ(sdp->media.size(), 1u);
  const auto& m = sdp->media[0];
  EXPECT_EQ(m.media, "audio");
  EXPECT_EQ(m.port, 10002);
  EXPECT_EQ(m.proto, "RTP/AVP");
  EXPECT_EQ(m.formats, (std::vector<std::string>{"96", "0", "8", "101"}));
  ASSERT_EQ(m.bandwidths.size(), 1u);
  EXPECT_EQ(m.bandwidths[0].type, "AS");
  EXPECT_EQ(m.bandwidths[0].value, 128u);
  auto opus = m.rtpmap(96);
  ASSERT_TRUE(opus);
  EXPECT_EQ(opus->encoding, "opus");
  EXPECT_EQ(opus->clock_rate, 48000u);
  EXPECT_EQ(opus->channels, 2);
  // Static types without an rtpmap line come from RFC 3551.
  auto pcma = m.rtpmap(8);
  ASSERT_TRUE(pcma);
  EXPECT_EQ(pcma->encoding, "PCMA");
  EXPECT_EQ(m.fmtp(101).value_or("?"), "0-15");
  EXPECT_EQ(fmtp_parameter(*m.fmtp(96), "sprop-stereo").value_or("?"), "1");
  EXPECT_FALSE(fmtp_parameter(*m.fmtp(96), "useinbandfec"));
  EXPECT_EQ(m.ptime().value_or(0), 20u);
  EXPECT_EQ(m.direction(), Direction::SendRecv);
  EXPECT_EQ(sdp->direction_of(m), Direction::SendRecv);
  EXPECT_EQ(m.attributes_named("ssrc").size(), 1u);
}

TEST(RtpSdp, AcceptsBareLineFeedsAndNoFinalNewline) {
  auto sdp = parse_sdp("v=0\no=x 1 2 IN IP6 ::1\ns=call\nc=IN IP6 ::1\nt=0 0\nm=audio 4000 RTP/AVP 0\na=inactive");
  ASSERT_TRUE(sdp) << sdp.error().to_string();
  EXPECT_EQ(sdp->origin.addr_type, "IP6");
  ASSERT_EQ(sdp->media.size(), 1u);
  EXPECT_EQ(sdp->media[0].direction(), Direction::Inactive);
}

TEST(RtpSdp, RejectsBrokenDescriptionsNamingTheLine) {
  struct Case {
    std::string_view text;
    std::string_view where;
    std::string_view says;
  };
  const Case cases[] = {
      {"", "SDP", "v=0"},
      {"o=- 1 1 IN IP4 1.2.3.4\r\n", "SDP line 1 (o=)", "first line must be v=0"},
      {"v=1\r\n", "SDP line 1 (v=)", "unsupported version"},
      {"v=0\r\no=- 1 1 IN IP4\r\n", "SDP line 2 (o=)", "6 fields"},
      {"v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nm=audio 70000 RTP/AVP 0\r\n", "SDP line 4 (m=)", "0..65535"},
      {"v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nm=audio 4000 RTP/AVP\r\n", "SDP line 4 (m=)", "<fmt>"},
      {"v=0\r\no=- 1 1 IN IP4 a\r\nc=IN IP9 1.2.3.4\r\n", "SDP line 3 (c=)", "address type"},
      {"v=0\r\no=- 1 1 IN IP4 a\r\nthis is not sdp\r\n", "SDP line 3", "<type>=<value>"},
      {"v=0\r\nX=1\r\n", "SDP line 2", "lower-case"},
      {"v=0\r\ns=-\r\n", "SDP", "missing o="},
      {"v=0\r\no=- 1 1 IN IP4 a\r\nb=AS\r\n", "SDP line 3 (b=)", "<type>:<value>"},
  };
  for (const auto& c : cases) {
    auto r = parse_sdp(c.text);
    ASSERT_FALSE(r) << c.text;
    EXPECT_EQ(r.error().where, c.where) << c.text;
    EXPECT_NE(r.error().message.find(c.says), std::string::npos) << r.error().to_string();
  }
}

TEST(RtpSdp, RefusesHostileSizes) {
  std::string big = "v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\n";
  for (int i = 0; i < 65; ++i) big += "m=audio 0 RTP/AVP 0\r\n";
  auto r = parse_sdp(big);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("64 media"), std::string::npos);
  std::string huge(70000, 'a');
  EXPECT_FALSE(parse_sdp("v=0\r\n" + huge));
}

TEST(RtpSdp, SerializesInRfcOrderAndReadsBack) {
  auto sdp = parse_sdp(kBaresipOffer);
  ASSERT_TRUE(sdp);
  const std::string text = to_string(*sdp);
  EXPECT_EQ(text.substr(0, 5), "v=0\r\n");
  // RFC 4566 §5 order: c before t, b (media) right after m.
  EXPECT_LT(text.find("c=IN"), text.find("t=0 0"));
  EXPECT_LT(text.find("m=audio"), text.find("b=AS:128"));
  auto again = parse_sdp(text);
  ASSERT_TRUE(again);
  EXPECT_EQ(to_string(*again), text);
  EXPECT_EQ(again->media[0].formats, sdp->media[0].formats);
  EXPECT_EQ(again->media[0].attributes.size(), sdp->media[0].attributes.size());
}

TEST(RtpSdp, OldStyleHoldAndSessionLevelDirection) {
  auto sdp = parse_sdp(
      "v=0\r\no=- 1 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\na=recvonly\r\n"
      "m=audio 4000 RTP/AVP 0\r\n");
  ASSERT_TRUE(sdp);
  // Session-level recvonly, plus c=0.0.0.0 ("do not send to me"): nothing flows.
  EXPECT_EQ(sdp->direction_of(sdp->media[0]), Direction::Inactive);
  auto hold = parse_sdp("v=0\r\no=- 1 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n");
  ASSERT_TRUE(hold);
  EXPECT_EQ(hold->direction_of(hold->media[0]), Direction::SendOnly);
}

TEST(RtpSdp, CryptoAttributes) {
  auto sdp = parse_sdp(
      "v=0\r\no=- 1 2 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/SAVP 0\r\nc=IN IP4 10.0.0.1\r\n"
      "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4 KDR=1\r\n"
      "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj\r\n"
      "a=crypto:x broken\r\n");
  ASSERT_TRUE(sdp);
  auto c = sdp->media[0].cryptos();
  ASSERT_EQ(c.size(), 2u);  // the malformed line is skipped
  EXPECT_EQ(c[0].tag, 1);
  EXPECT_EQ(c[0].suite, "AES_CM_128_HMAC_SHA1_80");
  EXPECT_EQ(c[0].key_params, "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4");
  EXPECT_EQ(c[0].session_params, "KDR=1");
  EXPECT_EQ(c[1].tag, 2);
}

TEST(RtpSdp, DirectionAnswers) {
  EXPECT_EQ(answer_direction(Direction::SendOnly, Direction::SendRecv), Direction::RecvOnly);
  EXPECT_EQ(answer_direction(Direction::RecvOnly, Direction::SendRecv), Direction::SendOnly);
  EXPECT_EQ(answer_direction(Direction::Inactive, Direction::SendRecv), Direction::Inactive);
  EXPECT_EQ(answer_direction(Direction::SendRecv, Direction::SendOnly), Direction::SendOnly);
  EXPECT_EQ(answer_direction(Direction::SendOnly, Direction::SendOnly), Direction::Inactive);
}

}  // namespace
