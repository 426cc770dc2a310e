// SDP (RFC 4566): the session description a SIP INVITE, 183, 200 or ACK carries, as a value type
// with a parser and a serializer.
//
// The parser accepts what phones actually send: CRLF or bare LF line ends, a missing final line
// end, unknown line types and attributes (kept, so nothing a peer said is lost), `t=`/`s=` in any
// order after `o=`. It rejects, naming the line number and the line type, what would make the
// description meaningless: no `v=0` first line, a line without `=` or with a type that is not a
// single lower-case letter, an `m=` line without port/proto/formats or with a port out of range,
// a `c=` line without an address, more than 64 m= lines or more than 256 attributes per level (a
// cap against hostile input), and descriptions larger than 64 KB. The parsed model owns its
// strings (it outlives the SIP buffer); parsing allocates one string per field, which is fine
// for the control plane (a handful of descriptions per call).
//
// The serializer writes lines in the order RFC 4566 §5 requires (v o s i u e p c b t r z k a,
// then each m= with its i c b k a), CRLF-terminated, so to_string(parse(x)) is canonical.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/result.hpp"

namespace telephony::rtp {

// A direction attribute (RFC 3264 §5.1); absent means sendrecv.
enum class Direction : std::uint8_t { SendRecv, SendOnly, RecvOnly, Inactive };
std::string_view to_string(Direction d);
std::optional<Direction> direction_from_name(std::string_view name);
// The direction an answerer uses for an offered one (sendonly <-> recvonly), limited by what
// the answerer itself wants (`local`).
Direction answer_direction(Direction offered, Direction local);
bool sends(Direction d);     // sendrecv or sendonly
bool receives(Direction d);  // sendrecv or recvonly

struct SdpAttribute {
  std::string name;
  std::string value;      // empty when the attribute is a flag (a=sendonly)
  bool has_value = false; // "a=x:" (empty value) and "a=x" are different on the wire
};

struct SdpConnection {
  std::string net_type = "IN";
  std::string addr_type = "IP4";  // IP4 or IP6
  std::string address;            // may carry "/ttl" for multicast; kept verbatim
};

struct SdpOrigin {
  std::string username = "-";
  std::uint64_t session_id = 0;
  std::uint64_t session_version = 0;
  std::string net_type = "IN";
  std::string addr_type = "IP4";
  std::string address;
};

struct SdpBandwidth {
  std::string type;  // "AS", "CT", "TIAS" …
  std::uint64_t value = 0;
};

// a=rtpmap:<pt> <encoding>/<clock>[/<channels>]
struct RtpMap {
  int payload_type = -1;
  std::string encoding;   // as written ("PCMU", "opus", "telephone-event")
  std::uint32_t clock_rate = 8000;
  std::uint8_t channels = 1;
};

// a=crypto:<tag> <suite> inline:<key||salt>[|lifetime][|mki:len] [session params] (RFC 4568)
struct SdpCrypto {
  int tag = 0;
  std::string suite;      // "AES_CM_128_HMAC_SHA1_80" …
  std::string key_params; // everything after "inline:" of the first key param, verbatim
  std::string session_params;
};

struct MediaDescription {
  std::string media = "audio";
  std::uint16_t port = 0;
  std::uint16_t port_count = 1;
  std::string proto = "RTP/AVP";
  std::vector<std::string> formats;  // payload type numbers as text, in the offered order
  std::string title;                 // i=
  std::optional<SdpConnection> connection;
  std::vector<SdpBandwidth> bandwidths;
  std::vector<SdpAttribute> attributes;

  // Attribute helpers (first match, names compared case-sensitively as RFC 4566 says).
  const SdpAttribute* attribute(std::string_view name) const;
  std::vector<const SdpAttribute*> attributes_named(std::string_view name) const;
  void add_attribute(std::string name, std::string value);
  void add_flag(std::string name);
  void remove_attributes(std::string_view name);

  // a=sendrecv/sendonly/recvonly/inactive of this media (nullopt when absent).
  std::optional<Direction> direction() const;
  // The rtpmap of `pt`, or the static RFC 3551 mapping for 0..34 when there is none.
  std::optional<RtpMap> rtpmap(int payload_type) const;
  // The a=fmtp value of `pt` (the text after "<pt> ").
  std::optional<std::string_view> fmtp(int payload_type) const;
  std::optional<std::uint32_t> ptime() const;
  std::vector<SdpCrypto> cryptos() const;  // malformed crypto lines are skipped
};

struct SessionDescription {
  SdpOrigin origin;
  std::string session_name = "-";
  std::string information;  // i=
  std::string uri;          // u=
  std::vector<std::string> emails, phones;
  std::optional<SdpConnection> connection;
  std::vector<SdpBandwidth> bandwidths;
  std::string timing = "0 0";  // t= (one is enough for SIP; extra t/r/z lines are dropped)
  std::vector<SdpAttribute> attributes;
  std::vector<MediaDescription> media;

  const SdpAttribute* attribute(std::string_view name) const;
  std::optional<Direction> direction() const;
  // The connection a media stream uses: its own c= or the session's.
  const SdpConnection* connection_for(const MediaDescription& m) const;
  // The effective direction of `m`: its own attribute, else the session's, else sendrecv;
  // a connection address of 0.0.0.0 (RFC 2543 hold) counts as sendonly when it would
  // otherwise send, so old phones' hold is understood.
  Direction direction_of(const MediaDescription& m) const;
};

Result<SessionDescription> parse_sdp(std::string_view text);
std::string to_string(const SessionDescription& sdp);

// Static payload types of RFC 3551 we know by name (0 PCMU, 3 GSM, 8 PCMA, 9 G722, 18 G729 …).
std::optional<RtpMap> static_rtpmap(int payload_type);

// Parses "a=fmtp" parameter lists: "useinbandfec=1; stereo=0" -> lookups by name
// (case-insensitive). Returns nullopt when the name is absent; "" for a bare flag.
std::optional<std::string_view> fmtp_parameter(std::string_view fmtp, std::string_view name);

}  // namespace telephony::rtp
