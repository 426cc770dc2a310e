// string_view routines of the SDP/RTP code on top of the config parser's (trim, iequals).
// Internal: not installed.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "config/text.hpp"

namespace telephony::rtp {

using config::detail::iequals;
using config::detail::trim;

// Fields separated by runs of spaces/tabs.
inline std::vector<std::string_view> split_words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    std::size_t b = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > b) out.push_back(s.substr(b, i - b));
  }
  return out;
}

// A whole-string unsigned decimal number, nullopt otherwise (no sign, no spaces, no overflow).
template <class T>
std::optional<T> parse_uint(std::string_view s) {
  T v{};
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// The leading digits that fit 64 bits (origin session ids may be longer than that).
inline std::uint64_t parse_u64_prefix(std::string_view s) {
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') break;
    if (v > (UINT64_MAX - 9) / 10) break;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

}  // namespace telephony::rtp
