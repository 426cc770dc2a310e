#include "telephony/dialplan/matcher.hpp"

#include <algorithm>
#include <numeric>

namespace telephony::dialplan {

namespace {
constexpr std::size_t kHeaderWords = 6;
}  // namespace

// The growable trie used while inserting; frozen into PatternIndex's flat arrays afterwards.
struct PatternIndex::Builder {
  struct SetEdge {
    CharSet chars;
    std::uint32_t child;
  };
  struct BuildNode {
    std::vector<std::pair<unsigned char, std::uint32_t>> literal_edges;  // sorted by byte
    std::vector<SetEdge> set_edges;
    std::vector<std::uint32_t> ends_here, one_or_more, zero_or_more;  // ranks, ascending
  };
  std::vector<BuildNode> nodes{1};

  std::uint32_t child_for(std::uint32_t node, const PatternElement& e) {
    const auto next = static_cast<std::uint32_t>(nodes.size());
    if (e.chars.size() == 1) {
      const unsigned char c = e.chars.lowest();
      auto& edges = nodes[node].literal_edges;
      auto it = std::lower_bound(edges.begin(), edges.end(), c,
                                 [](const auto& edge, unsigned char v) { return edge.first < v; });
      if (it != edges.end() && it->first == c) return it->second;
      edges.insert(it, {c, next});
    } else {
      for (const auto& s : nodes[node].set_edges)
        if (s.chars == e.chars) return s.child;
      nodes[node].set_edges.push_back({e.chars, next});
    }
    nodes.emplace_back();
    return next;
  }

  void insert(const Pattern& p, std::uint32_t rank) {
    std::uint32_t node = 0;
    if (!p.is_pattern()) {
      for (char c : p.literal()) {
        PatternElement e;
        e.chars.add(static_cast<unsigned char>(c));
        node = child_for(node, e);
      }
      nodes[node].ends_here.push_back(rank);
      return;
    }
    for (std::size_t i = 0; i < p.match_length(); ++i) {
      const PatternElement& e = p.elements()[i];
      if (e.kind == PatternElement::Kind::kOneOrMore) {
        nodes[node].one_or_more.push_back(rank);
        return;
      }
      if (e.kind == PatternElement::Kind::kZeroOrMore) {
        nodes[node].zero_or_more.push_back(rank);
        return;
      }
      node = child_for(node, e);
    }
    nodes[node].ends_here.push_back(rank);
  }
};

struct PatternIndex::Walk {
  Question question;
  std::vector<std::uint32_t>* all = nullptr;
  std::uint32_t best = kNone;
  bool answer = false;

