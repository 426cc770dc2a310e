// RtpStream: lifecycle, negotiated parameters and the receive path (see rtp/rtp_stream.hpp).
#include "rtp/rtp_stream.hpp"

#include <opus/opus.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <boost/asio/post.hpp>
#include <cstring>

#include "telephony/engine.hpp"

namespace telephony::rtp {

namespace asio = boost::asio;
using asio::ip::udp;

namespace {

std::uint32_t random32() {
  std::uint32_t v = 0;
  if (getrandom(&v, sizeof v, 0) != static_cast<ssize_t>(sizeof v))
    v = static_cast<std::uint32_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  return v;
}

std::optional<udp::endpoint> endpoint_of(const std::string& address, std::uint16_t port) {
  boost::system::error_code ec;
  auto a = asio::ip::make_address(address, ec);
  if (ec || port == 0) return std::nullopt;
  return udp::endpoint(a, port);
}

bool wants_rfc4733(DtmfMode m) { return m == DtmfMode::Rfc4733 || m == DtmfMode::Auto || m == DtmfMode::AutoInfo; }

}  // namespace

RtpStream::RtpStream(Engine& engine, std::shared_ptr<RtpStack> stack, Shard& shard, SocketPair sockets,
                     MediaSettings settings)
    : engine_(engine),
      stack_(std::move(stack)),
      shard_(shard),
      config_(stack_->config()),
      settings_(std::move(settings)),
      rtp_sock_(std::move(sockets.rtp)),
      rtcp_sock_(std::move(sockets.rtcp)),
      ssrc_(random32()),
      seq_(static_cast<std::uint16_t>(random32())),
      next_ts_(random32()) {
  jitter_settings_ = settings_.jitter;
  rtp_fd_ = rtp_sock_.native_handle();
  rtcp_fd_ = rtcp_sock_.native_handle();
  local_port_ = rtp_sock_.local_endpoint().port();
  rtp_slot_ = {&RtpStream::on_readable, this, false};
  rtcp_slot_ = {&RtpStream::on_readable, this, true};
  rtcp_timer_.fire = &RtpStream::on_rtcp_timer;
  timeout_timer_.fire = &RtpStream::on_timeout_timer;
  dtmf_rx_timer_.fire = &RtpStream::on_dtmf_rx_timer;
  dtmf_tx_timer_.fire = &RtpStream::on_dtmf_tx_timer;
  playout_timer_.fire = &RtpStream::on_playout_timer;
  for (auto* t : {&rtcp_timer_, &timeout_timer_, &dtmf_rx_timer_, &dtmf_tx_timer_, &playout_timer_}) t->owner = this;
  shard_.streams.fetch_add(1, std::memory_order_relaxed);
  stack_->track(this);
}

RtpStream::~RtpStream() {
  stack_->untrack(this, counters());
  shard_.streams.fetch_sub(1, std::memory_order_relaxed);
}

std::string RtpStream::local_address() const {
  boost::system::error_code ec;
  auto ep = rtp_sock_.local_endpoint(ec);
  return ec ? std::string() : ep.address().to_string() + ":" + std::to_string(ep.port());
}

void RtpStream::start() {
  asio::post(shard_.io, [self = shared_from_this()] {
    if (self->closed_) return;
    (void)self->shard_.poll.add(self->rtp_fd_, &self->rtp_slot_);
    (void)self->shard_.poll.add(self->rtcp_fd_, &self->rtcp_slot_);
    self->schedule_rtcp();
    if (self->settings_.rtp_timeout.count() > 0 || self->settings_.rtp_timeout_hold.count() > 0)
      self->shard_.wheel.schedule(self->timeout_timer_, std::chrono::milliseconds(1000));
  });
}

void RtpStream::close() {
  if (closed_.exchange(true)) return;
  asio::post(shard_.io, [self = shared_from_this()] {
    self->send_rtcp_report(/*bye=*/true);
    for (auto* t : {&self->rtcp_timer_, &self->timeout_timer_, &self->dtmf_rx_timer_, &self->dtmf_tx_timer_,
                    &self->playout_timer_})
      self->shard_.wheel.cancel(*t);
    self->shard_.poll.remove(self->rtp_fd_);
    self->shard_.poll.remove(self->rtcp_fd_);
    self->shard_.poll.retire(self);  // events of this batch may still name our slots
    boost::system::error_code ec;
    self->rtp_sock_.close(ec);
    self->rtcp_sock_.close(ec);
    self->relay_peer_.reset();
    self->relay_active_ = false;
    self->channel_.reset();
    self->jitter_.reset();
    self->jitter_max_ms_.store(0, std::memory_order_relaxed);
    self->jitter_extra_ms_.store(0, std::memory_order_relaxed);
    self->stack_->stream_closed(self.get(), self->counters());
  });
}

void RtpStream::attach(std::weak_ptr<Channel> chan) {
  asio::post(shard_.io, [self = shared_from_this(), chan = std::move(chan)]() mutable {
    self->channel_ = std::move(chan);
    self->last_rx_ = std::chrono::steady_clock::now();
  });
}

void RtpStream::apply(const NegotiatedStream& n) {
  auto rtp_to = endpoint_of(n.remote_address, n.remote_rtp_port);
  {
    std::lock_guard lock(send_mu_);
    const bool keys_changed = !send_params_ || send_params_->srtp_send != n.srtp_send;
    send_params_ = n;
    if (!settings_.rtp_symmetric || !target_learned_) {
      target_.valid = rtp_to.has_value();
      if (rtp_to) {
        target_.rtp = *rtp_to;
        target_.rtcp = udp::endpoint(rtp_to->address(), n.remote_rtcp_port);
      }
    }
    send_allowed_ = sends(n.local_direction) && target_.valid;
    if (keys_changed) {
      srtp_send_ = SrtpContext();
      if (n.srtp_send) {
        auto ctx = SrtpContext::create(*n.srtp_send, SrtpContext::Role::Send, config_->srtp_replay_protection);
        if (ctx) srtp_send_ = std::move(*ctx);
        else engine_.log().error("rtp", "cannot set up SRTP for sending: " + ctx.error().to_string());
      }
    }
  }
  {
    std::lock_guard lock(text_mu_);
    remote_text_ = n.remote_address + ":" + std::to_string(n.remote_rtp_port);
  }
  asio::post(shard_.io, [self = shared_from_this(), n]() mutable { self->apply_on_shard(std::move(n)); });
}

void RtpStream::apply_on_shard(NegotiatedStream n) {
  if (closed_) return;
  const bool keys_changed = !recv_params_ || recv_params_->srtp_receive != n.srtp_receive;
  const bool address_changed = !recv_params_ || recv_params_->remote_address != n.remote_address ||
                               recv_params_->remote_rtp_port != n.remote_rtp_port;
  if (keys_changed) {
    srtp_recv_ = SrtpContext();
    if (n.srtp_receive) {
      auto ctx = SrtpContext::create(*n.srtp_receive, SrtpContext::Role::Receive, config_->srtp_replay_protection);
      if (ctx) srtp_recv_ = std::move(*ctx);
      else engine_.log().error("rtp", "cannot set up SRTP for receiving: " + ctx.error().to_string());
    }
  }
  // A renegotiation re-opens source learning (transfers, a phone moving its media).
  if (address_changed && !settings_.rtp_symmetric) {
    learned_.reset();
    candidate_.reset();
    candidate_count_ = 0;
  }
  remote_hold_ = n.remote_hold();
  recv_params_ = std::move(n);
  // Jitter buffer for the decoded path: sized per codec (20 ms frames, max_delay of them).
  if (jitter_settings_.enabled && !relay_peer_ && !recv_params_->codecs.empty()) {
    const auto& c = recv_params_->codecs.front();
    if (!jitter_ || jitter_format_ != c.format) reset_jitter(c.format, c.clock_rate);
  }
}

void RtpStream::set_jitter(std::optional<JitterSettings> s) {
  asio::post(shard_.io, [self = shared_from_this(), s]() {
    if (self->closed_) return;
    self->jitter_settings_ = s ? *s : self->settings_.jitter;
    if (self->jitter_settings_.enabled && !self->relay_peer_ && self->recv_params_ &&
        !self->recv_params_->codecs.empty()) {
      const auto& c = self->recv_params_->codecs.front();
      self->reset_jitter(c.format, c.clock_rate);
    } else {
      self->jitter_.reset();
      self->jitter_max_ms_.store(0, std::memory_order_relaxed);
      self->jitter_extra_ms_.store(0, std::memory_order_relaxed);
      self->shard_.wheel.cancel(self->playout_timer_);
    }
  });
}

void RtpStream::reset_jitter(media::Format f, std::uint32_t clock) {
  // Sized per codec (one byte more per slot for the entry kind: packet / FEC of the lost one
  // before it), the memory capped whatever max_delay JITTERBUFFER() or rtp.conf ask.
  auto js = media::JitterBuffer::Settings::sized_for(f, jitter_settings_.max_delay, clock, 1);
  js.max_late_rate = jitter_settings_.max_late_rate;
  // target_extra on top of the adaptive delay; with opus FEC at least one frame of look-ahead:
  // the packet after a loss carries the lost frame.
  const auto rate = clock ? clock : f.rate;
  js.margin_ticks = static_cast<std::uint32_t>(std::max<long long>(0, jitter_settings_.target_extra.count()) * rate / 1000);
  if (f.codec == media::Codec::Opus && settings_.opus_fec) js.margin_ticks = std::max(js.margin_ticks, js.frame_ticks);
  auto jb = media::JitterBuffer::create(js);
  if (!jb) {
    jitter_.reset();
    jitter_max_ms_.store(0, std::memory_order_relaxed);
    jitter_extra_ms_.store(0, std::memory_order_relaxed);
    return;
  }
  jitter_ = std::move(*jb);
  jitter_format_ = f;
  // What the buffer can really hold once capped ("core show channel" reports it).
  const auto held_ms = static_cast<long long>(js.slots - 2) * 20;
  jitter_max_ms_.store(static_cast<std::uint32_t>(std::min<long long>(jitter_settings_.max_delay.count(), held_ms)),
                       std::memory_order_relaxed);
  jitter_extra_ms_.store(static_cast<std::uint32_t>(js.margin_ticks * 1000ull / rate), std::memory_order_relaxed);
  have_buffered_seq_ = false;
  if (f.codec == media::Codec::Opus && !opus_dec_) {
    if (auto d = media::OpusFrameDecoder::create(48000)) opus_dec_ = std::move(*d);
  }
  if (!playout_timer_.armed()) shard_.wheel.schedule(playout_timer_, std::chrono::milliseconds(20));
}

// ---- receive -----------------------------------------------------------------------------------

void RtpStream::on_readable(void* self, bool rtcp_socket) {
  auto* s = static_cast<RtpStream*>(self);
  const int fd = rtcp_socket ? s->rtcp_fd_ : s->rtp_fd_;
  if (!s->closed_) s->drain(fd, rtcp_socket);
  // Closing: close() ran on another thread and its shard half is queued behind this batch. The
  // poll set is level-triggered, so a socket left unread would be reported again at once; with a
  // full batch of them (a mass hangup while RTP flows) PollSet::process() would loop forever and
  // never run the queued halves. Out of the set now; the queued half's remove() is then a no-op.
  if (s->closed_) s->shard_.poll.remove(fd);
}

void RtpStream::drain(int fd, bool rtcp_socket) {
  auto& b = shard_.batch;
  for (;;) {
    for (std::size_t i = 0; i < ReceiveBatch::kPackets; ++i) {
      b.headers[i].msg_hdr.msg_namelen = sizeof(b.from[i]);
      b.iov[i].iov_len = ReceiveBatch::kBytes - kSrtpTrailer;
    }
    const int n = ::recvmmsg(fd, b.headers.data(), ReceiveBatch::kPackets, MSG_DONTWAIT, nullptr);
    if (n <= 0) break;
    for (int i = 0; i < n; ++i) {
      udp::endpoint from;
      std::memcpy(from.data(), &b.from[i], b.headers[i].msg_hdr.msg_namelen);
      from.resize(b.headers[i].msg_hdr.msg_namelen);
      if (rtcp_socket) on_rtcp(b.data[i].data(), b.headers[i].msg_len, from);
      else on_packet(b.data[i].data(), b.headers[i].msg_len, from);
      if (closed_) return;
    }
    if (relay_peer_) relay_peer_->flush_relay();
    if (static_cast<std::size_t>(n) < ReceiveBatch::kPackets) break;
  }
}

bool RtpStream::accept_source(const udp::endpoint& from, std::uint16_t seq) {
  if (learned_ && from == *learned_) return true;
  const bool strict = config_->strict_rtp != StrictRtp::No;
  if (settings_.rtp_symmetric && !learned_) {
    // Comedia: the first packet tells us where the phone really is.
    learned_ = from;
  } else if (!learned_ || strict) {
    // Learning: a source that sends `probation` packets in sequence is the stream.
    if (candidate_ && *candidate_ == from && static_cast<std::uint16_t>(candidate_seq_ + 1) == seq) {
      ++candidate_count_;
    } else {
      candidate_ = from;
      candidate_count_ = 1;
    }
    candidate_seq_ = seq;
    const bool from_sdp = recv_params_ && target_matches_sdp(from);
    if (candidate_count_ >= config_->probation || (!learned_ && from_sdp)) {
      learned_ = from;
      candidate_.reset();
      candidate_count_ = 0;
    } else if (learned_) {
      return false;  // strict: the learned source keeps the stream until a new one proves itself
    }
  } else {
    learned_ = from;  // strictrtp=no: follow the newest source
  }
  if (settings_.rtp_symmetric && learned_ && *learned_ == from) {
    std::lock_guard lock(send_mu_);
    if (!target_.valid || target_.rtp != from) {
      target_.rtp = from;
      target_.rtcp = udp::endpoint(from.address(), static_cast<std::uint16_t>(from.port() + 1));
      if (recv_params_ && recv_params_->rtcp_mux) target_.rtcp = from;
      target_.valid = true;
      target_learned_ = true;
      send_allowed_ = send_params_ && sends(send_params_->local_direction);
      std::lock_guard tlock(text_mu_);
      remote_text_ = from.address().to_string() + ":" + std::to_string(from.port());
    }
  }
  return true;
}

bool RtpStream::target_matches_sdp(const udp::endpoint& from) const {
  return recv_params_ && from.port() == recv_params_->remote_rtp_port &&
         from.address().to_string() == recv_params_->remote_address;
}

void RtpStream::on_packet(std::uint8_t* data, std::size_t len, const udp::endpoint& from) {
  const auto cls = classify_packet({data, len});
  if (cls == PacketClass::Rtcp) {
    if (recv_params_ && recv_params_->rtcp_mux) on_rtcp(data, len, from);
    else dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (cls != PacketClass::Rtp || !recv_params_) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (srtp_recv_) {
    if (!srtp_recv_.unprotect_rtp(data, len)) {
      srtp_failures_.fetch_add(1, std::memory_order_relaxed);
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  } else if (recv_params_->secure()) {
    dropped_.fetch_add(1, std::memory_order_relaxed);  // keys failed to load: never play plain RTP
    return;
  }
  auto h = parse_rtp({data, len});
  if (!h) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  const auto format = recv_params_->receive_format(h->payload_type);
  if (!format || !accept_source(from, h->sequence)) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  last_rx_ = std::chrono::steady_clock::now();
  rx_packets_.fetch_add(1, std::memory_order_relaxed);
  rx_octets_.fetch_add(h->payload.size(), std::memory_order_relaxed);
  if (format->codec == media::Codec::TelephoneEvent) {
    on_telephone_event(*h);
    return;
  }
  const auto* codec = recv_params_->codec_for(h->payload_type);
  update_source(*h, codec ? codec->clock_rate : (format->codec == media::Codec::Opus ? 48000 : 8000));
  if (relay_peer_) {
    relay_peer_->relay_from(*h, *format);
    relayed_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  deliver_voice(*h, *format);
}

void RtpStream::update_source(const RtpHeader& h, std::uint32_t clock) {
  auto& s = src_;
  if (!s.valid || h.ssrc != s.ssrc) {
    if (s.valid) ssrc_changes_.fetch_add(1, std::memory_order_relaxed);
    s = SourceState{};
    s.valid = true;
    s.ssrc = h.ssrc;
    s.base_seq = h.sequence;
    s.max_seq = h.sequence;
    s.clock = clock;
    remote_ssrc_.store(h.ssrc, std::memory_order_relaxed);
    // A new source restarts timestamps: the buffer must not wait for the old ones.
    if (jitter_) reset_jitter(jitter_format_, clock);
  } else {
    const std::uint16_t delta = static_cast<std::uint16_t>(h.sequence - s.max_seq);
    if (delta < 3000) {
      if (h.sequence < s.max_seq) s.cycles += 65536;
      s.max_seq = h.sequence;
    } else if (delta <= 65536 - 100) {
      // A jump: the sender restarted its sequence (some phones do on re-INVITE).
      s.base_seq = h.sequence;
      s.max_seq = h.sequence;
      s.cycles = 0;
      s.received = 0;
      s.expected_prior = s.received_prior = 0;
    }
  }
  ++s.received;
  // RFC 3550 A.8 interarrival jitter, in timestamp units.
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                        origin_).count();
  const auto arrival = static_cast<std::uint32_t>(static_cast<std::uint64_t>(us) * s.clock / 1000000);
  const std::int64_t transit = static_cast<std::int32_t>(arrival - h.timestamp);
  if (s.have_transit) {
    std::int64_t d = transit - s.last_transit;
    if (d < 0) d = -d;
    s.jitter += (static_cast<double>(d) - s.jitter) / 16.0;
  }
  s.last_transit = transit;
  s.have_transit = true;
  const std::uint32_t expected = s.expected();
  rx_lost_.store(expected > s.received ? expected - s.received : 0, std::memory_order_relaxed);
  rx_jitter_s_.store(s.jitter / s.clock, std::memory_order_relaxed);
}

void RtpStream::on_telephone_event(const RtpHeader& h) {
  if (!wants_rfc4733(settings_.dtmf_mode)) return;
  auto e = media::decode_telephone_event(h.payload);
  if (!e) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  te_last_ = std::chrono::steady_clock::now();
  auto d = te_rx_.on_packet(*e, h.timestamp);
  if (!d) return;
  const std::uint32_t clock = recv_params_ ? recv_params_->telephone_event_clock : 8000;
  if (d->begin) {
    if (te_digit_) deliver(Frame::dtmf_end(te_digit_, std::chrono::milliseconds(0)));  // previous never ended
    te_digit_ = d->digit;
    deliver(Frame::dtmf_begin(d->digit));
    if (e->end) {  // first packet seen is already the end (its start was lost)
      te_digit_ = 0;
      deliver(Frame::dtmf_end(d->digit, std::chrono::milliseconds(d->duration * 1000ull / clock)));
      te_rx_.on_packet(*e, h.timestamp);  // mark ended so retransmissions stay silent
    } else {
      shard_.wheel.schedule(dtmf_rx_timer_, std::chrono::milliseconds(config_->dtmf_timeout_samples / 8));
    }
  } else {
    te_digit_ = 0;
    deliver(Frame::dtmf_end(d->digit, std::chrono::milliseconds(d->duration * 1000ull / clock)));
  }
}

void RtpStream::deliver_voice(const RtpHeader& h, media::Format f, bool from_jitter_buffer) {
  if (h.payload.empty() || channel_.expired()) return;  // nobody listens: build no Frame
  if (!from_jitter_buffer && jitter_ && f == jitter_format_) {
    buffer_packet(h, f);
    return;
  }
  std::uint32_t samples = 0;
  switch (f.codec) {
    case media::Codec::Ulaw:
    case media::Codec::Alaw: samples = static_cast<std::uint32_t>(h.payload.size()); break;
    case media::Codec::G722: samples = static_cast<std::uint32_t>(h.payload.size() * 2); break;
    case media::Codec::Opus: {
      const int n = opus_packet_get_nb_samples(h.payload.data(), static_cast<opus_int32>(h.payload.size()), 48000);
      if (n <= 0) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        return;
      }
      samples = static_cast<std::uint32_t>(n);
      break;
    }
    default: return;
  }
  // A pooled copy carrying the packet's header fields (the jitter buffer's playout keeps them).
  deliver(Frame::voice_copy(f, h.payload, samples,
                            RtpInfo{.timestamp = h.timestamp, .ssrc = h.ssrc, .sequence = h.sequence,
                                    .marker = h.marker, .present = true}));
}

void RtpStream::buffer_packet(const RtpHeader& h, media::Format f) {
  std::array<std::uint8_t, 482> entry;
  if (h.payload.size() + 1 > entry.size()) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  entry[0] = 0;  // a packet as received
  std::memcpy(entry.data() + 1, h.payload.data(), h.payload.size());
  const std::span<const std::uint8_t> bytes(entry.data(), h.payload.size() + 1);
  if (!jitter_->put(bytes, h.timestamp, h.sequence)) dropped_.fetch_add(1, std::memory_order_relaxed);
  // Packets missing before this one: its in-band FEC stands in for the last of them (opus);
  // PLC covers any earlier ones.
  const auto gap = static_cast<std::uint16_t>(h.sequence - last_buffered_seq_);
  if (f.codec == media::Codec::Opus && settings_.opus_fec && have_buffered_seq_ && gap >= 2 && gap <= 50) {
    const int n = opus_packet_get_nb_samples(h.payload.data(), static_cast<opus_int32>(h.payload.size()), 48000);
    if (n > 0) {
      entry[0] = 1;  // decode the lost frame from this packet's FEC data
      jitter_->put(bytes, h.timestamp - static_cast<std::uint32_t>(n), static_cast<std::uint16_t>(h.sequence - 1));
    }
  }
  if (!have_buffered_seq_ || static_cast<std::int16_t>(h.sequence - last_buffered_seq_) > 0) {
    last_buffered_seq_ = h.sequence;
    have_buffered_seq_ = true;
  }
}

void RtpStream::deliver_decoded_opus(std::span<const std::uint8_t> packet, bool recover) {
  auto out = make_payload(960 * 2);  // pooled: no heap per decoded frame
  std::span<std::int16_t> pcm(reinterpret_cast<std::int16_t*>(out->data()), 960);
  Result<std::size_t> n = packet.empty() ? opus_dec_->conceal(pcm, 960)
                          : recover      ? opus_dec_->recover(packet, pcm, 960)
                                         : opus_dec_->decode(packet, pcm);
  if (!n || *n == 0) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  out->resize(*n * 2);
  deliver(Frame::voice(media::Format::slin(48000), Payload(std::move(out)), static_cast<std::uint32_t>(*n)));
}

void RtpStream::deliver(Frame f) {
  auto chan = channel_.lock();
  if (!chan) return;
  if (f.kind == FrameKind::Voice) delivered_.fetch_add(1, std::memory_order_relaxed);
  chan->queue_frame(std::move(f));
}

void RtpStream::playout() {
  if (!jitter_ || closed_) return;
  shard_.wheel.schedule_periodic(playout_timer_, std::chrono::milliseconds(20));
  auto p = jitter_->pull();
  const bool opus = jitter_format_.codec == media::Codec::Opus && opus_dec_;
  if (p.status == media::JitterBuffer::Status::Frame && p.payload.size() > 1) {
    const bool recover = p.payload[0] == 1;
    const auto body = p.payload.subspan(1);
    if (opus) {
      deliver_decoded_opus(body, recover);
      if (recover) fec_recovered_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    RtpHeader h;
    h.timestamp = p.timestamp;
    h.payload = body;
    deliver_voice(h, jitter_format_, /*from_jitter_buffer=*/true);
    return;
  }
  // Lost (or late) while the stream is alive: opus conceals it; a paused stream stays quiet.
  if (opus && src_.valid && std::chrono::steady_clock::now() - last_rx_ < std::chrono::milliseconds(100)) {
    deliver_decoded_opus({}, false);
    concealed_.fetch_add(1, std::memory_order_relaxed);
  }
}

void RtpStream::on_playout_timer(TimerWheel::Entry&, void* self) { static_cast<RtpStream*>(self)->playout(); }

void RtpStream::on_dtmf_rx_timer(TimerWheel::Entry&, void* p) {
  auto* self = static_cast<RtpStream*>(p);
  // A telephone-event whose end never came: end it after dtmftimeout of silence.
  if (!self->te_digit_) return;
  const auto quiet = std::chrono::steady_clock::now() - self->te_last_;
  const auto limit = std::chrono::milliseconds(self->config_->dtmf_timeout_samples / 8);
  if (quiet < limit) {
    self->shard_.wheel.schedule(self->dtmf_rx_timer_, std::chrono::duration_cast<std::chrono::milliseconds>(limit - quiet));
    return;
  }
  const char d = self->te_digit_;
  self->te_digit_ = 0;
  self->te_rx_ = media::TelephoneEventReceiver{};
  self->deliver(Frame::dtmf_end(d, std::chrono::duration_cast<std::chrono::milliseconds>(quiet)));
}

}  // namespace telephony::rtp
