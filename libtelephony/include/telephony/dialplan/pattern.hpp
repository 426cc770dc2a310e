// Extension patterns: the left-hand side of `exten => 100,1,...` and `exten => _NXX,1,...`.
//
// An extension is either a literal ("100", "fax", "s") compared character by character, or a
// pattern introduced by `_` whose elements are: X (0-9), Z (1-9), N (2-9) in either case,
// `[...]` character sets with ranges (`[1-3a]`), `.` (one or more of anything) and `!` (zero or
// more of anything, which also makes the pattern match "early"). Any other character in a pattern
// is a literal. `-` (and space) is a visual separator: ignored in patterns and `-` is ignored in
// the dialed string too.
//
// Parsing accepts any non-empty string; it rejects an unterminated or empty `[` set, a reversed
// range such as `[9-2]` (Asterisk accepts it and the set then matches nothing: almost always a
// typo, so it is refused here and the loader decides whether that skips the line or fails the
// load), and an empty extension. A Pattern owns a small vector of elements (one per position); matching allocates
// nothing. Ordering follows Asterisk's ext_cmp, see compare() and docs/dialplan.md.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/result.hpp"

namespace telephony::dialplan {

// Asterisk's three questions about a dialed string. `can_match` includes `match`.
struct MatchResult {
  bool match = false;       // the whole string matches (E_MATCH)
  bool can_match = false;   // the string matches or is a prefix of something that matches (E_CANMATCH)
  bool match_more = false;  // a strictly longer string could match (E_MATCHMORE)
  bool operator==(const MatchResult&) const = default;
};

// The set of bytes one pattern position admits.
class CharSet {
 public:
  void add(unsigned char c) { bits_[c >> 6] |= std::uint64_t{1} << (c & 63); }
  bool contains(unsigned char c) const { return (bits_[c >> 6] >> (c & 63)) & 1U; }
  int size() const;
  unsigned char lowest() const;  // only meaningful when size() > 0
  bool operator==(const CharSet&) const = default;
  // Sets of equal size and lowest member: the one holding the lowest differing byte comes first.
  int tie_break(const CharSet& other) const;

 private:
  std::array<std::uint64_t, 4> bits_{};
};

struct PatternElement {
  enum class Kind : std::uint8_t { kChars, kOneOrMore /* . */, kZeroOrMore /* ! */ };
  Kind kind = Kind::kChars;
  CharSet chars;  // for kChars: a literal is a set of one
};

class Pattern {
 public:
  // `text` is the extension as written ("_1NXX", "100", "fax"). `where` ("file:line") is put into
  // the error so the config loader's message points at the line.
  static Result<Pattern> parse(std::string_view text, std::string_view where = {});

  MatchResult match(std::string_view dialed) const;

  bool is_pattern() const { return is_pattern_; }
  const std::string& text() const { return text_; }  // as written
  // Literal extensions: the text with separators removed. Patterns: empty.
  const std::string& literal() const { return literal_; }
  const std::vector<PatternElement>& elements() const { return elements_; }
  // Elements that take part in matching: up to and including the first `.`/`!`, because a
  // wildcard swallows the rest of the dialed string (as in Asterisk).
  std::size_t match_length() const { return match_length_; }

 private:
  std::string text_;
  std::string literal_;
  std::vector<PatternElement> elements_;
  std::size_t match_length_ = 0;
  bool is_pattern_ = false;
};

// Asterisk's ext_cmp: negative if `a` sorts (is tried) before `b`, 0 if they are the same
// extension (same literal, or patterns admitting the same set at every position), positive after.
int compare(const Pattern& a, const Pattern& b);

inline bool operator<(const Pattern& a, const Pattern& b) { return compare(a, b) < 0; }

// "100/_2XX" -> extension "100" plus a caller-ID pattern "_2XX" (same rules as the extension).
struct ExtensionKey {
  Pattern exten;
  std::optional<Pattern> caller_id;
};
Result<ExtensionKey> parse_extension_key(std::string_view text, std::string_view where = {});

}  // namespace telephony::dialplan
