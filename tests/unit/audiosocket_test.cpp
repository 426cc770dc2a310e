// AudioSocket: the framing (split feeds, errors with offsets, UUIDs) and AudioSocket() against an
// echo server written here (blocking sockets on a thread, 127.0.0.1): the caller's tone goes to the
// server, comes back and is measured in what the Test device was sent.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "appsmedia_support.hpp"
#include "telephony/media/audiosocket.hpp"

using namespace appsmedia_test;

namespace {

std::vector<std::uint8_t> msg(media::AudioSocketKind k, std::vector<std::uint8_t> payload) {
  auto h = media::encode_audiosocket_header(k, static_cast<std::uint16_t>(payload.size()));
  std::vector<std::uint8_t> out(h.begin(), h.end());
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

// Accepts one connection; records the UUID message, echoes `echo_count` audio messages back, then
// ends the way the test asks (hangup message, an error message, or closing).
class EchoServer {
 public:
  enum class End { HangupMessage, ErrorMessage, Close };
  EchoServer(int echo_count, End end) : echo_count_(echo_count), end_(end) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(fd_, 1);
    thread_ = std::thread([this] { serve(); });
  }
  ~EchoServer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return port_; }
  void join() { thread_.join(); }
  std::vector<std::uint8_t> uuid;
  std::vector<std::int16_t> heard;  // audio the engine sent
  std::string digits;

 private:
  bool read_exact(int c, std::uint8_t* p, std::size_t n) {
    while (n) {
      const ssize_t r = ::recv(c, p, n, 0);
      if (r <= 0) return false;
      p += r;
      n -= static_cast<std::size_t>(r);
    }
    return true;
  }
  void serve() {
    const int c = ::accept(fd_, nullptr, nullptr);
    if (c < 0) return;
    timeval tv{5, 0};
    ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int echoed = 0;
    for (;;) {
      std::uint8_t h[3];
      if (!read_exact(c, h, 3)) break;
      std::vector<std::uint8_t> payload((h[1] << 8) | h[2]);
      if (!read_exact(c, payload.data(), payload.size())) break;
      if (h[0] == 0x01) {
        uuid = payload;
      } else if (h[0] == 0x03) {
        digits.push_back(static_cast<char>(payload[0]));
      } else if (h[0] == 0x10) {
        const auto* s = reinterpret_cast<const std::int16_t*>(payload.data());
        heard.insert(heard.end(), s, s + payload.size() / 2);
        std::vector<std::uint8_t> back(h, h + 3);
        back.insert(back.end(), payload.begin(), payload.end());
        ::send(c, back.data(), back.size(), MSG_NOSIGNAL);
        if (++echoed == echo_count_) break;
      }
    }
    if (end_ == End::HangupMessage) {
      const std::uint8_t bye[3] = {0x00, 0x00, 0x00};
      ::send(c, bye, 3, MSG_NOSIGNAL);
    } else if (end_ == End::ErrorMessage) {
      const std::uint8_t err[4] = {0xff, 0x00, 0x01, 0x02};
      ::send(c, err, 4, MSG_NOSIGNAL);
    }
    std::this_thread::sleep_for(100ms);
    ::close(c);
  }
  int echo_count_;
  End end_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace

TEST(AudioSocketFraming, MessagesSplitAnywhereAndErrorsNameTheOffset) {
  std::vector<std::uint8_t> stream;
  auto add = [&](std::vector<std::uint8_t> m) { stream.insert(stream.end(), m.begin(), m.end()); };
  add(msg(media::AudioSocketKind::Uuid, std::vector<std::uint8_t>(16, 0xab)));
  add(msg(media::AudioSocketKind::Audio, std::vector<std::uint8_t>(320, 7)));
  add(msg(media::AudioSocketKind::Dtmf, {'5'}));
  add(msg(media::AudioSocketKind::Hangup, {}));
  for (std::size_t split = 1; split < stream.size(); split += 37) {
    media::AudioSocketDecoder d;
    std::vector<std::string> seen;
    auto drain = [&] {
      for (;;) {
        auto m = d.next();
        ASSERT_TRUE(m) << m.error().to_string();
        if (!*m) break;
        seen.push_back(std::to_string(static_cast<int>((*m)->kind)) + ":" + std::to_string((*m)->payload.size()));
      }
    };
    d.feed(std::span<const std::uint8_t>(stream.data(), split));
    drain();
    d.feed(std::span<const std::uint8_t>(stream.data() + split, stream.size() - split));
    drain();
    EXPECT_EQ(seen, (std::vector<std::string>{"1:16", "16:320", "3:1", "0:0"})) << split;
    EXPECT_EQ(d.offset(), stream.size());
  }
  media::AudioSocketDecoder bad;
  auto ok = msg(media::AudioSocketKind::Audio, {1, 2});
  bad.feed(ok);
  bad.feed(std::vector<std::uint8_t>{0x42, 0x00, 0x00});
  ASSERT_TRUE(bad.next());
  auto e = bad.next();
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().to_string(), "offset 5: unknown AudioSocket message kind 0x42");
  EXPECT_TRUE(bad.failed());
  for (auto [kind, len, text] : {std::tuple{0x10, 0, "AudioSocket message with an empty payload"},
                                 std::tuple{0x01, 4, "AudioSocket UUID of 4 bytes (16 expected)"},
                                 std::tuple{0x03, 2, "AudioSocket DTMF of 2 bytes (1 expected)"}}) {
    media::AudioSocketDecoder d;
    d.feed(std::vector<std::uint8_t>{static_cast<std::uint8_t>(kind), 0, static_cast<std::uint8_t>(len)});
    auto r = d.next();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, text);
  }
}

