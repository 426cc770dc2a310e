// MediaSession over real UDP on 127.0.0.1: audio and RFC 4733 DTMF between two sessions, hold
// reported to the channel, RTP timeout, RTCP reports with RTT, comedia and strict RTP against a
// raw socket playing the phone.
#include <cstdlib>
#include "rtp_session_support.hpp"
#include "telephony/dialplan/functions.hpp"
#include "telephony/rtp/events.hpp"
#include "telephony/rtp/packet.hpp"

namespace rtp_test {
namespace {

using rtp::MediaSession;

TEST_F(SessionFixture, AudioFlowsBothWaysInTheNegotiatedCodec) {
  auto a = session(settings("alaw,ulaw", "a"));
  auto b = session(settings("ulaw,alaw", "b"));
  ASSERT_TRUE(a && b);
  connect(a, b);
  // b answered in its own order: ulaw first (a offered both).
  EXPECT_EQ(b->formats().front(), media::Format::ulaw());
  EXPECT_EQ(a->formats().front(), media::Format::ulaw());
  auto ca = channel("a"), cb = channel("b");
  FrameTap ta, tb;
  ta.install(ca);
  tb.install(cb);
  a->attach(ca);
  b->attach(cb);
  std::thread other([&] { pace(b, 25, [](int i) { return ulaw_frame(static_cast<std::uint8_t>(0x80 + i)); }); });
  pace(a, 25, [](int i) { return ulaw_frame(static_cast<std::uint8_t>(i)); });
  other.join();
  ASSERT_TRUE(testkit::eventually([&] { return tb.count(FrameKind::Voice) >= 25 && ta.count(FrameKind::Voice) >= 25; }, 2s))
      << tb.count(FrameKind::Voice) << " " << ta.count(FrameKind::Voice);
  auto got = tb.frames();
  ASSERT_EQ(got[0].format, media::Format::ulaw());
  EXPECT_EQ(got[0].samples, 160u);
  for (int i = 0; i < 25; ++i) EXPECT_EQ(got[static_cast<std::size_t>(i)].data()[0], i) << "frame order/content";
  auto sa = a->statistics(), sb = b->statistics();
  EXPECT_EQ(sa.tx_packets, 25u);
  EXPECT_EQ(sb.rx_packets, 25u);
  EXPECT_EQ(sb.rx_lost, 0u);
  EXPECT_EQ(sb.remote_ssrc, sa.local_ssrc);
  EXPECT_EQ(sb.delivered_frames, 25u);
  EXPECT_EQ(sa.remote_address, "127.0.0.1:" + std::to_string(b->local_rtp_port()));
  EXPECT_NE(rtp::rtpqos_text(sb).find("rxcount=25"), std::string::npos);
  EXPECT_EQ(MediaSession::of(*ca), a);
}

TEST_F(SessionFixture, FramesInAnotherFormatAreTranslatedToTheNegotiatedCodec) {
  auto a = session(settings("alaw", "a"));
  auto b = session(settings("alaw", "b"));
  connect(a, b);
  auto cb = channel("b");
  FrameTap tb;
  tb.install(cb);
  b->attach(cb);
  // slin written to an alaw leg (the channel was created before the answer chose alaw).
  pace(a, 5, [](int) { return Frame::voice(media::Format::slin(), std::vector<std::uint8_t>(320, 0), 160); });
  ASSERT_TRUE(testkit::eventually([&] { return tb.count(FrameKind::Voice) >= 5; }, 2s));
  EXPECT_EQ(tb.frames()[0].format, media::Format::alaw());
  EXPECT_EQ(tb.frames()[0].data().size(), 160u);
}

TEST_F(SessionFixture, PacketsFollowThePeersPtime) {
  auto a = session(settings("ulaw", "p"));
  UdpPeer phone;
  ASSERT_TRUE(a->answer_offer(phone.sdp("0 101", "a=ptime:30\r\n")));
  for (int i = 0; i < 6; ++i) a->write(ulaw_frame(static_cast<std::uint8_t>(i)));  // 120 ms
  std::vector<std::vector<std::uint8_t>> got;
  for (auto p = phone.receive(); !p.empty(); p = phone.receive()) got.push_back(p);
  ASSERT_EQ(got.size(), 4u);  // 4 x 30 ms
  std::uint32_t last_ts = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    auto h = rtp::parse_rtp(got[i]);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->payload.size(), 240u);
    if (i) {
      EXPECT_EQ(h->timestamp - last_ts, 240u);
    }
    last_ts = h->timestamp;
  }
  EXPECT_EQ(rtp::parse_rtp(got[1])->payload[0], 1);  // bytes 240..: the second frame's tail
}

