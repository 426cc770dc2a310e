// AMI server seen from real sockets on 127.0.0.1 with our Client (and raw sockets for clients
// that misbehave on purpose): login, challenge, permissions, events by class, filters, actions.
#include <gtest/gtest.h>

#include "ami_test_support.hpp"
#include "telephony/manager/writer.hpp"

using namespace ami_test;
using telephony::Result;
using telephony::ami::Client;

namespace {

struct Fixture {
  explicit Fixture(ServerOptions o = options(), std::vector<UserOptions> users = default_users())
      : server(io.io, std::move(o), std::move(users)) {
    server.set_log([this](std::string_view line) {
      std::lock_guard lock(log_mu);
      log.emplace_back(line);
    });
    auto r = server.start();
    EXPECT_TRUE(r) << r.error().to_string();
  }
  ~Fixture() {
    io.sync([this] { clients.clear(); });
    server.stop();
  }
  static ServerOptions options() {
    ServerOptions o;
    o.port = 0;
    o.auth_failure_delay = 200ms;
    return o;
  }
  static std::vector<UserOptions> default_users() {
    return {user("admin", "s3cret"), user("caller", "pw", "call", "call"), user("sys", "pw", "system", "system")};
  }
  // A connected client whose events land in `events`.
  Client& connect(EventLog* events = nullptr) {
    Client* c = nullptr;
    io.sync([&] {
      clients.push_back(std::make_unique<Client>(io.io));
      c = clients.back().get();
      if (events) c->on_event(events->sink());
    });
    auto r = io.run(c->connect("127.0.0.1", server.port()));
    EXPECT_TRUE(r) << r.error().to_string();
    return *c;
  }
  Result<Message> send(Client& c, Message m) { return io.run(c.send(std::move(m))); }
  bool logged(std::string_view needle) {
    std::lock_guard lock(log_mu);
    for (const auto& l : log)
      if (l.find(needle) != std::string::npos) return true;
    return false;
  }

  IoThread io;
  Server server;
  std::vector<std::unique_ptr<Client>> clients;
  std::mutex log_mu;
  std::vector<std::string> log;
};

Message ev(std::string_view name, std::string_view k = {}, std::string_view v = {}) {
  Message m;
  m.add("Event", name);
  if (!k.empty()) m.add(k, v);
  return m;
}

}  // namespace

TEST(AmiServer, BannerLoginAndFullyBooted) {
  Fixture f;
  EventLog events;
  Client& c = f.connect(&events);
  EXPECT_EQ(c.banner(), "Asterisk Call Manager/5.0.0");
  auto r = f.io.run(c.login("admin", "s3cret"));
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->get("Message"), "Authentication accepted");
  ASSERT_TRUE(events.wait([](auto& e) { return !e.empty(); }));
  auto first = events.snapshot().front();
  EXPECT_EQ(first.event(), "FullyBooted");
  EXPECT_EQ(first.get("Privilege"), "system,all");
  EXPECT_EQ(first.get("Status"), "Fully Booted");
  EXPECT_TRUE(f.logged("Manager 'admin' logged on from 127.0.0.1"));
}

TEST(AmiServer, BadLoginIsDelayedAnsweredThenClosed) {
  Fixture f;
  RawClient raw(f.server.port());
  EXPECT_NE(raw.read_until("\r\n").find("Asterisk Call Manager/"), std::string::npos);
  const auto t0 = std::chrono::steady_clock::now();
  raw.send("Action: Login\r\nActionID: x1\r\nUsername: admin\r\nSecret: wrong\r\n\r\n");
  const std::string got = raw.read_until("\r\n\r\n");
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 190ms);
  EXPECT_NE(got.find("Response: Error\r\nActionID: x1\r\nMessage: Authentication failed\r\n\r\n"), std::string::npos) << got;
  EXPECT_TRUE(raw.closed_by_peer());
  EXPECT_EQ(f.server.stats().auth_failures, 1u);
}

