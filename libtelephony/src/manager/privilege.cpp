#include "telephony/manager/privilege.hpp"

#include <array>

#include "telephony/manager/message.hpp"

namespace telephony::manager {

namespace {
constexpr std::array<std::string_view, 19> kNames = {
    "system", "call", "log", "verbose", "command", "agent", "user", "config", "dtmf", "reporting",
    "cdr", "dialplan", "originate", "agi", "cc", "aoc", "test", "security", "message"};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
}  // namespace

Result<PrivilegeSet> PrivilegeSet::parse(std::string_view text) {
  std::uint32_t bits = 0;
  while (true) {
    const auto comma = text.find(',');
    const std::string_view word = trim(text.substr(0, comma));
    if (!word.empty()) {
      if (ami::iequals(word, "all")) {
        bits = kAll;
      } else if (!ami::iequals(word, "none")) {
        bool found = false;
        for (std::size_t i = 0; i < kNames.size(); ++i) {
          if (ami::iequals(word, kNames[i])) {
            bits |= 1u << i;
            found = true;
          }
        }
        if (!found) return fail("unknown privilege class '" + std::string(word) + "'", "privilege list");
      }
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return from_bits(bits);
}

std::string PrivilegeSet::to_string() const {
  std::string out;
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (bits_ & (1u << i)) {
      if (!out.empty()) out += ',';
      out += kNames[i];
    }
  }
  return out.empty() ? "none" : out;
}

}  // namespace telephony::manager
