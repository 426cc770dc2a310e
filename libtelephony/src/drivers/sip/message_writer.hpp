// Building outgoing SIP messages: a writer that appends the start line, headers and body into one
// string (one allocation per message, reserved up front), responses that copy what RFC 3261 §8.2.6
// says a response copies from its request, and the 400/505 answer to a request the parser
// refused (its Via/From/To/Call-ID/CSeq lines copied verbatim, found by a lenient scan).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "telephony/sip/message.hpp"
#include "transport.hpp"

namespace telephony::sip {

std::string_view reason_phrase(int code);  // RFC 3261 §21 texts; "" for unknown codes

class MessageWriter {
 public:
  MessageWriter() { out_.reserve(1024); }
  MessageWriter& request_line(std::string_view method, std::string_view uri);
  MessageWriter& status_line(int code, std::string_view reason = {});
  MessageWriter& header(std::string_view name, std::string_view value);
  MessageWriter& header(Header h, std::string_view value) { return header(canonical_name(h), value); }
  // Ends the headers with Content-Type (when a body is given) and Content-Length, then the body.
  std::string finish(std::string_view content_type = {}, std::string_view body = {});

 private:
  std::string out_;
};

// The top Via as the server transport must return it: received= the source address and
// rport=<port> when the request asked for rport (RFC 3581).
std::string stamped_via(std::string_view top_via, const Address& source);

// Status line plus Via (stamped), From, To (with `to_tag` added when the request had none and the
// code is not 100), Call-ID and CSeq of `req`. The caller adds the rest and finishes.
MessageWriter response_for(const Message& req, int code, std::string_view reason, const Address& source,
                           std::string_view to_tag);

// The answer to a request the parser refused with `e` (status 400/505), or nullopt when the
// bytes hold no Via to answer to.
std::optional<std::string> error_response(std::string_view bytes, const ParseError& e, const Address& source,
                                          std::string_view server_header);

// A new random token for tags, branches and Call-IDs (hex, `len` characters).
std::string random_token(std::size_t len = 16);
// A branch: the magic cookie plus a random token.
std::string new_branch();

}  // namespace telephony::sip
