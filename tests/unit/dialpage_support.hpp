// Shared fixture for the Dial()/Page() tests: a real Engine with the dialplan executor, Local
// channels and Test/<name> devices whose device state the test sets, an event log, and helpers to
// find channels, read their last variable values and feed/measure audio.
#pragma once

#include <gtest/gtest.h>

#include <thread>

#include "media_signals.hpp"
#include "mediax_support.hpp"
#include "testkit/testkit.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/dialplan/functions.hpp"
#include "telephony/dialplan/loader.hpp"
#include "telephony/dialplan/module.hpp"
#include "telephony/local/local_driver.hpp"
#include "telephony/media/spectrum.hpp"

namespace dialpage_test {

using namespace telephony;
using namespace std::chrono_literals;
using testkit::EventLog;
using testkit::eventually;

// Test devices whose device state (Page's `s` option) the test chooses; NOT_INUSE by default.
class StatefulTestDriver : public testkit::TestDriver {
 public:
  DeviceState device_state(std::string_view resource) const override {
    std::lock_guard lock(mu_);
    auto it = states_.find(std::string(resource));
    return it == states_.end() ? DeviceState::NotInUse : it->second;
  }
  void set_state(const std::string& device, DeviceState s) {
    std::lock_guard lock(mu_);
    states_[device] = s;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, DeviceState> states_;
};

inline EngineOptions options_recording_to(const std::filesystem::path& dir) {
  EngineOptions o;
  o.threads = 2;
  o.dirs.recordings = dir;
  return o;
}

struct DialPageFixture : ::testing::Test {
  testkit::TempDir recordings{"dialpage-rec"};
  Engine engine{options_recording_to(recordings.path())};
  std::shared_ptr<StatefulTestDriver> driver = std::make_shared<StatefulTestDriver>();
  std::shared_ptr<dialplan::DialplanPbx> pbx;
  std::unique_ptr<EventLog> log;

  void SetUp() override {
    ASSERT_TRUE(engine.drivers().add("Test", driver));
    ASSERT_TRUE(engine.drivers().add("Local", std::make_shared<LocalDriver>()));
    engine.log().set_level(LogLevel::Error);
    pbx = dialplan::install_dialplan(engine);
    dialplan::register_builtin_functions(engine);
    engine.start();
    log = std::make_unique<EventLog>(engine.events());
  }
  void TearDown() override { engine.stop(); }

  void load(const std::string& text) {
    auto p = dialplan::load_dialplan_string(text, "extensions.conf");
    ASSERT_TRUE(p) << p.error().to_string();
    pbx->replace(*p);
  }
  // An inbound call from Test/<device> into exten@ctx.
  Channel::Ptr call(const std::string& ctx, const std::string& exten, const std::string& device) {
    return driver->inbound(engine, device, ctx, exten);
  }
  // The live channel whose name starts with `prefix` ("Test/bob-").
  Channel::Ptr find(const std::string& prefix) {
    for (auto& c : engine.channels())
      if (c->name().rfind(prefix, 0) == 0) return c;
    return nullptr;
  }
  Channel::Ptr wait_channel(const std::string& prefix, std::chrono::milliseconds t = 3s) {
    Channel::Ptr c;
    eventually([&] { return (c = find(prefix)) != nullptr; }, t);
    return c;
  }
  bool wait_gone(const std::string& name, std::chrono::milliseconds t = 5s) {
    return log->wait_for_type("ChannelHungUp", [&](const Event& e) { return e.as<ChannelHungUp>()->channel.name == name; }, t);
  }
  std::optional<HangupCause> hangup_cause_of(const std::string& prefix) {
    for (auto& e : log->events())
      if (auto* h = e->as<ChannelHungUp>(); h && h->channel.name.rfind(prefix, 0) == 0) return h->cause;
    return std::nullopt;
  }
  std::vector<std::string> trace(const std::string& name) {
    std::vector<std::string> out;
    for (auto& e : log->events())
      if (auto* s = e->as<DialplanStep>(); s && s->channel.name == name && s->application == "NoOp") out.push_back(s->data);
    return out;
  }
  // Last value set for `var` on the channel whose name starts with `prefix`.
  std::optional<std::string> var_set(const std::string& prefix, const std::string& var) {
    std::optional<std::string> v;
    for (auto& e : log->events())
      if (auto* s = e->as<ChannelVarSet>(); s && s->channel.name.rfind(prefix, 0) == 0 && s->variable == var) v = s->value;
    return v;
  }
  // DialBegin dialstrings and "resource=STATUS" of every DialEnd, in order.
  std::vector<std::string> dial_begins() {
    std::vector<std::string> out;
    for (auto& e : log->events())
      if (auto* b = e->as<DialBegin>()) out.push_back(b->dialstring);
    return out;
  }
  std::map<std::string, std::string> dial_ends() {
    std::map<std::string, std::string> out;
    for (auto& e : log->events())
      if (auto* d = e->as<DialEnd>()) {
        auto n = d->dest.name;
        out[n.substr(0, n.rfind('-'))] = d->dialstatus;
      }
    return out;
  }
  void set_on_call(const std::string& device, std::function<void(Channel&)> f) {
    auto ep = driver->endpoint(device);
    std::lock_guard lock(ep->mu);
    ep->on_call = std::move(f);
  }
  // Each talker's device "says" its tone for `frames` 20 ms frames, paced in real time.
  void feed(const std::vector<std::pair<Channel::Ptr, double>>& talkers, std::size_t frames) {
    const auto t0 = std::chrono::steady_clock::now();
    for (std::size_t k = 0; k < frames; ++k) {
      for (auto& [chan, hz] : talkers) chan->queue_frame(mediax_test::tone_frame(chan->native_format(), hz, k));
      std::this_thread::sleep_until(t0 + (k + 1) * 20ms);
    }
  }
  // What Test/<device> was sent, decoded to 8 kHz slin.
  std::vector<std::int16_t> heard(const std::string& device) { return mediax_test::decoded(*driver->endpoint(device), 8000); }
  static double level_at(std::span<const std::int16_t> pcm, double hz) {
    return media::power_dbfs(media::goertzel_power(pcm, 8000, hz));
  }
};

// The bridge of the page in progress: Page() runs ConfBridge, whose bridges ConfBridge creates.
inline std::shared_ptr<Bridge> page_room(Engine& engine) {
  for (auto& b : engine.bridges())
    if (b->snapshot().creator == "ConfBridge") return b;
  return nullptr;
}

inline std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (auto& x : v) s += "[" + x + "]";
  return s;
}

}  // namespace dialpage_test
