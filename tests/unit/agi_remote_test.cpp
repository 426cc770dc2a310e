// FastAGI against a TCP server written here (blocking sockets on a thread, 127.0.0.1) and async AGI
// driven through queue_async_agi_command (what the AMI AGI action calls), with the
// AsyncAGIStart/Exec/End events.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "agi_test_support.hpp"
#include "telephony/agi/command_line.hpp"

using namespace agi_test;

namespace {

// One-connection FastAGI server: reads the environment, sends `commands` one by one reading each
// reply line, then half-closes and keeps what the engine still sends (its final HANGUP).
class FastAgiServer {
 public:
  explicit FastAgiServer(std::vector<std::string> commands) : commands_(std::move(commands)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(fd_, 4);
    thread_ = std::thread([this] { serve(); });
  }
  ~FastAgiServer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return port_; }
  void join() { thread_.join(); }
  std::vector<std::string> env, replies;
  std::string tail;

 private:
  bool read_line(int c, std::string& line) {
    line.clear();
    char ch;
    for (;;) {
      const ssize_t n = ::recv(c, &ch, 1, 0);
      if (n <= 0) return false;
      if (ch == '\n') return true;
      line.push_back(ch);
    }
  }
  void serve() {
    timeval tv{5, 0};
    const int c = ::accept(fd_, nullptr, nullptr);
    if (c < 0) return;
    ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string line;
    while (read_line(c, line) && !line.empty()) env.push_back(line);
    for (const auto& cmd : commands_) {
      const std::string out = cmd + "\n";
      ::send(c, out.data(), out.size(), MSG_NOSIGNAL);
      if (!read_line(c, line)) break;
      replies.push_back(line);
    }
    ::shutdown(c, SHUT_WR);
    char buf[256];
    for (ssize_t n; (n = ::recv(c, buf, sizeof buf, 0)) > 0;) tail.append(buf, static_cast<std::size_t>(n));
    ::close(c);
  }
  std::vector<std::string> commands_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace

TEST_F(Agi, FastAgiSessionWithNetworkScriptAndFinalHangup) {
  FastAgiServer server({"ANSWER", "SET VARIABLE FAST \"over tcp\"", "GET VARIABLE FAST", "CHANNEL STATUS"});
  load("[agi]\nexten => 100,1,AGI(agi://127.0.0.1:" + std::to_string(server.port()) +
       "/route/x?a=1,first)\nsame => n,NoOp(${AGISTATUS} ${FAST})\n");
  auto chan = call("agi", "100", "fast");
  ASSERT_TRUE(wait_gone(chan));
  server.join();
  EXPECT_EQ(join(trace(chan)), "[SUCCESS over tcp]");
  ASSERT_GE(server.env.size(), 4u);
  EXPECT_EQ(server.env[0], "agi_network: yes");
  EXPECT_EQ(server.env[1], "agi_network_script: route/x?a=1");
  EXPECT_EQ(server.env[2], "agi_request: agi://127.0.0.1:" + std::to_string(server.port()) + "/route/x?a=1");
  EXPECT_NE(std::find(server.env.begin(), server.env.end(), "agi_arg_1: first"), server.env.end());
  EXPECT_EQ(server.replies,
            (std::vector<std::string>{"200 result=0", "200 result=1", "200 result=1 (over tcp)", "200 result=6"}));
  EXPECT_EQ(server.tail, "HANGUP\n");
}

TEST_F(Agi, FastAgiConnectionRefusedIsFailure) {
  const int port = testkit::free_tcp_port();
  load("[agi]\nexten => 100,1,AGI(agi://127.0.0.1:" + std::to_string(port) + "/x)\nsame => n,NoOp(${AGISTATUS})\n");
  auto chan = call("agi", "100", "refused");
  ASSERT_TRUE(wait_gone(chan));
  EXPECT_EQ(join(trace(chan)), "[FAILURE]");
}

TEST_F(Agi, AsyncAgiTakesCommandsFromTheQueueAndReportsEvents) {
  load("[agi]\nexten => 100,1,AGI(agi:async,x1)\nsame => n,NoOp(${AGISTATUS} ${ASYNC})\n"
       "exten => plain,1,Wait(5)\n");
  auto other = call("agi", "plain", "async-plain");
  auto r0 = agi::queue_async_agi_command(engine, other->name(), "NOOP", "");
  ASSERT_FALSE(r0);
  EXPECT_EQ(r0.error().message, "Failed to add AGI command to channel " + other->name() + " queue");
  auto r1 = agi::queue_async_agi_command(engine, "Test/none-here", "NOOP", "");
  ASSERT_FALSE(r1);
  EXPECT_EQ(r1.error().message, "Channel Test/none-here does not exist.");

  auto chan = call("agi", "100", "async");
  ASSERT_TRUE(log->wait_for_type(agi::AsyncAgiStarted::kType));
  std::string env;
  for (auto& e : log->events())
    if (auto* s = e->as<agi::AsyncAgiStarted>()) env = agi::uri_decode(s->env);
  EXPECT_EQ(env.rfind("agi_request: async\nagi_channel: " + chan->name() + "\n", 0), 0u) << env;
  EXPECT_NE(env.find("agi_arg_1: x1\n"), std::string::npos);
  ASSERT_TRUE(agi::queue_async_agi_command(engine, chan->name(), "ANSWER", "id-1"));
  ASSERT_TRUE(agi::queue_async_agi_command(engine, chan->name(), "SET VARIABLE ASYNC \"from ami\"", "id-2"));
  ASSERT_TRUE(agi::queue_async_agi_command(engine, chan->name(), "GET VARIABLE ASYNC", "id-3"));
  ASSERT_TRUE(agi::queue_async_agi_command(engine, chan->name(), "BOGUS", ""));
  ASSERT_TRUE(agi::queue_async_agi_command(engine, chan->name(), "ASYNCAGI BREAK", "id-5"));
  ASSERT_TRUE(wait_gone(chan));
  EXPECT_EQ(join(trace(chan)), "[SUCCESS from ami]");
  std::vector<std::string> results;
  bool ended = false;
  for (auto& e : log->events()) {
    if (auto* x = e->as<agi::AsyncAgiExecuted>(); x && x->channel.name == chan->name())
      results.push_back(x->command_id + ":" + x->result);
    if (auto* x = e->as<agi::AsyncAgiEnded>(); x && x->channel.name == chan->name()) ended = true;
  }
  EXPECT_EQ(results, (std::vector<std::string>{"id-1:200%20result%3D0%0A", "id-2:200%20result%3D1%0A",
                                               "id-3:200%20result%3D1%20(from%20ami)%0A",
                                               ":510%20Invalid%20or%20unknown%20command%0A",
                                               "id-5:200%20result%3D0%0A"}));
  EXPECT_TRUE(ended);
  other->request_hangup();
}

TEST_F(Agi, AsyncAgiEndsWithHangup) {
  load("[agi]\nexten => 100,1,AGI(agi:async)\nsame => n,NoOp(not reached)\nexten => h,1,NoOp(h ${AGISTATUS})\n");
  auto chan = call("agi", "100", "async-hup");
  ASSERT_TRUE(log->wait_for_type(agi::AsyncAgiStarted::kType));
  chan->request_hangup();
  ASSERT_TRUE(wait_gone(chan));
  EXPECT_EQ(join(trace(chan)), "[h HANGUP]");
  EXPECT_TRUE(log->wait_for_type(agi::AsyncAgiEnded::kType));
}
