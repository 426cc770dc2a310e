#include "telephony/media/jitter.hpp"

#include <speex/speex_jitter.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace telephony::media {

// Fixed slots; each slot starts with a pointer back to its pool so speexdsp's destroy callback
// (which receives only the data pointer) can return it.
struct JitterBuffer::Pool {
  std::size_t slot_bytes;
  std::vector<std::uint8_t> storage;
  std::vector<std::uint8_t*> free;

  static constexpr std::size_t kHeader = sizeof(void*);
  Pool(std::size_t slots, std::size_t payload) : slot_bytes(kHeader + ((payload + 15) & ~std::size_t{15})) {
    storage.resize(slots * slot_bytes);
    free.reserve(slots);
    for (std::size_t i = 0; i < slots; ++i) {
      std::uint8_t* s = storage.data() + i * slot_bytes;
      Pool* self = this;
      std::memcpy(s, &self, sizeof self);
      free.push_back(s + kHeader);
    }
  }
  static void release(void* data) {
    auto* d = static_cast<std::uint8_t*>(data);
    Pool* owner = nullptr;
    std::memcpy(&owner, d - kHeader, sizeof owner);
    owner->free.push_back(d);
  }
};

JitterBuffer::Settings JitterBuffer::Settings::sized_for(Format f, std::chrono::milliseconds max_delay,
                                                         std::uint32_t clock_rate, std::size_t header_bytes) {
  Settings s;
  const std::uint32_t clock = clock_rate ? clock_rate : f.rate;
  s.frame_ticks = std::max<std::uint32_t>(1, clock / 50);
  std::size_t packet = 0;
  switch (f.codec) {
    case Codec::Opus: packet = 400; break;
    case Codec::Slin: packet = std::size_t(f.rate) / 50 * 2 * std::max<std::size_t>(1, f.channels); break;
    default: packet = 480; break;  // G.711, G.722: up to 60 ms per packet
  }
  s.max_payload = packet + header_bytes;
  const std::size_t slot_bytes = Pool::kHeader + ((s.max_payload + 15) & ~std::size_t{15});
  const std::size_t wanted = static_cast<std::size_t>(std::max<long long>(0, max_delay.count()) / 20) + 2;
  s.slots = std::max<std::size_t>(4, std::min(wanted, kMaxPoolBytes / slot_bytes));
  return s;
}

std::size_t JitterBuffer::memory_bytes() const {
  return (pool_ ? pool_->storage.capacity() + pool_->free.capacity() * sizeof(void*) : 0) + out_.capacity();
}

Result<JitterBuffer> JitterBuffer::create(Settings s) {
  if (s.frame_ticks == 0 || s.slots == 0 || s.max_payload == 0)
    return fail("frame_ticks, slots and max_payload must be positive", "jitter buffer");
  JitterBuffer jb;
  jb.settings_ = s;
  jb.jb_ = jitter_buffer_init(static_cast<int>(s.frame_ticks));
  if (jb.jb_ == nullptr) return fail("jitter_buffer_init failed", "jitter buffer");
  jb.pool_ = new Pool(s.slots, s.max_payload);
  void (*destroy)(void*) = &Pool::release;
  jitter_buffer_ctl(jb.jb_, JITTER_BUFFER_SET_DESTROY_CALLBACK, reinterpret_cast<void*>(destroy));
  spx_int32_t late = static_cast<spx_int32_t>(s.max_late_rate);
  jitter_buffer_ctl(jb.jb_, JITTER_BUFFER_SET_MAX_LATE_RATE, &late);
  if (s.margin_ticks) {
    spx_int32_t margin = static_cast<spx_int32_t>(s.margin_ticks);
    jitter_buffer_ctl(jb.jb_, JITTER_BUFFER_SET_MARGIN, &margin);
  }
  jb.out_.resize(s.max_payload);
  return jb;
}

JitterBuffer::JitterBuffer(JitterBuffer&& o) noexcept
    : on_missing(std::move(o.on_missing)), on_insertion(std::move(o.on_insertion)),
      jb_(std::exchange(o.jb_, nullptr)), pool_(std::exchange(o.pool_, nullptr)),
      settings_(o.settings_), out_(std::move(o.out_)),
      dropped_(o.dropped_), missing_(o.missing_) {}

JitterBuffer& JitterBuffer::operator=(JitterBuffer&& o) noexcept {
  if (this != &o) {
    // Swap the owned handles: `o` releases what we held when it is destroyed.
    std::swap(jb_, o.jb_);
    std::swap(pool_, o.pool_);
    on_missing = std::move(o.on_missing);
    on_insertion = std::move(o.on_insertion);
    settings_ = o.settings_;
    out_ = std::move(o.out_);
    dropped_ = o.dropped_;
    missing_ = o.missing_;
  }
  return *this;
}

JitterBuffer::~JitterBuffer() {
  if (jb_) jitter_buffer_destroy(jb_);  // returns every held slot through the callback
  delete pool_;
}

bool JitterBuffer::put(std::span<const std::uint8_t> payload, std::uint32_t ts, std::uint16_t seq) {
  if (payload.size() > settings_.max_payload || pool_->free.empty()) {
    ++dropped_;
    return false;
  }
  std::uint8_t* slot = pool_->free.back();
  pool_->free.pop_back();
  std::memcpy(slot, payload.data(), payload.size());
  JitterBufferPacket p{};
  p.data = reinterpret_cast<char*>(slot);
  p.len = static_cast<spx_uint32_t>(payload.size());
  p.timestamp = ts;
  p.span = settings_.frame_ticks;
  p.sequence = seq;
  jitter_buffer_put(jb_, &p);
  return true;
}

JitterBuffer::Pulled JitterBuffer::pull() {
  JitterBufferPacket p{};
  p.data = nullptr;
  spx_int32_t offset = 0;
  const int r = jitter_buffer_get(jb_, &p, static_cast<spx_int32_t>(settings_.frame_ticks), &offset);
  jitter_buffer_tick(jb_);
  Pulled out{Status::Missing, {}, p.timestamp};
  if (r == JITTER_BUFFER_OK && p.data != nullptr) {
    const std::size_t n = std::min<std::size_t>(p.len, out_.size());
    std::memcpy(out_.data(), p.data, n);
    Pool::release(p.data);  // ownership came back to us with the packet
    out.status = Status::Frame;
    out.payload = {out_.data(), n};
    return out;
  }
  if (r == JITTER_BUFFER_INSERTION) {
    out.status = Status::Insertion;
    if (on_insertion) on_insertion(p.timestamp);
    return out;
  }
  ++missing_;
  if (on_missing) on_missing(p.timestamp);
  return out;
}

int JitterBuffer::buffered() const {
  spx_int32_t n = 0;
  jitter_buffer_ctl(jb_, JITTER_BUFFER_GET_AVAILABLE_COUNT, &n);
  return n;
}

}  // namespace telephony::media
