// AGI wire syntax: how a command line from a script is split into words, how the command it names
// is found, the agi:// and hagi:// locations of AGI(), and the URL encoding AMI uses to carry AGI
// text in the AsyncAGI events. Pure functions; the engine side is telephony/agi/agi.hpp.
//
// split_agi_words() follows Asterisk's res_agi argument rules: words are separated by spaces or
// tabs; a double quote toggles quoting (and, after whitespace, starts a word even when the quoted
// text is empty, so `""` is an empty argument); a backslash makes the next byte literal (also a
// quote or a space). At most kMaxAgiWords words are kept; the rest are dropped and `truncated`
// says so. A trailing "\r" (scripts written on Windows, or FastAGI clients that send CRLF) is
// removed first — Asterisk keeps it in the last word; we do not. Nothing else is rejected: any
// byte sequence splits into some words. The returned words own their bytes (a quoted or escaped
// word is not a substring of the line).
//
// parse_agi_location() accepts `agi://host[:port][/script]` (port 4573 by default; an IPv6 host in
// brackets), `hagi://…` (reported as Srv so the caller can refuse it clearly: we do no DNS SRV
// lookups), `agi:async` and anything else as a script path. Errors name what is wrong (empty host,
// a port that is not 1..65535).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/result.hpp"

namespace telephony::agi {

inline constexpr std::size_t kMaxAgiWords = 127;  // Asterisk's MAX_ARGS minus the terminator
inline constexpr std::uint16_t kFastAgiPort = 4573;

struct AgiWords {
  std::vector<std::string> words;
  bool truncated = false;
};
AgiWords split_agi_words(std::string_view line);

enum class AgiLocationKind { Script, FastAgi, Srv, Async };

struct AgiLocation {
  AgiLocationKind kind = AgiLocationKind::Script;
  std::string script;        // Script: the path as written; FastAgi/Srv: the part after host[:port]/
  std::string host;          // FastAgi/Srv (without brackets)
  std::uint16_t port = kFastAgiPort;
  bool port_given = false;
};
Result<AgiLocation> parse_agi_location(std::string_view text);

// Percent-encodes every byte except A-Z a-z 0-9 and - _ . ! ~ * ' ( ) (RFC 2396 unreserved, as
// Asterisk's ast_uri_http), upper-case hex. Used for the Env and Result fields of AsyncAGI events.
std::string uri_encode(std::string_view text);
// The inverse; a malformed escape is kept as written.
std::string uri_decode(std::string_view text);

}  // namespace telephony::agi
