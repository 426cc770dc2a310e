// The SIP stack on a real UDP socket in-process: OPTIONS, REGISTER with digest (401 → 200), a
// wrong password refused and logged in fail2ban's form, malformed requests answered 400 naming
// the header, unknown dialogs 481, and the registrar's contact driving device state.
#include <gtest/gtest.h>

#include <boost/asio/ip/udp.hpp>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>
#include <string>
#include <vector>

#include "telephony/config/config.hpp"
#include "telephony/engine.hpp"
#include "telephony/sip/digest.hpp"
#include "telephony/sip/message.hpp"
#include "telephony/sip/module.hpp"

using namespace telephony;
namespace asio = boost::asio;
using asio::ip::udp;

namespace {

std::uint16_t free_udp_port() {
  asio::io_context io;
  udp::socket s(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return s.local_endpoint().port();
}

class SipStackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = std::make_unique<Engine>(EngineOptions{.threads = 2});
    engine_->log().add_sink([this](LogLevel, std::string_view line) {
      std::lock_guard lock(mu_);
      log_.emplace_back(line);
    });
    engine_->start();
    port_ = free_udp_port();
    auto file = config::parse_string(config_text(""), "pjsip.conf");
    ASSERT_TRUE(file);
    auto cfg = sip::parse_sip_config(*file);
    ASSERT_TRUE(cfg) << cfg.error().to_string();
    module_ = std::make_unique<sip::SipModule>(*engine_);
    ASSERT_TRUE(module_->apply(std::move(*cfg)));
    sock_ = std::make_unique<udp::socket>(io_, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  }
  // pjsip.conf for the test: one UDP transport on port_, alice with digest auth and one contact.
  std::string config_text(const std::string& global) const {
    return global + "[udp]\ntype=transport\nprotocol=udp\nbind=127.0.0.1:" + std::to_string(port_) +
           "\n[alice]\ntype=endpoint\ncontext=default\nauth=alice\naors=alice\n"
           "[alice]\ntype=auth\nusername=alice\npassword=secret\n"
           "[alice]\ntype=aor\nmax_contacts=1\n";
  }
  void TearDown() override {
    module_->unload();
    engine_->stop();
  }

  // Sends `msg` and returns the first final (or the first non-100) response, "" on timeout.
  std::string exchange(const std::string& msg) {
    sock_->send_to(asio::buffer(msg), udp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    std::vector<char> buf(65536);
    sock_->non_blocking(true);
    while (std::chrono::steady_clock::now() < deadline) {
      boost::system::error_code ec;
      udp::endpoint from;
      const auto n = sock_->receive_from(asio::buffer(buf), from, 0, ec);
      if (ec == asio::error::would_block) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        continue;
      }
      std::string reply(buf.data(), n);
      if (reply.rfind("SIP/2.0 100 ", 0) == 0) continue;
      return reply;
    }
    return {};
  }

  std::string request(const std::string& method, const std::string& extra, int cseq = 1,
                      const std::string& call_id = "stacktest-1") {
    const auto local = sock_->local_endpoint();
    const std::string me = "127.0.0.1:" + std::to_string(local.port());
    return method + " sip:127.0.0.1:" + std::to_string(port_) + " SIP/2.0\r\n" + "Via: SIP/2.0/UDP " + me +
           ";branch=z9hG4bK" + std::to_string(cseq) + call_id + ";rport\r\n" + "From: <sip:alice@127.0.0.1>;tag=f1\r\n" +
           "To: <sip:alice@127.0.0.1>\r\n" + "Call-ID: " + call_id + "\r\n" + "CSeq: " + std::to_string(cseq) + " " +
           method + "\r\n" + "Contact: <sip:alice@" + me + ">\r\n" + "Max-Forwards: 70\r\n" + extra +
           "Content-Length: 0\r\n\r\n";
  }

  bool logged(std::string_view needle) {
    std::lock_guard lock(mu_);
    for (const auto& l : log_)
      if (l.find(needle) != std::string::npos) return true;
    return false;
  }

  std::unique_ptr<Engine> engine_;
  std::unique_ptr<sip::SipModule> module_;
  std::uint16_t port_ = 0;
  asio::io_context io_;
  std::unique_ptr<udp::socket> sock_;
  std::mutex mu_;
  std::vector<std::string> log_;
};

std::string status_line(const std::string& reply) { return reply.substr(0, reply.find("\r\n")); }

}  // namespace

TEST_F(SipStackTest, OptionsIsAnswered) {
  auto reply = exchange(request("OPTIONS", ""));
  EXPECT_EQ(status_line(reply), "SIP/2.0 200 OK");
  EXPECT_NE(reply.find("Allow: INVITE"), std::string::npos) << reply;
  EXPECT_NE(reply.find(";received=127.0.0.1"), std::string::npos) << reply;
}

