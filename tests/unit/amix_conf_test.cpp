// manager.conf: what each key configures, every bad line reported with file:line, and module
// reloads (a good file applies to new logins without dropping sessions; a broken one changes nothing).
#include <fstream>

#include "amix_test_support.hpp"
#include "telephony/config/config.hpp"

using namespace amix_test;
using telephony::manager::parse_manager_config;

namespace {
Result<telephony::manager::ManagerConfig, telephony::Errors> parse(std::string_view text) {
  auto file = telephony::config::parse_string(text, "manager.conf");
  if (!file) return telephony::Unexpected<telephony::Errors>{file.error()};
  return parse_manager_config(*file);
}

std::string all_errors(const telephony::Errors& e) { return e.to_string(); }

struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/amix-conf.XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  void write(const std::string& name, const std::string& text) const { std::ofstream(path / name) << text; }
  std::filesystem::path path;
};
}  // namespace

TEST(AmixConf, ReadsGeneralUsersTemplatesAndFilters) {
  auto cfg = parse(R"([general]
enabled = yes
port = 15038
bindaddr = 127.0.0.1
tlsenable = no
tlsbindaddr = [::1]:15039
timestampevents = yes
displayconnects = no
allowmultiplelogin = no
authtimeout = 10
authlimit = 5
channelvars = ACCOUNT, TEAM
disabledevents = Newexten,VarSet
allowedfunctions = callerid,len

[ops](!)
read = call,system
write = call
permit = 127.0.0.0/8

[alice](ops)
secret = pw1
deny = 127.0.0.2
writetimeout = 250
eventfilter = !Channel: Local/
eventfilter(action(include),name(Newchannel)) =
setvar = TEAM=blue
)");
  ASSERT_TRUE(cfg) << all_errors(cfg.error());
  const auto& o = cfg->options;
  EXPECT_EQ(o.port, 15038);
  EXPECT_EQ(o.tls_bindaddr, "::1");
  EXPECT_EQ(o.tls_port, 15039);
  EXPECT_TRUE(o.timestampevents);
  EXPECT_FALSE(o.displayconnects);
  EXPECT_FALSE(o.allowmultiplelogin);
  EXPECT_EQ(o.authtimeout, std::chrono::seconds(10));
  EXPECT_EQ(o.authlimit, 5u);
  EXPECT_EQ(o.channelvars, (std::vector<std::string>{"ACCOUNT", "TEAM"}));
  EXPECT_EQ(o.disabledevents, (std::vector<std::string>{"Newexten", "VarSet"}));
  EXPECT_EQ(cfg->actions.allowed_functions, (std::vector<std::string>{"CALLERID", "LEN"}));
  ASSERT_EQ(cfg->users.size(), 1u);  // the template is not a user
  const auto& u = cfg->users[0];
  EXPECT_EQ(u.name, "alice");
  EXPECT_EQ(u.secret, "pw1");
  EXPECT_EQ(u.read, *PrivilegeSet::parse("call,system"));
  EXPECT_EQ(u.write, *PrivilegeSet::parse("call"));
  ASSERT_EQ(u.acl.size(), 2u);
  EXPECT_TRUE(u.acl[0].permit);
  EXPECT_FALSE(u.acl[1].permit);
  EXPECT_EQ(u.writetimeout, std::chrono::milliseconds(250));
  ASSERT_EQ(u.eventfilters.size(), 2u);
  EXPECT_TRUE(u.eventfilters[0].is_exclude());
  EXPECT_FALSE(u.eventfilters[1].is_exclude());
  ASSERT_EQ(u.setvar.size(), 1u);
  EXPECT_EQ(u.setvar[0], (std::pair<std::string, std::string>{"TEAM", "blue"}));
}

TEST(AmixConf, EveryBadLineIsAnErrorWithFileAndLine) {
  auto cfg = parse(R"([general]
port = 99999
enabled = perhaps
colour = blue
bindaddr = localhost
[bob]
secret = x
read = call,telepathy
permit = 10.0.0.0/33
writetimeout = fast
eventfilter(action(maybe)) = x
setvar = novalue
frobnicate = 1
[bob]
secret = y
[carol]
read = call
)");
  ASSERT_FALSE(cfg);
  const auto text = all_errors(cfg.error());
  for (const char* expected : {"manager.conf:2: 'port' must be a whole number from 0 to 65535, not '99999'",
                               "manager.conf:3: 'enabled' must be yes or no, not 'perhaps'",
                               "manager.conf:4: unknown option 'colour' in [general]",
                               "manager.conf:5: 'bindaddr': 'localhost' is not an IP address",
                               "manager.conf:8: 'read'", "telepathy",
                               "manager.conf:9: 'permit'",
                               "manager.conf:10: 'writetimeout' must be a whole number",
                               "manager.conf:11: bad eventfilter",
                               "manager.conf:12: setvar must be NAME=value",
                               "manager.conf:13: unknown option 'frobnicate' for manager user [bob]",
                               "manager.conf:14: manager user [bob] is defined twice",
                               "manager.conf:16: manager user [carol] has no secret"})
    EXPECT_NE(text.find(expected), std::string::npos) << "missing: " << expected << "\nin:\n" << text;
}

TEST(AmixConf, ReloadKeepsSessionsAndABrokenFileKeepsTheRunningConfig) {
  TempDir dir;
  dir.write("manager.conf", "[general]\nport = 0\n[first]\nsecret = one\nread = all\nwrite = all\n");
  IoThread io;
  telephony::Engine engine({.threads = 2, .worker_threads = 1});
  engine.start();
  telephony::manager::ManagerModule module(engine);
  ASSERT_TRUE(module.check(dir.path));
  auto loaded = module.load(dir.path);
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  const auto port = module.port();
  ASSERT_NE(port, 0);

  std::vector<std::unique_ptr<Client>> clients;
  auto try_login = [&](const std::string& u, const std::string& s) {
    Client* c = nullptr;
    io.sync([&] {
      clients.push_back(std::make_unique<Client>(io.io));
      c = clients.back().get();
    });
    EXPECT_TRUE(io.run(c->connect("127.0.0.1", port)));
    return std::make_pair(c, static_cast<bool>(io.run(c->login(u, s))));
  };
  auto [first, ok1] = try_login("first", "one");
  ASSERT_TRUE(ok1);

  dir.write("manager.conf", "[general]\nport = 0\n[first]\nsecret = one\nbogus = 1\n");
  auto broken = module.reload(dir.path);
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().to_string().find("manager.conf:5: unknown option 'bogus'"), std::string::npos);
  EXPECT_FALSE(module.check(dir.path));
  EXPECT_TRUE(try_login("first", "one").second);  // running config kept

  dir.write("manager.conf", "[general]\nport = 0\n[second]\nsecret = two\nread = all\nwrite = all\n");
  ASSERT_TRUE(module.reload(dir.path));
  EXPECT_EQ(module.port(), port);  // listener not rebound
  EXPECT_TRUE(try_login("second", "two").second);
  EXPECT_FALSE(try_login("first", "one").second);  // new logins use the new users
  auto ping = io.run(first->send(Message{{"Action", "Ping"}}));  // the old session lives on
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->get("Ping"), "Pong");

  io.sync([&] { clients.clear(); });
  module.unload();
  engine.stop(std::chrono::milliseconds(200));
}
