// EventBus: total order across subscribers, bounded queues, overflow policies.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "telephony/engine.hpp"
#include "testkit/engine_kit.hpp"

using namespace telephony;
using namespace std::chrono_literals;
using testkit::eventually;

TEST(EventBus, EverySubscriberSeesTheSameTotalOrder) {
  Engine engine{EngineOptions{.threads = 2}};
  engine.start();
  std::mutex mu;
  std::vector<std::uint64_t> a, b;
  auto sa = engine.events().subscribe({.name = "a"}, [&](const EventPtr& e) { std::lock_guard l(mu); a.push_back(e->seq); });
  auto sb = engine.events().subscribe({.name = "b"}, [&](const EventPtr& e) { std::lock_guard l(mu); b.push_back(e->seq); });
  std::vector<std::thread> pubs;
  for (int t = 0; t < 4; ++t)
    pubs.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) engine.events().emit(ModuleReloaded{});
    });
  for (auto& t : pubs) t.join();
  ASSERT_TRUE(eventually([&] { std::lock_guard l(mu); return a.size() == 8000 && b.size() == 8000; }));
  EXPECT_EQ(a, b);
  for (std::size_t i = 1; i < a.size(); ++i) ASSERT_LT(a[i - 1], a[i]);
  EXPECT_EQ(sa.dropped(), 0u);
  engine.stop();
}

TEST(EventBus, SlowSubscriberDropsOldestAndIsToldHowMany) {
  Engine engine{EngineOptions{.threads = 2}};
  engine.start();
  std::atomic<int> fast{0};
  std::atomic<std::uint64_t> lost_reported{0};
  std::atomic<int> slow_seen{0};
  std::promise<void> release;
  auto gate = release.get_future().share();
  auto slow = engine.events().subscribe({.name = "slow", .capacity = 10}, [&](const EventPtr& e) {
    if (auto* l = e->as<EventsLost>()) lost_reported += l->count;
    else ++slow_seen;
    gate.wait();
  });
  auto quick = engine.events().subscribe({.name = "fast"}, [&](const EventPtr&) { ++fast; });
  for (int i = 0; i < 100; ++i) engine.events().emit(ModuleReloaded{});
  // The fast subscriber is not held back by the slow one.
  EXPECT_TRUE(eventually([&] { return fast.load() == 100; }, 2s));
  release.set_value();
  EXPECT_TRUE(eventually([&] { return slow_seen.load() + lost_reported.load() == 100; }, 2s));
  EXPECT_GT(slow.dropped(), 0u);
  EXPECT_EQ(slow.dropped(), lost_reported.load());
  engine.stop();
}

TEST(EventBus, DisconnectPolicyClosesTheSubscription) {
  Engine engine{EngineOptions{.threads = 1}};
  engine.start();
  std::atomic<bool> overflowed{false};
  std::promise<void> release;
  auto gate = release.get_future().share();
  auto sub = engine.events().subscribe(
      {.name = "strict", .capacity = 5, .overflow = EventBus::Overflow::Disconnect, .on_overflow = [&] { overflowed = true; }},
      [&](const EventPtr&) { gate.wait(); });
  for (int i = 0; i < 20; ++i) engine.events().emit(ModuleReloaded{});
  EXPECT_FALSE(sub.active());
  release.set_value();
  EXPECT_TRUE(eventually([&] { return overflowed.load(); }, 2s));
  engine.stop();
}