TEST(AmiServer, Md5ChallengeLogin) {
  Fixture f;
  Client& good = f.connect();
  auto ok = f.io.run(good.login_md5("admin", "s3cret"));
  ASSERT_TRUE(ok) << ok.error().to_string();
  Client& bad = f.connect();
  auto no = f.io.run(bad.login_md5("admin", "guess"));
  ASSERT_FALSE(no);
  EXPECT_NE(no.error().message.find("Authentication failed"), std::string::npos);
  // MD5 without a Challenge first is refused too.
  RawClient raw(f.server.port());
  raw.send("Action: Login\r\nAuthType: MD5\r\nUsername: admin\r\nKey: " + telephony::ami::md5_hex("s3cret") + "\r\n\r\n");
  EXPECT_NE(raw.read_until("failed").find("Authentication failed"), std::string::npos);
}

TEST(AmiServer, PermissionDeniedBeforeLoginAndMissingAction) {
  Fixture f;
  Client& c = f.connect();
  auto r = f.send(c, Message{{"Action", "Ping"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->response(), "Error");
  EXPECT_EQ(r->get("Message"), "Permission denied");
  auto m = f.send(c, Message{{"ActionID", "noaction"}});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->get("Message"), "Missing action in request");
}

TEST(AmiServer, PingEchoesActionIdRightAfterResponse) {
  Fixture f;
  RawClient raw(f.server.port());
  raw.send("Action: Login\r\nUsername: admin\r\nSecret: s3cret\r\nEvents: off\r\n\r\n");
  raw.read_until("accepted");
  raw.send("action: ping\r\nactionid: dup\r\n\r\nAction: Ping\r\nActionID: dup\r\n\r\n");
  const std::string got = raw.read_until("Pong", 3000ms);
  auto at = got.find("Response: Success\r\nActionID: dup\r\nPing: Pong\r\nTimestamp: ");
  ASSERT_NE(at, std::string::npos) << got;
  // Duplicate ActionIDs are legal: both answered.
  EXPECT_NE(raw.read_until("Pong", 3000ms).find("Pong", at + 40), std::string::npos);
}

TEST(AmiServer, UnknownActionAndLongLine) {
  Fixture f;
  Client& c = f.connect();
  ASSERT_TRUE(f.io.run(c.login("admin", "s3cret")));
  auto r = f.send(c, Message{{"Action", "NoSuchThing"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->response(), "Error");
  EXPECT_EQ(r->get_or("Message").substr(0, 24), "Invalid/unknown command:");
  RawClient raw(f.server.port());
  raw.send("Action: Ping\r\nX: " + std::string(3000, 'x') + "\r\n\r\n");
  EXPECT_NE(raw.read_until("long").find("Response: Error\r\nMessage: Failed to parse message: line too long"),
            std::string::npos);
}

TEST(AmiServer, EventsDeliveredByReadClassWithPrivilegeHeader) {
  Fixture f;
  EventLog call_events, sys_events;
  Client& caller = f.connect(&call_events);
  Client& sys = f.connect(&sys_events);
  ASSERT_TRUE(f.io.run(caller.login("caller", "pw")));
  ASSERT_TRUE(f.io.run(sys.login("sys", "pw")));
  ASSERT_TRUE(sys_events.wait([](auto& e) { return !e.empty(); }));  // FullyBooted
  f.server.publish(ev("Newchannel", "Channel", "SIP/alice-00000001"), Privilege::Call);
  f.server.publish(ev("Reload", "Module", "manager"), Privilege::System);
  f.server.publish(ev("Marker"), Privilege::Call | Privilege::System);  // needs both classes
  ASSERT_TRUE(call_events.wait([](auto& e) { return !e.empty(); }));
  ASSERT_TRUE(sys_events.wait([](auto& e) { return e.size() >= 2; }));
  std::this_thread::sleep_for(100ms);
  auto ce = call_events.snapshot();
  ASSERT_EQ(ce.size(), 1u);
  EXPECT_EQ(ce[0].event(), "Newchannel");
  EXPECT_EQ(ce[0].at(1).key, "Privilege");
  EXPECT_EQ(ce[0].get("Privilege"), "call,all");
  EXPECT_EQ(ce[0].get("Channel"), "SIP/alice-00000001");
  auto se = sys_events.snapshot();
  ASSERT_EQ(se.size(), 2u);
  EXPECT_EQ(se[1].event(), "Reload");
  // Events: off stops delivery for the session.
  auto off = f.send(caller, Message{{"Action", "Events"}, {"EventMask", "off"}});
  ASSERT_TRUE(off);
  EXPECT_EQ(off->get("Events"), "Off");
  f.server.publish(ev("Hangup"), Privilege::Call);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(call_events.count("Hangup"), 0u);
}

TEST(AmiServer, ConfiguredAndDynamicFilters) {
  auto users = Fixture::default_users();
  users[0].eventfilters.push_back(*EventFilter::parse({}, "!Event: Newexten"));
  users[0].eventfilters.push_back(
      *EventFilter::parse("(action(exclude),name(Newchannel),header(Channel),method(starts_with))", "Local/"));
  Fixture f(Fixture::options(), users);
  EventLog events;
  Client& c = f.connect(&events);
  ASSERT_TRUE(f.io.run(c.login("admin", "s3cret", true)));
  f.server.publish(ev("Newexten", "Channel", "SIP/a-1"), Privilege::Dialplan);
  f.server.publish(ev("Newchannel", "Channel", "Local/100@ctx-0001;1"), Privilege::Call);
  f.server.publish(ev("Newchannel", "Channel", "SIP/b-2"), Privilege::Call);
  ASSERT_TRUE(events.wait([](auto& e) { return e.size() >= 2; }));  // FullyBooted + SIP/b-2
  std::this_thread::sleep_for(100ms);
  auto got = events.snapshot();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].get("Channel"), "SIP/b-2");
  // A dynamic include filter narrows further: now only Hangup events.
  auto r = f.send(c, Message{{"Action", "Filter"}, {"Operation", "Add"}, {"Filter", "Event: Hangup"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->response(), "Success");
  f.server.publish(ev("Newchannel", "Channel", "SIP/c-3"), Privilege::Call);
  f.server.publish(ev("Hangup", "Channel", "SIP/c-3"), Privilege::Call);
  ASSERT_TRUE(events.wait([](auto& e) { return e.size() >= 3; }));
  std::this_thread::sleep_for(100ms);
  got = events.snapshot();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[2].event(), "Hangup");
  auto bad = f.send(c, Message{{"Action", "Filter"}, {"Filter", "(unclosed"}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->response(), "Error");
}

TEST(AmiServer, RegisteredAsyncListActionWithPrivilegeAndDocs) {
  Fixture f;
  f.server.register_action(
      "QueueLike", Privilege::Originate,
      ActionDoc{"List some things.", "Lists two things, answering later.", {{"Filter", false, "unused"}}, {"Ping"}},
      [&f](std::shared_ptr<ActionResponder> r) {
        // Answer later from another handler run, as an engine-backed action would.
        asio::post(f.io.io, [r] {
          r->list_start("Things will follow");
          Message a;
          a.add("Event", "Thing").add("Name", "one");
          r->list_item(a);
          Message b;
          b.add("Event", "Thing").add("Name", "two");
          r->list_item(b);
          r->list_complete("ThingsComplete");
        });
      });
  Client& admin = f.connect();
  ASSERT_TRUE(f.io.run(admin.login("admin", "s3cret", false)));
  Message action;
  action.add("Action", "queuelike").add("ActionID", "L1");
  auto list = f.io.run(admin.send_list(action));
  ASSERT_TRUE(list) << list.error().to_string();
  ASSERT_EQ(list->size(), 4u);
  EXPECT_EQ((*list)[0].get("EventList"), "start");
  EXPECT_EQ((*list)[0].action_id(), "L1");
  EXPECT_EQ((*list)[2].get("Name"), "two");
  EXPECT_EQ((*list)[2].action_id(), "L1");
  EXPECT_EQ((*list)[3].event(), "ThingsComplete");
  EXPECT_EQ((*list)[3].get("ListItems"), "2");
  auto cmds = f.send(admin, Message{{"Action", "ListCommands"}});
  ASSERT_TRUE(cmds);
  EXPECT_EQ(cmds->get("QueueLike"), "List some things. (Priv: originate)");
  EXPECT_EQ(cmds->get("Ping"), "Keepalive command. (Priv: <none>)");
  auto help = f.server.action_help("queuelike");
  ASSERT_TRUE(help);
  EXPECT_NE(help->find("[Synopsis]\nList some things."), std::string::npos);
  EXPECT_NE(help->find("[Filter:] <value>"), std::string::npos);
  Client& caller = f.connect();
  ASSERT_TRUE(f.io.run(caller.login("caller", "pw", false)));
  auto denied = f.send(caller, Message{{"Action", "QueueLike"}});
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->get("Message"), "Permission denied");
  auto cmds2 = f.send(caller, Message{{"Action", "ListCommands"}});
  ASSERT_TRUE(cmds2);
  EXPECT_FALSE(cmds2->has("QueueLike"));
}

TEST(AmiServer, ReloadAppliesToNewLoginsOnly) {
  Fixture f;
  Client& before = f.connect();
  ASSERT_TRUE(f.io.run(before.login("admin", "s3cret", false)));
  auto opts = Fixture::options();
  f.server.reload(opts, {user("admin", "newpass")});
  auto ping = f.send(before, Message{{"Action", "Ping"}});
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->get("Ping"), "Pong");
  Client& old_pw = f.connect();
  EXPECT_FALSE(f.io.run(old_pw.login("admin", "s3cret")));
  Client& new_pw = f.connect();
  EXPECT_TRUE(f.io.run(new_pw.login("admin", "newpass")));
}

TEST(AmiServer, AclDeniesLoginFromLoopback) {
  auto users = Fixture::default_users();
  users[0].acl.push_back(*AclRule::parse(false, "0.0.0.0/0.0.0.0"));
  users[0].acl.push_back(*AclRule::parse(true, "10.0.0.0/8"));
  Fixture f(Fixture::options(), users);
  Client& c = f.connect();
  EXPECT_FALSE(f.io.run(c.login("admin", "s3cret")));
  EXPECT_TRUE(f.logged("address not permitted"));
}

TEST(AmiServer, LogoffSaysGoodbyeAndCloses) {
  Fixture f;
  RawClient raw(f.server.port());
  raw.send("Action: Logoff\r\nActionID: bye\r\n\r\n");
  EXPECT_NE(raw.read_until("fish").find("Response: Goodbye\r\nActionID: bye\r\nMessage: Thanks for all the fish."),
            std::string::npos);
  EXPECT_TRUE(raw.closed_by_peer());
}

TEST(AmiServer, WaitEventCompletesAfterNextEventOrTimeout) {
  Fixture f;
  EventLog events;
  Client& c = f.connect(&events);
  ASSERT_TRUE(f.io.run(c.login("admin", "s3cret", true)));
  ASSERT_TRUE(events.wait([](auto& e) { return !e.empty(); }));  // FullyBooted
  auto r = f.send(c, Message{{"Action", "WaitEvent"}, {"ActionID", "w1"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get("Message"), "Waiting for Event completed.");
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(events.count("WaitEventComplete"), 0u);
  f.server.publish(ev("Hangup"), Privilege::Call);
  ASSERT_TRUE(events.wait([](auto& e) { return e.size() >= 3; }));
  auto got = events.snapshot();
  EXPECT_EQ(got[1].event(), "Hangup");
  EXPECT_EQ(got[2].event(), "WaitEventComplete");
  EXPECT_EQ(got[2].action_id(), "w1");
  auto t = f.send(c, Message{{"Action", "WaitEvent"}, {"Timeout", "1"}});
  ASSERT_TRUE(t);
  EXPECT_TRUE(events.wait([](auto& e) { return e.size() >= 4; }, 3000ms));
}
