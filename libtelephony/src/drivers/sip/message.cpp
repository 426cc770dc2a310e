// The SIP message parser: start line, header lines (folding, compact forms), framing by
// Content-Length, and the checks that decide between processing, 400/505 and a silent drop.
#include "telephony/sip/message.hpp"

#include <array>
#include <cctype>
#include <cstring>

#include "telephony/sip/uri.hpp"

namespace telephony::sip {

void Message::add(const HeaderField& f) {
  if (count_ < kInlineHeaders) inline_[count_] = f;
  else overflow_.push_back(f);
  auto& seen = counts_[static_cast<std::size_t>(f.id)];
  if (seen < 255) ++seen;
  auto& first = first_[static_cast<std::size_t>(f.id)];
  if (first == 0 && count_ < 255) first = static_cast<std::uint8_t>(count_ + 1);
  ++count_;
}

const HeaderField* Message::find(Header id) const {
  if (id == Header::Other) return nullptr;
  const auto first = first_[static_cast<std::size_t>(id)];
  if (first) return &header(first - 1u);
  for (std::size_t i = 255; i < count_; ++i)  // beyond what the index records
    if (header(i).id == id) return &header(i);
  return nullptr;
}

const HeaderField* Message::find(std::string_view name) const {
  const Header id = header_from_name(name);
  if (id != Header::Other) return find(id);
  for (std::size_t i = 0; i < count_; ++i)
    if (header(i).id == Header::Other && iequals(header(i).name, name)) return &header(i);
  return nullptr;
}

namespace {

// Finds the end of the line starting at `pos`: returns the index of '\n' (or npos).
std::size_t line_end(std::string_view s, std::size_t pos) {
  const void* p = std::memchr(s.data() + pos, '\n', s.size() - pos);
  return p ? static_cast<std::size_t>(static_cast<const char*>(p) - s.data()) : std::string_view::npos;
}

std::string_view strip_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

bool parse_u32(std::string_view s, std::uint32_t& out) {
  if (s.empty() || s.size() > 10) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (v > 0xFFFFFFFFull) return false;
  out = static_cast<std::uint32_t>(v);
  return true;
}

// Digits only, any number of leading zeros ("0068"), value bounded.
bool parse_bounded(std::string_view s, std::uint64_t max, std::uint64_t& out) {
  if (s.empty()) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
    if (v > max) return false;
  }
  out = v;
  return true;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_token_char(c)) return false;
  return true;
}

ParseError bad(int status, std::string reason) { return ParseError{status, std::move(reason)}; }
ParseError bad_header(Header h) { return bad(400, "Bad " + std::string(canonical_name(h)) + " header"); }

}  // namespace

class MessageParser {
 public:
  static Result<Message, ParseError> parse(std::string_view bytes, bool datagram);

 private:
  static Result<void, ParseError> start_line(Message& m, std::string_view line);
  static Result<void, ParseError> check_request(Message& m);
  static Result<void, ParseError> check_common(Message& m);
};

Result<void, ParseError> MessageParser::start_line(Message& m, std::string_view line) {
  if (line.size() >= 8 && line.substr(0, 4) == "SIP/") {
    // Status-Line: SIP-Version SP Status-Code SP Reason-Phrase (may be empty)
    m.request_ = false;
    if (line.substr(0, 8) != "SIP/2.0 ") return Unexpected{bad(0, "Bad status line")};
    auto rest = line.substr(8);
    if (rest.size() < 3) return Unexpected{bad(0, "Bad status line")};
    std::uint64_t code = 0;
    if (!parse_bounded(rest.substr(0, 3), 999, code) || code < 100 || code > 699)
      return Unexpected{bad(0, "Bad status code")};
    if (rest.size() > 3 && rest[3] != ' ') return Unexpected{bad(0, "Bad status line")};
    m.status_ = static_cast<int>(code);
    m.reason_ = rest.size() > 4 ? rest.substr(4) : std::string_view();
    return {};
  }
  m.request_ = true;
  auto sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return Unexpected{bad(400, "Bad Request-Line")};
  auto sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return Unexpected{bad(400, "Bad Request-Line")};
  m.method_name_ = line.substr(0, sp1);
  m.request_uri_ = line.substr(sp1 + 1, sp2 - sp1 - 1);
  auto version = line.substr(sp2 + 1);
  if (!is_token(m.method_name_)) return Unexpected{bad(400, "Bad Request-Line")};
  m.method_ = method_from(m.method_name_);
  // One SP exactly between the elements (RFC 4475 §3.1.2.8-10): anything else is malformed.
  if (m.request_uri_.empty() || version.find_first_of(" \t") != std::string_view::npos)
    return Unexpected{bad(400, "Bad Request-Line")};
  if (version.size() < 5 || !iequals(version.substr(0, 4), "SIP/")) return Unexpected{bad(400, "Bad Request-Line")};
  if (version != "SIP/2.0") return Unexpected{bad(505, "Version Not Supported")};
  return {};
}