TEST(AudioSocketFraming, UuidsRoundTrip) {
  auto u = media::parse_uuid("4C1D5A6E-0B7F-4d3e-9a2b-1c2d3e4f5a6b");
  ASSERT_TRUE(u);
  EXPECT_EQ((*u)[0], 0x4c);
  EXPECT_EQ((*u)[15], 0x6b);
  EXPECT_EQ(media::format_uuid(*u), "4c1d5a6e-0b7f-4d3e-9a2b-1c2d3e4f5a6b");
  EXPECT_FALSE(media::parse_uuid("4c1d5a6e0b7f4d3e9a2b1c2d3e4f5a6b"));
  EXPECT_FALSE(media::parse_uuid("4c1d5a6e-0b7f-4d3e-9a2b-1c2d3e4f5a6g"));
}

TEST_F(MediaApps, AudioSocketEchoesTheCallersAudioBack) {
  EchoServer server(60, EchoServer::End::HangupMessage);
  const std::string uuid = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
  load("[as]\nexten => 1,1,Answer()\nsame => n,AudioSocket(" + uuid + ",127.0.0.1:" + std::to_string(server.port()) +
       ")\nsame => n,NoOp(after audiosocket)\n");
  auto chan = call("as", "1", "as-echo");
  ASSERT_TRUE(testkit::eventually([&] { return reached(chan, "AudioSocket"); }));
  std::this_thread::sleep_for(50ms);
  auto next = std::chrono::steady_clock::now();
  for (std::size_t k = 0; k < 70 && !chan->is_hung_up(); ++k) {
    chan->queue_frame(tone_frame(600, k, 8000, 5000));
    if (k == 10) chan->queue_frame(Frame::dtmf_end('7', 80ms));
    next += 20ms;
    std::this_thread::sleep_until(next);
  }
  ASSERT_TRUE(wait_gone(chan));
  server.join();
  EXPECT_EQ(join(trace(chan)), "[after audiosocket]");
  EXPECT_EQ(media::format_uuid(*reinterpret_cast<const media::Uuid*>(server.uuid.data())), uuid);
  EXPECT_EQ(server.digits, "7");
  ASSERT_EQ(server.heard.size(), 60u * 160u);
  EXPECT_NEAR(media::dominant_frequency(server.heard, 8000), 600, 5);
  // What came back from the server reached the caller: the same tone, at the same level.
  auto back = sent_pcm(*ep("as-echo"));
  ASSERT_GE(back.size(), 50u * 160u);
  EXPECT_NEAR(media::dominant_frequency(back, 8000), 600, 5);
  EXPECT_NEAR(std::sqrt(media::mean_power(back)), 5000 / std::sqrt(2.0), 250);
}

