// Shared fixture of the funcs_*_test.cpp suites: a running Engine with the built-in functions,
// the Test driver, an AstDB in a temporary directory, and helpers that call a function the way
// the executor does (by registry name, with already-substituted arguments).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "telephony/dialplan/functions.hpp"
#include "telephony/engine.hpp"
#include "testkit/engine_kit.hpp"
#include "testkit/testkit.hpp"

namespace funcs_test {

using namespace telephony;

inline EngineOptions options_in(const testkit::TempDir& dir) {
  EngineOptions o;
  o.threads = 1;
  o.worker_threads = 1;
  o.dirs.db = dir.path() / "db";
  return o;
}

struct FunctionsFixture : ::testing::Test {
  testkit::TempDir dir{"funcs-test"};
  Engine engine{options_in(dir)};
  std::shared_ptr<testkit::TestDriver> driver = std::make_shared<testkit::TestDriver>();
  Channel::Ptr chan;

  void SetUp() override {
    ASSERT_TRUE(engine.drivers().add("Test", driver));
    dialplan::register_builtin_functions(engine);
    engine.start();
    auto c = engine.request("Test/alice");
    ASSERT_TRUE(c);
    chan = *c;
  }
  void TearDown() override {
    chan.reset();
    engine.stop();
  }

  Result<std::string> read(std::string_view name, std::string_view args, Channel* on) {
    auto fn = engine.functions().find(name);
    if (!fn) return fail("no function " + std::string(name));
    if (!fn->read) return fail(std::string(name) + " is write-only");
    return fn->read(dialplan::FunctionCall{engine, on, name, args});
  }
  Result<std::string> read(std::string_view name, std::string_view args) { return read(name, args, chan.get()); }
  // The value, or "ERROR: <message>" so that table rows can expect errors too.
  std::string value(std::string_view name, std::string_view args) {
    auto r = read(name, args);
    return r ? *r : "ERROR: " + r.error().message;
  }
  Result<void> write(std::string_view name, std::string_view args, std::string_view v, Channel* on) {
    auto fn = engine.functions().find(name);
    if (!fn) return fail("no function " + std::string(name));
    if (!fn->write) return fail(std::string(name) + " is read-only");
    return fn->write(dialplan::FunctionCall{engine, on, name, args}, v);
  }
  Result<void> write(std::string_view name, std::string_view args, std::string_view v) {
    return write(name, args, v, chan.get());
  }
  std::string var(std::string_view name) { return chan->variable(name).value_or("<unset>"); }
};

}  // namespace funcs_test