TEST_F(SessionFixture, Rfc4733DigitsArriveWithTheirDuration) {
  auto a = session(settings("ulaw", "a"));
  auto b = session(settings("ulaw", "b"));
  connect(a, b);
  ASSERT_TRUE(b->negotiated()->telephone_event_pt);
  auto cb = channel("b");
  FrameTap tb;
  tb.install(cb);
  b->attach(cb);
  for (char d : std::string("5#")) {
    a->send_digit_begin(d);
    a->send_digit_end(d, 120ms);  // as Channel::send_digit does: the end right after the begin
    std::this_thread::sleep_for(250ms);
  }
  ASSERT_TRUE(testkit::eventually([&] { return tb.count(FrameKind::DtmfEnd) >= 2; }, 2s));
  auto frames = tb.frames();
  std::string seen;
  for (const auto& f : frames) {
    if (f.kind == FrameKind::DtmfBegin) seen += std::string("B") + f.digit();
    if (f.kind == FrameKind::DtmfEnd) {
      seen += std::string("E") + f.digit();
      EXPECT_NEAR(static_cast<double>(f.duration.count()), 120.0, 25.0);
    }
  }
  EXPECT_EQ(seen, "B5E5B#E#");  // one begin and one end per key despite the 3 end packets
}

TEST_F(SessionFixture, PeerHoldIsReportedToTheChannel) {
  auto a = session(settings("ulaw", "a"));
  auto b = session(settings("ulaw", "b"));
  connect(a, b);
  auto cb = channel("b");
  FrameTap tb;
  tb.install(cb);
  b->attach(cb);
  auto held = b->answer_offer(a->hold());
  ASSERT_TRUE(held);
  ASSERT_TRUE(a->apply_answer(*held));
  EXPECT_TRUE(b->remote_hold());
  EXPECT_NE(held->find("a=recvonly"), std::string::npos);
  ASSERT_TRUE(testkit::eventually([&] { return tb.count_control(Control::Hold) == 1; }, 2s));
  auto resumed = b->answer_offer(a->unhold());
  ASSERT_TRUE(resumed);
  ASSERT_TRUE(testkit::eventually([&] { return tb.count_control(Control::Unhold) == 1; }, 2s));
  EXPECT_FALSE(b->remote_hold());
}

// JITTERBUFFER() on a channel with an RTP session resizes its receive buffer (the endpoint's
// 200 ms by default), turns it off with `disabled`, and a bad request changes nothing.
TEST_F(SessionFixture, JitterBufferFunctionResizesTheReceiveBuffer) {
  dialplan::register_builtin_functions(engine);
  auto s = settings("ulaw", "jb");
  s.jitter.enabled = true;  // the endpoint's default buffer (200 ms)
  auto a = session(s);
  UdpPeer phone;
  ASSERT_TRUE(a->answer_offer(phone.sdp("0 101")));
  auto chan = channel("jb");
  a->attach(chan);
  auto bound = [&] { return a->statistics().jitter_buffer_max_ms; };
  ASSERT_TRUE(testkit::eventually([&] { return bound() == 200; }, 2s)) << bound();
  auto extra = [&] { return a->statistics().jitter_buffer_extra_ms; };
  EXPECT_EQ(extra(), 20u) << "the default target_extra";
  auto set = [&](std::string_view type, std::string_view value) {
    auto fn = engine.functions().find("JITTERBUFFER");
    EXPECT_TRUE(fn && fn->write);
    return fn->write(dialplan::FunctionCall{engine, chan.get(), "JITTERBUFFER", type}, value);
  };
  ASSERT_TRUE(set("fixed", "80"));
  EXPECT_TRUE(testkit::eventually([&] { return bound() == 80; }, 2s)) << bound();
  EXPECT_EQ(extra(), 20u) << "fixed keeps the default extra";
  ASSERT_TRUE(set("Adaptive", "500,1000,60"));
  EXPECT_TRUE(testkit::eventually([&] { return bound() == 500; }, 2s)) << bound();
  EXPECT_EQ(extra(), 60u) << "adaptive's target_extra";
  EXPECT_FALSE(set("fixed", "abc"));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(bound(), 500u);
  ASSERT_TRUE(set("disabled", ""));
  EXPECT_TRUE(testkit::eventually([&] { return bound() == 0; }, 2s)) << bound();
  EXPECT_EQ(extra(), 0u);
  // Audio still flows unbuffered.
  for (std::uint16_t i = 0; i < 5; ++i) phone.send_to(a->local_rtp_port(), rtp_packet(0, i, i * 160u, 7, 160));
  EXPECT_TRUE(testkit::eventually([&] { return a->statistics().delivered_frames >= 5; }, 2s));
}

