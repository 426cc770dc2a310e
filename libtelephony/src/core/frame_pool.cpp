// The frame path's pooled memory (frame_pool.hpp, frame.hpp): per-thread free lists in seven size
// classes — three of raw handler blocks, four of payload slots — and a depot the threads trade
// batches through, so a flow that allocates on one thread and frees on another (a sender's strand
// and its peer's) reaches a steady state with no heap traffic.
#include "core/frame_pool.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>
#include <vector>

#include "telephony/frame.hpp"

namespace telephony {

namespace frame_pool {
namespace {

constexpr std::array<std::size_t, 3> kBlockBytes = {128, 256, 512};
// Payload capacities: 20–30 ms of G.711 or an opus packet; 20 ms of slin8 or 60 ms of G.711;
// 20 ms of slin16; 20 ms of slin48 or 60 ms of slin16; 60 ms of slin48 (5760 bytes).
constexpr std::array<std::size_t, 5> kPayloadBytes = {256, 512, 1024, 2048, kMaxPooledPayload};
constexpr std::size_t kBlockClasses = kBlockBytes.size();
constexpr std::size_t kClasses = kBlockClasses + kPayloadBytes.size();
constexpr std::size_t kBatch = 32;               // moved between a thread and the depot at once
constexpr std::size_t kLocalMax = 4 * kBatch;    // free items a thread keeps per class
constexpr std::size_t kDepotMax = 8192;          // free items kept machine-wide per class

// A pooled payload: the shared_ptr control block is placed in `control`, the bytes in a vector
// whose capacity is reserved once when the slot is made.
struct Slot {
  alignas(std::max_align_t) unsigned char control[64];
  std::vector<std::uint8_t> bytes;
  std::uint8_t size_class = 0;
};

void* make_item(std::size_t c) {
  bump(thread_counters().pool_growth);
  if (c < kBlockClasses) return ::operator new(kBlockBytes[c]);
  auto* s = new Slot;
  s->bytes.reserve(kPayloadBytes[c - kBlockClasses]);
  s->size_class = static_cast<std::uint8_t>(c);
  return s;
}

void destroy_item(std::size_t c, void* p) {
  if (c < kBlockClasses) ::operator delete(p);
  else delete static_cast<Slot*>(p);
}

struct Depot {
  std::mutex mu;
  std::array<std::vector<void*>, kClasses> free;
};
Depot& depot() {
  static Depot* d = new Depot;  // never destroyed: threads may free frames during exit
  return *d;
}

void to_depot(std::size_t c, void* const* items, std::size_t n) {
  auto& d = depot();
  std::lock_guard lock(d.mu);
  for (std::size_t i = 0; i < n; ++i) {
    if (d.free[c].size() < kDepotMax) d.free[c].push_back(items[i]);
    else destroy_item(c, items[i]);
  }
}

thread_local bool t_cache_gone = false;

struct LocalCache {
  std::array<std::vector<void*>, kClasses> free;
  LocalCache() {
    for (auto& f : free) f.reserve(kLocalMax + 1);
  }
  ~LocalCache() {
    t_cache_gone = true;
    for (std::size_t c = 0; c < kClasses; ++c) to_depot(c, free[c].data(), free[c].size());
  }
};
thread_local LocalCache t_cache;

void* acquire(std::size_t c) {
  if (t_cache_gone) return make_item(c);
  auto& local = t_cache.free[c];
  if (local.empty()) {
    auto& d = depot();
    std::lock_guard lock(d.mu);
    auto& shared = d.free[c];
    const std::size_t take = std::min(kBatch, shared.size());
    local.insert(local.end(), shared.end() - static_cast<std::ptrdiff_t>(take), shared.end());
    shared.resize(shared.size() - take);
  }
  if (local.empty()) return make_item(c);
  void* p = local.back();
  local.pop_back();
  return p;
}

void release(std::size_t c, void* p) {
  if (t_cache_gone) {
    to_depot(c, &p, 1);
    return;
  }
  auto& local = t_cache.free[c];
  local.push_back(p);
  // A thread that only frees (the receiving end of a cross-thread flow) feeds the ones that
  // only allocate, a batch at a time.
  if (local.size() > kLocalMax) {
    to_depot(c, local.data() + local.size() - kBatch, kBatch);
    local.resize(local.size() - kBatch);
  }
}

std::size_t block_class(std::size_t bytes) {
  for (std::size_t c = 0; c < kBlockClasses; ++c)
    if (bytes <= kBlockBytes[c]) return c;
  return kClasses;
}

std::size_t payload_class(std::size_t bytes) {
  for (std::size_t c = 0; c < kPayloadBytes.size(); ++c)
    if (bytes <= kPayloadBytes[c]) return kBlockClasses + c;
  return kClasses;
}

// Places the payload's control block in its slot; freeing the block (the last owner, weak ones
// included, is gone) is what returns the slot.
template <class T>
struct SlotAllocator {
  using value_type = T;
  Slot* slot;
  explicit SlotAllocator(Slot* s) : slot(s) {}
  template <class U>
  SlotAllocator(const SlotAllocator<U>& o) : slot(o.slot) {}
  T* allocate(std::size_t) {
    static_assert(sizeof(T) <= sizeof(Slot::control), "the control block does not fit its slot");
    static_assert(alignof(T) <= alignof(std::max_align_t));
    return reinterpret_cast<T*>(slot->control);
  }
  void deallocate(T*, std::size_t) noexcept { release(slot->size_class, slot); }
  template <class U>
  bool operator==(const SlotAllocator<U>& o) const { return slot == o.slot; }
};

struct SlotOwnsBytes {
  void operator()(std::vector<std::uint8_t>*) const noexcept {}
};

// ---- counters -----------------------------------------------------------------------------------

struct Registry {
  std::mutex mu;
  std::vector<Counters*> live;
  FramePathCounters retired;
};
Registry& registry() {
  static Registry* r = new Registry;  // never destroyed, as the depot
  return *r;
}

void add_to(FramePathCounters& out, const Counters& c) {
  auto get = [](const std::atomic<std::uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  out.payloads_pooled += get(c.payloads_pooled);
  out.payloads_heap += get(c.payloads_heap);
  out.pool_growth += get(c.pool_growth);
  out.relay_direct += get(c.relay_direct);
  out.frame_posts += get(c.frame_posts);
  out.bridge_hops += get(c.bridge_hops);
  out.voice_shed += get(c.voice_shed);
}

struct RegisteredCounters {
  Counters counters;
  RegisteredCounters() {
    auto& r = registry();
    std::lock_guard lock(r.mu);
    r.live.push_back(&counters);
  }
  ~RegisteredCounters() {
    auto& r = registry();
    std::lock_guard lock(r.mu);
    add_to(r.retired, counters);
    std::erase(r.live, &counters);
  }
};

}  // namespace

Counters& thread_counters() {
  thread_local RegisteredCounters t;
  return t.counters;
}

void* allocate_block(std::size_t bytes) {
  const std::size_t c = block_class(bytes);
  if (c == kClasses) return ::operator new(bytes);
  return acquire(c);
}

void free_block(void* p, std::size_t bytes) noexcept {
  const std::size_t c = block_class(bytes);
  if (c == kClasses) ::operator delete(p);
  else release(c, p);
}

}  // namespace frame_pool

FramePathCounters frame_path_counters() {
  auto& r = frame_pool::registry();
  std::lock_guard lock(r.mu);
  FramePathCounters out = r.retired;
  for (const auto* c : r.live) frame_pool::add_to(out, *c);
  return out;
}

std::size_t payload_capacity_for(std::size_t size) {
  const std::size_t c = frame_pool::payload_class(size);
  return c == frame_pool::kClasses ? size : frame_pool::kPayloadBytes[c - frame_pool::kBlockClasses];
}

std::shared_ptr<std::vector<std::uint8_t>> make_payload(std::size_t size) {
  using namespace frame_pool;
  const std::size_t c = payload_class(size);
  if (c == kClasses) {
    bump(thread_counters().payloads_heap);
    return std::make_shared<std::vector<std::uint8_t>>(size);
  }
  bump(thread_counters().payloads_pooled);
  auto* slot = static_cast<Slot*>(acquire(c));
  slot->bytes.resize(size);
  return std::shared_ptr<std::vector<std::uint8_t>>(&slot->bytes, SlotOwnsBytes{},
                                                    SlotAllocator<std::vector<std::uint8_t>>(slot));
}

Payload copy_payload(std::span<const std::uint8_t> bytes) {
  auto p = make_payload(bytes.size());
  if (!bytes.empty()) std::memcpy(p->data(), bytes.data(), bytes.size());
  return p;
}

}  // namespace telephony
