// manager::PrivilegeSet: the AMI privilege classes (manager.conf read=/write=, event Privilege:).
//
// Every action needs a write class, every event carries one or more read classes, and a user has
// a read set and a write set. The class names are Asterisk's, exactly: system call log verbose
// command agent user config dtmf reporting cdr dialplan originate agi cc aoc test security
// message, plus "all" (every class) and "none" (the empty set).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "telephony/result.hpp"

namespace telephony::manager {

enum class Privilege : std::uint32_t {
  System = 1u << 0, Call = 1u << 1, Log = 1u << 2, Verbose = 1u << 3, Command = 1u << 4,
  Agent = 1u << 5, User = 1u << 6, Config = 1u << 7, Dtmf = 1u << 8, Reporting = 1u << 9,
  Cdr = 1u << 10, Dialplan = 1u << 11, Originate = 1u << 12, Agi = 1u << 13, Cc = 1u << 14,
  Aoc = 1u << 15, Test = 1u << 16, Security = 1u << 17, Message = 1u << 18,
};

class PrivilegeSet {
 public:
  constexpr PrivilegeSet() = default;
  constexpr PrivilegeSet(Privilege p) : bits_(static_cast<std::uint32_t>(p)) {}  // NOLINT: implicit by design
  static constexpr PrivilegeSet from_bits(std::uint32_t b) { PrivilegeSet s; s.bits_ = b & kAll; return s; }
  static constexpr PrivilegeSet all() { return from_bits(kAll); }
  static constexpr PrivilegeSet none() { return {}; }

  // Parses "call,system", "all", "none", ignoring blanks around names. Unknown names are an
  // error naming the word (Asterisk ignores them silently; a typo should not grant nothing quietly).
  static Result<PrivilegeSet> parse(std::string_view text);
  // Names in Asterisk's order joined by ',' ("none" when empty); events append ",all" themselves.
  std::string to_string() const;

  constexpr std::uint32_t bits() const { return bits_; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr bool contains(PrivilegeSet other) const { return (bits_ & other.bits_) == other.bits_; }
  constexpr bool intersects(PrivilegeSet other) const { return (bits_ & other.bits_) != 0; }
  constexpr PrivilegeSet operator|(PrivilegeSet o) const { return from_bits(bits_ | o.bits_); }
  constexpr PrivilegeSet operator&(PrivilegeSet o) const { return from_bits(bits_ & o.bits_); }
  constexpr bool operator==(const PrivilegeSet&) const = default;

 private:
  static constexpr std::uint32_t kAll = (1u << 19) - 1;
  std::uint32_t bits_ = 0;
};

constexpr PrivilegeSet operator|(Privilege a, Privilege b) { return PrivilegeSet(a) | PrivilegeSet(b); }

}  // namespace telephony::manager