Result<Message, ParseError> parse_message(std::string_view bytes, bool datagram) {
  return MessageParser::parse(bytes, datagram);
}

Result<Message, ParseError> MessageParser::parse(std::string_view bytes, bool datagram) {
  Message m;
  std::size_t pos = 0;
  // RFC 3261 §7.5: ignore empty lines before the start line.
  while (pos < bytes.size() && (bytes[pos] == '\r' || bytes[pos] == '\n')) ++pos;
  auto eol = line_end(bytes, pos);
  if (eol == std::string_view::npos) return Unexpected{bad(0, "No start line")};
  // A request with a bad start line is answered (400/505) by whoever can find its Via
  // (see error_response()); a bad status line is dropped.
  if (auto r = start_line(m, strip_cr(bytes.substr(pos, eol - pos))); !r) return Unexpected{r.error()};
  const std::size_t start = pos;
  pos = eol + 1;

  // Header lines up to the empty line; a line starting with SP/HT continues the previous one.
  bool ended = false;
  HeaderField current;
  bool have_current = false;
  ParseError deferred{0, {}};
  auto finish_current = [&] {
    if (!have_current) return;
    current.value = trim_lws(current.value);
    m.add(current);
    have_current = false;
  };
  while (pos < bytes.size()) {
    auto e = line_end(bytes, pos);
    const std::size_t stop = e == std::string_view::npos ? bytes.size() : e;
    auto line = strip_cr(bytes.substr(pos, stop - pos));
    if (line.empty()) {
      pos = e == std::string_view::npos ? bytes.size() : e + 1;
      ended = true;
      break;
    }
    if (line[0] == ' ' || line[0] == '\t') {
      if (!have_current) {
        if (deferred.reason.empty()) deferred = bad(400, "Bad header folding");
      } else {
        // Extend the view over the folded line (the bytes are contiguous).
        current.value = std::string_view(current.value.data(),
                                         static_cast<std::size_t>(line.data() + line.size() - current.value.data()));
      }
    } else {
      finish_current();
      auto colon = line.find(':');
      auto name = colon == std::string_view::npos ? std::string_view() : trim_lws(line.substr(0, colon));
      if (!is_token(name)) {
        if (deferred.reason.empty()) deferred = bad(400, "Bad header line");
      } else {
        current.name = name;
        current.id = header_from_name(name);
        current.value = line.substr(colon + 1);
        have_current = true;
      }
    }
    if (e == std::string_view::npos) {
      pos = bytes.size();
      break;
    }
    pos = e + 1;
  }
  finish_current();

  if (!m.find(Header::Via)) {
    // Nowhere to send a response.
    return Unexpected{bad(0, deferred.reason.empty() ? "Missing Via header" : deferred.reason)};
  }
  if (!deferred.reason.empty()) return Unexpected{m.request_ ? deferred : bad(0, deferred.reason)};
  if (!ended && !datagram) return Unexpected{bad(m.request_ ? 400 : 0, "Incomplete message")};

  // Content-Length: one value (repeats must agree), digits only.
  std::size_t body_len = bytes.size() - pos;
  bool have_length = false;
  std::uint64_t length = 0;
  bool length_ok = true;
  m.for_each(Header::ContentLength, [&](const HeaderField& f) {
    std::uint64_t v = 0;
    if (!parse_bounded(f.value, 1u << 30, v) || (have_length && v != length)) length_ok = false;
    length = v;
    have_length = true;
  });
  auto fail_msg = [&](ParseError e) -> Result<Message, ParseError> {
    if (!m.request_) e.status = 0;
    return Unexpected{std::move(e)};
  };
  if (!length_ok) return fail_msg(bad_header(Header::ContentLength));
  if (!ended && have_length && length > 0) return fail_msg(bad(400, "Incomplete message"));
  if (have_length) {
    if (length > body_len) return fail_msg(bad(400, "Content-Length mismatch"));
    body_len = static_cast<std::size_t>(length);
  } else if (!datagram) {
    return fail_msg(bad(400, "Missing Content-Length header"));
  }
  m.body_ = bytes.substr(pos, body_len);
  m.raw_ = bytes.substr(start, pos + body_len - start);

  if (auto r = check_common(m); !r) return fail_msg(r.error());
  if (m.request_) {
    if (auto r = check_request(m); !r) return Unexpected{r.error()};
  }
  return m;
}