TEST_F(SipStackTest, RegisterWithDigestThenDeviceStateFollows) {
  auto driver = engine_->drivers().find("PJSIP");
  ASSERT_TRUE(driver);  // the alias
  EXPECT_EQ(driver->device_state("alice"), DeviceState::Unavailable);
  auto challenge = exchange(request("REGISTER", "Expires: 300\r\n", 1, "reg-1"));
  ASSERT_EQ(status_line(challenge), "SIP/2.0 401 Unauthorized") << challenge;
  auto parsed = sip::parse_message(challenge, true);
  ASSERT_TRUE(parsed);
  std::optional<sip::DigestChallenge> md5;
  parsed->for_each(sip::Header::WwwAuthenticate, [&](const sip::HeaderField& f) {
    auto c = sip::parse_digest_challenge(f.value);
    if (c && c->algorithm == sip::DigestAlgorithm::MD5 && !md5) md5 = *c;
  });
  ASSERT_TRUE(md5);
  const auto auth = sip::answer_challenge(*md5, "REGISTER", "sip:127.0.0.1", "alice", "secret", 1);
  auto ok = exchange(request("REGISTER", "Expires: 300\r\nAuthorization: " + auth + "\r\n", 2, "reg-1"));
  ASSERT_EQ(status_line(ok), "SIP/2.0 200 OK") << ok;
  EXPECT_NE(ok.find(";expires=300"), std::string::npos) << ok;
  EXPECT_EQ(driver->device_state("alice"), DeviceState::NotInUse);
  auto out = engine_->commands().execute("pjsip show contacts");
  EXPECT_NE(out.output.find("alice/sip:alice@127.0.0.1:"), std::string::npos) << out.output;
}

TEST_F(SipStackTest, WrongPasswordIsRefusedAndLoggedForFail2ban) {
  auto challenge = exchange(request("REGISTER", "", 1, "bad-1"));
  auto parsed = sip::parse_message(challenge, true);
  ASSERT_TRUE(parsed);
  auto ch = sip::parse_digest_challenge(parsed->value(sip::Header::WwwAuthenticate));
  ASSERT_TRUE(ch);
  const auto auth = sip::answer_challenge(*ch, "REGISTER", "sip:127.0.0.1", "alice", "guess", 1);
  auto refused = exchange(request("REGISTER", "Authorization: " + auth + "\r\n", 2, "bad-1"));
  EXPECT_EQ(status_line(refused), "SIP/2.0 401 Unauthorized");
  const auto me = std::to_string(sock_->local_endpoint().port());
  EXPECT_TRUE(logged("Request 'REGISTER' from '<sip:alice@127.0.0.1>' failed for '127.0.0.1:" + me +
                     "' (callid: bad-1) - Failed to authenticate"));
  EXPECT_EQ(engine_->drivers().find("SIP")->device_state("alice"), DeviceState::Unavailable);
}

TEST_F(SipStackTest, MalformedRequestGets400NamingTheHeader) {
  auto bad = request("OPTIONS", "");
  bad.replace(bad.find("CSeq: 1 OPTIONS"), 15, "CSeq: x OPTIONS");
  EXPECT_EQ(status_line(exchange(bad)), "SIP/2.0 400 Bad CSeq header");
}

TEST_F(SipStackTest, UnknownDialogGets481AndUnknownMethod501) {
  auto bye = request("BYE", "");
  bye.replace(bye.find("To: <sip:alice@127.0.0.1>"), 25, "To: <sip:alice@127.0.0.1>;tag=nosuch");
  EXPECT_EQ(status_line(exchange(bye)), "SIP/2.0 481 Call/Transaction Does Not Exist");
  auto odd = request("FROBNICATE", "", 1, "odd-1");
  EXPECT_EQ(status_line(exchange(odd)), "SIP/2.0 501 Not Implemented");
}

TEST_F(SipStackTest, ReloadAppliesOverloadLimitsAnd503CarriesRetryAfter) {
  auto file = config::parse_string(
      config_text("[global]\ntype=global\nmax_transaction_rate=1\noverload_retry_after=7\n"), "pjsip.conf");
  ASSERT_TRUE(file);
  auto cfg = sip::parse_sip_config(*file);
  ASSERT_TRUE(cfg);
  ASSERT_TRUE(module_->apply(std::move(*cfg)));  // a reload: same transport, new limits
  auto first = exchange(request("INVITE", "", 1, "ovl-1"));
  EXPECT_EQ(status_line(first), "SIP/2.0 401 Unauthorized");
  auto second = exchange(request("INVITE", "", 1, "ovl-2"));
  EXPECT_EQ(status_line(second), "SIP/2.0 503 Service Unavailable") << second;
  EXPECT_NE(second.find("Retry-After: 7"), std::string::npos) << second;
}
