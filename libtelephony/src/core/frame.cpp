#include "telephony/frame.hpp"

#include <algorithm>

#include "core/frame_pool.hpp"

namespace telephony {

std::string_view to_string(Control c) {
  switch (c) {
    case Control::Hangup: return "Hangup";
    case Control::Ring: return "Ring";
    case Control::Ringing: return "Ringing";
    case Control::Answer: return "Answer";
    case Control::Busy: return "Busy";
    case Control::TakeOffHook: return "Take Off Hook";
    case Control::OffHook: return "Off Hook";
    case Control::Congestion: return "Congestion";
    case Control::Flash: return "Flash";
    case Control::Wink: return "Wink";
    case Control::Option: return "Option";
    case Control::RadioKey: return "Key Radio";
    case Control::RadioUnkey: return "Unkey Radio";
    case Control::Progress: return "Call Progress";
    case Control::Proceeding: return "Proceeding";
    case Control::Hold: return "Hold";
    case Control::Unhold: return "Unhold";
    case Control::SrcUpdate: return "Media Source Update";
    case Control::Transfer: return "Transfer";
    case Control::ConnectedLine: return "Connected Line";
    case Control::Redirecting: return "Redirecting";
    case Control::SrcChange: return "Media Source Change";
  }
  return "Unknown";
}

Frame Frame::voice(media::Format f, std::vector<std::uint8_t> bytes, std::uint32_t samples) {
  // A pooled copy: the caller's vector goes back to the heap now, the pooled block is recycled
  // for the next frame. Oversized payloads keep their vector (no copy).
  if (bytes.size() > frame_pool::kMaxPooledPayload) {
    frame_pool::bump(frame_pool::thread_counters().payloads_heap);
    return voice(f, std::make_shared<const std::vector<std::uint8_t>>(std::move(bytes)), samples);
  }
  return voice(f, copy_payload(bytes), samples);
}

Frame Frame::voice_copy(media::Format f, std::span<const std::uint8_t> bytes, std::uint32_t samples) {
  return voice(f, copy_payload(bytes), samples);
}

Frame Frame::voice_copy(media::Format f, std::span<const std::uint8_t> bytes, std::uint32_t samples,
                        const RtpInfo& rtp) {
  Frame fr = voice(f, copy_payload(bytes), samples);
  fr.rtp = rtp;
  return fr;
}

Frame Frame::voice(media::Format f, Payload bytes, std::uint32_t samples) {
  Frame fr;
  fr.kind = FrameKind::Voice;
  fr.format = f;
  fr.samples = samples;
  fr.payload = std::move(bytes);
  return fr;
}

Frame Frame::dtmf_begin(char digit) {
  Frame fr;
  fr.kind = FrameKind::DtmfBegin;
  fr.subclass = digit;
  return fr;
}

Frame Frame::dtmf_end(char digit, std::chrono::milliseconds held) {
  Frame fr;
  fr.kind = FrameKind::DtmfEnd;
  fr.subclass = digit;
  fr.duration = held;
  return fr;
}

Frame Frame::control(Control c) {
  Frame fr;
  fr.kind = FrameKind::Control;
  fr.subclass = static_cast<int>(c);
  return fr;
}

Frame Frame::text(std::string_view t) {
  Frame fr;
  fr.kind = FrameKind::Text;
  fr.payload = copy_payload(std::span(reinterpret_cast<const std::uint8_t*>(t.data()), t.size()));
  return fr;
}

// ---- FrameQueue -------------------------------------------------------------------------------

void FrameQueue::account(const Frame& f, bool add) {
  if (f.kind != FrameKind::Voice) return;
  const std::size_t bytes = f.payload ? payload_capacity_for(f.payload->size()) : 0;
  const auto us = static_cast<std::uint64_t>(f.voice_duration().count());
  if (add) {
    voice_bytes_ += bytes;
    voice_us_ += us;
  } else {
    voice_bytes_ -= std::min(voice_bytes_, bytes);
    voice_us_ -= std::min(voice_us_, us);
  }
}

void FrameQueue::push_back(Frame f) {
  if (count_ == ring_.size()) {
    // Grow to the next power of two, unrolling the ring into the new storage.
    std::vector<Frame> bigger(ring_.empty() ? 8 : ring_.size() * 2);
    for (std::size_t i = 0; i < count_; ++i) bigger[i] = std::move(ring_[(head_ + i) & (ring_.size() - 1)]);
    ring_ = std::move(bigger);
    head_ = 0;
  }
  account(f, true);
  ring_[(head_ + count_) & (ring_.size() - 1)] = std::move(f);
  ++count_;
}

Frame FrameQueue::pop_front() {
  Frame f = std::move(ring_[head_]);
  ring_[head_] = Frame{};  // drop the payload reference now, not when the slot is reused
  head_ = (head_ + 1) & (ring_.size() - 1);
  --count_;
  account(f, false);
  return f;
}

bool FrameQueue::drop_oldest_voice() {
  const std::size_t mask = ring_.size() - 1;
  for (std::size_t i = 0; i < count_; ++i) {
    if (ring_[(head_ + i) & mask].kind != FrameKind::Voice) continue;
    account(ring_[(head_ + i) & mask], false);
    // Close the gap by moving the frames before it one place towards the tail.
    for (std::size_t j = i; j > 0; --j) ring_[(head_ + j) & mask] = std::move(ring_[(head_ + j - 1) & mask]);
    ring_[head_] = Frame{};
    head_ = (head_ + 1) & mask;
    --count_;
    return true;
  }
  return false;
}

void FrameQueue::clear() {
  while (count_) pop_front();
  head_ = 0;
}

}  // namespace telephony
