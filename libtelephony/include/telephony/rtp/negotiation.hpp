// SDP offer/answer (RFC 3264) for one audio stream, as a state machine without sockets:
// SdpNegotiator builds our offers, answers theirs, applies their answers, and reports what was
// agreed (NegotiatedStream) or why nothing could be (NegotiationFailure).
//
// Rules it follows:
//   - Offers list the endpoint's allowed codecs in allow= order, then telephone-event (unless
//     dtmf_mode is inband/info/none), with rtpmap for every dynamic type, opus fmtp
//     "useinbandfec=1;maxaveragebitrate=N;stereo=0" (RFC 7587), a=ptime and the direction
//     (sendonly while we hold the peer). With media_encryption=sdes the profile is RTP/SAVP
//     (RTP/AVP when optimistic) with one a=crypto per configured suite and a fresh key each.
//   - Answers keep the offer's m= lines in order; the first audio stream with a common codec is
//     accepted, every other stream is refused with port 0 (RFC 3264 §6). Codecs in the answer
//     are the common ones in the endpoint's allow= order, with the offerer's payload type
//     numbers. The direction is the mirror of the offered one limited by our hold state; c=
//     0.0.0.0 counts as hold (RFC 2543).
//   - SRTP: RTP/SAVP offers need sdes on our side and a crypto suite we support; plain offers
//     are refused when sdes is required unless they carry a=crypto (optimistic peers) or we
//     are optimistic ourselves.
//   - Re-offers (re-INVITE, hold) keep the session id and increment the o= version; the
//     version only changes when the body changes.
// No match is a NegotiationFailure carrying what each side offered and what the endpoint
// allows, so the SIP layer can send `488` with a Warning that says exactly that.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "telephony/media/format.hpp"
#include "telephony/result.hpp"
#include "telephony/rtp/media_settings.hpp"
#include "telephony/rtp/sdp.hpp"

namespace telephony::rtp {

struct NegotiationFailure {
  enum class Kind : std::uint8_t {
    NoCommonCodec,      // 488, Warning 305
    NoAudioStream,      // 488, Warning 304 (no usable audio m= line)
    SrtpRequired,       // 488, Warning 302: plain RTP offered, sdes required
    SrtpUnsupported,    // 488, Warning 302: RTP/SAVP without a usable crypto suite
    TransportRefused,   // 488, Warning 302: a profile we do not speak (UDP/TLS/RTP/SAVPF …)
    StreamRejected,     // their answer refused our stream (port 0)
    BadSdp,             // 400/488: unparseable description (detail says where)
    NoOffer,            // apply_answer() without a pending offer
  };
  Kind kind = Kind::NoCommonCodec;
  std::string endpoint;
  std::vector<std::string> offered;  // their codecs as on the wire: "PCMA/8000", "G729/8000"
  std::vector<std::string> allowed;  // the endpoint's allow= names: "ulaw", "opus"
  std::string detail;                // free text: the SDP error, the offered profile …

  // RFC 3261 §20.43 warn-code for the Warning header (302, 304, 305, 399).
  int warn_code() const;
  // The warn-text (no quotes inside): "Incompatible media format: offered PCMA/8000,G729/8000;
  // endpoint alice allows ulaw,opus".
  std::string warning_text() const;
  // The same, for log lines and events.
  std::string to_string() const { return warning_text(); }
};
std::string_view to_string(NegotiationFailure::Kind k);

struct NegotiatedCodec {
  media::Format format;
  int payload_type = 0;
  std::uint32_t clock_rate = 8000;  // RTP clock (8000 for G.722, 48000 for opus)
  std::string fmtp;                 // remote's fmtp for this type (opus: useinbandfec …)
  bool operator==(const NegotiatedCodec&) const = default;
};

// Binary SRTP master key||salt for one direction (never logged; zeroed on destruction).
struct SrtpKey {
  SrtpSuite suite = SrtpSuite::AesCm128HmacSha1_80;
  std::vector<std::uint8_t> key_salt;
  SrtpKey() = default;
  SrtpKey(SrtpSuite s, std::vector<std::uint8_t> k) : suite(s), key_salt(std::move(k)) {}
  SrtpKey(const SrtpKey&) = default;
  SrtpKey& operator=(const SrtpKey&) = default;
  SrtpKey(SrtpKey&&) = default;
  SrtpKey& operator=(SrtpKey&&) = default;
  ~SrtpKey();
  bool operator==(const SrtpKey&) const = default;
};
// Bytes of master key + salt for a suite (30 for AES-CM, 28 for AES-GCM-128).
std::size_t srtp_key_length(SrtpSuite s);

struct NegotiatedStream {
  std::vector<NegotiatedCodec> codecs;  // common codecs; codecs.front() is what we send
  std::optional<int> telephone_event_pt;  // their telephone-event type, if agreed
  std::uint32_t telephone_event_clock = 8000;
  // Every payload type we accept on receive and its format (telephone-event included): the
  // numbers of their description and of ours, since peers do not always echo our numbers.
  std::vector<std::pair<int, media::Format>> receive_types;
  Direction local_direction = Direction::SendRecv;   // what our SDP says
  Direction remote_direction = Direction::SendRecv;  // what their SDP says (0.0.0.0 = sendonly)
  std::string remote_address;  // their c= address
  std::uint16_t remote_rtp_port = 0;
  std::uint16_t remote_rtcp_port = 0;  // a=rtcp or port+1; equal to rtp port with rtcp-mux
  bool rtcp_mux = false;
  std::uint32_t remote_ptime_ms = 20;  // packetization they asked for (what we send)
  std::optional<SrtpKey> srtp_send;     // our key (we protect with it)
  std::optional<SrtpKey> srtp_receive;  // their key (we unprotect with it)

