// Compiled extension matcher: all extensions of one context in a trie, queried per dialed string.
//
// The executor asks "which extension runs for this number?" on every step and "could more digits
// still match?" on every digit of overlap dialing, so lookups must not scan the context. Each trie
// edge is one pattern position: literal bytes go through a sorted edge list (binary search), sets
// (X, N, Z, [..]) through a short list of set edges, and `.`/`!` end a path as wildcard
// terminals. A lookup walks only the branches the dialed string can take. Every extension gets
// its rank in Asterisk's sort order (see pattern.hpp) at build time, so find() returns payloads in
// the order the executor must try them. Caller-ID (`/cid`) filtering is left to the caller, which
// walks the ordered result.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <string_view>
#include <utility>
#include <vector>

#include "telephony/dialplan/pattern.hpp"
#include "telephony/result.hpp"

namespace telephony::dialplan {

// The payload-free core: extensions are numbered in insertion order.
class PatternIndex {
 public:
  static constexpr std::uint32_t kNone = 0xffffffffU;

  // Builds from parsed patterns; insertion order breaks ties between equal patterns.
  explicit PatternIndex(const std::vector<Pattern>& patterns);
  PatternIndex() = default;

  // Insertion indices of every extension matching `dialed`, best (first to try) first.
  std::vector<std::uint32_t> find_all(std::string_view dialed) const;
  // The best match or kNone; allocates nothing.
  std::uint32_t find_first(std::string_view dialed) const;
  bool can_match(std::string_view dialed) const;
  bool match_more(std::string_view dialed) const;
  std::size_t size() const { return rank_to_index_.size(); }

 private:
  // The frozen trie is one array of 32-bit words, nodes in depth-first order. Runs of
  // single-child steps are collapsed into one node's "chain", so a long unique tail such as
  // the last digits of a DID costs one cache line instead of one node per digit. A node's id is
  // its word offset. Layout of a node:
  //   [0] lowest rank in the subtree (prunes find_first)   [1] n_edges | n_end << 16
  //   [2] n_sets  [3] n_one ('.')  [4] n_zero ('!')  [5] chain length
  //   chain (1 word per position: 0x80000000|byte for a literal, else an index into sets_),
  //   edge bytes (sorted, 4 per word), edge children (1 word each),
  //   set edges (2 words each: index into sets_, child), ranks: ends-here, '.', '!'.
  // sets_ holds each distinct character set of the context once (X, N, [1-5] ...): 8 words each.
  enum class Question { kMatchAll, kMatchFirst, kCanMatch, kMatchMore };
  struct Walk;
  struct Builder;

  void walk(std::uint32_t node, std::string_view rest, Walk& w) const;

  std::vector<std::uint32_t> arena_;
  std::vector<std::uint32_t> sets_;
  // Literal extensions sort before every pattern, so an exact literal hit is the first match:
  // find_first answers it from a hash table without walking the trie.
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> literal_rank_;
  std::vector<std::uint32_t> rank_to_index_;
};

// Extensions of one context with a payload each (typically the extension's priority list).
template <class Payload>
class ExtensionMatcher {
 public:
  // Parses every extension string; the first one that does not parse is the error.
  static Result<ExtensionMatcher> build(std::vector<std::pair<std::string, Payload>> entries) {
    std::vector<std::pair<Pattern, Payload>> parsed;
    parsed.reserve(entries.size());
    for (auto& [text, payload] : entries) {
      auto p = Pattern::parse(text);
      if (!p) return Unexpected<Error>{p.error()};
      parsed.emplace_back(std::move(*p), std::move(payload));
    }
    return from_patterns(std::move(parsed));
  }

  // From patterns the loader already parsed (with their file:line in any error).
  static ExtensionMatcher from_patterns(std::vector<std::pair<Pattern, Payload>> entries) {
    ExtensionMatcher m;
    std::vector<Pattern> patterns;
    patterns.reserve(entries.size());
    m.payloads_.reserve(entries.size());
    for (auto& [pattern, payload] : entries) {
      patterns.push_back(std::move(pattern));
      m.payloads_.push_back(std::move(payload));
    }
    m.index_ = PatternIndex(patterns);
    return m;
  }

  // Every matching payload, in the order the executor tries them.
  std::vector<const Payload*> find(std::string_view dialed) const {
    std::vector<const Payload*> out;
    for (auto i : index_.find_all(dialed)) out.push_back(&payloads_[i]);
    return out;
  }
  const Payload* find_first(std::string_view dialed) const {
    auto i = index_.find_first(dialed);
    return i == PatternIndex::kNone ? nullptr : &payloads_[i];
  }
  bool can_match(std::string_view dialed) const { return index_.can_match(dialed); }
  bool match_more(std::string_view dialed) const { return index_.match_more(dialed); }
  std::size_t size() const { return payloads_.size(); }

 private:
  PatternIndex index_;
  std::vector<Payload> payloads_;
};

}  // namespace telephony::dialplan
