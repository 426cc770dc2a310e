#include "telephony/dialplan/matcher.hpp"

#include <algorithm>
#include <numeric>

namespace telephony::dialplan {

struct PatternIndex::Walk {
  Question question;
  std::vector<std::uint32_t>* all = nullptr;
  std::uint32_t best = kNone;
  bool answer = false;

  void take(const std::vector<std::uint32_t>& ranks) {
    if (ranks.empty()) return;
    answer = true;
    if (question == Question::kMatchAll) {
      all->insert(all->end(), ranks.begin(), ranks.end());
    } else {
      best = std::min(best, ranks.front());  // lists are filled in rank order
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
  nodes_.emplace_back();
  // Inserting in rank order keeps every terminal list sorted by rank.
  for (std::uint32_t rank = 0; rank < order.size(); ++rank) {
    const Pattern& p = patterns[order[rank]];
    std::uint32_t node = 0;
    if (!p.is_pattern()) {
      for (char c : p.literal()) {
        PatternElement e;
        e.chars.add(static_cast<unsigned char>(c));
        node = child_for(node, e);
      }
      nodes_[node].ends_here.push_back(rank);
      continue;
    }
    bool wildcard = false;
    for (std::size_t i = 0; i < p.match_length(); ++i) {
      const PatternElement& e = p.elements()[i];
      if (e.kind == PatternElement::Kind::kOneOrMore) {
        nodes_[node].one_or_more.push_back(rank);
        wildcard = true;
        break;
      }
      if (e.kind == PatternElement::Kind::kZeroOrMore) {
        nodes_[node].zero_or_more.push_back(rank);
        wildcard = true;
        break;
      }
      node = child_for(node, e);
    }
    if (!wildcard) nodes_[node].ends_here.push_back(rank);
  }
}

std::uint32_t PatternIndex::child_for(std::uint32_t node, const PatternElement& e) {
  const auto next = static_cast<std::uint32_t>(nodes_.size());
  if (e.chars.size() == 1) {
    const unsigned char c = e.chars.lowest();
    auto& edges = nodes_[node].literal_edges;
    auto it = std::lower_bound(edges.begin(), edges.end(), c,
                               [](const auto& edge, unsigned char v) { return edge.first < v; });
    if (it != edges.end() && it->first == c) return it->second;
    edges.insert(it, {c, next});
  } else {
    for (const auto& s : nodes_[node].set_edges)
      if (s.chars == e.chars) return s.child;
    nodes_[node].set_edges.push_back({e.chars, next});
  }
  nodes_.emplace_back();
  return next;
}

void PatternIndex::walk(std::uint32_t node_id, std::string_view rest, Walk& w) const {
  while (!rest.empty() && rest.front() == '-') rest.remove_prefix(1);
  const Node& node = nodes_[node_id];
  if (rest.empty()) {
    switch (w.question) {
      case Question::kCanMatch:
        w.answer = true;  // every node lies on the path of some extension
        return;
      case Question::kMatchMore:
        if (!node.literal_edges.empty() || !node.set_edges.empty() || !node.one_or_more.empty() ||
            !node.zero_or_more.empty())
          w.answer = true;
        return;
      default:
        w.take(node.ends_here);
        w.take(node.zero_or_more);
        return;
    }
  }
  // At least one byte left: wildcards here swallow it and everything after.
  if (!node.one_or_more.empty() || !node.zero_or_more.empty()) {
    if (w.question == Question::kCanMatch || w.question == Question::kMatchMore) {
      w.answer = true;
      return;
    }
    w.take(node.one_or_more);
    w.take(node.zero_or_more);
  }
  const auto c = static_cast<unsigned char>(rest.front());
  const auto& edges = node.literal_edges;
  auto it = std::lower_bound(edges.begin(), edges.end(), c,
                             [](const auto& edge, unsigned char v) { return edge.first < v; });
  if (it != edges.end() && it->first == c) {
    walk(it->second, rest.substr(1), w);
    if (w.answer && (w.question == Question::kCanMatch || w.question == Question::kMatchMore))
      return;
  }
  for (const auto& s : node.set_edges) {
    if (!s.chars.contains(c)) continue;
    walk(s.child, rest.substr(1), w);
    if (w.answer && (w.question == Question::kCanMatch || w.question == Question::kMatchMore))
      return;
  }
}

std::vector<std::uint32_t> PatternIndex::find_all(std::string_view dialed) const {
  std::vector<std::uint32_t> ranks;
  if (nodes_.empty()) return ranks;
  Walk w{Question::kMatchAll, &ranks};
  walk(0, dialed, w);
  std::sort(ranks.begin(), ranks.end());
  for (auto& r : ranks) r = rank_to_index_[r];
  return ranks;
}

std::uint32_t PatternIndex::find_first(std::string_view dialed) const {
  if (nodes_.empty()) return kNone;
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
  if (nodes_.empty()) return false;
  Walk w{Question::kMatchMore};
  walk(0, dialed, w);
  return w.answer;
}

}  // namespace telephony::dialplan
