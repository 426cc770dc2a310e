// Outgoing message construction (see message_writer.hpp).
#include "message_writer.hpp"

#include <openssl/rand.h>

#include <atomic>
#include <random>

#include "telephony/sip/uri.hpp"

namespace telephony::sip {

std::string_view reason_phrase(int code) {
  switch (code) {
    case 100: return "Trying";
    case 180: return "Ringing";
    case 181: return "Call Is Being Forwarded";
    case 182: return "Queued";
    case 183: return "Session Progress";
    case 200: return "OK";
    case 202: return "Accepted";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Moved Temporarily";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 410: return "Gone";
    case 415: return "Unsupported Media Type";
    case 416: return "Unsupported URI Scheme";
    case 420: return "Bad Extension";
    case 422: return "Session Interval Too Small";
    case 423: return "Interval Too Brief";
    case 480: return "Temporarily Unavailable";
    case 481: return "Call/Transaction Does Not Exist";
    case 482: return "Loop Detected";
    case 483: return "Too Many Hops";
    case 484: return "Address Incomplete";
    case 486: return "Busy Here";
    case 487: return "Request Terminated";
    case 488: return "Not Acceptable Here";
    case 491: return "Request Pending";
    case 500: return "Server Internal Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Server Time-out";
    case 505: return "Version Not Supported";
    case 600: return "Busy Everywhere";
    case 603: return "Decline";
    case 604: return "Does Not Exist Anywhere";
    case 606: return "Not Acceptable";
    default: return "";
  }
}

MessageWriter& MessageWriter::request_line(std::string_view method, std::string_view uri) {
  out_.append(method).append(" ").append(uri).append(" SIP/2.0\r\n");
  return *this;
}

MessageWriter& MessageWriter::status_line(int code, std::string_view reason) {
  if (reason.empty()) reason = reason_phrase(code);
  out_.append("SIP/2.0 ").append(std::to_string(code)).append(" ").append(reason).append("\r\n");
  return *this;
}

MessageWriter& MessageWriter::header(std::string_view name, std::string_view value) {
  out_.append(name).append(": ").append(value).append("\r\n");
  return *this;
}

std::string MessageWriter::finish(std::string_view content_type, std::string_view body) {
  if (!body.empty() && !content_type.empty()) header(Header::ContentType, content_type);
  header(Header::ContentLength, std::to_string(body.size()));
  out_.append("\r\n").append(body);
  return std::move(out_);
}

std::string stamped_via(std::string_view top_via, const Address& source) {
  auto via = parse_via(top_via);
  if (!via) return std::string(top_via);
  std::string out;
  out.reserve(top_via.size() + 48);
  out.append("SIP/2.0/").append(via->transport).append(" ").append(via->host);
  if (via->port) out.append(":").append(std::to_string(via->port));
  via->params.for_each([&](std::string_view n, std::string_view v) {
    if (iequals(n, "received")) return;
    out.append(";").append(n);
    if (iequals(n, "rport") && v.empty()) out.append("=").append(std::to_string(source.port));
    else if (!v.empty()) out.append("=").append(v);
  });
  out.append(";received=").append(source.ip.to_string());
  return out;
}

MessageWriter response_for(const Message& req, int code, std::string_view reason, const Address& source,
                           std::string_view to_tag) {
  MessageWriter w;
  w.status_line(code, reason);
  bool first = true;
  req.for_each(Header::Via, [&](const HeaderField& f) {
    if (!first) {
      w.header(Header::Via, f.value);
      return;
    }
    first = false;
    // The first line may hold several values: stamp the first, keep the rest.
    std::string rest;
    bool top = true;
    for_each_value(f.value, [&](std::string_view v) {
      if (top) {
        w.header(Header::Via, stamped_via(v, source));
        top = false;
      } else {
        rest.append(rest.empty() ? "" : ", ").append(v);
      }
    });
    if (!rest.empty()) w.header(Header::Via, rest);
  });
  w.header(Header::From, req.value(Header::From));
  if (req.to_tag().empty() && code != 100 && !to_tag.empty())
    w.header(Header::To, std::string(req.value(Header::To)) + ";tag=" + std::string(to_tag));
  else
    w.header(Header::To, req.value(Header::To));
  w.header(Header::CallId, req.call_id());
  w.header(Header::CSeq, req.value(Header::CSeq));
  return w;
}

std::optional<std::string> error_response(std::string_view bytes, const ParseError& e, const Address& source,
                                          std::string_view server_header) {
  if (e.status == 0) return std::nullopt;
  // Collect header lines (with folding) up to the empty line.
  std::size_t pos = bytes.find('\n');
  if (pos == std::string_view::npos) return std::nullopt;
  ++pos;
  MessageWriter w;
  w.status_line(e.status, e.reason);
  bool have_via = false;
  bool have_to_tag = false;
  std::string to_value;
  while (pos < bytes.size()) {
    auto end = bytes.find('\n', pos);
    std::size_t stop = end == std::string_view::npos ? bytes.size() : end;
    // Extend over folded continuation lines.
    while (end != std::string_view::npos && end + 1 < bytes.size() && (bytes[end + 1] == ' ' || bytes[end + 1] == '\t')) {
      end = bytes.find('\n', end + 1);
      stop = end == std::string_view::npos ? bytes.size() : end;
    }
    auto line = bytes.substr(pos, stop - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;
    auto colon = line.find(':');
    if (colon != std::string_view::npos) {
      const Header h = header_from_name(trim_lws(line.substr(0, colon)));
      auto value = trim_lws(line.substr(colon + 1));
      // Folded values are written on one line: CR/LF inside become spaces.
      std::string flat(value);
      for (auto& c : flat)
        if (c == '\r' || c == '\n') c = ' ';
      switch (h) {
        case Header::Via:
          if (!have_via) {
            w.header(Header::Via, stamped_via(flat, source));
            have_via = true;
          } else {
            w.header(Header::Via, flat);
          }
          break;
        case Header::To:
          to_value = flat;
          if (auto na = parse_name_addr(flat); na && !na->tag().empty()) have_to_tag = true;
          break;
        case Header::From:
        case Header::CallId:
        case Header::CSeq:
          w.header(h, flat);
          break;
        default:
          break;
      }
    }
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  if (!have_via) return std::nullopt;
  if (!to_value.empty()) w.header(Header::To, have_to_tag ? to_value : to_value + ";tag=" + random_token(10));
  if (!server_header.empty()) w.header(Header::Server, server_header);
  return w.finish();
}

std::string random_token(std::size_t len) {
  // A per-thread generator seeded once from the OS: tags and branches need uniqueness, not secrecy
  // (nonces use RAND_bytes separately).
  thread_local std::mt19937_64 gen = [] {
    std::uint64_t seed = 0;
    RAND_bytes(reinterpret_cast<unsigned char*>(&seed), sizeof seed);
    static std::atomic<std::uint64_t> salt{0};
    return std::mt19937_64(seed ^ (salt.fetch_add(0x9e3779b97f4a7c15ull)));
  }();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(len, '0');
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < len; ++i) {
    if (i % 16 == 0) bits = gen();
    out[i] = kHex[bits & 15];
    bits >>= 4;
  }
  return out;
}

std::string new_branch() { return "z9hG4bK" + random_token(20); }

}  // namespace telephony::sip
