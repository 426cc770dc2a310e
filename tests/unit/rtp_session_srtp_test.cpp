// SRTP (SDES) over real UDP: each suite carries audio and DTMF, the wire shows no plain payload,
// a wrong key plays nothing, and plain RTP is refused where SRTP is required.
#include <algorithm>

#include "rtp_session_support.hpp"
#include "telephony/rtp/packet.hpp"

namespace rtp_test {
namespace {

rtp::MediaSettings secure(rtp::MediaSettings s, std::vector<rtp::SrtpSuite> suites) {
  s.encryption = rtp::MediaEncryption::Sdes;
  s.srtp_suites = std::move(suites);
  return s;
}

class SrtpSuites : public SessionFixture, public ::testing::WithParamInterface<rtp::SrtpSuite> {};

TEST_P(SrtpSuites, AudioAndDigitsTravelEncrypted) {
  auto a = session(secure(settings("ulaw", "a"), {GetParam()}));
  auto b = session(secure(settings("ulaw", "b"), {GetParam()}));
  connect(a, b);
  ASSERT_TRUE(a->negotiated()->secure());
  EXPECT_EQ(a->negotiated()->srtp_send->suite, GetParam());
  auto cb = channel("b");
  FrameTap tb;
  tb.install(cb);
  b->attach(cb);
  pace(a, 10, [](int i) { return ulaw_frame(static_cast<std::uint8_t>(0x10 + i)); });
  a->send_digit_begin('7');
  a->send_digit_end('7', 80ms);
  ASSERT_TRUE(testkit::eventually([&] { return tb.count(FrameKind::Voice) >= 10 && tb.count(FrameKind::DtmfEnd) == 1; }, 2s));
  auto frames = tb.frames();
  EXPECT_EQ(frames[3].data()[0], 0x13);
  EXPECT_EQ(b->statistics().srtp_failures, 0u);
  EXPECT_TRUE(b->statistics().secure);
}

INSTANTIATE_TEST_SUITE_P(AllSuites, SrtpSuites,
                         ::testing::Values(rtp::SrtpSuite::AesCm128HmacSha1_80, rtp::SrtpSuite::AesCm128HmacSha1_32,
                                           rtp::SrtpSuite::AeadAes128Gcm));

TEST_F(SessionFixture, TheWireCarriesNoPlainPayload) {
  // The "phone" is a raw socket: it offers SRTP with a key, and looks at what we send it.
  auto a = session(secure(settings("ulaw", "a"), {rtp::SrtpSuite::AesCm128HmacSha1_80}));
  UdpPeer phone;
  auto answer = a->answer_offer(phone.sdp(
      "0 101", "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\r\n"));
  ASSERT_TRUE(answer) << answer.error().warning_text();
  EXPECT_NE(answer->find("RTP/AVP"), std::string::npos);
  EXPECT_NE(answer->find("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"), std::string::npos);
  for (int i = 0; i < 5; ++i) a->write(ulaw_frame(0x42));
  int packets = 0;
  for (auto p = phone.receive(); !p.empty(); p = phone.receive()) {
    ++packets;
    ASSERT_EQ(p.size(), 12u + 160u + 10u);  // header, encrypted payload, 80-bit tag
    auto h = rtp::parse_rtp(p);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->payload_type, 0);
    const auto plain = std::count(p.begin() + 12, p.begin() + 172, 0x42);
    EXPECT_LT(plain, 10) << "payload bytes went out in the clear";
  }
  EXPECT_EQ(packets, 5);
}

TEST_F(SessionFixture, WrongKeyPlaysNothing) {
  auto a = session(secure(settings("ulaw", "a"), {rtp::SrtpSuite::AesCm128HmacSha1_80}));
  auto chan = channel("a");
  FrameTap tap;
  tap.install(chan);
  a->attach(chan);
  UdpPeer phone;
  ASSERT_TRUE(a->answer_offer(phone.sdp(
      "0 101", "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\r\n")));
  // Plain RTP (or SRTP under another key) from the phone: authentication fails.
  for (std::uint16_t i = 0; i < 5; ++i) phone.send_to(a->local_rtp_port(), rtp_packet(0, i, i * 160u, 3, 170));
  ASSERT_TRUE(testkit::eventually([&] { return a->statistics().srtp_failures == 5; }, 2s));
  EXPECT_EQ(tap.count(FrameKind::Voice), 0u);
}

TEST_F(SessionFixture, PlainRtpIsRefusedWhenSrtpIsRequired) {
  auto a = session(secure(settings("ulaw", "a"), {rtp::SrtpSuite::AesCm128HmacSha1_80}));
  UdpPeer phone;
  auto r = a->answer_offer(phone.sdp("0 101"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, rtp::NegotiationFailure::Kind::SrtpRequired);
  // Optimistic: the same offer is accepted, plain.
  auto o = secure(settings("ulaw", "b"), {rtp::SrtpSuite::AesCm128HmacSha1_80});
  o.encryption_optimistic = true;
  auto b = session(o);
  auto ok = b->answer_offer(phone.sdp("0 101"));
  ASSERT_TRUE(ok);
  EXPECT_FALSE(b->negotiated()->secure());
}

}  // namespace
}  // namespace rtp_test
