// RtpStream's send side: voice frames, RFC 4733 events, and packets relayed from a peer stream.
#include <opus/opus.h>
#include <sys/socket.h>

#include <boost/asio/post.hpp>
#include <algorithm>
#include <cstring>

#include "rtp/rtp_stream.hpp"
#include "telephony/media/codec.hpp"
#include "telephony/engine.hpp"

namespace telephony::rtp {

namespace asio = boost::asio;

namespace {

// RTP clock ticks of a voice frame of `f` with `samples` samples at f.rate.
std::uint32_t clock_ticks(media::Format f, std::uint32_t samples, std::uint32_t clock) {
  if (f.rate == clock) return samples;
  return static_cast<std::uint32_t>(static_cast<std::uint64_t>(samples) * clock / f.rate);
}

std::uint32_t packet_ticks(media::Format f, std::span<const std::uint8_t> payload) {
  switch (f.codec) {
    case media::Codec::Ulaw:
    case media::Codec::Alaw:
    case media::Codec::G722: return static_cast<std::uint32_t>(payload.size());  // 8000 Hz clock
    case media::Codec::Opus: {
      const int n = opus_packet_get_nb_samples(payload.data(), static_cast<opus_int32>(payload.size()), 48000);
      return n > 0 ? static_cast<std::uint32_t>(n) : 960;
    }
    default: return 160;
  }
}

}  // namespace

std::uint64_t RtpStream::now_ms() const {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - origin_).count());
}

std::uint32_t RtpStream::advance_timestamp_locked(std::uint32_t clock, std::uint32_t ticks, bool& marker) {
  const auto now = std::chrono::steady_clock::now();
  if (!ts_started_) {
    ts_started_ = true;
    marker = true;
  } else if (clock != last_clock_) {
    marker = true;  // codec change: the timestamp runs on, at the new clock
  } else {
    // A gap (hold, silence suppression, a stalled source) advances the clock by the time that
    // really passed, so the far jitter buffer sees the truth; small wobble is ignored.
    const auto gap = std::chrono::duration_cast<std::chrono::microseconds>(now - last_send_time_).count();
    const std::int64_t frame_us = static_cast<std::int64_t>(ticks) * 1000000 / clock;
    if (gap > frame_us + 60000) {
      next_ts_ += static_cast<std::uint32_t>((gap - frame_us) * clock / 1000000);
      marker = true;
    }
  }
  const std::uint32_t ts = next_ts_;
  next_ts_ += ticks;
  last_send_time_ = now;
  last_clock_ = clock;
  last_sent_ts_ = ts;
  return ts;
}

