// Fixture for the AMI actions that need the dialplan, originate, AstDB and bridges: a real Engine
// with Local and Test drivers, the dialplan executor with a small extensions.conf, AstDB in a
// temp directory, the ManagerModule on a free port and our ami::Client on its own io thread.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ami_test_support.hpp"
#include "amix_test_support.hpp"
#include "telephony/astdb.hpp"
#include "telephony/dialplan/loader.hpp"
#include "telephony/dialplan/module.hpp"
#include "telephony/engine.hpp"
#include "telephony/local/local_driver.hpp"
#include "telephony/manager/module.hpp"
#include "testkit/engine_kit.hpp"

namespace amiz_test {

using namespace ami_test;
using amix_test::action;
using amix_test::wait_event;
using telephony::ami::Client;

// [test] answers and waits; [park] holds calls; [dst] is where redirects and transfers go.
inline constexpr const char* kDialplan =
    "[test]\n"
    "exten => 100,1,Answer()\n"
    " same => n,Wait(0.3)\n"
    " same => n,Hangup()\n"
    "exten => 200,1,Answer()\n"
    " same => n(waiting),Wait(20)\n"
    "exten => busy,1,Busy(5)\n"
    "exten => slow,1,Wait(10)\n"
    "exten => 300,hint,Test/alice&Test/bob\n"
    "exten => 300,1,NoOp(hinted)\n"
    "include => more\n"
    "[more]\n"
    "exten => 400,1,NoOp(included)\n"
    "[dst]\n"
    "exten => 500,1,NoOp(redirected ${EXTEN})\n"
    " same => n(stay),Wait(20)\n"
    "exten => 600,1,NoOp(extra ${EXTEN})\n"
    " same => n,Wait(20)\n";

inline std::filesystem::path temp_dir() {
  static std::atomic<int> n{0};
  auto d = std::filesystem::temp_directory_path() /
           ("amiz-" + std::to_string(::getpid()) + "-" + std::to_string(n.fetch_add(1)));
  std::filesystem::create_directories(d);
  return d;
}

inline telephony::EngineOptions engine_options(const std::filesystem::path& dir) {
  telephony::EngineOptions o;
  o.threads = 2;
  o.worker_threads = 1;
  o.dirs.db = dir;
  return o;
}

inline telephony::manager::ManagerConfig config() {
  auto cfg = amix_test::default_config();
  // May originate but has no system write: the dangerous-application checks apply.
  cfg.users.push_back(user("orig", "pw", "all", "originate,call,reporting"));
  return cfg;
}

class Fixture {
 public:
  Fixture() : dir(temp_dir()), engine(engine_options(dir)), module(engine) {
    engine.log().set_level(telephony::LogLevel::Error);
    driver = std::make_shared<telephony::testkit::TestDriver>();
    (void)engine.drivers().add("Test", driver);
    (void)engine.drivers().add("Local", std::make_shared<telephony::LocalDriver>());
    pbx = telephony::dialplan::install_dialplan(engine);
    auto plan = telephony::dialplan::load_dialplan_string(kDialplan, "extensions.conf");
    EXPECT_TRUE(plan) << plan.error().to_string();
    if (plan) pbx->replace(*plan);
    engine.start();
    auto r = module.apply(config());
    EXPECT_TRUE(r) << r.error().to_string();
  }
  ~Fixture() {
    io.sync([this] { clients.clear(); });
    module.unload();
    engine.stop(std::chrono::milliseconds(300));
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  Client& login(const std::string& name = "admin", const std::string& secret = "s3cret", EventLog* events = nullptr) {
    Client* c = nullptr;
    io.sync([&] {
      clients.push_back(std::make_unique<Client>(io.io));
      c = clients.back().get();
      if (events) c->on_event(events->sink());
    });
    auto r = io.run(c->connect("127.0.0.1", module.port()));
    EXPECT_TRUE(r) << r.error().to_string();
    auto l = io.run(c->login(name, secret));
    EXPECT_TRUE(l) << l.error().to_string();
    return *c;
  }
  Message send(Client& c, Message m) {
    auto r = io.run(c.send(std::move(m)));
    EXPECT_TRUE(r) << r.error().to_string();
    return r ? *r : Message{};
  }
  std::vector<Message> send_list(Client& c, Message m) {
    auto r = io.run(c.send_list(std::move(m)));
    EXPECT_TRUE(r) << r.error().to_string();
    return r ? *r : std::vector<Message>{};
  }
  // An inbound Test/<device> call running the dialplan at exten@context (the driver starts the PBX).
  telephony::Channel::Ptr call_in(const std::string& device, const std::string& context, const std::string& exten) {
    return driver->inbound(engine, device, context, exten);
  }

  std::filesystem::path dir;
  IoThread io;
  telephony::Engine engine;
  telephony::manager::ManagerModule module;
  std::shared_ptr<telephony::testkit::TestDriver> driver;
  std::shared_ptr<telephony::dialplan::DialplanPbx> pbx;
  std::vector<std::unique_ptr<Client>> clients;
};

// Newexten events of `channel` (prefix match) with this application and data.
inline bool saw_step(EventLog& log, std::string_view channel_prefix, std::string_view app, std::string_view data) {
  return log.wait([&](const std::vector<Message>& evs) {
    for (const auto& e : evs)
      if (e.event() == "Newexten" && e.get_or("Channel").substr(0, channel_prefix.size()) == channel_prefix &&
          e.get_or("Application") == app && e.get_or("AppData") == data)
        return true;
    return false;
  });
}

}  // namespace amiz_test
