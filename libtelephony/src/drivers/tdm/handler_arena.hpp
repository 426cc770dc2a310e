// Internal: fixed memory for the asio handlers a span posts per audio block.
//
// Asio allocates every posted handler (and a strand's invoker) through the handler's associated
// allocator; the default recycles one block per thread (Boost 1.74), which a chain of posts in
// flight at once exhausts, so each block would cost heap allocations. A handler wrapped with
// arena_bound() takes its memory from the arena's few fixed slots instead (falling back to the
// heap only when all are busy). Slots are claimed with atomics: the producer allocates on the
// writer's thread, the consumer frees on the strand's.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <new>
#include <utility>

namespace telephony::tdm {

class HandlerArena {
 public:
  static constexpr std::size_t kSlot = 256;

  void* allocate(std::size_t n) {
    if (n <= kSlot)
      for (auto& s : slots_)
        if (!s.used.exchange(true, std::memory_order_acquire)) return s.data;
    return ::operator new(n);
  }
  void deallocate(void* p) {
    for (auto& s : slots_)
      if (p == s.data) {
        s.used.store(false, std::memory_order_release);
        return;
      }
    ::operator delete(p);
  }

 private:
  struct Slot {
    alignas(std::max_align_t) unsigned char data[kSlot];
    std::atomic<bool> used{false};
  };
  std::array<Slot, 4> slots_;
};

template <class T>
struct ArenaAllocator {
  using value_type = T;
  HandlerArena* arena;
  explicit ArenaAllocator(HandlerArena* a) : arena(a) {}
  template <class U>
  ArenaAllocator(const ArenaAllocator<U>& o) : arena(o.arena) {}  // NOLINT: rebinding is implicit
  T* allocate(std::size_t n) { return static_cast<T*>(arena->allocate(n * sizeof(T))); }
  void deallocate(T* p, std::size_t) { arena->deallocate(p); }
  template <class U>
  bool operator==(const ArenaAllocator<U>& o) const { return arena == o.arena; }
  template <class U>
  bool operator!=(const ArenaAllocator<U>& o) const { return arena != o.arena; }
};

template <class Handler>
struct ArenaBound {
  HandlerArena* arena;
  Handler handler;
  using allocator_type = ArenaAllocator<ArenaBound>;
  allocator_type get_allocator() const noexcept { return allocator_type(arena); }
  template <class... Args>
  void operator()(Args&&... args) {
    handler(std::forward<Args>(args)...);
  }
};

template <class Handler>
ArenaBound<std::decay_t<Handler>> arena_bound(HandlerArena& arena, Handler&& h) {
  return {&arena, std::forward<Handler>(h)};
}

}  // namespace telephony::tdm