Result<void, ParseError> MessageParser::check_common(Message& m) {
  // Single-value headers must appear once with one value.
  for (Header h : {Header::CallId, Header::CSeq, Header::From, Header::To, Header::MaxForwards, Header::ContentType}) {
    if (m.counts_[static_cast<std::size_t>(h)] > 1)
      return Unexpected{bad(400, "Multiple " + std::string(canonical_name(h)) + " headers")};
  }
  for (Header h : {Header::CallId, Header::CSeq, Header::From, Header::To}) {
    if (!m.find(h)) return Unexpected{bad(400, "Missing " + std::string(canonical_name(h)) + " header")};
  }
  m.call_id_ = m.value(Header::CallId);
  if (m.call_id_.empty()) return Unexpected{bad_header(Header::CallId)};
  for (char c : m.call_id_)
    if (is_lws(c)) return Unexpected{bad_header(Header::CallId)};

  // CSeq: number LWS method
  auto cseq = m.value(Header::CSeq);
  std::size_t n = 0;
  while (n < cseq.size() && !is_lws(cseq[n])) ++n;
  auto method = trim_lws(cseq.substr(n));
  if (!parse_u32(cseq.substr(0, n), m.cseq_) || !is_token(method)) return Unexpected{bad_header(Header::CSeq)};
  m.cseq_method_name_ = method;
  m.cseq_method_ = method_from(method);

  // Via: every value parses; the top one gives the branch.
  bool first = true;
  bool via_ok = true;
  m.for_each(Header::Via, [&](const HeaderField& f) {
    bool list_ok = for_each_value(f.value, [&](std::string_view v) {
      auto via = parse_via(v);
      if (!via) {
        via_ok = false;
        return;
      }
      if (first) {
        m.top_via_ = v;
        m.branch_ = via->branch();
        first = false;
      }
    });
    if (!list_ok) via_ok = false;
  });
  if (!via_ok) return Unexpected{bad_header(Header::Via)};
  if (m.branch_ == "z9hG4bK") return Unexpected{bad(400, "Bad Via header: branch has only the magic cookie")};

  for (Header h : {Header::From, Header::To}) {
    auto na = parse_name_addr(m.value(h));
    if (!na) return Unexpected{bad_header(h)};
    (h == Header::From ? m.from_tag_ : m.to_tag_) = na->tag();
  }
  return {};
}

