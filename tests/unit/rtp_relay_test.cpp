// Native relay between two call legs: packets go from one phone to the other without Frames or
// decoding, with our SSRC and continuous numbering on each leg, SRTP re-protected when only one
// leg is encrypted, and the frame path back when the relay stops.
#include "rtp_session_support.hpp"
#include "telephony/rtp/packet.hpp"

namespace rtp_test {
namespace {

using rtp::MediaSession;

// phone_x <-> leg_x | engine | leg_y <-> phone_y, where the phones are raw sockets.
struct RelayFixture : SessionFixture {
  UdpPeer phone_x, phone_y;
  MediaSession::Ptr leg_x, leg_y;
  Channel::Ptr chan_x, chan_y;
  FrameTap tap_x, tap_y;

  void legs(rtp::MediaSettings sx, rtp::MediaSettings sy, std::string_view extra_x = "", std::string_view extra_y = "") {
    leg_x = session(sx);
    leg_y = session(sy, leg_x.get());
    ASSERT_TRUE(leg_x && leg_y);
    ASSERT_EQ(leg_x->shard_index(), leg_y->shard_index());
    ASSERT_TRUE(leg_x->answer_offer(phone_x.sdp("0 101", extra_x)));
    ASSERT_TRUE(leg_y->answer_offer(phone_y.sdp("0 101", extra_y)));
    chan_x = channel("x");
    chan_y = channel("y");
    tap_x.install(chan_x);
    tap_y.install(chan_y);
    leg_x->attach(chan_x);
    leg_y->attach(chan_y);
  }
};

TEST_F(RelayFixture, PacketsCrossWithoutFramesAndWithOurNumbering) {
  legs(settings("ulaw", "x"), settings("ulaw", "y"));
  ASSERT_TRUE(MediaSession::start_native_relay(leg_x, leg_y));
  ASSERT_TRUE(testkit::eventually([&] { return leg_x->native_relay_active() && leg_y->native_relay_active(); }, 2s));
  for (std::uint16_t i = 0; i < 20; ++i)
    phone_x.send_to(leg_x->local_rtp_port(), rtp_packet(0, static_cast<std::uint16_t>(500 + i), 1000 + i * 160u, 0xabc, 160,
                                                        static_cast<std::uint8_t>(i)));
  std::vector<rtp::RtpHeader> seen;
  std::vector<std::vector<std::uint8_t>> packets;
  for (auto p = phone_y.receive(); !p.empty(); p = phone_y.receive()) {
    if (rtp::classify_packet(p) != rtp::PacketClass::Rtp) continue;
    packets.push_back(p);
  }
  ASSERT_EQ(packets.size(), 20u);
  const auto ssrc_y = leg_y->statistics().local_ssrc;
  for (std::size_t i = 0; i < packets.size(); ++i) {
    auto h = rtp::parse_rtp(packets[i]);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->ssrc, ssrc_y);  // the far phone sees one source: leg y
    EXPECT_EQ(h->payload[0], i);
    seen.push_back(*h);
  }
  EXPECT_TRUE(seen[0].marker);
  for (std::size_t i = 1; i < seen.size(); ++i) {
    EXPECT_EQ(static_cast<std::uint16_t>(seen[i].sequence - seen[i - 1].sequence), 1);
    EXPECT_EQ(seen[i].timestamp - seen[i - 1].timestamp, 160u);
  }
  // A new source on x (its phone transferred the call): y's numbering just continues.
  for (std::uint16_t i = 0; i < 3; ++i)
    phone_x.send_to(leg_x->local_rtp_port(), rtp_packet(0, i, 77 + i * 160u, 0xdef, 160));
  std::vector<rtp::RtpHeader> after;
  for (auto p = phone_y.receive(); !p.empty(); p = phone_y.receive())
    if (auto h = rtp::parse_rtp(p); h && rtp::classify_packet(p) == rtp::PacketClass::Rtp) after.push_back(*h);
  ASSERT_EQ(after.size(), 3u);
  EXPECT_EQ(after[0].ssrc, ssrc_y);
  EXPECT_EQ(static_cast<std::uint16_t>(after[0].sequence - seen.back().sequence), 1);
  EXPECT_TRUE(after[0].marker);
  EXPECT_GT(after[0].timestamp - seen.back().timestamp, 0u);
  EXPECT_LT(after[0].timestamp - seen.back().timestamp, 8000u * 5);
  // Counters: relayed, not decoded, no frames.
  EXPECT_EQ(leg_x->statistics().relayed_packets, 23u);
  EXPECT_EQ(leg_x->statistics().delivered_frames, 0u);
  EXPECT_EQ(tap_x.count(FrameKind::Voice), 0u);
  EXPECT_EQ(tap_y.count(FrameKind::Voice), 0u);
}

TEST_F(RelayFixture, DigitsStillReachTheChannelAsFrames) {
  legs(settings("ulaw", "x"), settings("ulaw", "y"));
  ASSERT_TRUE(MediaSession::start_native_relay(leg_x, leg_y));
  ASSERT_TRUE(testkit::eventually([&] { return leg_x->native_relay_active(); }, 2s));
  // RFC 4733 '1': begin, update, end x3.
  const std::vector<std::uint8_t> begin{1, 10, 0, 160}, end{1, 0x80 | 10, 3, 32};
  auto pkt = [&](std::uint16_t seq, const std::vector<std::uint8_t>& ev, bool marker) {
    auto p = rtp_packet(101, seq, 8000, 0xabc, 0, 0, marker);
    p.insert(p.end(), ev.begin(), ev.end());
    return p;
  };
  phone_x.send_to(leg_x->local_rtp_port(), pkt(1, begin, true));
  for (std::uint16_t s = 2; s < 5; ++s) phone_x.send_to(leg_x->local_rtp_port(), pkt(s, end, false));
  ASSERT_TRUE(testkit::eventually([&] { return tap_x.count(FrameKind::DtmfEnd) == 1; }, 2s));
  EXPECT_EQ(tap_x.count(FrameKind::DtmfBegin), 1u);
  EXPECT_EQ(tap_x.frames().back().duration, std::chrono::milliseconds(100));  // 800 ticks at 8 kHz
}

TEST_F(RelayFixture, OneEncryptedLegIsReprotected) {
  auto sx = settings("ulaw", "x");
  sx.encryption = rtp::MediaEncryption::Sdes;
  legs(sx, settings("ulaw", "y"),
       "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\r\n");
  ASSERT_TRUE(leg_x->negotiated()->secure());
  ASSERT_FALSE(leg_y->negotiated()->secure());
  ASSERT_TRUE(MediaSession::start_native_relay(leg_x, leg_y));
  ASSERT_TRUE(testkit::eventually([&] { return leg_y->native_relay_active(); }, 2s));
  // Plain phone y -> engine -> SRTP towards phone x.
  for (std::uint16_t i = 0; i < 5; ++i) phone_y.send_to(leg_y->local_rtp_port(), rtp_packet(0, i, i * 160u, 9, 160, 0x42));
  int encrypted = 0;
  for (auto p = phone_x.receive(); !p.empty(); p = phone_x.receive()) {
    if (rtp::classify_packet(p) != rtp::PacketClass::Rtp) continue;
    EXPECT_EQ(p.size(), 182u);  // 160 payload + 80-bit tag
    EXPECT_LT(std::count(p.begin() + 12, p.begin() + 172, 0x42), 10);
    ++encrypted;
  }
  EXPECT_EQ(encrypted, 5);
}

TEST_F(RelayFixture, StoppingTheRelayBringsFramesBack) {
  legs(settings("ulaw", "x"), settings("ulaw", "y"));
  ASSERT_TRUE(MediaSession::start_native_relay(leg_x, leg_y));
  ASSERT_TRUE(testkit::eventually([&] { return leg_x->native_relay_active(); }, 2s));
  leg_x->stop_native_relay();
  ASSERT_TRUE(testkit::eventually([&] { return !leg_x->native_relay_active() && !leg_y->native_relay_active(); }, 2s));
  for (std::uint16_t i = 0; i < 4; ++i) phone_x.send_to(leg_x->local_rtp_port(), rtp_packet(0, i, i * 160u, 5, 160));
  ASSERT_TRUE(testkit::eventually([&] { return tap_x.count(FrameKind::Voice) == 4; }, 2s));
  int relayed = 0;
  for (auto p = phone_y.receive(); !p.empty(); p = phone_y.receive()) relayed += rtp::classify_packet(p) == rtp::PacketClass::Rtp;
  EXPECT_EQ(relayed, 0);
}

TEST_F(RelayFixture, RefusedWithoutACommonCodec) {
  leg_x = session(settings("ulaw", "x"));
  leg_y = session(settings("alaw", "y"), leg_x.get());
  ASSERT_TRUE(leg_x->answer_offer(phone_x.sdp("0 101")));
  ASSERT_TRUE(leg_y->answer_offer(phone_y.sdp("8 101")));
  auto r = MediaSession::start_native_relay(leg_x, leg_y);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("ulaw vs alaw"), std::string::npos);
}

}  // namespace
}  // namespace rtp_test
