// ami::Client against a scripted peer that answers like Asterisk 11 (Response: Follows), and
// against peers that are not AMI at all.
#include <gtest/gtest.h>

#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

#include "ami_test_support.hpp"

using namespace ami_test;
using telephony::ami::Client;

namespace {
// Accepts one connection, sends `banner`, then for each action answers with `reply(actionid)`.
class ScriptedPeer {
 public:
  ScriptedPeer(std::string banner, std::function<std::string(std::string_view)> reply)
      : acc_(io_, {asio::ip::make_address("127.0.0.1"), 0}), thread_([this, banner, reply] {
          asio::ip::tcp::socket s(io_);
          acc_.accept(s);
          asio::write(s, asio::buffer(banner));
          std::string in;
          boost::system::error_code ec;
          for (;;) {
            const auto n = asio::read_until(s, asio::dynamic_buffer(in), "\r\n\r\n", ec);
            if (ec) return;
            const std::string msg = in.substr(0, n);
            in.erase(0, n);
            const auto at = msg.find("ActionID: ");
            const std::string id = at == std::string::npos ? "" : msg.substr(at + 10, msg.find("\r\n", at) - at - 10);
            asio::write(s, asio::buffer(reply(id)), ec);
          }
        }) {}
  ~ScriptedPeer() {
    io_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return acc_.local_endpoint().port(); }

 private:
  asio::io_context io_;
  asio::ip::tcp::acceptor acc_;
  std::thread thread_;
};
}  // namespace

TEST(AmiClient, ParsesAsterisk11CommandFollows) {
  ScriptedPeer peer("Asterisk Call Manager/1.3\r\n", [](std::string_view id) {
    return "Response: Follows\r\nPrivilege: Command\r\nActionID: " + std::string(id) +
           "\r\nName/username             Host\n\nalice/alice               127.0.0.1\n--END COMMAND--\r\n\r\n";
  });
  IoThread io;
  std::unique_ptr<Client> c;
  io.sync([&] { c = std::make_unique<Client>(io.io); });
  ASSERT_TRUE(io.run(c->connect("127.0.0.1", peer.port())));
  EXPECT_EQ(c->banner(), "Asterisk Call Manager/1.3");
  Message cmd;
  cmd.add("Action", "Command").add("Command", "sip show peers");
  auto r = io.run(c->send(cmd));
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->response(), "Follows");
  EXPECT_EQ(r->get_all("Output"), (std::vector<std::string_view>{"Name/username             Host", "",
                                                                 "alice/alice               127.0.0.1"}));
  io.sync([&] { c.reset(); });
}

TEST(AmiClient, RejectsNonAmiBannerAndTimesOutSilentPeer) {
  ScriptedPeer http("HTTP/1.1 400 Bad Request\r\n", [](std::string_view) { return std::string(); });
  IoThread io;
  std::unique_ptr<Client> c;
  io.sync([&] { c = std::make_unique<Client>(io.io); });
  auto r = io.run(c->connect("127.0.0.1", http.port()));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().to_string().find("not an AMI banner"), std::string::npos);

  ScriptedPeer silent("Asterisk Call Manager/5.0.0\r\n", [](std::string_view) { return std::string(); });
  std::unique_ptr<Client> c2;
  io.sync([&] {
    c2 = std::make_unique<Client>(io.io);
    c2->set_timeout(200ms);
  });
  ASSERT_TRUE(io.run(c2->connect("127.0.0.1", silent.port())));
  auto t = io.run(c2->send(Message{{"Action", "Ping"}}));
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().to_string(), "Action Ping: no response within 200 ms");
  io.sync([&] {
    c.reset();
    c2.reset();
  });
}
