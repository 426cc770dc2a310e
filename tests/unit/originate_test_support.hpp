// Shared fixture for the originate tests: a running Engine with the Test and Local drivers, a
// ScriptedPbx, and helpers that wait for an originate result with a bounded wait.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>
#include <mutex>

#include "telephony/engine.hpp"
#include "telephony/local/local_driver.hpp"
#include "telephony/originate.hpp"
#include "testkit/engine_kit.hpp"

namespace telephony::originate_test {

using namespace std::chrono_literals;

struct OriginateFixture : ::testing::Test {
  Engine engine{EngineOptions{.threads = 2}};
  std::shared_ptr<testkit::TestDriver> test_driver = std::make_shared<testkit::TestDriver>();
  std::shared_ptr<testkit::ScriptedPbx> pbx = std::make_shared<testkit::ScriptedPbx>();

  void SetUp() override {
    ASSERT_TRUE(engine.drivers().add("Test", test_driver));
    ASSERT_TRUE(engine.drivers().add("Local", std::make_shared<LocalDriver>()));
    engine.set_pbx(pbx);
    register_originate_commands(engine);
    engine.start();
  }
  void TearDown() override { engine.stop(); }

  // Runs the callback form and waits (bounded) for its single result.
  OriginateResult run(OriginateRequest req, std::chrono::milliseconds limit = 5s) {
    auto promise = std::make_shared<std::promise<OriginateResult>>();
    auto fut = promise->get_future();
    originate(engine, std::move(req), [promise](const OriginateResult& r) { promise->set_value(r); });
    if (fut.wait_for(limit) != std::future_status::ready) {
      ADD_FAILURE() << "originate did not complete within " << limit.count() << " ms";
      return {};
    }
    return fut.get();
  }

  static OriginateRequest to_dialplan(std::string dial, std::string exten, std::string context) {
    OriginateRequest r;
    r.dial = std::move(dial);
    r.exten = std::move(exten);
    r.context = std::move(context);
    r.timeout = 2s;
    return r;
  }
};

// Collects what a dialplan script saw, for assertions from the test thread.
struct Seen {
  std::mutex mu;
  std::vector<std::string> lines;
  void add(std::string s) {
    std::lock_guard lock(mu);
    lines.push_back(std::move(s));
  }
  std::vector<std::string> get() {
    std::lock_guard lock(mu);
    return lines;
  }
  std::size_t size() {
    std::lock_guard lock(mu);
    return lines.size();
  }
};

}  // namespace telephony::originate_test
