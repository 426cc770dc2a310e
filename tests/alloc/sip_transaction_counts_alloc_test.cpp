// Counting SIP transactions for the metrics (telephony_sip_transactions_total) happens on every
// transaction's end, on any thread: it must neither allocate nor lock. This binary counts global
// operator new calls around the counting; it is its own executable so that the count sees
// nothing but this file's traffic.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <memory>
#include <new>
#include <thread>
#include <tuple>
#include <vector>

#include "drivers/sip/transaction.hpp"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace telephony::sip {
namespace {

TEST(SipTransactionCounts, CountingAllocatesNothingAndReportsEachLabelSet) {
  auto counts = std::make_unique<TransactionCounts>();
  const long before = g_allocations.load();
  for (int i = 0; i < 1000; ++i) {
    counts->count(true, Method::Invite, 200);
    counts->count(false, Method::Invite, 486);
  }
  counts->count(true, Method::Unknown, 501);
  counts->count(false, Method::Options, 0);  // timed out
  counts->count(true, Method::Bye, 100);     // not a final code: counted as "no final response"
  EXPECT_EQ(g_allocations.load() - before, 0) << "counting a transaction allocated";

  std::map<std::tuple<bool, Method, int>, std::uint64_t> seen;
  for (const auto& r : counts->rows()) seen[{r.inbound, r.method, r.code}] = r.n;
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_EQ((seen[{true, Method::Invite, 200}]), 1000u);
  EXPECT_EQ((seen[{false, Method::Invite, 486}]), 1000u);
  EXPECT_EQ((seen[{true, Method::Unknown, 501}]), 1u);
  EXPECT_EQ((seen[{false, Method::Options, 0}]), 1u);
  EXPECT_EQ((seen[{true, Method::Bye, 0}]), 1u);
}

TEST(SipTransactionCounts, ConcurrentCountsAreExact) {
  auto counts = std::make_unique<TransactionCounts>();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 50000; ++i) counts->count(true, Method::Register, 401);
    });
  for (auto& t : threads) t.join();
  const auto rows = counts->rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].n, 200000u);
  EXPECT_EQ(rows[0].code, 401);
  EXPECT_EQ(rows[0].method, Method::Register);
}

}  // namespace
}  // namespace telephony::sip
