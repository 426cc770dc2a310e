// SIPp's RFC 2833/4733 captures (tests/data/rtp/dtmf_2833_*.pcap, from Debian's sip-tester)
// replayed at their original pace into an RTP session: every key press must come out as exactly
// one DtmfBegin and one DtmfEnd of the right digit, in order, with its duration.
#include <cstring>
#include <fstream>

#include "rtp_session_support.hpp"

namespace rtp_test {
namespace {

struct CapturedPacket {
  std::chrono::microseconds at;
  std::vector<std::uint8_t> udp_payload;
};

// Classic pcap, Ethernet/IPv4/UDP frames (what these captures are).
std::vector<CapturedPacket> read_pcap(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::uint8_t> d((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<CapturedPacket> out;
  if (d.size() < 24) return out;
  auto u32 = [&](std::size_t o) {
    std::uint32_t v;
    std::memcpy(&v, d.data() + o, 4);
    return v;
  };
  std::size_t off = 24;
  while (off + 16 <= d.size()) {
    const std::uint32_t sec = u32(off), usec = u32(off + 4), incl = u32(off + 8);
    off += 16;
    if (off + incl > d.size()) break;
    const std::uint8_t* frame = d.data() + off;
    const std::size_t ip = 14, ihl = (frame[ip] & 0x0f) * 4u, udp = ip + ihl;
    if (incl > udp + 8)
      out.push_back({std::chrono::microseconds(static_cast<std::int64_t>(sec) * 1000000 + usec),
                     std::vector<std::uint8_t>(frame + udp + 8, frame + incl)});
    off += incl;
  }
  return out;
}

TEST_F(SessionFixture, SippDtmfCapturesAreReadExactly) {
  auto a = session(settings("alaw", "dtmf"));
  UdpPeer phone;
  ASSERT_TRUE(a->answer_offer(phone.sdp("8 101")));
  auto chan = channel("dtmf");
  FrameTap tap;
  tap.install(chan);
  a->attach(chan);
  const std::string order = "1234567890*#";
  for (char d : order) {
    const std::string name = d == '*' ? "star" : d == '#' ? "pound" : std::string(1, d);
    auto packets = read_pcap(std::string(TELEPHONY_TEST_DATA) + "/rtp/dtmf_2833_" + name + ".pcap");
    ASSERT_EQ(packets.size(), 10u) << name;
    const auto start = std::chrono::steady_clock::now();
    for (const auto& p : packets) {
      std::this_thread::sleep_until(start + (p.at - packets.front().at));
      phone.send_to(a->local_rtp_port(), p.udp_payload);
    }
    std::this_thread::sleep_for(60ms);
  }
  ASSERT_TRUE(testkit::eventually([&] { return tap.count(FrameKind::DtmfEnd) >= order.size(); }, 3s));
  std::this_thread::sleep_for(100ms);  // no late duplicates
  std::string begins, ends;
  for (const auto& f : tap.frames()) {
    if (f.kind == FrameKind::DtmfBegin) begins += f.digit();
    if (f.kind == FrameKind::DtmfEnd) {
      ends += f.digit();
      EXPECT_GT(f.duration.count(), 100);  // the captures hold each key ~140-280 ms
    }
  }
  EXPECT_EQ(begins, order);
  EXPECT_EQ(ends, order);
}

}  // namespace
}  // namespace rtp_test