TEST_F(MediaApps, AudioSocketServerErrorOrBadArgumentsEndTheCall) {
  EchoServer server(5, EchoServer::End::ErrorMessage);
  const int closed_port = testkit::free_tcp_port();
  load("[as]\nexten => err,1,Answer()\nsame => n,AudioSocket(0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0,127.0.0.1:" +
       std::to_string(server.port()) + ")\nsame => n,NoOp(not reached)\n"
       "exten => uuid,1,Answer()\nsame => n,AudioSocket(not-a-uuid,127.0.0.1:1)\nsame => n,NoOp(not reached)\n"
       "exten => port,1,Answer()\nsame => n,AudioSocket(0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0,127.0.0.1)\n"
       "same => n,NoOp(not reached)\n"
       "exten => refused,1,Answer()\nsame => n,AudioSocket(0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0,127.0.0.1:" +
       std::to_string(closed_port) + ")\nsame => n,NoOp(not reached)\n");
  auto chan = call("as", "err", "as-err");
  ASSERT_TRUE(testkit::eventually([&] { return reached(chan, "AudioSocket"); }));
  for (std::size_t k = 0; k < 30 && !chan->is_hung_up(); ++k) {
    chan->queue_frame(tone_frame(600, k));
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(wait_gone(chan));
  EXPECT_EQ(join(trace(chan)), "");
  for (const char* exten : {"uuid", "port", "refused"}) {
    auto c = call("as", exten, std::string("as-") + exten);
    ASSERT_TRUE(wait_gone(c)) << exten;
    EXPECT_EQ(join(trace(c)), "") << exten;
  }
}

TEST_F(MediaApps, DialAudioSocketBridgesTheCallerToTheServer) {
  EchoServer server(50, EchoServer::End::HangupMessage);
  const std::string uuid = "11111111-2222-3333-4444-555555555555";
  load("[as]\nexten => 1,1,Answer()\nsame => n,Dial(AudioSocket/127.0.0.1:" + std::to_string(server.port()) + "/" + uuid +
       ",,g)\nsame => n,NoOp(${DIALSTATUS})\n"
       "exten => 2,1,Answer()\nsame => n,Dial(AudioSocket/127.0.0.1/" + uuid +
       ")\nsame => n,NoOp(${DIALSTATUS})\nsame => n,Hangup()\n");
  auto chan = call("as", "1", "as-dial");
  ASSERT_TRUE(log->wait_for_type("BridgeEntered", [&](const Event& e) {
    return e.as<BridgeEntered>()->channel.name == "AudioSocket/127.0.0.1:" + std::to_string(server.port()) + "-" + uuid;
  }));
  auto next = std::chrono::steady_clock::now();
  for (std::size_t k = 0; k < 60 && !chan->is_hung_up(); ++k) {
    chan->queue_frame(tone_frame(450, k, 8000, 5000));
    next += 20ms;
    std::this_thread::sleep_until(next);
  }
  ASSERT_TRUE(wait_gone(chan));
  server.join();
  // Dial's g: the caller continues after the server ended the call (otherwise it hangs up).
  EXPECT_EQ(join(trace(chan)), "[ANSWER]");
  EXPECT_EQ(media::format_uuid(*reinterpret_cast<const media::Uuid*>(server.uuid.data())), uuid);
  ASSERT_GE(server.heard.size(), 40u * 160u);
  EXPECT_NEAR(media::dominant_frequency(server.heard, 8000), 450, 5);
  auto back = sent_pcm(*ep("as-dial"));
  ASSERT_GE(back.size(), 40u * 160u);
  EXPECT_NEAR(media::dominant_frequency(back, 8000), 450, 5);
  // No port: the request itself fails, as chan_audiosocket's (Dial reports CHANUNAVAIL). Hangup()
  // at the end: a fall-through after CHANUNAVAIL plays congestion for 10 s first, as in Asterisk.
  auto bad = call("as", "2", "as-dial-bad");
  ASSERT_TRUE(wait_gone(bad)) << join(trace(bad)) << " reached Dial: " << reached(bad, "Dial");
  EXPECT_EQ(join(trace(bad)), "[CHANUNAVAIL]");
}