TEST_F(SessionFixture, SilentPeerIsHungUpAfterRtpTimeout) {
  testkit::EventLog log(engine.events());
  auto s = settings("ulaw", "quiet");
  s.rtp_timeout = 1s;
  auto a = session(s);
  UdpPeer phone;
  ASSERT_TRUE(a->answer_offer(phone.sdp("0 101")));
  auto chan = channel("quiet");
  chan->set_state(ChannelState::Up);
  a->attach(chan);
  // The phone talks for a while, then goes silent.
  for (std::uint16_t i = 0; i < 10; ++i) {
    phone.send_to(a->local_rtp_port(), rtp_packet(0, i, i * 160u, 42, 160));
    std::this_thread::sleep_for(20ms);
  }
  const auto silent_since = std::chrono::steady_clock::now();
  ASSERT_TRUE(testkit::eventually([&] { return chan->hangup_requested(); }, 4s));
  const auto after = std::chrono::steady_clock::now() - silent_since;
  EXPECT_GE(after, 900ms);
  EXPECT_EQ(chan->hangup_cause(), HangupCause::RequestedChanUnavail);
  // The whole seconds of silence when the check ran: the 1 s limit, or more on a loaded machine.
  const int quiet_seconds = std::atoi(chan->variable("RTPTIMEOUT").value_or("0").c_str());
  EXPECT_GE(quiet_seconds, 1);
  EXPECT_LE(quiet_seconds, 4);
  EXPECT_TRUE(log.wait_for_type("RtpTimedOut"));
}

TEST_F(SessionFixture, RtcpReportsCarryLossJitterAndRoundTrip) {
  rtp::RtpConfig c;
  c.bind_address = "127.0.0.1";
  c.rtcp_interval = 500ms;
  c.io_threads = 2;
  rtp::rtp_module(engine)->set_config(c);
  testkit::EventLog log(engine.events());
  auto a = session(settings("ulaw", "a"));
  auto b = session(settings("ulaw", "b"));
  connect(a, b);
  auto ca = channel("a"), cb = channel("b");
  a->attach(ca);
  b->attach(cb);
  std::thread other([&] { pace(b, 100, [](int) { return ulaw_frame(1); }); });
  pace(a, 100, [](int) { return ulaw_frame(2); });
  other.join();
  ASSERT_TRUE(testkit::eventually([&] { return a->statistics().rtt.has_value() && b->statistics().rtt.has_value(); }, 3s));
  auto sa = a->statistics();
  EXPECT_GE(sa.rtcp_sent, 2u);
  EXPECT_GE(sa.rtcp_received, 2u);
  EXPECT_LT(*sa.rtt, 0.05);  // loopback
  EXPECT_EQ(sa.tx_lost, 0u);
  EXPECT_TRUE(log.wait_for_type("RTCPSent", [&](const Event& e) {
    auto* r = e.as<rtp::RtcpSent>();
    return r && r->channel && r->channel->name == ca->name() && r->packet_type == rtp::RtcpType::SR && r->sender &&
           r->sender->packet_count > 0;
  }));
  EXPECT_TRUE(log.wait_for_type("RTCPReceived", [&](const Event& e) {
    auto* r = e.as<rtp::RtcpReceived>();
    return r && r->channel && r->channel->name == cb->name() && !r->blocks.empty() && r->ssrc == a->statistics().local_ssrc;
  }));
  // The log's handler may still be delivering a late RTCP event when the log goes out of scope
  // (closing a subscription does not wait for it): end the sessions and the engine first (a race
  // make tsan found).
  a.reset();
  b.reset();
  engine.stop();
}

TEST_F(SessionFixture, ComediaAnswersWhereThePacketsComeFrom) {
  auto s = settings("ulaw", "natted");
  s.rtp_symmetric = true;
  auto a = session(s);
  UdpPeer phone, elsewhere;
  // The SDP claims `elsewhere`; the phone behind NAT really sends from `phone`.
  ASSERT_TRUE(a->answer_offer(elsewhere.sdp("0 101")));
  phone.send_to(a->local_rtp_port(), rtp_packet(0, 1, 160, 7, 160));
  std::this_thread::sleep_for(100ms);
  a->write(ulaw_frame(9));
  auto got = phone.receive();
  ASSERT_EQ(got.size(), 172u) << "reply went to the SDP address instead of the packets' source";
  EXPECT_EQ(got[12], 9);
  EXPECT_TRUE(elsewhere.receive().empty());
  EXPECT_EQ(a->statistics().remote_address, "127.0.0.1:" + std::to_string(phone.port()));
}

