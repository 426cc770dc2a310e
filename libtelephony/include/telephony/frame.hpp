// Frame: the unit that flows through channels and bridges — a chunk of voice, a DTMF begin/end,
// a control indication (ringing, answer, busy, hold …) or text.
//
// Voice payloads are immutable and shared: fanning one encoded mix out to a thousand listeners
// copies a pointer, not the audio. Payloads come from a pool of fixed-size blocks (per-thread free
// lists traded through a shared depot, sized for up to 60 ms of the widest codec): a steady stream
// of frames touches no heap once the pool has grown to its working set, whichever thread drops
// the last reference. Only oversized payloads (and the pool's growth) take the heap.
//
// A frame received from RTP carries the packet's header fields (`rtp`: timestamp, sequence,
// marker, SSRC) so a jitter buffer can order it and a relay can keep them; frames the engine
// makes (translation, mixing, tones, files) have `rtp.present == false`.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "telephony/media/format.hpp"

namespace telephony {

enum class FrameKind : std::uint8_t { Voice, DtmfBegin, DtmfEnd, Control, Text, Null };

// Control indications; numeric values follow Asterisk's AST_CONTROL_* so logs read the same.
enum class Control : int {
  Hangup = 1,
  Ring = 2,
  Ringing = 3,
  Answer = 4,
  Busy = 5,
  TakeOffHook = 6,
  OffHook = 7,
  Congestion = 8,
  Flash = 9,
  Wink = 10,
  Option = 11,
  RadioKey = 12,
  RadioUnkey = 13,
  Progress = 14,
  Proceeding = 15,
  Hold = 16,
  Unhold = 17,
  SrcUpdate = 20,
  Transfer = 21,
  ConnectedLine = 22,
  Redirecting = 23,
  SrcChange = 26,
};

std::string_view to_string(Control c);

// RTP header fields of the packet a frame came from (or is to be sent as).
struct RtpInfo {
  std::uint32_t timestamp = 0;
  std::uint32_t ssrc = 0;
  std::uint16_t sequence = 0;
  bool marker = false;
  bool present = false;  // false: the frame did not come from RTP (the fields mean nothing)
};

using Payload = std::shared_ptr<const std::vector<std::uint8_t>>;

// A writable pooled buffer of `size` bytes: fill it, then hand it to Frame::voice() (it converts
// to the immutable Payload without a copy). Any thread.
std::shared_ptr<std::vector<std::uint8_t>> make_payload(std::size_t size);
// A pooled copy of `bytes`.
Payload copy_payload(std::span<const std::uint8_t> bytes);
// The bytes a payload of `size` really occupies (its pool block; `size` when it is oversized).
std::size_t payload_capacity_for(std::size_t size);

// What the frame path did, summed over every thread since the process started (each thread counts
// its own; reading takes a lock, counting does not). For tests, benchmarks and `core show`.
struct FramePathCounters {
  std::uint64_t payloads_pooled = 0;  // payloads handed out by the pool
  std::uint64_t payloads_heap = 0;    // oversized payloads that took the heap
  std::uint64_t pool_growth = 0;      // blocks the pools had to take from the heap
  std::uint64_t relay_direct = 0;     // frames a bridge member handed straight to its peer
  std::uint64_t frame_posts = 0;      // frames posted to another channel's strand
  std::uint64_t bridge_hops = 0;      // frames that went through a bridge's strand
  std::uint64_t voice_shed = 0;       // voice frames an unread inbox dropped
};
FramePathCounters frame_path_counters();

struct Frame {
  FrameKind kind = FrameKind::Null;
  media::Format format;        // Voice only
  int subclass = 0;            // DTMF digit (char) or Control value
  std::uint32_t samples = 0;   // Voice: samples per channel in this frame
  std::chrono::milliseconds duration{0};  // DtmfEnd: how long the digit was held
  Payload payload;
  RtpInfo rtp;  // Voice/DTMF that came from RTP; kept by relays, dropped by translation

  std::span<const std::uint8_t> data() const {
    return payload ? std::span<const std::uint8_t>(*payload) : std::span<const std::uint8_t>();
  }

  // The bytes go into a pooled payload (a copy; the vector is released).
  static Frame voice(media::Format f, std::vector<std::uint8_t> bytes, std::uint32_t samples);
  static Frame voice(media::Format f, Payload bytes, std::uint32_t samples);
  // A voice frame whose payload is a pooled copy of `bytes`: what a driver does per packet.
  static Frame voice_copy(media::Format f, std::span<const std::uint8_t> bytes, std::uint32_t samples);
  static Frame voice_copy(media::Format f, std::span<const std::uint8_t> bytes, std::uint32_t samples,
                          const RtpInfo& rtp);
  static Frame dtmf_begin(char digit);
  static Frame dtmf_end(char digit, std::chrono::milliseconds held);
  static Frame control(Control c);
  static Frame text(std::string_view t);

  bool is_control(Control c) const { return kind == FrameKind::Control && subclass == static_cast<int>(c); }
  char digit() const { return static_cast<char>(subclass); }
  std::string_view text_view() const {
    return payload ? std::string_view(reinterpret_cast<const char*>(payload->data()), payload->size())
                   : std::string_view();
  }
  // How long the voice in this frame lasts (zero for other kinds or an unknown rate).
  std::chrono::microseconds voice_duration() const {
    if (kind != FrameKind::Voice || format.rate == 0) return std::chrono::microseconds(0);
    return std::chrono::microseconds(std::uint64_t(samples) * 1000000u / format.rate);
  }
};

// A FIFO of frames on a ring that recycles its storage (no allocation per frame once it has
// grown to its working size), keeping the totals of the voice it holds so an owner can bound it
// by time and bytes. Not thread-safe.
class FrameQueue {
 public:
  bool empty() const { return count_ == 0; }
  std::size_t size() const { return count_; }
  void push_back(Frame f);
  Frame pop_front();
  // Removes the oldest voice frame; false when none is queued.
  bool drop_oldest_voice();
  void clear();
  std::size_t voice_bytes() const { return voice_bytes_; }  // payload blocks held, in bytes
  std::chrono::microseconds voice_duration() const { return std::chrono::microseconds(voice_us_); }
  // Memory this queue holds: its ring plus the payload blocks of the frames in it.
  std::size_t memory_bytes() const { return ring_.capacity() * sizeof(Frame) + voice_bytes_; }

 private:
  void account(const Frame& f, bool add);
  std::vector<Frame> ring_;  // capacity: a power of two (or 0)
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  std::size_t voice_bytes_ = 0;
  std::uint64_t voice_us_ = 0;
};

}  // namespace telephony