void RtpStream::send_packet_locked(std::size_t len, bool rtcp) {
  if (srtp_send_) {
    auto r = rtcp ? srtp_send_.protect_rtcp(send_buf_.data(), len) : srtp_send_.protect_rtp(send_buf_.data(), len);
    if (!r) {
      srtp_failures_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  } else if (send_params_ && send_params_->secure()) {
    return;  // never fall back to plain RTP when SRTP was agreed
  }
  const auto& to = rtcp ? target_.rtcp : target_.rtp;
  const int fd = rtcp && !(send_params_ && send_params_->rtcp_mux) ? rtcp_fd_ : rtp_fd_;
  const auto n = ::sendto(fd, send_buf_.data(), len, MSG_DONTWAIT, to.data(), static_cast<socklen_t>(to.size()));
  if (n < 0 || rtcp) return;
  tx_packets_.fetch_add(1, std::memory_order_relaxed);
}

void RtpStream::write(const Frame& f) {
  if (f.kind != FrameKind::Voice || closed_.load(std::memory_order_relaxed)) return;
  std::lock_guard lock(send_mu_);
  if (!send_allowed_ || !send_params_ || send_params_->codecs.empty() || dtmf_active_) return;
  std::span<const std::uint8_t> payload = f.data();
  media::Format format = f.format;
  std::uint32_t samples = f.samples;
  const NegotiatedCodec* codec = nullptr;
  for (const auto& c : send_params_->codecs)
    if (c.format == format) codec = &c;
  if (!codec) {
    // Not a negotiated format (the channel was created before the answer chose the codec):
    // translate to what we send.
    codec = &send_params_->codecs.front();
    if (!write_path_ || write_path_->to() != codec->format) {
      auto path = media::TranslationGraph::shared().build_path(format, codec->format);
      if (!path) return;
      write_path_ = std::move(*path);
    }
    auto out = write_path_->convert(format, payload);
    if (!out || out->empty()) return;
    payload = *out;
    samples = static_cast<std::uint32_t>(media::samples_per_frame(codec->format.rate));
    format = codec->format;
  }
  if (payload.empty() || payload.size() > kMaxRtpPacket - kRtpHeaderSize) return;
  // G.711/G.722 are sample-based: honour the peer's a=ptime by repacketizing (10..60 ms); opus
  // packets go as they are.
  const bool bytewise = format.codec != media::Codec::Opus;
  const std::size_t packet_bytes = std::clamp<std::size_t>(send_params_->remote_ptime_ms, 10, 60) * 8;
  if (bytewise && (packet_bytes != payload.size() || pack_fill_ > 0)) {
    if (format != pack_format_) pack_fill_ = 0;
    pack_format_ = format;
    while (!payload.empty()) {
      const std::size_t take = std::min(payload.size(), packet_bytes - pack_fill_);
      std::memcpy(pack_buf_.data() + pack_fill_, payload.data(), take);
      pack_fill_ += take;
      payload = payload.subspan(take);
      if (pack_fill_ == packet_bytes) {
        send_voice_locked(*codec, {pack_buf_.data(), pack_fill_}, static_cast<std::uint32_t>(pack_fill_));
        pack_fill_ = 0;
      }
    }
    return;
  }
  const std::uint32_t ticks = bytewise ? clock_ticks(format, samples, codec->clock_rate) : packet_ticks(format, payload);
  send_voice_locked(*codec, payload, ticks ? ticks : 160);
}

void RtpStream::send_voice_locked(const NegotiatedCodec& codec, std::span<const std::uint8_t> payload, std::uint32_t ticks) {
  bool marker = false;
  RtpHeader h;
  h.payload_type = static_cast<std::uint8_t>(codec.payload_type);
  h.timestamp = advance_timestamp_locked(codec.clock_rate, ticks, marker);
  h.marker = marker || codec.payload_type != last_pt_;
  h.sequence = seq_++;
  h.ssrc = ssrc_;
  last_pt_ = codec.payload_type;
  write_rtp_header(send_buf_, h);
  std::memcpy(send_buf_.data() + kRtpHeaderSize, payload.data(), payload.size());
  tx_octets_.fetch_add(payload.size(), std::memory_order_relaxed);
  send_packet_locked(kRtpHeaderSize + payload.size());
}

// ---- RFC 4733 out -------------------------------------------------------------------------------

void RtpStream::send_digit_begin(char digit) {
  asio::post(shard_.io, [self = shared_from_this(), digit] {
    if (self->closed_) return;
    std::lock_guard lock(self->send_mu_);
    if (!self->send_params_ || !self->send_params_->telephone_event_pt || !self->target_.valid) return;
    if (self->dtmf_active_) {  // a begin without an end: finish the previous event now
      self->dtmf_sender_.end(self->now_ms());
      self->pump_dtmf_locked();
    }
    self->dtmf_sender_ = media::TelephoneEventSender(self->send_params_->telephone_event_clock, 50);
    self->dtmf_start_ms_ = self->now_ms();
    if (!self->dtmf_sender_.begin(digit, self->next_ts_, self->dtmf_start_ms_)) return;
    self->dtmf_active_ = true;
    self->dtmf_end_at_ms_.reset();
    self->pump_dtmf_locked();
  });
}

void RtpStream::send_digit_end(char, std::chrono::milliseconds held) {
  asio::post(shard_.io, [self = shared_from_this(), held] {
    if (self->closed_) return;
    std::lock_guard lock(self->send_mu_);
    if (!self->dtmf_active_) return;
    // Keep the event going (with updates) until it has lasted `held`, at least 40 ms.
    const auto min_ms = static_cast<std::uint64_t>(std::max<std::int64_t>(held.count(), 40));
    self->dtmf_end_at_ms_ = self->dtmf_start_ms_ + min_ms;
    self->dtmf_held_ms_ = static_cast<std::uint32_t>(min_ms);
    self->pump_dtmf_locked();
  });
}

void RtpStream::pump_dtmf_locked() {
  const std::uint64_t now = now_ms();
  if (dtmf_end_at_ms_ && now >= *dtmf_end_at_ms_) {
    dtmf_sender_.end(now, dtmf_held_ms_);
    dtmf_end_at_ms_.reset();
  }
  const int pt = send_params_ && send_params_->telephone_event_pt ? *send_params_->telephone_event_pt : -1;
  while (auto p = dtmf_sender_.poll(now)) {
    if (pt < 0 || !send_allowed_) continue;
    RtpHeader h;
    h.payload_type = static_cast<std::uint8_t>(pt);
    h.marker = p->marker;
    h.sequence = seq_++;
    h.timestamp = p->timestamp;
    h.ssrc = ssrc_;
    write_rtp_header(send_buf_, h);
    const auto bytes = media::encode_telephone_event(p->event);
    std::memcpy(send_buf_.data() + kRtpHeaderSize, bytes.data(), bytes.size());
    tx_octets_.fetch_add(bytes.size(), std::memory_order_relaxed);
    send_packet_locked(kRtpHeaderSize + bytes.size());
    last_sent_ts_ = p->timestamp;
  }
  if (dtmf_sender_.active()) {
    shard_.wheel.schedule(dtmf_tx_timer_, std::chrono::milliseconds(10));
    return;
  }
  if (dtmf_active_) {
    // Audio resumes after the event, its clock advanced by the event's length (marker set).
    dtmf_active_ = false;
    const auto clock = send_params_ ? send_params_->telephone_event_clock : 8000;
    const std::uint32_t audio_clock = send_params_ && !send_params_->codecs.empty() ? send_params_->codecs.front().clock_rate : clock;
    next_ts_ += static_cast<std::uint32_t>((now - dtmf_start_ms_) * audio_clock / 1000);
    ts_started_ = false;  // next voice packet carries the marker bit
    last_send_time_ = std::chrono::steady_clock::now();
  }
}

void RtpStream::on_dtmf_tx_timer(TimerWheel::Entry&, void* p) {
  auto* self = static_cast<RtpStream*>(p);
  if (self->closed_) return;
  std::lock_guard lock(self->send_mu_);
  self->pump_dtmf_locked();
}

// ---- native relay -------------------------------------------------------------------------------

void RtpStream::set_relay_peer(std::shared_ptr<RtpStream> peer) {
  asio::post(shard_.io, [self = shared_from_this(), peer = std::move(peer)]() mutable {
    if (self->closed_) return;
    self->relay_peer_ = std::move(peer);
    self->relay_active_ = self->relay_peer_ != nullptr;
    // A relayed leg needs no jitter buffer (the far phone has one); the frame path gets it back.
    if (self->relay_peer_) {
      self->jitter_.reset();
      self->jitter_max_ms_.store(0, std::memory_order_relaxed);
      self->jitter_extra_ms_.store(0, std::memory_order_relaxed);
      self->shard_.wheel.cancel(self->playout_timer_);
    } else if (self->jitter_settings_.enabled && self->recv_params_ && !self->recv_params_->codecs.empty()) {
      self->reset_jitter(self->recv_params_->codecs.front().format, self->recv_params_->codecs.front().clock_rate);
    }
    // The peer's source mapping restarts at the next packet.
    std::lock_guard lock(self->send_mu_);
    self->relay_src_valid_ = false;
  });
}

void RtpStream::stop_relay_pair() {
  asio::post(shard_.io, [self = shared_from_this()] {
    auto peer = self->relay_peer_;
    self->set_relay_peer(nullptr);
    if (peer) peer->set_relay_peer(nullptr);
  });
}

void RtpStream::relay_from(const RtpHeader& h, media::Format f) {
  std::lock_guard lock(send_mu_);
  if (!send_allowed_ || !send_params_ || dtmf_active_) return;
  const NegotiatedCodec* codec = nullptr;
  for (const auto& c : send_params_->codecs)
    if (c.format == f) codec = &c;
  if (!codec) return;
  bool marker = h.marker;
  const std::uint32_t ticks = packet_ticks(f, h.payload);
  if (!relay_src_valid_ || h.ssrc != relay_src_ssrc_) {
    // A new source (call start, their SSRC change, a transfer): continue our own numbering.
    bool m = false;
    const std::uint32_t ts = advance_timestamp_locked(codec->clock_rate, ticks, m);
    relay_ts_offset_ = static_cast<std::int64_t>(ts) - h.timestamp;
    relay_seq_offset_ = static_cast<std::int32_t>(seq_) - h.sequence;
    relay_src_ssrc_ = h.ssrc;
    relay_src_valid_ = true;
    marker = true;
  }
  const auto ts = static_cast<std::uint32_t>(h.timestamp + relay_ts_offset_);
  const auto seq = static_cast<std::uint16_t>(h.sequence + relay_seq_offset_);
  // Keep the frame path's numbering continuous should the relay stop.
  if (static_cast<std::int16_t>(seq - seq_) >= 0) seq_ = static_cast<std::uint16_t>(seq + 1);
  if (static_cast<std::int32_t>(ts + ticks - next_ts_) > 0) next_ts_ = ts + ticks;
  last_send_time_ = std::chrono::steady_clock::now();
  last_clock_ = codec->clock_rate;
  last_sent_ts_ = ts;
  ts_started_ = true;

  auto& out = shard_.out;
  if (out.count && (out.fd != rtp_fd_ || out.count == SendBatch::kPackets)) out.flush();
  const std::size_t i = out.count;
  auto* buf = out.data[i].data();
  RtpHeader o;
  o.marker = marker;
  o.payload_type = static_cast<std::uint8_t>(codec->payload_type);
  o.sequence = seq;
  o.timestamp = ts;
  o.ssrc = ssrc_;
  write_rtp_header({buf, SendBatch::kBytes}, o);
  if (h.payload.size() > SendBatch::kBytes - kRtpHeaderSize - kSrtpTrailer) return;
  std::memcpy(buf + kRtpHeaderSize, h.payload.data(), h.payload.size());
  std::size_t len = kRtpHeaderSize + h.payload.size();
  if (srtp_send_) {
    if (!srtp_send_.protect_rtp(buf, len)) {
      srtp_failures_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  } else if (send_params_->secure()) {
    return;
  }
  out.iov[i].iov_len = len;
  std::memcpy(&out.to[i], target_.rtp.data(), target_.rtp.size());
  out.headers[i].msg_hdr.msg_namelen = static_cast<socklen_t>(target_.rtp.size());
  out.fd = rtp_fd_;
  out.count = i + 1;
  tx_packets_.fetch_add(1, std::memory_order_relaxed);
  tx_octets_.fetch_add(h.payload.size(), std::memory_order_relaxed);
}

void RtpStream::flush_relay() {
  auto& out = shard_.out;
  if (out.count && out.fd == rtp_fd_) out.flush();
}

}  // namespace telephony::rtp