TEST_F(SessionFixture, StrictRtpDropsAStrangerOnceTheStreamIsLearned) {
  auto a = session(settings("ulaw", "strict"));
  UdpPeer phone, stranger;
  ASSERT_TRUE(a->answer_offer(phone.sdp("0 101")));
  auto chan = channel("strict");
  FrameTap tap;
  tap.install(chan);
  a->attach(chan);
  for (std::uint16_t i = 0; i < 5; ++i) phone.send_to(a->local_rtp_port(), rtp_packet(0, i, i * 160u, 1, 160, 1));
  ASSERT_TRUE(testkit::eventually([&] { return tap.count(FrameKind::Voice) == 5; }, 2s));
  // Two packets from another address: not the stream (fewer than `probation` in sequence).
  stranger.send_to(a->local_rtp_port(), rtp_packet(0, 100, 0, 2, 160, 2));
  stranger.send_to(a->local_rtp_port(), rtp_packet(0, 101, 160, 2, 160, 2));
  phone.send_to(a->local_rtp_port(), rtp_packet(0, 5, 800, 1, 160, 1));
  ASSERT_TRUE(testkit::eventually([&] { return tap.count(FrameKind::Voice) == 6; }, 2s));
  std::this_thread::sleep_for(100ms);
  for (const auto& f : tap.frames()) EXPECT_EQ(f.data()[0], 1);
  EXPECT_EQ(a->statistics().dropped_packets, 2u);
}

TEST_F(SessionFixture, SsrcChangeAndSequenceRestartAreFollowed) {
  auto a = session(settings("ulaw", "x"));
  UdpPeer phone;
  ASSERT_TRUE(a->answer_offer(phone.sdp("0 101")));
  auto chan = channel("x");
  FrameTap tap;
  tap.install(chan);
  a->attach(chan);
  for (std::uint16_t i = 0; i < 5; ++i) phone.send_to(a->local_rtp_port(), rtp_packet(0, static_cast<std::uint16_t>(1000 + i), i * 160u, 1, 160));
  // A transfer behind the phone: new SSRC, new sequence, new timestamps.
  for (std::uint16_t i = 0; i < 5; ++i) phone.send_to(a->local_rtp_port(), rtp_packet(0, i, 90000 + i * 160u, 2, 160));
  ASSERT_TRUE(testkit::eventually([&] { return tap.count(FrameKind::Voice) == 10; }, 2s));
  auto st = a->statistics();
  EXPECT_EQ(st.ssrc_changes, 1u);
  EXPECT_EQ(st.remote_ssrc, 2u);
  EXPECT_EQ(st.rx_lost, 0u);
}

TEST_F(SessionFixture, NegotiationFailureIsLoggedAndPublished) {
  testkit::EventLog log(engine.events());
  auto a = session(settings("opus", "dave"));
  UdpPeer phone;
  auto r = a->answer_offer(phone.sdp("8 101"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().warn_code(), 305);
  EXPECT_TRUE(log.wait_for_type("MediaNegotiationFailed", [](const Event& e) {
    auto* f = e.as<rtp::MediaNegotiationFailed>();
    return f && f->endpoint == "dave" && f->offered == "PCMA/8000" && f->allowed == "opus" && f->kind == "no-common-codec";
  }));
}

TEST_F(SessionFixture, PortsComeFromTheConfiguredRange) {
  rtp::RtpConfig c;
  c.bind_address = "127.0.0.1";
  c.rtp_start = 31000;
  c.rtp_end = 31009;  // five pairs
  rtp::rtp_module(engine)->set_config(c);
  std::vector<MediaSession::Ptr> sessions;
  for (;;) {
    auto r = MediaSession::create(engine, settings());
    if (!r) {
      EXPECT_NE(r.error().message.find("31000-31009"), std::string::npos) << r.error().to_string();
      break;
    }
    EXPECT_EQ((*r)->local_rtp_port() % 2, 0);
    EXPECT_GE((*r)->local_rtp_port(), 31000);
    EXPECT_LE((*r)->local_rtp_port(), 31008);
    sessions.push_back(*r);
    ASSERT_LE(sessions.size(), 5u);
  }
  EXPECT_GE(sessions.size(), 1u);  // others may hold some of these ports
}

}  // namespace
}  // namespace rtp_test
