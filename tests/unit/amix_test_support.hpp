// Shared fixture for the engine-backed AMI tests: a real Engine with Test/<name> channels, the
// ManagerModule listening on 127.0.0.1 (free port), and our ami::Client on its own io thread.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "ami_test_support.hpp"
#include "telephony/engine.hpp"
#include "telephony/manager/module.hpp"
#include "testkit/engine_kit.hpp"

namespace amix_test {

using namespace ami_test;
using telephony::Result;
using telephony::ami::Client;

inline telephony::manager::ManagerConfig default_config() {
  telephony::manager::ManagerConfig cfg;
  cfg.options.port = 0;
  cfg.options.auth_failure_delay = 100ms;
  cfg.users = {user("admin", "s3cret"), user("caller", "pw", "call", "call"),
               user("reader", "pw", "call,dtmf,user,system,dialplan", "reporting"),
               user("nocmd", "pw", "all", "call,system")};
  return cfg;
}

// Counts reloads; fails them while `broken` is set (as a module whose file has an error).
class FakeModule : public telephony::Module {
 public:
  explicit FakeModule(std::string name) : name_(std::move(name)) {}
  std::string_view name() const override { return name_; }
  std::string_view config_file() const override { return "fake.conf"; }
  Result<void, telephony::Errors> check(const std::filesystem::path&) override { return {}; }
  Result<void, telephony::Errors> load(const std::filesystem::path&) override {
    ++reloads;
    if (broken) {
      telephony::Errors e;
      e.items.push_back({"bad value", name_ + ".conf:3"});
      return telephony::Unexpected<telephony::Errors>{e};
    }
    return {};
  }
  std::atomic<int> reloads{0};
  std::atomic<bool> broken{false};

 private:
  std::string name_;
};

class Fixture {
 public:
  explicit Fixture(telephony::manager::ManagerConfig cfg = default_config())
      : engine({.threads = 2, .worker_threads = 1}), module(engine) {
    driver = std::make_shared<telephony::testkit::TestDriver>();
    (void)engine.drivers().add("Test", driver);
    engine.start();
    auto r = module.apply(std::move(cfg));
    EXPECT_TRUE(r) << r.error().to_string();
  }
  ~Fixture() {
    io.sync([this] { clients.clear(); });
    module.unload();
    engine.stop(std::chrono::milliseconds(200));
  }

  // A logged-in client whose events land in `events` (if given).
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
  telephony::Channel::Ptr channel(const std::string& device, const std::string& exten = "100") {
    return driver->inbound(engine, device, "default", exten);
  }

  IoThread io;
  telephony::Engine engine;
  telephony::manager::ManagerModule module;
  std::shared_ptr<telephony::testkit::TestDriver> driver;
  std::vector<std::unique_ptr<Client>> clients;
};

inline Message action(std::string_view name) {
  Message m;
  m.add("Action", name);
  return m;
}

// First event named `name` (optionally with header key == value), waiting up to 5 s.
inline std::optional<Message> wait_event(EventLog& log, std::string_view name, std::string_view key = {},
                                         std::string_view value = {}) {
  std::optional<Message> found;
  log.wait([&](const std::vector<Message>& evs) {
    for (const auto& e : evs)
      if (telephony::ami::iequals(e.event(), name) && (key.empty() || e.get_or(key) == value)) {
        found = e;
        return true;
      }
    return false;
  });
  return found;
}

// Header keys in order (for field-order assertions).
inline std::vector<std::string> keys(const Message& m) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < m.size(); ++i) out.emplace_back(m.at(i).key);
  return out;
}

}  // namespace amix_test
