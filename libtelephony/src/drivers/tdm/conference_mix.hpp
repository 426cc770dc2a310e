// Internal: the three-way conference of one phone port, as DAHDI's kernel conferences a phone
// with its two calls. Each of the two calls writes what its party says (channel strands, any
// block size); the port's receive clock (one phone block each time) pulls the same number of
// samples from both, and the line mixes what each of the three hears: the phone both parties,
// each party the phone and the other party.
//
// One mutex per line, held for a copy of at most one block: it is never shared between calls of
// different lines. Fixed rings: nothing is allocated while the conference runs. A party that
// writes faster than the port's clock loses its oldest samples beyond kMaxQueued (bounded delay);
// a party that writes nothing is silence.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <mutex>
#include <span>

namespace telephony::tdm {

class ConferenceMix {
 public:
  static constexpr std::size_t kCapacity = 1600;   // 200 ms at 8 kHz
  static constexpr std::size_t kMaxQueued = 800;   // 100 ms

  void reset() {
    std::lock_guard lock(mu_);
    for (auto& r : rings_) r.head = r.size = 0;
  }

  // Channel strand: samples said by party `who` (0 or 1).
  void push(int who, std::span<const std::int16_t> pcm) {
    std::lock_guard lock(mu_);
    auto& r = rings_[static_cast<std::size_t>(who & 1)];
    for (auto s : pcm) {
      if (r.size == kMaxQueued) {
        r.head = (r.head + 1) % kCapacity;
        --r.size;
      }
      r.buf[(r.head + r.size) % kCapacity] = s;
      ++r.size;
    }
  }

  // Line strand: the next out.size() samples of party `who`, silence where it has none.
  void pull(int who, std::span<std::int16_t> out) {
    std::lock_guard lock(mu_);
    auto& r = rings_[static_cast<std::size_t>(who & 1)];
    const std::size_t n = std::min(out.size(), r.size);
    for (std::size_t i = 0; i < n; ++i) out[i] = r.buf[(r.head + i) % kCapacity];
    std::fill(out.begin() + static_cast<std::ptrdiff_t>(n), out.end(), std::int16_t{0});
    r.head = (r.head + n) % kCapacity;
    r.size -= n;
  }

  static std::int16_t add(std::int16_t a, std::int16_t b) {
    return static_cast<std::int16_t>(std::clamp(int{a} + int{b}, -32768, 32767));
  }

 private:
  struct Ring {
    std::array<std::int16_t, kCapacity> buf{};
    std::size_t head = 0, size = 0;
  };
  std::mutex mu_;
  std::array<Ring, 2> rings_;
};

}  // namespace telephony::tdm