  bool secure() const { return srtp_send.has_value(); }
  // The peer has put us on hold: it no longer takes our media (its SDP says sendonly, inactive
  // or c=0.0.0.0).
  bool remote_hold() const { return !receives(remote_direction); }
  const NegotiatedCodec* codec_for(int payload_type) const;
  std::optional<media::Format> receive_format(int payload_type) const;
  bool operator==(const NegotiatedStream&) const = default;
};

class SdpNegotiator {
 public:
  // `address` is what c=/o= carry; `rtp_port` our RTP port (RTCP on rtp_port + 1).
  SdpNegotiator(MediaSettings settings, std::string address, std::uint16_t rtp_port);

  // A new offer (initial, late-offer 200, re-INVITE, hold). Leaves the negotiator waiting for
  // an answer; the current negotiated stream stays in force until apply_answer().
  SessionDescription create_offer();
  // Their offer -> our answer; on success negotiated() is the new agreement.
  Result<SessionDescription, NegotiationFailure> answer(const SessionDescription& offer);
  // Their answer to our last offer. The same answer again (the 200 repeating a 183's SDP, same
  // o= id and version) is accepted and changes nothing.
  Result<void, NegotiationFailure> apply_answer(const SessionDescription& answer);
  // Text forms (parse errors become BadSdp failures naming the line).
  Result<std::string, NegotiationFailure> answer(std::string_view offer_text);
  Result<void, NegotiationFailure> apply_answer(std::string_view answer_text);

  // Local hold: subsequent offers/answers say sendonly (inactive if they hold us too).
  void set_local_hold(bool on) { local_hold_ = on; }
  bool local_hold() const { return local_hold_; }
  bool offer_pending() const { return pending_offer_.has_value(); }
  const std::optional<NegotiatedStream>& negotiated() const { return negotiated_; }
  const MediaSettings& settings() const { return settings_; }
  // The last SDP we produced (offer or answer).
  const std::optional<SessionDescription>& local_description() const { return last_local_; }

  // Our SDES key for a suite: generated on first use, then kept for the whole session so a
  // re-INVITE (hold, unhold) does not restart the SRTP context.
  const SrtpKey& local_key(SrtpSuite suite);

 private:
  struct PendingOffer {
    SessionDescription sdp;
  };
  Direction wanted_direction() const;
  SessionDescription base_description();
  void stamp(SessionDescription& sdp);  // o= version bump when the body changed
  int payload_type_for(media::Format f) const;
  NegotiationFailure failure(NegotiationFailure::Kind kind, const MediaDescription* remote,
                             std::string detail = {}) const;
  Result<void, NegotiationFailure> read_transport(const SessionDescription& sdp, const MediaDescription& m,
                                                  NegotiatedStream& out) const;

  MediaSettings settings_;
  std::string address_;
  std::uint16_t rtp_port_;
  std::uint64_t session_id_;
  std::uint64_t version_;
  bool local_hold_ = false;
  std::optional<PendingOffer> pending_offer_;
  std::optional<NegotiatedStream> negotiated_;
  std::optional<SessionDescription> last_local_;
  std::string last_body_;  // last serialized body without o=, to decide on version bumps
  std::optional<SdpOrigin> last_answer_origin_;  // o= of the answer last applied
  std::vector<SrtpKey> local_keys_;
};

// Asterisk format <-> SDP encoding names.
std::optional<media::Format> format_of(const RtpMap& map);
RtpMap rtpmap_of(media::Format f, int payload_type);

// Replaces SDES key material ("inline:...") in an SDP text with "inline:[redacted]", for SIP
// message logs: keys never reach a log.
std::string redact_sdp_keys(std::string_view sdp_text);

}  // namespace telephony::rtp
