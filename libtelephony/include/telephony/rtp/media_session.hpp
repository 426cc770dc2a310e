// MediaSession: the media of one SIP call leg — its SDP offer/answer, its RTP/RTCP sockets, SRTP,
// RFC 4733 DTMF, statistics, hold, RTP timeout and native relaying — behind one object the SIP
// driver owns per dialog.
//
// How the SIP driver uses it:
//
//   auto media = rtp::MediaSession::create(engine, endpoint_media_settings);   // binds RTP+RTCP
//   // INVITE with SDP:      auto answer = media->answer_offer(body);
//   //                       !answer -> 488 + Warning: <answer.error().warn_code()> host "<warning_text()>"
//   // INVITE without SDP:   put media->create_offer() in the 200, then media->apply_answer(ack_body)
//   // outgoing INVITE:      body = media->create_offer(); on 183/200: media->apply_answer(body)
//   // re-INVITE:            same as INVITE (hold/unhold by the phone is detected here)
//   // our hold:             body = media->hold(); send re-INVITE; apply_answer(response body)
//   media->attach(channel);                       // inbound audio/DTMF → channel->queue_frame()
//   // ChannelTech::write(f)          → media->write(f)
//   // ChannelTech::send_digit_begin  → media->send_digit_begin(d) (unless media->dtmf_via_info())
//   // ChannelTech::native_formats()  → media->formats()
//   // ChannelTech::wants_inband_dtmf → media->wants_inband_dtmf()
//   // BYE / CANCEL / hangup          → media->stop()
//
// What it does on its own once attached:
//   - received voice becomes Frames in the format it arrived in (the negotiated codec); with the
//     jitter buffer on they are paced at 20 ms; telephone-event becomes DtmfBegin/DtmfEnd;
//   - the peer putting us on hold (re-INVITE with sendonly/inactive/0.0.0.0) queues
//     Control::Hold on the channel (Control::Unhold when it resumes), as chan_pjsip does;
//   - rtp_timeout / rtp_timeout_hold: a call that is Up and receives nothing for that long is
//     hung up with cause 44 (REQUESTED_CHAN_UNAVAIL, as Asterisk), a NOTICE naming the channel
//     and the silence, and an RtpTimedOut event;
//   - a failed negotiation is logged (NOTICE, the Warning text) and published as
//     MediaNegotiationFailed with the attached channel, if any;
//   - RTCP SR/RR every rtcpinterval; RTCPSent/RTCPReceived events; statistics() for
//     CHANNEL(rtpqos) and `core show channel`.
//
// Threading: every method may be called from any thread. Negotiation is serialized by a
// per-session mutex; socket work runs on the session's RTP shard; write() and the DTMF calls send
// directly from the caller's thread (a per-session lock, never shared between calls).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/channel.hpp"
#include "telephony/result.hpp"
#include "telephony/rtp/media_settings.hpp"
#include "telephony/rtp/negotiation.hpp"

namespace telephony {
class Engine;
}

namespace telephony::rtp {

class RtpStream;
class RtpStack;

// What `CHANNEL(rtpqos)`, `CHANNEL(rtcp,...)` and `core show channel` report. Jitter and RTT in
// seconds (Asterisk's units); counts since the session started.
struct RtpStatistics {
  std::uint32_t local_ssrc = 0;
  std::uint32_t remote_ssrc = 0;
  std::uint64_t tx_packets = 0;
  std::uint64_t tx_octets = 0;
  std::uint64_t rx_packets = 0;
  std::uint64_t rx_octets = 0;
  std::uint32_t rx_lost = 0;        // expected - received (cumulative)
  double rx_jitter = 0;             // seconds, our estimate of their stream
  std::uint32_t tx_lost = 0;        // what their last report says about our stream
  double tx_jitter = 0;             // seconds, from their last report
  std::optional<double> rtt;        // seconds, last computed
  double min_rtt = 0, max_rtt = 0, avg_rtt = 0;
  std::uint32_t rtcp_sent = 0, rtcp_received = 0;
  std::uint64_t relayed_packets = 0;     // native relay (no decode, no Frame)
  std::uint32_t jitter_buffer_max_ms = 0;  // the receive jitter buffer's bound; 0 when none
  std::uint32_t jitter_buffer_extra_ms = 0;  // delay it keeps on top of its adaptive target
  std::uint64_t delivered_frames = 0;    // frames handed to the channel
  std::uint64_t dropped_packets = 0;     // wrong source, unknown payload type, SRTP failure …
  std::uint64_t srtp_failures = 0;
  std::uint64_t concealed_frames = 0;      // opus PLC on the buffered path
  std::uint64_t fec_recovered_frames = 0;  // opus frames rebuilt from in-band FEC
  std::uint32_t ssrc_changes = 0;
  std::string local_address;   // "ip:port"
  std::string remote_address;  // where we send RTP
  bool secure = false;
  bool remote_hold = false;
  bool native_relay = false;
};
// "ssrc=…;themssrc=…;lp=…;rxjitter=…;rxcount=…;txjitter=…;txcount=…;rlp=…;rtt=…" (Asterisk).
std::string rtpqos_text(const RtpStatistics& s);
// "on;relayed=…;delivered=…": whether the leg relays natively, the packets it relayed without
// decoding and the frames it handed to its channel (`core show channel` NativeRelay).
std::string native_relay_text(const RtpStatistics& s);

class MediaSession : public std::enable_shared_from_this<MediaSession> {
 public:
  using Ptr = std::shared_ptr<MediaSession>;

