// The decoded receive path: the jitter buffer reorders and paces, opus losses are repaired (FEC
// for the last lost frame, PLC before it), and the statistics reach CHANNEL() and the console.
#include <opus/opus.h>

#include <algorithm>
#include <cmath>

#include "rtp_session_support.hpp"
#include "telephony/media/spectrum.hpp"
#include "telephony/media/translator.hpp"
#include "telephony/rtp/channel_items.hpp"

namespace rtp_test {
namespace {

struct DecodeFixture : SessionFixture {
  rtp::MediaSettings buffered(std::string_view allow, std::string name) {
    auto s = settings(allow, std::move(name));
    s.jitter.enabled = true;
    return s;
  }
};

TEST_F(DecodeFixture, JitterBufferReordersAndPaces) {
  auto a = session(buffered("ulaw", "jb"));
  UdpPeer phone;
  ASSERT_TRUE(a->answer_offer(phone.sdp("0 101")));
  auto chan = channel("jb");
  FrameTap tap;
  tap.install(chan);
  a->attach(chan);
  // 30 packets sent in pairs swapped (1 0 3 2 ...), in bursts of 6 every 120 ms.
  for (int burst = 0; burst < 5; ++burst) {
    for (int k = 0; k < 6; k += 2) {
      for (int j : {1, 0}) {
        const auto seq = static_cast<std::uint16_t>(burst * 6 + k + j);
        phone.send_to(a->local_rtp_port(), rtp_packet(0, seq, seq * 160u, 77, 160, static_cast<std::uint8_t>(seq)));
      }
    }
    std::this_thread::sleep_for(120ms);
  }
  ASSERT_TRUE(testkit::eventually([&] { return tap.count(FrameKind::Voice) >= 26; }, 3s)) << tap.count(FrameKind::Voice);
  auto frames = tap.frames();
  int in_order = 0;
  for (std::size_t i = 1; i < frames.size(); ++i) in_order += frames[i].data()[0] == frames[i - 1].data()[0] + 1;
  EXPECT_GE(in_order, static_cast<int>(frames.size()) - 3) << "buffered frames should come out in sequence";
}

// Encodes a 440 Hz tone with in-band FEC on, as a phone with useinbandfec=1 and loss would.
std::vector<std::vector<std::uint8_t>> opus_tone(int frames) {
  int err = 0;
  OpusEncoder* enc = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &err);
  opus_encoder_ctl(enc, OPUS_SET_BITRATE(32000));
  opus_encoder_ctl(enc, OPUS_SET_INBAND_FEC(1));
  opus_encoder_ctl(enc, OPUS_SET_PACKET_LOSS_PERC(20));
  std::vector<std::vector<std::uint8_t>> out;
  std::vector<std::int16_t> pcm(960);
  for (int f = 0; f < frames; ++f) {
    for (int i = 0; i < 960; ++i) pcm[static_cast<std::size_t>(i)] = static_cast<std::int16_t>(6000 * std::sin(2 * M_PI * 440 * (f * 960 + i) / 48000.0));
    std::vector<std::uint8_t> pkt(400);
    pkt.resize(static_cast<std::size_t>(opus_encode(enc, pcm.data(), 960, pkt.data(), 400)));
    out.push_back(std::move(pkt));
  }
  opus_encoder_destroy(enc);
  return out;
}

TEST_F(DecodeFixture, OpusLossIsRepairedWithFecAndPlc) {
  auto a = session(buffered("opus", "op"));
  UdpPeer phone;
  ASSERT_TRUE(a->answer_offer(phone.sdp("107 101", "a=rtpmap:107 opus/48000/2\r\na=fmtp:107 useinbandfec=1\r\n")));
  auto chan = channel("op");
  FrameTap tap;
  tap.install(chan);
  a->attach(chan);
  auto packets = opus_tone(60);
  auto next = std::chrono::steady_clock::now();
  for (std::uint16_t i = 0; i < 60; ++i) {
    next += 20ms;
    // Lose packet 20 (one), and 40-41 (two).
    if (i != 20 && i != 40 && i != 41) {
      auto p = rtp_packet(107, i, i * 960u, 5, packets[i].size());
      std::copy(packets[i].begin(), packets[i].end(), p.begin() + 12);
      phone.send_to(a->local_rtp_port(), p);
    }
    std::this_thread::sleep_until(next);
  }
  ASSERT_TRUE(testkit::eventually([&] { return tap.count(FrameKind::Voice) >= 58; }, 3s)) << tap.count(FrameKind::Voice);
  const auto st = a->statistics();
  EXPECT_EQ(st.fec_recovered_frames, 2u);  // 20, and 41 from packet 42
  EXPECT_GE(st.concealed_frames, 1u);      // 40
  std::vector<std::int16_t> audio;
  for (const auto& f : tap.frames()) {
    ASSERT_EQ(f.format, media::Format::slin(48000));
    auto s = media::slin_samples(f.data());
    audio.insert(audio.end(), s.begin(), s.end());
  }
  // The repaired stream is still the tone, without 20 ms holes.
  EXPECT_NEAR(media::dominant_frequency(audio, 48000), 440.0, 15.0);
}

TEST_F(DecodeFixture, StatisticsReachChannelFunctionAndConsole) {
  auto a = session(settings("ulaw", "qa"));
  auto b = session(settings("ulaw", "qb"));
  connect(a, b);
  auto ca = channel("qa");
  a->attach(ca);
  pace(a, 10, [](int) { return ulaw_frame(3); });
  ASSERT_TRUE(testkit::eventually([&] { return b->statistics().rx_packets == 10; }, 2s));
  auto qos = rtp::media_channel_item(*ca, "rtpqos");
  ASSERT_TRUE(qos && *qos);
  EXPECT_NE((*qos)->find("txcount=10"), std::string::npos) << **qos;
  auto dest = rtp::media_channel_item(*ca, "rtp,dest");
  ASSERT_TRUE(dest && *dest);
  EXPECT_EQ(**dest, "127.0.0.1:" + std::to_string(b->local_rtp_port()));
  EXPECT_EQ(**rtp::media_channel_item(*ca, "rtcp,txcount,audio"), "10");
  EXPECT_EQ(**rtp::media_channel_item(*ca, "rtp,secure"), "0");
  EXPECT_FALSE(*rtp::media_channel_item(*ca, "rtcp,bogus"));
  EXPECT_FALSE(rtp::media_channel_item(*ca, "language"));  // not ours: CHANNEL() goes on
  auto plain = channel("plain");
  EXPECT_FALSE(*rtp::media_channel_item(*plain, "rtpqos"));
  auto out = engine.commands().execute("pjsip show channelstats");
  EXPECT_EQ(out.status, 0);
  EXPECT_NE(out.output.find(ca->name().substr(0, 28)), std::string::npos) << out.output;
  EXPECT_NE(out.output.find("ulaw"), std::string::npos);
}

}  // namespace
}  // namespace rtp_test
