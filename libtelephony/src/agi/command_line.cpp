// AGI word splitting, AGI() locations and URI encoding (see telephony/agi/command_line.hpp).
#include "telephony/agi/command_line.hpp"

#include <cctype>
#include <charconv>

namespace telephony::agi {

AgiWords split_agi_words(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  AgiWords out;
  bool quoted = false;
  bool escaped = false;
  bool between_words = true;
  auto start_word = [&]() -> bool {
    if (out.words.size() >= kMaxAgiWords) {
      out.truncated = true;
      return false;
    }
    out.words.emplace_back();
    between_words = false;
    return true;
  };
  for (char c : line) {
    if (c == '"' && !escaped) {
      quoted = !quoted;
      // An opening quote after whitespace starts a word even if nothing follows inside it.
      if (quoted && between_words) start_word();
      continue;
    }
    if ((c == ' ' || c == '\t') && !quoted && !escaped) {
      between_words = true;
      continue;
    }
    if (c == '\\' && !escaped) {
      escaped = true;
      continue;
    }
    escaped = false;
    if (between_words && !start_word()) continue;
    if (!between_words) out.words.back().push_back(c);
  }
  return out;
}

namespace {

std::string_view strip_prefix(std::string_view text, std::string_view prefix, bool* had) {
  *had = text.size() >= prefix.size();
  for (std::size_t i = 0; *had && i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) *had = false;
  return *had ? text.substr(prefix.size()) : text;
}

}  // namespace

Result<AgiLocation> parse_agi_location(std::string_view text) {
  AgiLocation loc;
  bool had = false;
  if (strip_prefix(text, "agi:async", &had); had) {
    loc.kind = AgiLocationKind::Async;
    return loc;
  }
  std::string_view rest = strip_prefix(text, "agi://", &had);
  if (had) {
    loc.kind = AgiLocationKind::FastAgi;
  } else {
    rest = strip_prefix(text, "hagi://", &had);
    if (!had) {
      if (text.empty()) return fail("AGI requires an argument (script)");
      loc.script = std::string(text);
      return loc;
    }
    loc.kind = AgiLocationKind::Srv;
  }
  const auto slash = rest.find('/');
  std::string_view hostport = rest.substr(0, slash);
  if (slash != std::string_view::npos) loc.script = std::string(rest.substr(slash + 1));
  std::string_view port;
  if (!hostport.empty() && hostport.front() == '[') {
    const auto close = hostport.find(']');
    if (close == std::string_view::npos) return fail("unterminated '[' in AGI host '" + std::string(hostport) + "'");
    loc.host = std::string(hostport.substr(1, close - 1));
    auto after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("unexpected text after ']' in AGI host '" + std::string(hostport) + "'");
      port = after.substr(1);
      loc.port_given = true;
    }
  } else {
    const auto colon = hostport.find(':');
    loc.host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = hostport.substr(colon + 1);
      loc.port_given = true;
    }
  }
  if (loc.host.empty()) return fail("no host in AGI location '" + std::string(text) + "'");
  if (loc.port_given) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
      return fail("invalid port '" + std::string(port) + "' in AGI location '" + std::string(text) + "'");
    loc.port = static_cast<std::uint16_t>(value);
  }
  return loc;
}

std::string uri_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() + text.size() / 2);
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool keep = std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '!' || c == '~' || c == '*' ||
                      c == '\'' || c == '(' || c == ')';
    if (keep && c < 0x80) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string uri_decode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int hi = hex(text[i + 1]);
      const int lo = hex(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

}  // namespace telephony::agi