  bool done() const {
    return answer && (question == Question::kCanMatch || question == Question::kMatchMore);
  }
  void take(const std::uint32_t* ranks, std::uint32_t n) {
    if (n == 0) return;
    answer = true;
    if (question == Question::kMatchAll) {
      all->insert(all->end(), ranks, ranks + n);
    } else {
      best = std::min(best, ranks[0]);  // each list is in rank order
    }
  }
};

PatternIndex::PatternIndex(const std::vector<Pattern>& patterns) {
  std::vector<std::uint32_t> order(patterns.size());
  std::iota(order.begin(), order.end(), 0U);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return compare(patterns[a], patterns[b]) < 0;
  });
  rank_to_index_ = order;
  Builder b;
  // Inserting in rank order keeps every terminal list sorted by rank.
  for (std::uint32_t rank = 0; rank < order.size(); ++rank) {
    const Pattern& p = patterns[order[rank]];
    b.insert(p, rank);
    if (!p.is_pattern()) literal_rank_.emplace(p.literal(), rank);  // keeps the lowest rank
  }

  // Distinct sets, each stored once as a 256-bit bitmap.
  std::vector<CharSet> distinct;
  auto set_index = [&](const CharSet& cs) {
    for (std::size_t i = 0; i < distinct.size(); ++i)
      if (distinct[i] == cs) return static_cast<std::uint32_t>(i);
    distinct.push_back(cs);
    for (int k = 0; k < 8; ++k) sets_.push_back(0);
    std::uint32_t* bits = sets_.data() + sets_.size() - 8;
    for (int c = 0; c < 256; ++c)
      if (cs.contains(static_cast<unsigned char>(c))) bits[c >> 5] |= 1U << (c & 31);
    return static_cast<std::uint32_t>(distinct.size() - 1);
  };

  // A frozen node starts at builder node `head`, runs through single-child steps (its chain)
  // and ends at builder node `tail`, which owns the branching and the terminals.
  struct Frozen {
    std::uint32_t head, tail;
    std::vector<std::uint32_t> chain;
  };
  auto single_step = [&](std::uint32_t id) {
    const auto& n = b.nodes[id];
    return n.ends_here.empty() && n.one_or_more.empty() && n.zero_or_more.empty() &&
           n.literal_edges.size() + n.set_edges.size() == 1;
  };
  std::vector<Frozen> frozen;
  std::vector<std::uint32_t> frozen_of(b.nodes.size(), kNone);  // head builder id -> frozen
  std::vector<std::uint32_t> stack{0};
  while (!stack.empty()) {  // depth-first preorder; explicit stack because patterns may be long
    Frozen f{stack.back(), stack.back(), {}};
    stack.pop_back();
    while (single_step(f.tail)) {
      const auto& n = b.nodes[f.tail];
      if (!n.literal_edges.empty()) {
        f.chain.push_back(0x80000000U | n.literal_edges[0].first);
        f.tail = n.literal_edges[0].second;
      } else {
        f.chain.push_back(set_index(n.set_edges[0].chars));
        f.tail = n.set_edges[0].child;
      }
    }
    const auto& t = b.nodes[f.tail];
    for (auto it = t.set_edges.rbegin(); it != t.set_edges.rend(); ++it) stack.push_back(it->child);
    for (auto it = t.literal_edges.rbegin(); it != t.literal_edges.rend(); ++it)
      stack.push_back(it->second);
    frozen_of[f.head] = static_cast<std::uint32_t>(frozen.size());
    frozen.push_back(std::move(f));
  }
  std::vector<std::uint32_t> offset(frozen.size());
  std::size_t words = 0;
  for (std::size_t i = 0; i < frozen.size(); ++i) {
    auto& t = b.nodes[frozen[i].tail];
    // ends_here only grows with duplicates of one extension; the header keeps 16 bits of it.
    if (t.ends_here.size() > 0xffff) t.ends_here.resize(0xffff);
    offset[i] = static_cast<std::uint32_t>(words);
    words += kHeaderWords + frozen[i].chain.size() + (t.literal_edges.size() + 3) / 4 +
             t.literal_edges.size() + 2 * t.set_edges.size() + t.ends_here.size() +
             t.one_or_more.size() + t.zero_or_more.size();
  }
  auto child_offset = [&](std::uint32_t builder_id) { return offset[frozen_of[builder_id]]; };
  arena_.assign(words, 0);
  for (std::size_t i = 0; i < frozen.size(); ++i) {
    const auto& t = b.nodes[frozen[i].tail];
    std::uint32_t* w = arena_.data() + offset[i];
    const auto n_edges = static_cast<std::uint32_t>(t.literal_edges.size());
    w[1] = n_edges | static_cast<std::uint32_t>(t.ends_here.size()) << 16;
    w[2] = static_cast<std::uint32_t>(t.set_edges.size());
    w[3] = static_cast<std::uint32_t>(t.one_or_more.size());
    w[4] = static_cast<std::uint32_t>(t.zero_or_more.size());
    w[5] = static_cast<std::uint32_t>(frozen[i].chain.size());
    std::uint32_t* chain = w + kHeaderWords;
    std::copy(frozen[i].chain.begin(), frozen[i].chain.end(), chain);
    auto* bytes = reinterpret_cast<unsigned char*>(chain + frozen[i].chain.size());
    std::uint32_t* child = chain + frozen[i].chain.size() + (n_edges + 3) / 4;
    for (std::uint32_t e = 0; e < n_edges; ++e) {
      bytes[e] = t.literal_edges[e].first;
      child[e] = child_offset(t.literal_edges[e].second);
    }
    std::uint32_t* set = child + n_edges;
    for (const auto& edge : t.set_edges) {
      set[0] = set_index(edge.chars);
      set[1] = child_offset(edge.child);
      set += 2;
    }
    std::uint32_t* terms = set;
    terms = std::copy(t.ends_here.begin(), t.ends_here.end(), terms);
    terms = std::copy(t.one_or_more.begin(), t.one_or_more.end(), terms);
    std::copy(t.zero_or_more.begin(), t.zero_or_more.end(), terms);
  }
  // Children follow their parent in preorder: one backward pass fills the subtree minima.
  for (std::size_t i = frozen.size(); i-- > 0;) {
    const auto& t = b.nodes[frozen[i].tail];
    std::uint32_t m = kNone;
    if (!t.ends_here.empty()) m = std::min(m, t.ends_here.front());
    if (!t.one_or_more.empty()) m = std::min(m, t.one_or_more.front());
    if (!t.zero_or_more.empty()) m = std::min(m, t.zero_or_more.front());
    for (const auto& e : t.literal_edges) m = std::min(m, arena_[child_offset(e.second)]);
    for (const auto& e : t.set_edges) m = std::min(m, arena_[child_offset(e.child)]);
    arena_[offset[i]] = m;
  }
}

