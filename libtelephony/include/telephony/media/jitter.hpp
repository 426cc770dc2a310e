// JitterBuffer: reorders and delays incoming media frames so they can be played at a steady
// 20 ms pace, adapting its delay to the measured jitter (speexdsp's adaptive jitter buffer).
//
// Frames go in with their RTP timestamp in any order; pull() is called once per 20 ms tick and
// returns the frame due now, or says it is missing (lost or late) so the caller conceals it (the
// `on_missing` hook, e.g. Opus PLC via TranslatorPath::conceal()), or that the buffer is growing
// its delay and a concealment frame should be inserted. Payload storage is a fixed pool sized at
// construction: put() copies into a slot, nothing allocates per frame. A frame that arrives
// when the pool is full, or larger than the slot size, is dropped and counted.
//
// Memory is sized per codec (Settings::sized_for): slots as large as one packet of the codec, as
// many as the requested delay needs, and the pool capped at kMaxPoolBytes whatever JITTERBUFFER()
// or rtp.conf ask, so a decoded call stays inside the per-call budget (docs/media-engine.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "telephony/media/format.hpp"
#include "telephony/result.hpp"

struct JitterBuffer_;

namespace telephony::media {

class JitterBuffer {
 public:
  // The payload pool never exceeds this, whatever delay is asked for (~640 ms of G.711).
  static constexpr std::size_t kMaxPoolBytes = 16 * 1024;

  // The defaults fit 20 ms G.711 frames and 200 ms of delay (what sized_for(ulaw, 200 ms) gives).
  struct Settings {
    std::uint32_t frame_ticks = 160;     // timestamp units per frame (160 = 20 ms at 8 kHz)
    std::uint32_t max_late_rate = 4;     // % of frames allowed to arrive too late
    std::size_t slots = 12;              // frames buffered at most
    std::size_t max_payload = 480;       // bytes per frame (60 ms of G.711 or G.722)
    std::uint32_t margin_ticks = 0;      // extra delay kept on top of the adaptive one (timestamp
                                         // units); one frame lets opus FEC of the next packet arrive

    // Sized for `f` arriving in 20 ms frames (`clock_rate`: the RTP clock, 0 = f.rate): one
    // packet of the codec (60 ms of G.711/G.722, an opus packet up to ~160 kbit/s, 20 ms of slin)
    // plus `header_bytes` per slot; max_delay / 20 ms + 2 slots, capped at kMaxPoolBytes.
    static Settings sized_for(Format f, std::chrono::milliseconds max_delay, std::uint32_t clock_rate = 0,
                              std::size_t header_bytes = 0);
  };
  enum class Status { Frame, Missing, Insertion };
  struct Pulled {
    Status status;
    std::span<const std::uint8_t> payload;  // valid until the next pull(); empty unless Frame
    std::uint32_t timestamp;
  };

  static Result<JitterBuffer> create(Settings settings);
  static Result<JitterBuffer> create() { return create(Settings{}); }
  JitterBuffer(JitterBuffer&&) noexcept;
  JitterBuffer& operator=(JitterBuffer&&) noexcept;
  ~JitterBuffer();

  // Copies the frame in. Returns false (and counts it) when it had to be dropped.
  bool put(std::span<const std::uint8_t> payload, std::uint32_t timestamp, std::uint16_t sequence = 0);
  // The frame for this tick. Calls the hooks for Missing/Insertion before returning.
  Pulled pull();

  // Hooks for concealment; set once at setup (std::function is not called per frame otherwise).
  std::function<void(std::uint32_t timestamp)> on_missing;
  std::function<void(std::uint32_t timestamp)> on_insertion;

  std::size_t dropped() const { return dropped_; }
  std::size_t missing() const { return missing_; }
  // Frames currently buffered.
  int buffered() const;
  // Bytes this buffer holds itself: its payload pool and playout buffer (speexdsp's fixed state,
  // about 8 KB, comes on top; tests/unit/media_jitter_budget_test.cpp measures the whole).
  std::size_t memory_bytes() const;
  const Settings& settings() const { return settings_; }

 private:
  JitterBuffer() = default;
  struct Pool;
  ::JitterBuffer_* jb_ = nullptr;
  Pool* pool_ = nullptr;
  Settings settings_;
  std::vector<std::uint8_t> out_;
  std::size_t dropped_ = 0, missing_ = 0;
};

}  // namespace telephony::media