  // Binds an RTP/RTCP port pair from rtp.conf's range on settings.bind_address. `same_shard_as`
  // puts the new session on another session's shard (the two legs of a call), which native
  // relaying requires.
  static Result<Ptr> create(Engine& engine, MediaSettings settings, const MediaSession* same_shard_as = nullptr);
  ~MediaSession();
  MediaSession(const MediaSession&) = delete;
  MediaSession& operator=(const MediaSession&) = delete;

  // ---- offer/answer -------------------------------------------------------------------------
  // Our offer (initial INVITE, the 200 of a late offer, a re-INVITE).
  std::string create_offer();
  // Their offer -> our answer. On failure nothing changes and the error carries the 488 reason.
  Result<std::string, NegotiationFailure> answer_offer(std::string_view remote_sdp);
  // Their answer to our last offer.
  Result<void, NegotiationFailure> apply_answer(std::string_view remote_sdp);
  bool offer_pending() const;
  // Put the peer on hold / take it off: returns the re-offer (sendonly / sendrecv) to send.
  std::string hold();
  std::string unhold();
  bool local_hold() const;
  bool remote_hold() const;  // the peer holds us
  // Negotiated codecs (the one we send first); before negotiation, the allowed ones.
  std::vector<media::Format> formats() const;
  std::optional<NegotiatedStream> negotiated() const;
  const MediaSettings& settings() const { return settings_; }

  // ---- media --------------------------------------------------------------------------------
  void attach(Channel::Ptr chan);
  void detach();
  // Sends a voice frame (other kinds are ignored). Frames in a negotiated format go out as they
  // are; others are translated to the negotiated codec.
  void write(const Frame& f);
  void send_digit_begin(char digit);
  void send_digit_end(char digit, std::chrono::milliseconds held);
  // dtmf_mode=inband, or auto without telephone-event: digits travel as tones.
  bool wants_inband_dtmf() const;
  // dtmf_mode=info, or auto_info without telephone-event: the SIP driver sends INFO.
  bool dtmf_via_info() const;
  // The receive jitter buffer as JITTERBUFFER() asks for it: `s` replaces the endpoint's
  // settings (jitterbuffer in pjsip.conf / rtp.conf), nullopt restores them. Takes effect on the
  // decoded path; a natively relayed leg keeps none (the far phone buffers).
  void set_jitter_buffer(std::optional<JitterSettings> s);

  // ---- native relay -------------------------------------------------------------------------
  // Relays audio RTP between two sessions without decoding or Frames (SSRC, sequence,
  // timestamps and payload type rewritten; SRTP unprotected/protected per leg). Needs a common
  // codec, both sessions on one shard, neither holding. DTMF still reaches the channels as
  // frames (features keep working). Fails with the reason otherwise; the frame path stays.
  static Result<void> start_native_relay(const Ptr& a, const Ptr& b);
  // Back to the frame path (both legs of the pair).
  void stop_native_relay();
  bool native_relay_active() const;

  // ---- introspection -------------------------------------------------------------------------
  RtpStatistics statistics() const;
  std::uint16_t local_rtp_port() const { return local_port_; }
  const std::string& local_address() const { return local_address_; }
  std::size_t shard_index() const;

  // Closes the sockets (after an RTCP BYE) and stops the timers. Idempotent; write() after
  // stop() is a no-op.
  void stop();
  bool stopped() const;

  // The session attached to `chan` (a channel datastore), for CHANNEL(rtpqos) and the console.
  static Ptr of(const Channel& chan);

 private:
  MediaSession(Engine& engine, MediaSettings settings);
  void apply_negotiated_locked();
  void report_failure(const NegotiationFailure& f, const Channel::Ptr& chan);

  Engine& engine_;
  const MediaSettings settings_;
  std::shared_ptr<RtpStack> stack_;
  std::shared_ptr<RtpStream> stream_;
  std::uint16_t local_port_ = 0;
  std::string local_address_;
  mutable std::mutex mu_;                    // negotiation state below
  std::unique_ptr<SdpNegotiator> negotiator_;
  bool last_remote_hold_ = false;
  std::weak_ptr<Channel> channel_;
};

}  // namespace telephony::rtp
