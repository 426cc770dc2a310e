#include "telephony/dialplan/pattern.hpp"

#include <bit>

namespace telephony::dialplan {

int CharSet::size() const {
  int n = 0;
  for (auto w : bits_) n += std::popcount(w);
  return n;
}

unsigned char CharSet::lowest() const {
  for (int i = 0; i < 4; ++i)
    if (bits_[i] != 0) return static_cast<unsigned char>(i * 64 + std::countr_zero(bits_[i]));
  return 0;
}

int CharSet::tie_break(const CharSet& other) const {
  for (int i = 0; i < 4; ++i) {
    std::uint64_t diff = bits_[i] ^ other.bits_[i];
    if (diff == 0) continue;
    std::uint64_t lowest_bit = diff & (~diff + 1);
    return (bits_[i] & lowest_bit) ? -1 : 1;
  }
  return 0;
}

namespace {

CharSet range_set(char lo, char hi) {
  CharSet s;
  for (int c = static_cast<unsigned char>(lo); c <= static_cast<unsigned char>(hi); ++c)
    s.add(static_cast<unsigned char>(c));
  return s;
}

std::string location(std::string_view where, std::string_view text) {
  std::string w(where);
  if (!w.empty()) w += ": ";
  w += "extension '";
  w += text;
  w += "'";
  return w;
}

}  // namespace

Result<Pattern> Pattern::parse(std::string_view text, std::string_view where) {
  Pattern p;
  p.text_ = std::string(text);
  if (text.empty()) return fail("empty extension", std::string(where));
  if (text[0] != '_') {
    for (char c : text)
      if (c != '-') p.literal_ += c;
    if (p.literal_.empty()) return fail("extension has only separators", location(where, text));
    return p;
  }
  p.is_pattern_ = true;
  bool wildcard_seen = false;
  for (std::size_t i = 1; i < text.size(); ++i) {
    const char c = text[i];
    PatternElement e;
    switch (c) {
      case '-':
      case ' ':
        continue;
      case 'x': case 'X': e.chars = range_set('0', '9'); break;
      case 'z': case 'Z': e.chars = range_set('1', '9'); break;
      case 'n': case 'N': e.chars = range_set('2', '9'); break;
      case '.': e.kind = PatternElement::Kind::kOneOrMore; break;
      case '!': e.kind = PatternElement::Kind::kZeroOrMore; break;
      case '[': {
        const std::size_t close = text.find(']', i + 1);
        if (close == std::string_view::npos)
          return fail("unterminated '[' at offset " + std::to_string(i), location(where, text));
        // Inside a set, "a-c" is a range; a '-' first or last is a literal dash.
        for (std::size_t j = i + 1; j < close; ++j) {
          if (j + 2 < close && text[j + 1] == '-') {
            if (static_cast<unsigned char>(text[j]) > static_cast<unsigned char>(text[j + 2]))
              return fail("reversed range '" + std::string(text.substr(j, 3)) + "' at offset " +
                              std::to_string(j) + " matches nothing (write it low-high)",
                          location(where, text));
            for (int ch = static_cast<unsigned char>(text[j]);
                 ch <= static_cast<unsigned char>(text[j + 2]); ++ch)
              e.chars.add(static_cast<unsigned char>(ch));
            j += 2;
          } else {
            e.chars.add(static_cast<unsigned char>(text[j]));
          }
        }
        if (e.chars.size() == 0)
          return fail("empty '[]' set at offset " + std::to_string(i), location(where, text));
        i = close;
        break;
      }
      default:
        e.chars.add(static_cast<unsigned char>(c));
        break;
    }
    p.elements_.push_back(e);
    if (!wildcard_seen) {
      p.match_length_ = p.elements_.size();
      wildcard_seen = e.kind != PatternElement::Kind::kChars;
    }
  }
  return p;
}

MatchResult Pattern::match(std::string_view dialed) const {
  MatchResult r;
  if (!is_pattern_) {
    // Literal: compare ignoring '-' on both sides; dialed must be a prefix of the literal.
    std::size_t k = 0;
    for (char c : dialed) {
      if (c == '-') continue;
      if (k >= literal_.size() || literal_[k] != c) return r;
      ++k;
    }
    r.can_match = true;
    r.match = k == literal_.size();
    r.match_more = k < literal_.size();
    return r;
  }
  std::size_t i = 0;
  for (char c : dialed) {
    if (c == '-') continue;
    if (i == match_length_) return r;  // dialed string longer than the pattern
    const PatternElement& e = elements_[i];
    if (e.kind != PatternElement::Kind::kChars) return {true, true, true};  // wildcard eats the rest
    if (!e.chars.contains(static_cast<unsigned char>(c))) return r;
    ++i;
  }
  r.can_match = true;
  if (i == match_length_) {
    r.match = true;
  } else if (elements_[i].kind == PatternElement::Kind::kZeroOrMore) {
    r.match = true;  // "early match": '!' admits the empty rest
    r.match_more = true;
  } else {
    r.match_more = true;
  }
  return r;
}

namespace {

// Asterisk's per-position weight: the number of bytes a position admits in the high bits and the
// lowest admitted byte in the low 8 bits, so narrower positions sort first; '.' then '!' then the
// end of the pattern come last.
constexpr std::uint32_t kWeightOneOrMore = 0x18000;
constexpr std::uint32_t kWeightZeroOrMore = 0x28000;
constexpr std::uint32_t kWeightEnd = 0x30000;

std::uint32_t weight(const PatternElement& e) {
  switch (e.kind) {
    case PatternElement::Kind::kOneOrMore: return kWeightOneOrMore;
    case PatternElement::Kind::kZeroOrMore: return kWeightZeroOrMore;
    case PatternElement::Kind::kChars: break;
  }
  return (static_cast<std::uint32_t>(e.chars.size()) << 8) | e.chars.lowest();
}

int sign(long v) { return v < 0 ? -1 : (v > 0 ? 1 : 0); }

}  // namespace

int compare(const Pattern& a, const Pattern& b) {
  if (!a.is_pattern() || !b.is_pattern()) {
    if (a.is_pattern() != b.is_pattern()) return a.is_pattern() ? 1 : -1;  // literals first
    return sign(a.literal().compare(b.literal()));
  }
  const auto& ea = a.elements();
  const auto& eb = b.elements();
  for (std::size_t i = 0;; ++i) {
    const bool a_end = i >= ea.size();
    const bool b_end = i >= eb.size();
    if (a_end && b_end) return 0;
    const std::uint32_t wa = a_end ? kWeightEnd : weight(ea[i]);
    const std::uint32_t wb = b_end ? kWeightEnd : weight(eb[i]);
    if (wa != wb) return wa < wb ? -1 : 1;
    if (!a_end && ea[i].kind == PatternElement::Kind::kChars) {
      if (int t = ea[i].chars.tie_break(eb[i].chars); t != 0) return t;
    }
  }
}

Result<ExtensionKey> parse_extension_key(std::string_view text, std::string_view where) {
  const std::size_t slash = text.find('/');
  auto exten = Pattern::parse(text.substr(0, slash), where);
  if (!exten) return Unexpected<Error>{exten.error()};
  ExtensionKey key{std::move(*exten), std::nullopt};
  if (slash != std::string_view::npos) {
    auto cid = Pattern::parse(text.substr(slash + 1), where);
    if (!cid) return Unexpected<Error>{cid.error()};
    key.caller_id = std::move(*cid);
  }
  return key;
}

}  // namespace telephony::dialplan
