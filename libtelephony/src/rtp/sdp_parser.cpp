// SDP text -> SessionDescription, and back (see telephony/rtp/sdp.hpp for what is accepted).
#include <charconv>
#include <string>

#include "rtp/text.hpp"
#include "telephony/rtp/sdp.hpp"

namespace telephony::rtp {
namespace {

constexpr std::size_t kMaxSdpBytes = 64 * 1024;
constexpr std::size_t kMaxMedia = 64;
constexpr std::size_t kMaxAttributes = 256;

struct Line {
  char type;
  std::string_view value;
  int number;
};

Error line_error(const Line& l, std::string message) {
  return Error{std::move(message), "SDP line " + std::to_string(l.number) + " (" + l.type + "=)"};
}

Result<SdpConnection> parse_connection(const Line& l) {
  auto f = split_words(l.value);
  if (f.size() < 3) return Unexpected{line_error(l, "expected '<nettype> <addrtype> <address>'")};
  if (f[1] != "IP4" && f[1] != "IP6") return Unexpected{line_error(l, "unknown address type '" + std::string(f[1]) + "'")};
  return SdpConnection{std::string(f[0]), std::string(f[1]), std::string(f[2])};
}

Result<SdpOrigin> parse_origin(const Line& l) {
  auto f = split_words(l.value);
  if (f.size() < 6) return Unexpected{line_error(l, "expected 6 fields '<user> <sess-id> <sess-version> <nettype> <addrtype> <address>'")};
  SdpOrigin o;
  o.username = std::string(f[0]);
  // Session ids are "numeric strings" (RFC 4566 §5.2); some phones send more digits than fit
  // 64 bits. Keep what fits: we only ever compare versions for equality/increment.
  o.session_id = parse_u64_prefix(f[1]);
  o.session_version = parse_u64_prefix(f[2]);
  o.net_type = std::string(f[3]);
  o.addr_type = std::string(f[4]);
  o.address = std::string(f[5]);
  return o;
}

Result<SdpBandwidth> parse_bandwidth(const Line& l) {
  auto colon = l.value.find(':');
  if (colon == std::string_view::npos) return Unexpected{line_error(l, "expected '<type>:<value>'")};
  auto v = parse_uint<std::uint64_t>(trim(l.value.substr(colon + 1)));
  if (!v) return Unexpected{line_error(l, "bandwidth is not a number")};
  return SdpBandwidth{std::string(trim(l.value.substr(0, colon))), *v};
}

SdpAttribute parse_attribute(std::string_view v) {
  auto colon = v.find(':');
  if (colon == std::string_view::npos) return SdpAttribute{std::string(trim(v)), {}, false};
  return SdpAttribute{std::string(trim(v.substr(0, colon))), std::string(v.substr(colon + 1)), true};
}

Result<MediaDescription> parse_media_line(const Line& l) {
  auto f = split_words(l.value);
  if (f.size() < 4) return Unexpected{line_error(l, "expected '<media> <port> <proto> <fmt> ...'")};
  MediaDescription m;
  m.media = std::string(f[0]);
  auto port_text = f[1];
  auto slash = port_text.find('/');
  auto port = parse_uint<std::uint32_t>(port_text.substr(0, slash));
  if (!port || *port > 65535) return Unexpected{line_error(l, "port '" + std::string(port_text) + "' is not 0..65535")};
  m.port = static_cast<std::uint16_t>(*port);
  if (slash != std::string_view::npos) {
    auto count = parse_uint<std::uint32_t>(port_text.substr(slash + 1));
    if (!count || *count == 0 || *count > 65535) return Unexpected{line_error(l, "bad port count in '" + std::string(port_text) + "'")};
    m.port_count = static_cast<std::uint16_t>(*count);
  }
  m.proto = std::string(f[2]);
  for (std::size_t i = 3; i < f.size(); ++i) m.formats.emplace_back(f[i]);
  return m;
}

}  // namespace

Result<SessionDescription> parse_sdp(std::string_view text) {
  if (text.size() > kMaxSdpBytes) return fail("SDP larger than 64 KB", "SDP");
  SessionDescription sdp;
  bool saw_version = false, saw_origin = false, saw_timing = false;
  MediaDescription* media = nullptr;
  int number = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    auto raw = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    ++number;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (raw.empty() || trim(raw).empty()) continue;  // blank lines: tolerated (some UAs add one)
    if (raw.size() < 2 || raw[1] != '=')
      return fail("expected '<type>=<value>'", "SDP line " + std::to_string(number));
    Line l{raw[0], raw.substr(2), number};
    if (l.type < 'a' || l.type > 'z')
      return fail("line type must be a lower-case letter", "SDP line " + std::to_string(number));
    if (!saw_version) {
      if (l.type != 'v') return Unexpected{line_error(l, "the first line must be v=0")};
      if (trim(l.value) != "0") return Unexpected{line_error(l, "unsupported version '" + std::string(l.value) + "'")};
      saw_version = true;
      continue;
    }
    if (l.type == 'm') {
      if (sdp.media.size() >= kMaxMedia) return Unexpected{line_error(l, "more than 64 media descriptions")};
      auto m = parse_media_line(l);
      if (!m) return Unexpected{m.error()};
      sdp.media.push_back(std::move(*m));
      media = &sdp.media.back();
      continue;
    }
    switch (l.type) {
      case 'o': {
        if (media) break;  // o= inside a media section is meaningless; ignore
        auto o = parse_origin(l);
        if (!o) return Unexpected{o.error()};
        sdp.origin = std::move(*o);
        saw_origin = true;
        break;
      }
      case 's':
        if (!media) sdp.session_name = std::string(l.value);
        break;
      case 'i':
        (media ? media->title : sdp.information) = std::string(l.value);
        break;
      case 'u':
        if (!media) sdp.uri = std::string(l.value);
        break;
      case 'e':
        if (!media) sdp.emails.emplace_back(l.value);
        break;
      case 'p':
        if (!media) sdp.phones.emplace_back(l.value);
        break;
      case 'c': {
        auto c = parse_connection(l);
        if (!c) return Unexpected{c.error()};
        (media ? media->connection : sdp.connection) = std::move(*c);
        break;
      }
      case 'b': {
        auto b = parse_bandwidth(l);
        if (!b) return Unexpected{b.error()};
        (media ? media->bandwidths : sdp.bandwidths).push_back(std::move(*b));
        break;
      }
      case 't':
        if (!media && !saw_timing) sdp.timing = std::string(trim(l.value));
        saw_timing = true;
        break;
      case 'a': {
        auto& list = media ? media->attributes : sdp.attributes;
        if (list.size() >= kMaxAttributes) return Unexpected{line_error(l, "more than 256 attributes")};
        list.push_back(parse_attribute(l.value));
        break;
      }
      default:
        break;  // r=, z=, k= and unknown types: ignored as RFC 4566 §5 allows
    }
  }
  if (!saw_version) return fail("empty description (no v=0 line)", "SDP");
  if (!saw_origin) return fail("missing o= line", "SDP");
  return sdp;
}