Result<void, ParseError> MessageParser::check_request(Message& m) {
  // The Request-URI: no LWS, no <>, and for SIP URIs no headers (RFC 4475 §3.1.2.7, §3.1.2.11).
  auto uri = parse_uri(m.request_uri_);
  if (!uri || (uri->is_sip() && !uri->headers.empty())) return Unexpected{bad(400, "Bad Request-URI")};
  if (m.cseq_method_name_ != m.method_name_) return Unexpected{bad(400, "CSeq method does not match request method")};
  if (const auto* mf = m.find(Header::MaxForwards)) {
    std::uint64_t v = 0;
    if (!parse_bounded(mf->value, 255, v)) return Unexpected{bad_header(Header::MaxForwards)};
  }
  bool contact_ok = true;
  m.for_each(Header::Contact, [&](const HeaderField& f) {
    if (trim_lws(f.value) == "*") return;
    bool list_ok = for_each_value(f.value, [&](std::string_view v) {
      if (!parse_name_addr(v)) contact_ok = false;
    });
    if (!list_ok) contact_ok = false;
  });
  if (!contact_ok) return Unexpected{bad_header(Header::Contact)};
  for (Header h : {Header::Route, Header::RecordRoute}) {
    bool ok = true;
    m.for_each(h, [&](const HeaderField& f) {
      if (!for_each_value(f.value, [&](std::string_view v) {
            if (!parse_name_addr(v)) ok = false;
          }))
        ok = false;
    });
    if (!ok) return Unexpected{bad_header(h)};
  }
  if (const auto* date = m.find(Header::Date)) {
    // rfc1123-date ends in "GMT" (RFC 3261 §20.17).
    auto v = trim_lws(date->value);
    if (v.size() < 3 || v.substr(v.size() - 3) != "GMT") return Unexpected{bad_header(Header::Date)};
  }
  return {};
}

StreamFrame frame_stream(std::string_view buffered, std::size_t max_message) {
  StreamFrame f;
  std::size_t skip = 0;
  while (skip < buffered.size() && (buffered[skip] == '\r' || buffered[skip] == '\n')) ++skip;
  f.skip = skip;
  auto s = buffered.substr(skip);
  // End of headers: CRLFCRLF (or LFLF).
  std::size_t hdr_end = std::string_view::npos;
  std::size_t body_start = 0;
  for (std::size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i] != '\n') continue;
    if (s[i + 1] == '\n') {
      hdr_end = i;
      body_start = i + 2;
      break;
    }
    if (s[i + 1] == '\r' && i + 2 < s.size() && s[i + 2] == '\n') {
      hdr_end = i;
      body_start = i + 3;
      break;
    }
  }
  if (hdr_end == std::string_view::npos) {
    if (s.size() > max_message) {
      f.status = StreamFrame::Status::Bad;
      f.reason = "message headers exceed " + std::to_string(max_message) + " bytes";
    }
    return f;
  }
  // Content-Length (or l) among the header lines; absent is an error on streams.
  std::uint64_t length = 0;
  bool have = false;
  std::size_t pos = 0;
  while (pos < hdr_end) {
    auto e = s.find('\n', pos);
    if (e == std::string_view::npos || e > hdr_end) e = hdr_end;
    auto line = strip_cr(s.substr(pos, e - pos));
    auto colon = line.find(':');
    if (colon != std::string_view::npos && !line.empty() && line[0] != ' ' && line[0] != '\t' &&
        header_from_name(trim_lws(line.substr(0, colon))) == Header::ContentLength) {
      // A folded Content-Length value is not worth supporting on the framing path.
      std::uint64_t v = 0;
      if (!parse_bounded(trim_lws(line.substr(colon + 1)), max_message, v) || (have && v != length)) {
        f.status = StreamFrame::Status::Bad;
        f.reason = "bad Content-Length";
        return f;
      }
      length = v;
      have = true;
    }
    pos = e + 1;
  }
  if (!have) {
    f.status = StreamFrame::Status::Bad;
    f.reason = "missing Content-Length on a stream transport";
    return f;
  }
  const std::size_t total = body_start + static_cast<std::size_t>(length);
  if (total > max_message) {
    f.status = StreamFrame::Status::Bad;
    f.reason = "message of " + std::to_string(total) + " bytes exceeds " + std::to_string(max_message);
    return f;
  }
  if (s.size() < total) return f;
  f.status = StreamFrame::Status::Complete;
  f.length = total;
  return f;
}

}  // namespace telephony::sip
