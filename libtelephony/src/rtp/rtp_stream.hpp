// RtpStream: the socket side of a MediaSession — one RTP and one RTCP socket on a shard, the
// receive loop (recvmmsg), SRTP, source learning (strictrtp / comedia), RFC 3550 receive
// statistics, RFC 4733 in and out, the jitter buffer of the decoded path, RTCP reports, the RTP
// timeout, and the native relay to a peer stream on the same shard.
//
// Threads: receive handling, timers, relay and RTCP run on the shard thread. write()/DTMF sends
// come from any thread and take `send_mu_` (this stream's only; the relay takes it too, from the
// shard). Control changes (apply(), attach(), relay set-up, close()) are posted to the shard.
// Counters read by statistics() are relaxed atomics.
// Internal: not installed.
#pragma once

#include <boost/asio/ip/udp.hpp>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "rtp/rtp_stack.hpp"
#include "rtp/srtp_context.hpp"
#include "telephony/channel.hpp"
#include "telephony/media/codec.hpp"
#include "telephony/media/dtmf.hpp"
#include "telephony/media/jitter.hpp"
#include "telephony/media/translator.hpp"
#include "telephony/rtp/media_session.hpp"
#include "telephony/rtp/negotiation.hpp"
#include "telephony/rtp/packet.hpp"

namespace telephony::rtp {

// RFC 3550 A.1/A.8 receive state of the current remote source.
struct SourceState {
  bool valid = false;
  std::uint32_t ssrc = 0;
  std::uint16_t max_seq = 0;
  std::uint32_t cycles = 0;
  std::uint32_t base_seq = 0;
  std::uint32_t received = 0;
  std::uint32_t expected_prior = 0, received_prior = 0;
  double jitter = 0;          // timestamp units
  std::int64_t last_transit = 0;
  bool have_transit = false;
  std::uint32_t clock = 8000;
  std::uint32_t extended_max() const { return cycles + max_seq; }
  std::uint32_t expected() const { return extended_max() - base_seq + 1; }
};

class RtpStream : public std::enable_shared_from_this<RtpStream> {
 public:
  RtpStream(Engine& engine, std::shared_ptr<RtpStack> stack, Shard& shard, SocketPair sockets, MediaSettings settings);
  ~RtpStream();

  void start();  // arms the receive waits (posted)
  // New negotiated parameters (posted; the send side switches at once under send_mu_).
  void apply(const NegotiatedStream& n);
  void attach(std::weak_ptr<Channel> chan);
  void close();

  void write(const Frame& f);
  void send_digit_begin(char digit);
  void send_digit_end(char digit, std::chrono::milliseconds held);

  // The receive jitter buffer (JITTERBUFFER()): `s` replaces the endpoint's settings, nullopt
  // goes back to them. Posted; the buffer is rebuilt empty at the next packet boundary.
  void set_jitter(std::optional<JitterSettings> s);

  // Native relay: `peer` receives what we receive (and is on our shard). Posted.
  void set_relay_peer(std::shared_ptr<RtpStream> peer);
  bool relaying() const { return relay_active_.load(std::memory_order_relaxed); }
  // Ends the relay in both directions (this stream and its peer). Posted.
  void stop_relay_pair();
  bool closed() const { return closed_.load(); }

  Shard& shard() const { return shard_; }
  std::uint16_t local_port() const { return local_port_; }
  std::string local_address() const;
  RtpStatistics statistics() const;
  // The counters the metrics sum (relaxed loads, no lock, no allocation).
  StreamCounters counters() const;

 private:
  struct SendTarget {
    boost::asio::ip::udp::endpoint rtp, rtcp;
    bool valid = false;
  };

  // receive (shard)
  static void on_readable(void* self, bool rtcp_socket);  // PollSet callback
  void drain(int fd, bool rtcp_socket);
  void on_packet(std::uint8_t* data, std::size_t len, const boost::asio::ip::udp::endpoint& from);
  void on_rtcp(std::uint8_t* data, std::size_t len, const boost::asio::ip::udp::endpoint& from);
  bool accept_source(const boost::asio::ip::udp::endpoint& from, std::uint16_t seq);
  bool target_matches_sdp(const boost::asio::ip::udp::endpoint& from) const;
  void reset_jitter(media::Format f, std::uint32_t clock);
  void update_source(const RtpHeader& h, std::uint32_t clock);
  void on_telephone_event(const RtpHeader& h);
  void deliver_voice(const RtpHeader& h, media::Format f, bool from_jitter_buffer = false);
  void buffer_packet(const RtpHeader& h, media::Format f);
  void deliver_decoded_opus(std::span<const std::uint8_t> packet, bool recover);
  void deliver(Frame f);
  void flush_relay();
  void apply_on_shard(NegotiatedStream n);

  // send (any thread, send_mu_)
  void send_packet_locked(std::size_t len, bool rtcp = false);
  void send_voice_locked(const NegotiatedCodec& codec, std::span<const std::uint8_t> payload, std::uint32_t ticks);
  std::uint32_t advance_timestamp_locked(std::uint32_t clock, std::uint32_t ticks, bool& marker);
  void relay_from(const RtpHeader& h, media::Format f);  // shard thread of both
  void pump_dtmf_locked();
  std::uint64_t now_ms() const;

  // timers (shard)
  static void on_rtcp_timer(TimerWheel::Entry&, void* self);
  static void on_timeout_timer(TimerWheel::Entry&, void* self);
  static void on_dtmf_rx_timer(TimerWheel::Entry&, void* self);
  static void on_dtmf_tx_timer(TimerWheel::Entry&, void* self);
  static void on_playout_timer(TimerWheel::Entry&, void* self);
  void send_rtcp_report(bool bye = false);
  void check_timeout();
  void playout();
  void schedule_rtcp();

