// AMI server protection against clients that stall or never log in, and AMI over TLS.
#include <gtest/gtest.h>

#include <boost/asio/ssl/context.hpp>
#include <cstdlib>

#include "ami_test_support.hpp"
#include "testkit/testkit.hpp"

using namespace ami_test;
using telephony::ami::Client;

namespace {

ServerOptions base_options() {
  ServerOptions o;
  o.port = 0;
  o.auth_failure_delay = 50ms;
  return o;
}

Message big_event(int i) {
  Message m;
  m.add("Event", "UserEvent").add("Seq", std::to_string(i)).add("Payload", std::string(2000, 'p'));
  return m;
}

void raw_login(RawClient& raw, std::string_view user, std::string_view secret) {
  raw.send("Action: Login\r\nUsername: " + std::string(user) + "\r\nSecret: " + std::string(secret) + "\r\n\r\n");
  ASSERT_NE(raw.read_until("Authentication accepted").find("Authentication accepted"), std::string::npos);
}

}  // namespace

TEST(AmiServerLimits, StuckClientCutOffByWriteTimeoutWhileFastClientGetsEverything) {
  auto fast = user("fast", "pw");
  fast.writetimeout = 5000ms;  // generous: this machine is shared, the fast reader must not trip it
  auto slow = user("slow", "pw");
  slow.writetimeout = 100ms;
  auto opts = base_options();
  opts.session_queue_limit = 1000000;  // only the write timeout may cut the slow client here
  IoThread io;
  Server server(io.io, opts, {fast, slow});
  std::vector<std::string> log;
  std::mutex log_mu;
  server.set_log([&](std::string_view l) { std::lock_guard g(log_mu); log.emplace_back(l); });
  ASSERT_TRUE(server.start());

  RawClient stuck(server.port(), 4096);
  raw_login(stuck, "slow", "pw");  // and from now on never reads again

  EventLog events;
  std::unique_ptr<Client> client;
  io.sync([&] {
    client = std::make_unique<Client>(io.io);
    client->on_event([&](const Message& m) { events.add(m); });
  });
  ASSERT_TRUE(io.run(client->connect("127.0.0.1", server.port())));
  ASSERT_TRUE(io.run(client->login("fast", "pw")));

  constexpr int kEvents = 5000;  // ~10 MB: far beyond any socket buffer of the stuck client
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kEvents; ++i) server.publish(big_event(i), Privilege::User);
  const auto publish_time = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(publish_time, 3s) << "publish() must not wait for any client";

  ASSERT_TRUE(events.wait([](auto& e) { return e.size() >= kEvents + 1; }, 20000ms))
      << "fast client got " << events.snapshot().size();
  auto got = events.snapshot();
  EXPECT_EQ(got.back().get("Seq"), std::to_string(kEvents - 1));
  for (int i = 0; i < 10 && server.stats().write_timeout_disconnects == 0; ++i) std::this_thread::sleep_for(100ms);
  EXPECT_EQ(server.stats().write_timeout_disconnects, 1u);
  EXPECT_EQ(server.stats().queue_overflow_disconnects, 0u);
  EXPECT_TRUE(stuck.closed_by_peer(10000ms));
  {
    std::lock_guard g(log_mu);
    bool found = false;
    for (auto& l : log) found |= l.find("user 'slow'") != std::string::npos && l.find("no progress") != std::string::npos;
    EXPECT_TRUE(found);
  }
  io.sync([&] { client.reset(); });
}