namespace {

void write_connection(std::string& out, const SdpConnection& c) {
  out += "c=" + c.net_type + ' ' + c.addr_type + ' ' + c.address + "\r\n";
}
void write_attributes(std::string& out, const std::vector<SdpAttribute>& attrs) {
  for (const auto& a : attrs) {
    out += "a=" + a.name;
    if (a.has_value) out += ':' + a.value;
    out += "\r\n";
  }
}
void write_bandwidths(std::string& out, const std::vector<SdpBandwidth>& bws) {
  for (const auto& b : bws) out += "b=" + b.type + ':' + std::to_string(b.value) + "\r\n";
}

}  // namespace

std::string to_string(const SessionDescription& sdp) {
  std::string out;
  out.reserve(512);
  out += "v=0\r\n";
  const auto& o = sdp.origin;
  out += "o=" + o.username + ' ' + std::to_string(o.session_id) + ' ' + std::to_string(o.session_version) + ' ' +
         o.net_type + ' ' + o.addr_type + ' ' + o.address + "\r\n";
  out += "s=" + (sdp.session_name.empty() ? std::string("-") : sdp.session_name) + "\r\n";
  if (!sdp.information.empty()) out += "i=" + sdp.information + "\r\n";
  if (!sdp.uri.empty()) out += "u=" + sdp.uri + "\r\n";
  for (const auto& e : sdp.emails) out += "e=" + e + "\r\n";
  for (const auto& p : sdp.phones) out += "p=" + p + "\r\n";
  if (sdp.connection) write_connection(out, *sdp.connection);
  write_bandwidths(out, sdp.bandwidths);
  out += "t=" + sdp.timing + "\r\n";
  write_attributes(out, sdp.attributes);
  for (const auto& m : sdp.media) {
    out += "m=" + m.media + ' ' + std::to_string(m.port);
    if (m.port_count > 1) out += '/' + std::to_string(m.port_count);
    out += ' ' + m.proto;
    for (const auto& f : m.formats) out += ' ' + f;
    out += "\r\n";
    if (!m.title.empty()) out += "i=" + m.title + "\r\n";
    if (m.connection) write_connection(out, *m.connection);
    write_bandwidths(out, m.bandwidths);
    write_attributes(out, m.attributes);
  }
  return out;
}

}  // namespace telephony::rtp