  Engine& engine_;
  std::shared_ptr<RtpStack> stack_;
  Shard& shard_;
  std::shared_ptr<const RtpConfig> config_;
  const MediaSettings settings_;
  boost::asio::ip::udp::socket rtp_sock_;
  boost::asio::ip::udp::socket rtcp_sock_;
  int rtp_fd_ = -1, rtcp_fd_ = -1;
  PollSet::Slot rtp_slot_, rtcp_slot_;
  std::uint16_t local_port_ = 0;
  std::atomic<bool> closed_{false};

  // ---- send side (send_mu_) ----
  mutable std::mutex send_mu_;
  std::optional<NegotiatedStream> send_params_;
  SendTarget target_;
  bool target_learned_ = false;  // comedia moved target_ to the packets' source
  SrtpContext srtp_send_;
  std::uint32_t ssrc_;
  std::uint16_t seq_;
  std::uint32_t next_ts_;
  bool ts_started_ = false;
  std::uint32_t last_clock_ = 0;
  int last_pt_ = -1;
  std::chrono::steady_clock::time_point last_send_time_{};
  std::uint32_t last_sent_ts_ = 0;
  std::optional<std::uint64_t> last_sent_ntp_;
  std::optional<media::TranslatorPath> write_path_;
  // Repacketizing for a peer's a=ptime other than our 20 ms (G.711/G.722: 8 bytes per ms).
  std::array<std::uint8_t, 480> pack_buf_{};
  std::size_t pack_fill_ = 0;
  media::Format pack_format_;
  media::TelephoneEventSender dtmf_sender_;
  bool dtmf_active_ = false;           // audio is muted while an event is sent (RFC 4733 §2.5)
  std::uint64_t dtmf_start_ms_ = 0;
  std::optional<std::uint64_t> dtmf_end_at_ms_;  // a requested end waiting for the minimum length
  std::uint32_t dtmf_held_ms_ = 0;
  const std::chrono::steady_clock::time_point origin_ = std::chrono::steady_clock::now();
  bool send_allowed_ = true;
  // relay mapping for packets coming from the peer's source
  std::uint32_t relay_src_ssrc_ = 0;
  bool relay_src_valid_ = false;
  std::int64_t relay_ts_offset_ = 0;
  std::int32_t relay_seq_offset_ = 0;
  alignas(8) std::array<std::uint8_t, kMaxRtpPacket + kSrtpTrailer> send_buf_{};

  // ---- receive side (shard) ----
  std::optional<NegotiatedStream> recv_params_;
  SrtpContext srtp_recv_;  // SRTP and SRTCP of their stream
  SourceState src_;
  std::optional<boost::asio::ip::udp::endpoint> learned_;
  std::optional<boost::asio::ip::udp::endpoint> candidate_;
  std::uint16_t candidate_seq_ = 0;
  unsigned candidate_count_ = 0;
  media::TelephoneEventReceiver te_rx_;
  std::chrono::steady_clock::time_point te_last_{};
  char te_digit_ = 0;
  std::weak_ptr<Channel> channel_;
  std::shared_ptr<RtpStream> relay_peer_;
  std::atomic<bool> relay_active_{false};
  std::optional<media::JitterBuffer> jitter_;
  media::Format jitter_format_;
  JitterSettings jitter_settings_;  // settings_.jitter, or JITTERBUFFER()'s request (shard only)
  // Opus on the buffered path is decoded here, where loss is known: the last lost frame comes
  // from the next packet's FEC, earlier ones from PLC. Delivered as slin48.
  std::optional<media::OpusFrameDecoder> opus_dec_;
  std::uint16_t last_buffered_seq_ = 0;
  bool have_buffered_seq_ = false;
  std::chrono::steady_clock::time_point last_rx_ = std::chrono::steady_clock::now();
  std::optional<std::uint32_t> last_sr_middle_;  // LSR of their last SR
  std::chrono::steady_clock::time_point last_sr_at_{};
  bool remote_hold_ = false;

  TimerWheel::Entry rtcp_timer_, timeout_timer_, dtmf_rx_timer_, dtmf_tx_timer_, playout_timer_;

  // ---- counters (any thread reads) ----
  std::atomic<std::uint64_t> tx_packets_{0}, tx_octets_{0}, rx_packets_{0}, rx_octets_{0};
  std::atomic<std::uint64_t> relayed_{0}, delivered_{0}, dropped_{0}, srtp_failures_{0};
  std::atomic<std::uint32_t> ssrc_changes_{0}, rtcp_sent_{0}, rtcp_received_{0};
  std::atomic<std::uint32_t> remote_ssrc_{0}, rx_lost_{0}, tx_lost_{0};
  std::atomic<double> rx_jitter_s_{0}, tx_jitter_s_{0}, rtt_{-1}, rtt_min_{0}, rtt_max_{0}, rtt_sum_{0};
  std::atomic<std::uint32_t> rtt_count_{0};
  std::atomic<std::uint32_t> jitter_max_ms_{0};  // the active buffer's bound, 0 when none
  std::atomic<std::uint32_t> jitter_extra_ms_{0};  // delay kept on top of its adaptive target
  std::atomic<std::uint64_t> concealed_{0}, fec_recovered_{0};
  mutable std::mutex text_mu_;  // remote address text for statistics()
  std::string remote_text_;
};

}  // namespace telephony::rtp