TEST(AmiServerLimits, QueueOverLimitDisconnects) {
  auto slow = user("slow", "pw");
  slow.writetimeout = 60000ms;  // only the queue limit may cut the client here
  auto opts = base_options();
  opts.session_queue_limit = 100;
  IoThread io;
  Server server(io.io, opts, {slow});
  server.set_log([](std::string_view) {});
  ASSERT_TRUE(server.start());
  RawClient stuck(server.port(), 4096);
  raw_login(stuck, "slow", "pw");
  for (int i = 0; i < 3000; ++i) server.publish(big_event(i), Privilege::User);
  for (int i = 0; i < 50 && server.stats().queue_overflow_disconnects == 0; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(server.stats().queue_overflow_disconnects, 1u);
  EXPECT_EQ(server.stats().write_timeout_disconnects, 0u);
  EXPECT_TRUE(stuck.closed_by_peer(10000ms));
}

TEST(AmiServerLimits, AuthTimeoutClosesIdleUnauthenticatedSession) {
  auto opts = base_options();
  opts.authtimeout = 1s;
  IoThread io;
  Server server(io.io, opts, {user("a", "b")});
  server.set_log([](std::string_view) {});
  ASSERT_TRUE(server.start());
  RawClient idle(server.port());
  RawClient logged(server.port());
  raw_login(logged, "a", "b");
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(idle.closed_by_peer(5000ms));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 800ms);
  EXPECT_EQ(server.stats().authtimeout_disconnects, 1u);
  logged.send("Action: Ping\r\n\r\n");  // the logged-in session is untouched
  EXPECT_NE(logged.read_until("Pong").find("Pong"), std::string::npos);
}

TEST(AmiServerLimits, AuthLimitRefusesExtraUnauthenticatedConnections) {
  auto opts = base_options();
  opts.authlimit = 2;
  IoThread io;
  Server server(io.io, opts, {user("a", "b")});
  server.set_log([](std::string_view) {});
  ASSERT_TRUE(server.start());
  RawClient one(server.port()), two(server.port());
  EXPECT_NE(one.read_until("\r\n").find("Asterisk Call Manager"), std::string::npos);
  EXPECT_NE(two.read_until("\r\n").find("Asterisk Call Manager"), std::string::npos);
  RawClient three(server.port());
  EXPECT_TRUE(three.closed_by_peer());
  EXPECT_EQ(three.read_until("\r\n", 10ms), "");  // closed without a banner
  EXPECT_EQ(server.stats().authlimit_rejections, 1u);
  raw_login(one, "a", "b");  // logging in frees a slot
  RawClient four(server.port());
  EXPECT_NE(four.read_until("\r\n").find("Asterisk Call Manager"), std::string::npos);
}

TEST(AmiServerLimits, TlsLogin) {
  telephony::testkit::TempDir dir("ami-tls");
  const auto cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  const std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
                          "-subj /CN=127.0.0.1 -keyout " + key + " -out " + cert + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  auto opts = base_options();
  opts.tls_enabled = true;
  opts.tls_port = 0;
  opts.tls_cert_file = cert;
  opts.tls_private_key = key;
  IoThread io;
  Server server(io.io, opts, {user("admin", "pw")});
  server.set_log([](std::string_view) {});
  auto started = server.start();
  ASSERT_TRUE(started) << started.error().to_string();
  ASSERT_NE(server.tls_port(), 0);

  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.load_verify_file(cert);
  ctx.set_verify_mode(asio::ssl::verify_peer);
  std::unique_ptr<Client> client;
  io.sync([&] { client = std::make_unique<Client>(io.io, ctx); });
  auto c = io.run(client->connect("127.0.0.1", server.tls_port()));
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(client->banner(), "Asterisk Call Manager/5.0.0");
  auto login = io.run(client->login("admin", "pw"));
  ASSERT_TRUE(login) << login.error().to_string();
  auto ping = io.run(client->send(Message{{"Action", "Ping"}}));
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->get("Ping"), "Pong");
  io.sync([&] { client.reset(); });

  auto bad = opts;
  bad.tls_cert_file = (dir / "missing.pem").string();
  bad.tls_private_key.clear();
  Server broken(io.io, bad, {});
  auto err = broken.start();
  ASSERT_FALSE(err);
  EXPECT_NE(err.error().to_string().find("missing.pem"), std::string::npos);
}
