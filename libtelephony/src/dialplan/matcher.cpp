#include "telephony/dialplan/matcher.hpp"

#include <algorithm>
#include <numeric>

namespace telephony::dialplan {

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

  // Depth-first preorder numbering (explicit stack: patterns may be long).
  std::vector<std::uint32_t> preorder, new_id(b.nodes.size());
  preorder.reserve(b.nodes.size());
  std::vector<std::uint32_t> stack{0};
  while (!stack.empty()) {
    const std::uint32_t id = stack.back();
    stack.pop_back();
    new_id[id] = static_cast<std::uint32_t>(preorder.size());
    preorder.push_back(id);
    const auto& n = b.nodes[id];
    for (auto it = n.set_edges.rbegin(); it != n.set_edges.rend(); ++it) stack.push_back(it->child);
    for (auto it = n.literal_edges.rbegin(); it != n.literal_edges.rend(); ++it)
      stack.push_back(it->second);
  }
  nodes_.resize(preorder.size());
  for (std::size_t k = 0; k < preorder.size(); ++k) {
    auto& src = b.nodes[preorder[k]];
    Node& n = nodes_[k];
    n.edges = static_cast<std::uint32_t>(edges_.size());
    n.n_edges = static_cast<std::uint16_t>(src.literal_edges.size());
    for (const auto& [c, child] : src.literal_edges) edges_.push_back({c, new_id[child]});
    n.sets = static_cast<std::uint32_t>(sets_.size());
    n.n_sets = static_cast<std::uint32_t>(src.set_edges.size());
    for (const auto& s : src.set_edges) sets_.push_back({s.chars, new_id[s.child]});
    n.terms = static_cast<std::uint32_t>(terms_.size());
    // ends_here is bounded by duplicates of one literal/pattern; clamp keeps n_end honest.
    if (src.ends_here.size() > 0xffff) src.ends_here.resize(0xffff);
    n.n_end = static_cast<std::uint16_t>(src.ends_here.size());
    n.n_one = static_cast<std::uint32_t>(src.one_or_more.size());
    n.n_zero = static_cast<std::uint32_t>(src.zero_or_more.size());
    terms_.insert(terms_.end(), src.ends_here.begin(), src.ends_here.end());
    terms_.insert(terms_.end(), src.one_or_more.begin(), src.one_or_more.end());
    terms_.insert(terms_.end(), src.zero_or_more.begin(), src.zero_or_more.end());
  }
  // Children come after their parent in preorder, so one backward pass fills subtree minima.
  for (std::size_t k = nodes_.size(); k-- > 0;) {
    Node& n = nodes_[k];
    std::uint32_t m = kNone;
    if (n.n_end) m = std::min(m, terms_[n.terms]);
    if (n.n_one) m = std::min(m, terms_[n.terms + n.n_end]);
    if (n.n_zero) m = std::min(m, terms_[n.terms + n.n_end + n.n_one]);
    for (std::uint32_t e = 0; e < n.n_edges; ++e)
      m = std::min(m, nodes_[edges_[n.edges + e].child].subtree_min);
    for (std::uint32_t e = 0; e < n.n_sets; ++e)
      m = std::min(m, nodes_[sets_[n.sets + e].child].subtree_min);
    n.subtree_min = m;
  }
}

void PatternIndex::walk(std::uint32_t node_id, std::string_view rest, Walk& w) const {
  while (!rest.empty() && rest.front() == '-') rest.remove_prefix(1);
  const Node& node = nodes_[node_id];
  if (w.question == Question::kMatchFirst && node.subtree_min >= w.best) return;
  const std::uint32_t* ends = terms_.data() + node.terms;
  const std::uint32_t* one = ends + node.n_end;
  const std::uint32_t* zero = one + node.n_one;
  if (rest.empty()) {
    switch (w.question) {
      case Question::kCanMatch:
        w.answer = true;  // every node lies on the path of some extension
        return;
      case Question::kMatchMore:
        if (node.n_edges || node.n_sets || node.n_one || node.n_zero) w.answer = true;
        return;
      default:
        w.take(ends, node.n_end);
        w.take(zero, node.n_zero);
        return;
    }
  }
  // At least one byte left: wildcards here swallow it and everything after.
  if (node.n_one || node.n_zero) {
    if (w.question == Question::kCanMatch || w.question == Question::kMatchMore) {
      w.answer = true;
      return;
    }
    w.take(one, node.n_one);
    w.take(zero, node.n_zero);
  }
  const auto c = static_cast<unsigned char>(rest.front());
  const LiteralEdge* first = edges_.data() + node.edges;
  const LiteralEdge* last = first + node.n_edges;
  const LiteralEdge* hit = std::lower_bound(
      first, last, c, [](const LiteralEdge& e, unsigned char v) { return e.byte < v; });
  if (hit != last && hit->byte == c) {
    walk(hit->child, rest.substr(1), w);
    if (w.done()) return;
  }
  const SetEdge* set = sets_.data() + node.sets;
  for (std::uint32_t e = 0; e < node.n_sets; ++e) {
    if (!set[e].chars.contains(c)) continue;
    walk(set[e].child, rest.substr(1), w);
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
