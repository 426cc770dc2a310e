// SIP header value grammar: URIs (RFC 3261 §19.1, RFC 5118 IPv6 references), name-addr /
// addr-spec (From, To, Contact, Route, Refer-To …), Via values, parameter lists and comma-
// separated value lists — all as string_views over the header value, never allocating.
//
// Accepts: LWS (CR, LF, SP, HT — folded values keep their line breaks) around ';', '=', ',',
// '/' and before '<'; quoted display names with backslash escapes and any octet inside the
// quotes (UTF-8, even NUL, RFC 4475 §3.1.1.2); unquoted display names of tokens (and UTF-8);
// "name-addr" without LWS before '<' (RFC 4475 §3.1.1.6); URI users containing ';' (§3.1.1.9);
// unknown URI schemes (kept opaque); IPv6 references in brackets, with or without a port after
// ']', and a received= Via parameter with or without brackets (RFC 5118).
// Rejects (an Error naming what): whitespace inside a URI, a '<' without '>', an unterminated
// quoted string, non-token characters in an unquoted display name, an addr-spec (no '<>')
// carrying '?' headers or ',' (RFC 4475 §3.1.2.13), empty parameters (";;"), a host that is
// not a hostname, IPv4 or bracketed IPv6 reference, a port that is not 1-5 digits up to 65535,
// a Via without "SIP/2.0/<transport>" and a sent-by.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "telephony/result.hpp"

namespace telephony::sip {

inline bool is_lws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
std::string_view trim_lws(std::string_view s);
// RFC 3261 token characters (alphanumerics and -.!%*_+`'~).
bool is_token_char(char c);
// Case-insensitive ASCII equality.
bool iequals(std::string_view a, std::string_view b);

// Calls f(std::string_view value) for each comma-separated value at the top level (commas inside
// quotes or <> do not split); values are LWS-trimmed and may be empty (callers reject empty
// ones where the grammar does). Returns false (after calling f for the values before it) when a
// quote or '<' is never closed.
template <class F>
bool for_each_value(std::string_view list, F&& f) {
  bool quoted = false;
  bool angle = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const char c = list[i];
    if (quoted) {
      if (c == '\\') ++i;
      else if (c == '"') quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == '<') {
      angle = true;
    } else if (c == '>') {
      angle = false;
    } else if (c == ',' && !angle) {
      f(trim_lws(list.substr(start, i - start)));
      start = i + 1;
    }
  }
  if (quoted || angle) return false;
  f(trim_lws(list.substr(start)));
  return true;
}

// A ";name=value;flag" parameter list (the leading ';' optional). Names compare case-insensitively.
class Params {
 public:
  Params() = default;
  explicit Params(std::string_view text) : text_(text) {}
  std::string_view text() const { return text_; }
  // The value (quotes kept; "" for a flag without '=') or nullopt when absent.
  std::optional<std::string_view> get(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
  // False when a parameter is empty (";;") or has no name before '='.
  bool well_formed() const;
  // Calls f(name, value) for each parameter in order.
  template <class F>
  void for_each(F&& f) const {
    std::size_t pos = 0;
    while (pos <= text_.size()) {
      std::size_t end = find_separator(pos);
      auto item = trim_lws(text_.substr(pos, end - pos));
      if (!item.empty()) {
        auto eq = item.find('=');
        if (eq == std::string_view::npos) f(item, std::string_view());
        else f(trim_lws(item.substr(0, eq)), trim_lws(item.substr(eq + 1)));
      }
      if (end >= text_.size()) break;
      pos = end + 1;
    }
  }

 private:
  std::size_t find_separator(std::size_t from) const;  // next ';' outside quotes, or size()
  std::string_view text_;
};

struct Uri {
  std::string_view scheme;    // "sip", "sips", "tel", "urn" … as written
  std::string_view user;      // still %-escaped; may contain ';' (RFC 4475 §3.1.1.9)
  std::string_view password;
  std::string_view host;      // IPv6 references keep their brackets
  std::uint16_t port = 0;     // 0: not given
  Params params;              // uri-parameters (";transport=tcp;lr")
  std::string_view headers;   // after '?'
  std::string_view text;      // the whole URI as written

  bool is_sip() const;        // sip: or sips:
  bool is_sips() const;
  bool has_user() const { return !user.empty(); }
};
// `text` must be the URI alone (no LWS, no brackets). Non-SIP schemes need only "scheme:".
Result<Uri> parse_uri(std::string_view text);

struct NameAddr {
  std::string_view display;   // without quotes; escapes kept
  bool display_quoted = false;
  bool bracketed = false;     // the URI was in <>
  Uri uri;
  Params params;              // header parameters after the URI (";tag=…;expires=…;q=…")
  std::string_view tag() const { return params.get("tag").value_or(std::string_view()); }
};
// One value of From/To/Contact/Route/Record-Route/Refer-To/P-Asserted-Identity.
Result<NameAddr> parse_name_addr(std::string_view value);

struct Via {
  std::string_view protocol;   // "SIP/2.0" (LWS around '/' removed in the parts)
  std::string_view transport;  // "UDP", "TCP", "TLS", "WS" … as written
  std::string_view host;       // sent-by host (IPv6 with brackets)
  std::uint16_t port = 0;      // 0: not given
  Params params;
  std::string_view branch() const { return params.get("branch").value_or(std::string_view()); }
};
// One via-parm (a single value of a Via header).
Result<Via> parse_via(std::string_view value);

// RFC 3261 §8.1.1.7: the branch starts with the magic cookie and has something after it.
bool is_rfc3261_branch(std::string_view branch);

// %HH decoding (for comparing URI users); invalid escapes are kept as written.
std::string unescape(std::string_view s);

// Removes the surrounding quotes and backslash escapes of a quoted-string value.
std::string unquote(std::string_view s);

// Host of a URI/Via without IPv6 brackets ("[::1]" → "::1").
std::string_view host_without_brackets(std::string_view host);

// The value of header `name` among a URI's '?' headers ("Replaces=abc%3Bto-tag%3D1&X=y"), still
// %-escaped; nullopt when absent. Names compare case-insensitively.
std::optional<std::string_view> uri_header(std::string_view headers, std::string_view name);

// RFC 3891 Replaces: callid *(";" replaces-param). The tags are as the recipient of the INVITE
// sees them: to-tag is its own (local) tag, from-tag the remote one.
struct Replaces {
  std::string_view call_id;
  std::string_view to_tag;
  std::string_view from_tag;
  bool early_only = false;
};
// Refuses (an Error naming what) an empty or malformed Call-ID and a missing or empty tag.
Result<Replaces> parse_replaces(std::string_view value);

}  // namespace telephony::sip
