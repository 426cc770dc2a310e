// URI, name-addr and Via grammar over string_views (see telephony/sip/uri.hpp for what is
// accepted and rejected).
#include "telephony/sip/uri.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace telephony::sip {

namespace {

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// RFC 3261 token characters, as a table (this runs for every byte of names and parameters).
constexpr std::array<bool, 256> kTokenChars = [] {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (char c : std::string_view("-.!%*_+`'~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}();

bool has_space(std::string_view s) {
  for (char c : s)
    if (is_lws(c) || c == '\0') return true;
  return false;
}

Result<std::uint16_t> parse_port(std::string_view s) {
  if (s.empty() || s.size() > 5) return fail("bad port");
  unsigned v = 0;
  for (char c : s) {
    if (!is_digit(c)) return fail("bad port");
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (v > 65535) return fail("bad port");
  return static_cast<std::uint16_t>(v);
}

// hostname / IPv4address / "[" IPv6 "]" followed by an optional ":port". `rest` gets what follows.
struct HostPort {
  std::string_view host;
  std::uint16_t port = 0;
};
Result<HostPort> parse_hostport(std::string_view s) {
  HostPort hp;
  std::string_view after;
  if (!s.empty() && s[0] == '[') {
    auto close = s.find(']');
    if (close == std::string_view::npos || close < 3) return fail("bad IPv6 reference");
    for (char c : s.substr(1, close - 1))
      if (!is_hex(c) && c != ':' && c != '.') return fail("bad IPv6 reference");
    hp.host = s.substr(0, close + 1);
    after = s.substr(close + 1);
  } else {
    auto colon = s.find(':');
    hp.host = s.substr(0, colon);
    after = colon == std::string_view::npos ? std::string_view() : s.substr(colon);
    if (hp.host.empty()) return fail("empty host");
    for (char c : hp.host)
      if (!is_alnum(c) && c != '-' && c != '.' && c != '_') return fail("bad host");
  }
  if (!after.empty()) {
    if (after[0] != ':') return fail("bad host");
    auto port = parse_port(after.substr(1));
    if (!port) return Unexpected<Error>{port.error()};
    hp.port = *port;
  }
  return hp;
}

}  // namespace

bool is_token_char(char c) { return kTokenChars[static_cast<unsigned char>(c)]; }

std::string_view trim_lws(std::string_view s) {
  while (!s.empty() && is_lws(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_lws(s.back())) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  // ASCII case folding without the locale (header names and tokens are ASCII).
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x == y) continue;
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

std::size_t Params::find_separator(std::size_t from) const {
  bool quoted = false;
  for (std::size_t i = from; i < text_.size(); ++i) {
    const char c = text_[i];
    if (quoted) {
      if (c == '\\') ++i;
      else if (c == '"') quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ';') {
      return i;
    }
  }
  return text_.size();
}

std::optional<std::string_view> Params::get(std::string_view name) const {
  std::optional<std::string_view> out;
  for_each([&](std::string_view n, std::string_view v) {
    if (!out && iequals(n, name)) out = v;
  });
  return out;
}

bool Params::well_formed() const {
  auto t = trim_lws(text_);
  if (t.empty()) return true;
  std::size_t pos = t[0] == ';' ? 1 : 0;
  Params inner(t.substr(pos));
  pos = 0;
  for (;;) {
    std::size_t end = inner.find_separator(pos);
    auto item = trim_lws(inner.text_.substr(pos, end - pos));
    if (item.empty()) return false;
    auto eq = item.find('=');
    auto name = trim_lws(item.substr(0, eq));
    if (name.empty()) return false;
    for (char c : name)
      if (!is_token_char(c)) return false;
    if (end >= inner.text_.size()) return true;
    pos = end + 1;
  }
}

bool Uri::is_sip() const { return iequals(scheme, "sip") || iequals(scheme, "sips"); }
bool Uri::is_sips() const { return iequals(scheme, "sips"); }

Result<Uri> parse_uri(std::string_view text) {
  Uri u;
  u.text = text;
  if (text.empty()) return fail("empty URI");
  if (has_space(text) || text.find_first_of("<>\"") != std::string_view::npos) return fail("bad URI");
  auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) return fail("URI has no scheme");
  u.scheme = text.substr(0, colon);
  if (!std::isalpha(static_cast<unsigned char>(u.scheme[0]))) return fail("bad URI scheme");
  for (char c : u.scheme)
    if (!is_alnum(c) && c != '+' && c != '-' && c != '.') return fail("bad URI scheme");
  std::string_view rest = text.substr(colon + 1);
  if (!u.is_sip()) {
    if (rest.empty()) return fail("empty URI");
    return u;  // other schemes are kept opaque
  }
  // The user part may hold '?', ';' and ':' (RFC 3261 user-unreserved), so the userinfo ends at
  // the last '@' and only then do '?' headers start.
  auto at = rest.rfind('@');
  if (auto q = rest.find('?', at == std::string_view::npos ? 0 : at); q != std::string_view::npos) {
    u.headers = rest.substr(q + 1);
    rest = rest.substr(0, q);
    if (at != std::string_view::npos && at > rest.size()) at = std::string_view::npos;
  }
  if (at != std::string_view::npos) {
    auto userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    // The password follows the first ':' of userinfo; a user may itself hold ';' params.
    if (auto pc = userinfo.find(':'); pc != std::string_view::npos) {
      u.user = userinfo.substr(0, pc);
      u.password = userinfo.substr(pc + 1);
    } else {
      u.user = userinfo;
    }
    if (u.user.empty()) return fail("empty URI user");
  }
  std::string_view hostport = rest;
  if (auto semi = rest.find(';', rest.empty() || rest[0] != '[' ? 0 : rest.find(']'));
      semi != std::string_view::npos) {
    hostport = rest.substr(0, semi);
    u.params = Params(rest.substr(semi + 1));
    if (!u.params.well_formed()) return fail("bad URI parameters");
  }
  auto hp = parse_hostport(hostport);
  if (!hp) return Unexpected<Error>{hp.error()};
  u.host = hp->host;
  u.port = hp->port;
  return u;
}

Result<NameAddr> parse_name_addr(std::string_view value) {
  NameAddr na;
  std::string_view s = trim_lws(value);
  if (s.empty()) return fail("empty value");
  std::size_t lt = std::string_view::npos;
  if (s[0] == '"') {
    std::size_t i = 1;
    for (; i < s.size(); ++i) {
      if (s[i] == '\\') ++i;
      else if (s[i] == '"') break;
    }
    if (i >= s.size()) return fail("unterminated quoted string");
    na.display = s.substr(1, i - 1);
    na.display_quoted = true;
    std::string_view after = trim_lws(s.substr(i + 1));
    if (after.empty() || after[0] != '<') return fail("quoted display name without <URI>");
    lt = s.size() - after.size();
  } else {
    lt = s.find('<');
    if (lt != std::string_view::npos) {
      na.display = trim_lws(s.substr(0, lt));
      for (char c : na.display)
        if (!is_token_char(c) && !is_lws(c) && static_cast<unsigned char>(c) < 0x80)
          return fail("bad display name");
    }
  }
  if (lt != std::string_view::npos) {
    auto gt = s.find('>', lt);
    if (gt == std::string_view::npos) return fail("'<' without '>'");
    auto uri = parse_uri(s.substr(lt + 1, gt - lt - 1));
    if (!uri) return Unexpected<Error>{uri.error()};
    na.uri = *uri;
    na.bracketed = true;
    auto tail = trim_lws(s.substr(gt + 1));
    if (!tail.empty()) {
      if (tail[0] != ';') return fail("text after '>'");
      na.params = Params(tail.substr(1));
    }
  } else {
    // addr-spec: parameters after the URI belong to the header (RFC 3261 §20).
    auto semi = s.find(';');
    auto uri_text = trim_lws(s.substr(0, semi));
    if (uri_text.find_first_of("?,") != std::string_view::npos)
      return fail("URI with headers or ',' must be enclosed in <>");
    auto uri = parse_uri(uri_text);
    if (!uri) return Unexpected<Error>{uri.error()};
    na.uri = *uri;
    if (semi != std::string_view::npos) na.params = Params(s.substr(semi + 1));
  }
  if (!na.params.well_formed()) return fail("bad parameters");
  return na;
}

Result<Via> parse_via(std::string_view value) {
  Via v;
  std::string_view s = trim_lws(value);
  // sent-protocol: name SLASH version SLASH transport, LWS allowed around each slash.
  std::string_view parts[3];
  for (int i = 0; i < 3; ++i) {
    s = trim_lws(s);
    std::size_t n = 0;
    while (n < s.size() && is_token_char(s[n])) ++n;
    if (n == 0) return fail("bad sent-protocol");
    parts[i] = s.substr(0, n);
    s = trim_lws(s.substr(n));
    if (i < 2) {
      if (s.empty() || s[0] != '/') return fail("bad sent-protocol");
      s.remove_prefix(1);
    }
  }
  if (!iequals(parts[0], "SIP") || parts[1] != "2.0") return fail("not SIP/2.0");
  v.protocol = std::string_view(parts[0].data(), static_cast<std::size_t>(parts[1].data() + parts[1].size() - parts[0].data()));
  v.transport = parts[2];
  if (s.empty()) return fail("no sent-by");
  std::size_t end = s[0] == '[' ? s.find(']') : 0;
  if (end == std::string_view::npos) return fail("bad sent-by");
  end = s.find_first_of("; \t\r\n", end);
  auto hp = parse_hostport(s.substr(0, end));
  if (!hp) return Unexpected<Error>{hp.error()};
  v.host = hp->host;
  v.port = hp->port;
  if (end != std::string_view::npos) {
    auto tail = trim_lws(s.substr(end));
    if (!tail.empty()) {
      if (tail[0] != ';') return fail("text after sent-by");
      v.params = Params(tail.substr(1));
      if (!v.params.well_formed()) return fail("bad parameters");
    }
  }
  return v;
}

bool is_rfc3261_branch(std::string_view branch) {
  return branch.size() > 7 && branch.substr(0, 7) == "z9hG4bK";
}

std::string unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && is_hex(s[i + 1]) && is_hex(s[i + 2])) {
      auto nibble = [](char c) { return is_digit(c) ? c - '0' : (std::tolower(static_cast<unsigned char>(c)) - 'a' + 10); };
      out.push_back(static_cast<char>(nibble(s[i + 1]) * 16 + nibble(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string unquote(std::string_view s) {
  s = trim_lws(s);
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::string(s);
  std::string out;
  out.reserve(s.size() - 2);
  for (std::size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == '\\' && i + 2 < s.size()) ++i;
    out.push_back(s[i]);
  }
  return out;
}

std::string_view host_without_brackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
  return host;
}

std::optional<std::string_view> uri_header(std::string_view headers, std::string_view name) {
  while (!headers.empty()) {
    const auto amp = headers.find('&');
    const auto item = headers.substr(0, amp);
    const auto eq = item.find('=');
    if (eq != std::string_view::npos && iequals(item.substr(0, eq), name)) return item.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    headers.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

Result<Replaces> parse_replaces(std::string_view value) {
  value = trim_lws(value);
  const auto semi = value.find(';');
  Replaces out;
  out.call_id = trim_lws(value.substr(0, semi));
  // callid = word ["@" word]; word characters are token characters plus ()<>:\"/[]?{}
  const auto word_char = [](char c) {
    return is_token_char(c) || std::string_view("()<>:\\\"/[]?{}").find(c) != std::string_view::npos;
  };
  if (out.call_id.empty() || out.call_id.front() == '@' || out.call_id.back() == '@' ||
      std::count(out.call_id.begin(), out.call_id.end(), '@') > 1 ||
      !std::all_of(out.call_id.begin(), out.call_id.end(), [&](char c) { return c == '@' || word_char(c); }))
    return fail("Bad Call-ID in Replaces");
  const Params params(semi == std::string_view::npos ? std::string_view() : value.substr(semi));  // with its ";"
  if (!params.well_formed()) return fail("Bad Replaces parameters");
  out.to_tag = params.get("to-tag").value_or(std::string_view());
  out.from_tag = params.get("from-tag").value_or(std::string_view());
  out.early_only = params.has("early-only");
  if (out.to_tag.empty() || out.from_tag.empty()) return fail("Replaces needs to-tag and from-tag");
  return out;
}

}  // namespace telephony::sip
