// MediaSettings: what an endpoint says about its media — the pjsip.conf endpoint options that
// shape SDP and RTP (allow/disallow, dtmf_mode, media_encryption, rtp_symmetric, rtp_timeout …)
// — as a value the SIP driver fills from its config and hands to rtp::MediaSession::create().
//
// CodecPreferences is the ordered `allow` list. apply_allow()/apply_disallow() read the values
// exactly as pjsip.conf writes them ("ulaw,alaw", "all", "!g729", "opus:20"), in the order the
// lines appear. Known Asterisk format names that this engine does not implement (g729, gsm,
// ilbc, video codecs …) are accepted and reported back as warnings, so a config written for
// Asterisk loads; a name nobody knows is an error naming it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/media/format.hpp"
#include "telephony/result.hpp"

namespace telephony::rtp {

// The audio codecs SDP negotiation knows, by their allow= names.
inline constexpr std::string_view kNegotiableCodecs = "ulaw, alaw, g722, opus";

struct CodecPreference {
  media::Format format;
  std::uint32_t ptime_ms = 0;  // "opus:20" framing; 0: the endpoint's ptime
  bool operator==(const CodecPreference&) const = default;
};

class CodecPreferences {
 public:
  CodecPreferences() = default;
  // The formats in preference order (first = most preferred).
  const std::vector<CodecPreference>& list() const { return list_; }
  bool empty() const { return list_.empty(); }
  bool allows(media::Format f) const;
  std::optional<std::size_t> rank(media::Format f) const;
  // "ulaw,alaw"; names as allow= writes them.
  std::string names() const;

  // One `allow=` value: comma separated names, "all", "!name" (= disallow). Appends new names at
  // the end, keeps the position of names already allowed. Unknown-but-Asterisk names are added
  // to `warnings` (when given) and skipped.
  Result<void> apply_allow(std::string_view value, std::vector<std::string>* warnings = nullptr);
  // One `disallow=` value ("all" or names).
  Result<void> apply_disallow(std::string_view value, std::vector<std::string>* warnings = nullptr);

  // Convenience: "ulaw,opus" -> preferences (errors as apply_allow).
  static Result<CodecPreferences> from_allow(std::string_view value);

 private:
  std::vector<CodecPreference> list_;
};

// pjsip.conf dtmf_mode. `Auto`: RFC 4733 when the peer offers telephone-event, inband
// otherwise. `AutoInfo`: RFC 4733 when negotiated, SIP INFO otherwise.
enum class DtmfMode : std::uint8_t { Rfc4733, Inband, Info, Auto, AutoInfo, None };
std::string_view to_string(DtmfMode m);
std::optional<DtmfMode> dtmf_mode_from_name(std::string_view name);  // also "rfc2833"

// pjsip.conf media_encryption: no or sdes (dtls is refused at config load by the driver).
enum class MediaEncryption : std::uint8_t { None, Sdes };

// SRTP protection profiles offered/accepted with SDES, in preference order.
enum class SrtpSuite : std::uint8_t { AesCm128HmacSha1_80, AesCm128HmacSha1_32, AeadAes128Gcm };
std::string_view to_string(SrtpSuite s);
std::optional<SrtpSuite> srtp_suite_from_name(std::string_view name);

// Receive-side jitter buffer (speexdsp), used only when the call's audio is decoded in the
// engine; a natively relayed leg never buffers (the far phone's buffer does that job).
struct JitterSettings {
  bool enabled = true;
  std::chrono::milliseconds max_delay{200};  // frames later than this are dropped
  std::uint32_t max_late_rate = 4;           // % of late frames tolerated before growing
  // Delay kept on top of the adaptive target (Asterisk's target_extra): without it a loaded
  // engine played 0.1-0.3 % of G.711 frames "late" at 200 transcoded calls (docs/benchmarks/rtp.md).
  // Opus with FEC keeps at least one frame whatever this says.
  std::chrono::milliseconds target_extra{20};
};

struct MediaSettings {
  std::string endpoint;  // name used in log lines, events and the 488 Warning

  CodecPreferences codecs;  // allow/disallow; empty means "ulaw, alaw"
  std::uint32_t ptime_ms = 20;
  DtmfMode dtmf_mode = DtmfMode::Rfc4733;
  int telephone_event_pt = 101;  // payload type we offer for telephone-event

  MediaEncryption encryption = MediaEncryption::None;
  // sdes: offer RTP/AVP with a=crypto and accept a plain answer (media_encryption_optimistic).
  bool encryption_optimistic = false;
  std::vector<SrtpSuite> srtp_suites{SrtpSuite::AesCm128HmacSha1_80, SrtpSuite::AesCm128HmacSha1_32,
                                     SrtpSuite::AeadAes128Gcm};

  // Comedia: send to where the peer's RTP comes from instead of the SDP address (NAT).
  bool rtp_symmetric = false;
  // Hang up when no RTP (or RTCP) arrived for this long while the call is up; 0 = never.
  std::chrono::seconds rtp_timeout{0};
  std::chrono::seconds rtp_timeout_hold{0};  // the same while the peer has us on hold

  // Address the RTP socket binds to ("0.0.0.0", "::", "127.0.0.1"); empty: the rtp module's
  // bind address.
  std::string bind_address;
  // Address written in c=/o= (pjsip media_address); empty: bind_address when it is not a
  // wildcard, else the local address the SIP driver passes here.
  std::string media_address;
  // Public address for phones behind NAT to send to (external_media_address).
  std::string external_media_address;
  // bind_rtp_to_media_address: bind RTP on media_address instead of bind_address.
  bool bind_to_media_address = false;

  JitterSettings jitter;
  std::uint32_t opus_max_average_bitrate = 32000;  // fmtp maxaveragebitrate we ask for
  bool opus_fec = true;                              // fmtp useinbandfec=1, and FEC use

  // The advertised address: external, media, bind (non-wildcard), in that order.
  std::string sdp_address() const;
};

// One pjsip.conf endpoint option, if it is a media option: allow, disallow, dtmf_mode,
// media_encryption (no|sdes; dtls is refused), media_encryption_optimistic, srtp_tag_32,
// rtp_symmetric, rtp_timeout, rtp_timeout_hold, media_address, external_media_address,
// bind_rtp_to_media_address, direct_media, ice_support, use_ptime. nullopt: not a media option
// (the SIP driver handles it). An error names the option and the bad value; `warnings` gets
// accepted-but-ignored values (direct_media=yes: media is always anchored here).
std::optional<Result<void>> apply_endpoint_media_option(MediaSettings& s, std::string_view name, std::string_view value,
                                                        std::vector<std::string>* warnings = nullptr);

}  // namespace telephony::rtp
