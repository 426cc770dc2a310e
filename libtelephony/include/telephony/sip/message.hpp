// sip::Message: one parsed SIP request or response, as a set of string_views over the bytes it was
// received in (RFC 3261 §7, §20).
//
// Accepts what RFC 3261 and RFC 4475's valid messages contain: header names in any case and in
// their compact forms (an enum, so lookups are a switch), LWS and line folding anywhere LWS may
// appear (a folded value keeps its CRLF+WS inside the view; every value reader treats CR, LF, SP
// and HT as whitespace), several values in one header, unknown methods, URI schemes and headers
// (kept verbatim, findable by name), lines ended by a bare LF, binary bodies framed by
// Content-Length (a datagram without Content-Length takes the rest of the datagram; trailing
// bytes after the body of a datagram are ignored, as RFC 4475 §3.1.1.8 wants).
// Rejects, with the status to answer and a reason phrase naming the bad part ("Bad CSeq header",
// "Missing Call-ID header"): a malformed start line, SIP versions other than 2.0 (505), a header
// line without a name and colon, Content-Length that is not a number, negative, conflicting or
// larger than the bytes present, more than one value in a single-value header (From, To,
// Call-ID, CSeq, Max-Forwards, Content-Length, Content-Type), a CSeq over 2^32-1 or naming a
// method other than the request's, a malformed From/To/Contact/Via/Request-URI, a bare
// "z9hG4bK" branch, a Date not in GMT. Requests whose Via cannot be found, and every bad
// response, get status 0: drop silently.
// Allocates: nothing for up to kInlineHeaders header lines (an inline array); one vector beyond
// that. Errors allocate their reason text.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/result.hpp"

namespace telephony::sip {

enum class Method : std::uint8_t {
  Unknown,
  Invite,
  Ack,
  Bye,
  Cancel,
  Options,
  Register,
  Info,
  Update,
  Prack,
  Refer,
  Notify,
  Subscribe,
  Message,
  Publish,
};
std::string_view to_string(Method m);  // "INVITE"; "" for Unknown
// Methods are case-sensitive (RFC 3261 §7.1): "invite" is an unknown extension method.
Method method_from(std::string_view token);

// Known header names; compact forms map to the same id (i = Call-ID, m = Contact, v = Via, …).
enum class Header : std::uint8_t {
  Other,
  Accept,
  AcceptEncoding,
  AcceptLanguage,
  AlertInfo,
  Allow,
  AllowEvents,
  Authorization,
  CallId,
  CallInfo,
  Contact,
  ContentDisposition,
  ContentEncoding,
  ContentLanguage,
  ContentLength,
  ContentType,
  CSeq,
  Date,
  Diversion,
  Event,
  Expires,
  From,
  MaxForwards,
  MinExpires,
  MinSE,
  PAssertedIdentity,
  PPreferredIdentity,
  Path,
  Privacy,
  ProxyAuthenticate,
  ProxyAuthorization,
  ProxyRequire,
  RAck,
  Reason,
  RecordRoute,
  ReferTo,
  ReferredBy,
  Replaces,
  Require,
  RetryAfter,
  Route,
  RSeq,
  Server,
  SessionExpires,
  Subject,
  SubscriptionState,
  Supported,
  Timestamp,
  To,
  Unsupported,
  UserAgent,
  Via,
  Warning,
  WwwAuthenticate,
  Count,
};
Header header_from_name(std::string_view name);  // case-insensitive; Other when unknown
std::string_view canonical_name(Header h);       // "Call-ID"; "" for Other

struct HeaderField {
  Header id = Header::Other;
  std::string_view name;   // as written
  std::string_view value;  // leading/trailing LWS trimmed; may contain folded CRLF+WS
};

// Why a message was refused. status 0: no response can be formed (drop silently).
struct ParseError {
  int status = 400;
  std::string reason;  // the reason phrase of the response, naming the bad header
};

class Message {
 public:
  static constexpr std::size_t kInlineHeaders = 40;

  bool is_request() const { return request_; }
  // Requests
  Method method() const { return method_; }
  std::string_view method_name() const { return method_name_; }
  std::string_view request_uri() const { return request_uri_; }
  // Responses
  int status() const { return status_; }
  std::string_view reason() const { return reason_; }

  std::string_view body() const { return body_; }
  // Start line, headers and body exactly as received (without ignored trailing datagram bytes).
  std::string_view raw() const { return raw_; }

  std::size_t header_count() const { return count_; }
  const HeaderField& header(std::size_t i) const {
    return i < kInlineHeaders ? inline_[i] : overflow_[i - kInlineHeaders];
  }
  // First header line with that id, or null.
  const HeaderField* find(Header id) const;
  // First header with that name (case-insensitive; known names also match their compact form).
  const HeaderField* find(std::string_view name) const;
  // Value of the first header line with that id; empty when absent.
  std::string_view value(Header id) const {
    const HeaderField* f = find(id);
    return f ? f->value : std::string_view();
  }
  // Calls f(const HeaderField&) for every header line with that id, in order.
  template <class F>
  void for_each(Header id, F&& f) const {
    for (std::size_t i = 0; i < count_; ++i)
      if (header(i).id == id) f(header(i));
  }

  // Fields every transaction needs, checked and extracted by the parser.
  std::string_view call_id() const { return call_id_; }
  std::uint32_t cseq() const { return cseq_; }
  Method cseq_method() const { return cseq_method_; }
  std::string_view cseq_method_name() const { return cseq_method_name_; }
  std::string_view top_via() const { return top_via_; }  // first Via value (one via-parm)
  std::string_view branch() const { return branch_; }    // of the top Via; may be empty
  std::string_view from_tag() const { return from_tag_; }
  std::string_view to_tag() const { return to_tag_; }

 private:
  friend class MessageParser;
  void add(const HeaderField& f);

  bool request_ = false;
  Method method_ = Method::Unknown;
  std::string_view method_name_;
  std::string_view request_uri_;
  int status_ = 0;
  std::string_view reason_;
  std::string_view body_;
  std::string_view raw_;
  std::string_view call_id_;
  std::uint32_t cseq_ = 0;
  Method cseq_method_ = Method::Unknown;
  std::string_view cseq_method_name_;
  std::string_view top_via_;
  std::string_view branch_;
  std::string_view from_tag_;
  std::string_view to_tag_;
  std::uint16_t count_ = 0;
  std::array<std::uint8_t, static_cast<std::size_t>(Header::Count)> first_{};  // index+1; 0: none
  std::array<std::uint8_t, static_cast<std::size_t>(Header::Count)> counts_{};  // lines per id (saturating)
  std::array<HeaderField, kInlineHeaders> inline_{};
  std::vector<HeaderField> overflow_;
};

// Parses one message. `datagram`: the bytes are one UDP datagram (no Content-Length means the
// rest of it; trailing bytes after Content-Length are ignored). Otherwise `bytes` must be exactly
// one framed message (see frame_stream). The result's views point into `bytes`.
Result<Message, ParseError> parse_message(std::string_view bytes, bool datagram);

// Stream framing (TCP/TLS, RFC 3261 §18.3): how many bytes of `buffered` form the next message.
struct StreamFrame {
  enum class Status { NeedMore, Complete, Bad } status = Status::NeedMore;
  std::size_t length = 0;      // Complete: message length; leading CRLF keep-alives are skipped
  std::size_t skip = 0;        // bytes of keep-alive CRLFs before the message
  std::string reason;          // Bad: why (the connection is then closed)
};
StreamFrame frame_stream(std::string_view buffered, std::size_t max_message);

}  // namespace telephony::sip