void PatternIndex::walk(std::uint32_t node_id, std::string_view rest, Walk& w) const {
  const std::uint32_t* node = arena_.data() + node_id;
  if (w.question == Question::kMatchFirst && node[0] >= w.best) return;
  const std::uint32_t n_edges = node[1] & 0xffff, n_end = node[1] >> 16;
  const std::uint32_t n_sets = node[2], n_one = node[3], n_zero = node[4], n_chain = node[5];
  const std::uint32_t* chain = node + kHeaderWords;
  for (std::uint32_t k = 0; k < n_chain; ++k) {
    while (!rest.empty() && rest.front() == '-') rest.remove_prefix(1);
    if (rest.empty()) {
      // Dialed string ends inside a chain: a prefix of longer extensions, nothing ends here.
      if (w.question == Question::kCanMatch || w.question == Question::kMatchMore) w.answer = true;
      return;
    }
    const auto c = static_cast<unsigned char>(rest.front());
    const std::uint32_t step = chain[k];
    const bool ok = (step & 0x80000000U)
                        ? (step & 0xff) == c
                        : ((sets_[step * 8 + (c >> 5)] >> (c & 31)) & 1U) != 0;
    if (!ok) return;
    rest.remove_prefix(1);
  }
  while (!rest.empty() && rest.front() == '-') rest.remove_prefix(1);
  const auto* bytes = reinterpret_cast<const unsigned char*>(chain + n_chain);
  const std::uint32_t* child = chain + n_chain + (n_edges + 3) / 4;
  const std::uint32_t* sets = child + n_edges;
  const std::uint32_t* ends = sets + 2 * n_sets;
  const std::uint32_t* one = ends + n_end;
  const std::uint32_t* zero = one + n_one;
  if (rest.empty()) {
    switch (w.question) {
      case Question::kCanMatch:
        w.answer = true;  // every node lies on the path of some extension
        return;
      case Question::kMatchMore:
        if (n_edges || n_sets || n_one || n_zero) w.answer = true;
        return;
      default:
        w.take(ends, n_end);
        w.take(zero, n_zero);
        return;
    }
  }
  // At least one byte left: wildcards here swallow it and everything after.
  if (n_one || n_zero) {
    if (w.question == Question::kCanMatch || w.question == Question::kMatchMore) {
      w.answer = true;
      return;
    }
    w.take(one, n_one);
    w.take(zero, n_zero);
  }
  const auto c = static_cast<unsigned char>(rest.front());
  const unsigned char* hit = std::lower_bound(bytes, bytes + n_edges, c);
  if (hit != bytes + n_edges && *hit == c) {
    walk(child[hit - bytes], rest.substr(1), w);
    if (w.done()) return;
  }
  for (std::uint32_t e = 0; e < n_sets; ++e) {
    const std::uint32_t* set = sets + 2 * e;
    if (!((sets_[set[0] * 8 + (c >> 5)] >> (c & 31)) & 1U)) continue;
    walk(set[1], rest.substr(1), w);
    if (w.done()) return;
  }
}

std::vector<std::uint32_t> PatternIndex::find_all(std::string_view dialed) const {
  std::vector<std::uint32_t> ranks;
  if (rank_to_index_.empty()) return ranks;
  Walk w{Question::kMatchAll, &ranks};
  walk(0, dialed, w);
  std::sort(ranks.begin(), ranks.end());
  for (auto& r : ranks) r = rank_to_index_[r];
  return ranks;
}

std::uint32_t PatternIndex::find_first(std::string_view dialed) const {
  if (rank_to_index_.empty()) return kNone;
  if (dialed.find('-') == std::string_view::npos) {
    auto it = literal_rank_.find(dialed);
    if (it != literal_rank_.end()) return rank_to_index_[it->second];
  }
  Walk w{Question::kMatchFirst};
  walk(0, dialed, w);
  return w.best == kNone ? kNone : rank_to_index_[w.best];
}

bool PatternIndex::can_match(std::string_view dialed) const {
  if (rank_to_index_.empty()) return false;
  Walk w{Question::kCanMatch};
  walk(0, dialed, w);
  return w.answer;
}

bool PatternIndex::match_more(std::string_view dialed) const {
  if (rank_to_index_.empty()) return false;
  Walk w{Question::kMatchMore};
  walk(0, dialed, w);
  return w.answer;
}

}  // namespace telephony::dialplan
