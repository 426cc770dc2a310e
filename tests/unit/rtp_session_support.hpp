// Shared by the rtp_session_*_test.cpp files: an engine with Test channels, a frame tap on a
// channel, sessions on 127.0.0.1 wired by a real offer/answer, and a raw UDP "phone".
#pragma once

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/dispatch.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "telephony/engine.hpp"
#include "telephony/rtp/media_session.hpp"
#include "telephony/rtp/rtp_config.hpp"
#include "testkit/engine_kit.hpp"

namespace rtp_test {

using namespace telephony;
using namespace std::chrono_literals;

// Collects what a channel receives (its frame sink, on its strand).
class FrameTap {
 public:
  void install(const Channel::Ptr& chan) {
    std::promise<void> done;
    boost::asio::dispatch(chan->strand(), [this, chan, &done] {
      chan->set_frame_sink([this](const Frame& f) {
        std::lock_guard lock(mu_);
        frames_.push_back(f);
      });
      done.set_value();
    });
    done.get_future().wait();
  }
  std::vector<Frame> frames() const {
    std::lock_guard lock(mu_);
    return frames_;
  }
  std::size_t count(FrameKind k) const {
    std::lock_guard lock(mu_);
    std::size_t n = 0;
    for (const auto& f : frames_) n += f.kind == k;
    return n;
  }
  std::size_t count_control(Control c) const {
    std::lock_guard lock(mu_);
    std::size_t n = 0;
    for (const auto& f : frames_) n += f.is_control(c);
    return n;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Frame> frames_;
};

struct SessionFixture : ::testing::Test {
  Engine engine{EngineOptions{.threads = 2}};
  std::shared_ptr<testkit::TestDriver> driver = std::make_shared<testkit::TestDriver>();
  void SetUp() override {
    ASSERT_TRUE(engine.drivers().add("Test", driver));
    engine.start();
    rtp::RtpConfig c;
    c.bind_address = "127.0.0.1";
    c.rtcp_interval = 5000ms;
    c.io_threads = 2;
    rtp::rtp_module(engine)->set_config(c);
  }
  void TearDown() override { engine.stop(); }

  rtp::MediaSettings settings(std::string_view allow = "ulaw,alaw", std::string name = "alice") {
    rtp::MediaSettings s;
    s.endpoint = std::move(name);
    s.codecs = *rtp::CodecPreferences::from_allow(allow);
    s.bind_address = "127.0.0.1";
    s.jitter.enabled = false;  // tests see packets as they arrive unless they ask for the buffer
    return s;
  }
  rtp::MediaSession::Ptr session(const rtp::MediaSettings& s, const rtp::MediaSession* same_shard = nullptr) {
    auto r = rtp::MediaSession::create(engine, s, same_shard);
    EXPECT_TRUE(r) << (r ? "" : r.error().to_string());
    return r ? *r : nullptr;
  }
  // a offers, b answers, a applies: both negotiated over real SDP text.
  static void connect(const rtp::MediaSession::Ptr& a, const rtp::MediaSession::Ptr& b) {
    auto answer = b->answer_offer(a->create_offer());
    ASSERT_TRUE(answer) << answer.error().warning_text();
    auto applied = a->apply_answer(*answer);
    ASSERT_TRUE(applied) << applied.error().warning_text();
  }
  Channel::Ptr channel(const std::string& name) {
    auto c = engine.request("Test/" + name);
    EXPECT_TRUE(c);
    return c ? *c : nullptr;
  }
  static Frame ulaw_frame(std::uint8_t fill) {
    return Frame::voice(media::Format::ulaw(), std::vector<std::uint8_t>(160, fill), 160);
  }
  // `n` frames at a 20 ms pace.
  static void pace(const rtp::MediaSession::Ptr& s, int n, const std::function<Frame(int)>& make) {
    auto next = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
      s->write(make(i));
      next += 20ms;
      std::this_thread::sleep_until(next);
    }
  }
};

// A bare UDP socket on 127.0.0.1 playing the phone's side.
class UdpPeer {
 public:
  UdpPeer() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    timeval tv{0, 200000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~UdpPeer() { ::close(fd_); }
  std::uint16_t port() const { return port_; }
  void send_to(std::uint16_t port, const std::vector<std::uint8_t>& bytes) const {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    ::sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  // Next datagram within ~200 ms into `buf`; its size, 0 on timeout. Allocates nothing.
  std::size_t receive_into(std::span<std::uint8_t> buf) const {
    auto n = ::recv(fd_, buf.data(), buf.size(), 0);
    return n > 0 ? static_cast<std::size_t>(n) : 0;
  }
  // Next datagram within ~200 ms, empty on timeout.
  std::vector<std::uint8_t> receive() const {
    std::vector<std::uint8_t> buf(2048);
    auto n = ::recv(fd_, buf.data(), buf.size(), 0);
    buf.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return buf;
  }
  // SDP of a phone at this socket offering/answering `pts` with extra lines.
  std::string sdp(std::string_view formats, std::string_view extra = "") const {
    return "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio " + std::to_string(port_) +
           " RTP/AVP " + std::string(formats) + "\r\na=rtpmap:101 telephone-event/8000\r\n" + std::string(extra);
  }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

inline std::vector<std::uint8_t> rtp_packet(std::uint8_t pt, std::uint16_t seq, std::uint32_t ts, std::uint32_t ssrc,
                                            std::size_t payload, std::uint8_t fill = 0x55, bool marker = false) {
  std::vector<std::uint8_t> p(12 + payload, fill);
  p[0] = 0x80;
  p[1] = static_cast<std::uint8_t>((marker ? 0x80 : 0) | pt);
  p[2] = static_cast<std::uint8_t>(seq >> 8);
  p[3] = static_cast<std::uint8_t>(seq);
  for (int i = 0; i < 4; ++i) p[4 + i] = static_cast<std::uint8_t>(ts >> (24 - 8 * i));
  for (int i = 0; i < 4; ++i) p[8 + i] = static_cast<std::uint8_t>(ssrc >> (24 - 8 * i));
  return p;
}

}  // namespace rtp_test
