// Internal: received G.711 re-blocked into 20 ms engine frames whose payloads are recycled.
//
// A frame payload is shared with whoever consumes the frame (a bridge, a recorder); once every
// consumer dropped it, its use count is back to one (ours) and the buffer is reused for a later
// frame. In steady state the receive path therefore allocates nothing. The pool only grows when
// consumers hold more than `kSlots` frames at once, and then by single buffers.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

namespace telephony::tdm {

class PayloadPool {
 public:
  static constexpr std::size_t kSlots = 16;
  static constexpr std::size_t kMaxSlots = 256;

  explicit PayloadPool(std::size_t bytes) : bytes_(bytes) {
    for (std::size_t i = 0; i < kSlots; ++i) slots_.push_back(std::make_shared<std::vector<std::uint8_t>>(bytes));
  }

  // A buffer nobody else holds, filled by `fill(std::uint8_t*)`.
  template <class Fill>
  std::shared_ptr<const std::vector<std::uint8_t>> take(Fill&& fill) {
    for (std::size_t n = 0; n < slots_.size(); ++n) {
      auto& slot = slots_[next_];
      next_ = (next_ + 1) % slots_.size();
      if (slot.use_count() == 1) {
        // The last other owner released it; acquire pairs with its release decrement.
        std::atomic_thread_fence(std::memory_order_acquire);
        fill(slot->data());
        return slot;
      }
    }
    auto fresh = std::make_shared<std::vector<std::uint8_t>>(bytes_);
    fill(fresh->data());
    if (slots_.size() < kMaxSlots) slots_.push_back(fresh);
    return fresh;
  }
  std::size_t size() const { return slots_.size(); }

 private:
  std::size_t bytes_;
  std::vector<std::shared_ptr<std::vector<std::uint8_t>>> slots_;
  std::size_t next_ = 0;
};

// Collects blocks of any size into frames of `frame_bytes` (160 = 20 ms at 8 kHz).
class RxFramer {
 public:
  explicit RxFramer(std::size_t frame_bytes = 160) : frame_(frame_bytes), pool_(frame_bytes), pending_(frame_bytes) {}

  // `map` (256 entries, may be null) is applied to every byte (the rx gain table).
  template <class Sink>
  void push(std::span<const std::uint8_t> bytes, const std::uint8_t* map, Sink&& sink) {
    while (!bytes.empty()) {
      const std::size_t take = std::min(bytes.size(), frame_ - fill_);
      if (map)
        for (std::size_t i = 0; i < take; ++i) pending_[fill_ + i] = map[bytes[i]];
      else
        std::memcpy(pending_.data() + fill_, bytes.data(), take);
      fill_ += take;
      bytes = bytes.subspan(take);
      if (fill_ == frame_) {
        fill_ = 0;
        sink(pool_.take([&](std::uint8_t* out) { std::memcpy(out, pending_.data(), frame_); }));
      }
    }
  }
  void reset() { fill_ = 0; }
  std::size_t frame_bytes() const { return frame_; }

 private:
  std::size_t frame_;
  PayloadPool pool_;
  std::vector<std::uint8_t> pending_;
  std::size_t fill_ = 0;
};

}  // namespace telephony::tdm
