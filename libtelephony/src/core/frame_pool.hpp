// Internals of the frame path's memory (see frame.hpp for the public side): fixed-size blocks on
// per-thread free lists, traded in batches through a shared depot, for the two things a frame
// costs per hop — its payload (payload_pool.cpp) and the handler that carries it to another
// strand (HandlerAllocator below, the allocator asio uses for that post). Once the lists have
// grown to the working set, neither touches the heap, even when frames are made on one thread
// and dropped on another.
//
// The per-thread counters of frame_path_counters() live here too: each thread bumps its own
// (plain relaxed stores, no shared cache line), the reader sums them.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>

namespace telephony::frame_pool {

// The largest payload the pool holds (60 ms of slin48); larger ones take the heap.
constexpr std::size_t kMaxPooledPayload = 6144;

// Raw block for a handler of `bytes` (pooled up to 512 bytes; larger ones come from the heap).
void* allocate_block(std::size_t bytes);
void free_block(void* p, std::size_t bytes) noexcept;

// asio's associated allocator for the frame-carrying handlers (Channel::write/queue_frame posts
// to another strand): the operation and the strand's invoker come from the pool.
template <class T>
struct HandlerAllocator {
  using value_type = T;
  HandlerAllocator() noexcept = default;
  template <class U>
  HandlerAllocator(const HandlerAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(allocate_block(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { free_block(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const HandlerAllocator<U>&) const noexcept { return true; }
  template <class U>
  bool operator!=(const HandlerAllocator<U>&) const noexcept { return false; }
};

// A callable with the pool as its associated allocator.
template <class F>
struct PooledHandler {
  F f;
  using allocator_type = HandlerAllocator<void>;
  allocator_type get_allocator() const noexcept { return {}; }
  void operator()() { f(); }
};
template <class F>
PooledHandler<F> pooled(F f) {
  return PooledHandler<F>{std::move(f)};
}

struct Counters {
  std::atomic<std::uint64_t> payloads_pooled{0};
  std::atomic<std::uint64_t> payloads_heap{0};
  std::atomic<std::uint64_t> pool_growth{0};
  std::atomic<std::uint64_t> relay_direct{0};
  std::atomic<std::uint64_t> frame_posts{0};
  std::atomic<std::uint64_t> bridge_hops{0};
  std::atomic<std::uint64_t> voice_shed{0};
};
// This thread's counters (registered on first use; folded into a total when the thread ends).
Counters& thread_counters();
inline void bump(std::atomic<std::uint64_t>& c) {
  c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

}  // namespace telephony::frame_pool
