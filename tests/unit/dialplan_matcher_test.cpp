// The compiled matcher must give the same answers as testing every Pattern one by one, in the
// same order, while not scanning.
#include "telephony/dialplan/matcher.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

using telephony::dialplan::compare;
using telephony::dialplan::ExtensionMatcher;
using telephony::dialplan::Pattern;

namespace {

const std::vector<std::string> kContext = {
    "_X.", "100", "_1XX", "_NXX", "_1[23]X", "_12X", "1234", "123", "_.", "_!", "_X!",
    "_1.", "_[1-3]XX", "_ZXX", "fax", "_NXXNXXXXXX", "_307754XXXX", "_NXXXXXXXXX", "s", "i",
    "_9-1-NXX", "_*X.", "_#", "_[ab]X", "_[ab]1",
};

ExtensionMatcher<std::string> build_context() {
  std::vector<std::pair<std::string, std::string>> entries;
  for (const auto& e : kContext) entries.emplace_back(e, e);
  auto m = ExtensionMatcher<std::string>::build(entries);
  EXPECT_TRUE(m);
  return std::move(*m);
}

// The reference answer: test each pattern, keep matches, sort with ext_cmp.
std::vector<std::string> reference(const std::vector<std::string>& ctx, const std::string& d) {
  std::vector<Pattern> hits;
  for (const auto& e : ctx) {
    auto p = Pattern::parse(e);
    if (p->match(d).match) hits.push_back(*p);
  }
  std::stable_sort(hits.begin(), hits.end());
  std::vector<std::string> out;
  for (const auto& p : hits) out.push_back(p.text());
  return out;
}

class MatcherAgainstReference : public ::testing::TestWithParam<const char*> {};

TEST_P(MatcherAgainstReference, FindsSamePayloadsInSameOrder) {
  static const auto m = build_context();
  const std::string dialed = GetParam();
  std::vector<std::string> got;
  for (const auto* p : m.find(dialed)) got.push_back(*p);
  EXPECT_EQ(got, reference(kContext, dialed)) << "dialed '" << dialed << "'";
  bool can = false, more = false;
  for (const auto& e : kContext) {
    auto r = Pattern::parse(e)->match(dialed);
    can |= r.can_match;
    more |= r.match_more;
  }
  EXPECT_EQ(m.can_match(dialed), can) << dialed;
  EXPECT_EQ(m.match_more(dialed), more) << dialed;
  const auto* first = m.find_first(dialed);
  if (got.empty()) {
    EXPECT_EQ(first, nullptr);
  } else {
    ASSERT_NE(first, nullptr);
    EXPECT_EQ(*first, got.front());
  }
}

INSTANTIATE_TEST_SUITE_P(Dialed, MatcherAgainstReference,
                         ::testing::Values("", "1", "12", "123", "1234", "12345", "100", "199",
                                           "200", "911", "3077541234", "2125551212", "fax", "fa",
                                           "s", "i", "91555", "9-1-555", "*1", "*12", "#", "a5",
                                           "a1", "b1", "c1", "x", "0", "1-2-3"));

TEST(Matcher, FirstMatchFollowsSortOrderNotLength) {
  auto m = ExtensionMatcher<int>::build({{"_X.", 1}, {"_1XX", 2}, {"123", 3}, {"_12X", 4}});
  ASSERT_TRUE(m);
  auto hits = m->find("123");
  ASSERT_EQ(hits.size(), 4U);
  EXPECT_EQ(*hits[0], 3);
  EXPECT_EQ(*hits[1], 4);
  EXPECT_EQ(*hits[2], 2);
  EXPECT_EQ(*hits[3], 1);
  EXPECT_EQ(*m->find_first("155"), 2);
  EXPECT_EQ(*m->find_first("1555"), 1);
  EXPECT_EQ(m->find_first("abc"), nullptr);
}

TEST(Matcher, EqualPatternsKeepInsertionOrder) {
  auto m = ExtensionMatcher<int>::build({{"_N", 1}, {"_[2-9]", 2}});
  ASSERT_TRUE(m);
  auto hits = m->find("5");
  ASSERT_EQ(hits.size(), 2U);
  EXPECT_EQ(*hits[0], 1);
  EXPECT_EQ(*hits[1], 2);
}

TEST(Matcher, BuildsFromParsedPatterns) {
  std::vector<std::pair<Pattern, std::string>> parsed;
  for (const char* e : {"_X.", "_NXX", "200"}) parsed.emplace_back(*Pattern::parse(e), e);
  const auto m = ExtensionMatcher<std::string>::from_patterns(std::move(parsed));
  ASSERT_NE(m.find_first("200"), nullptr);
  EXPECT_EQ(*m.find_first("200"), "200");
  EXPECT_EQ(*m.find_first("201"), "_NXX");
  EXPECT_EQ(*m.find_first("2011"), "_X.");
  EXPECT_TRUE(m.match_more("20"));
  EXPECT_FALSE(m.can_match("a"));
}

TEST(Matcher, EmptyContextMatchesNothing) {
  auto m = ExtensionMatcher<int>::build({});
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->can_match(""));
  EXPECT_FALSE(m->match_more("1"));
  EXPECT_TRUE(m->find("1").empty());
}

TEST(Matcher, BadPatternIsReported) {
  auto m = ExtensionMatcher<int>::build({{"100", 1}, {"_1[2", 2}});
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().to_string().find("_1[2"), std::string::npos);
}

// Randomised cross-check on a bigger context against the one-by-one reference.
TEST(Matcher, RandomContextsAgreeWithReference) {
  std::mt19937 rng(7);
  const char* atoms[] = {"1", "2", "5", "X", "N", "Z", "[12]", "[5-7]", ".", "!"};
  std::vector<std::string> ctx;
  std::vector<std::pair<std::string, int>> entries;
  for (int i = 0; i < 300; ++i) {
    std::string e;
    const bool pattern = rng() % 3 != 0;
    const int len = 1 + static_cast<int>(rng() % 5);
    if (pattern) e = "_";
    for (int k = 0; k < len; ++k) e += pattern ? atoms[rng() % 10] : std::string(1, "0125"[rng() % 4]);
    ctx.push_back(e);
    entries.emplace_back(e, i);
  }
  auto m = ExtensionMatcher<int>::build(entries);
  ASSERT_TRUE(m);
  for (int t = 0; t < 400; ++t) {
    std::string d;
    const int len = static_cast<int>(rng() % 7);
    for (int k = 0; k < len; ++k) d += "012579"[rng() % 6];
    std::vector<Pattern> hits;
    bool can = false, more = false;
    for (const auto& e : ctx) {
      auto p = Pattern::parse(e);
      auto r = p->match(d);
      can |= r.can_match;
      more |= r.match_more;
    }
    EXPECT_EQ(m->can_match(d), can) << d;
    EXPECT_EQ(m->match_more(d), more) << d;
    auto got = m->find(d);
    std::vector<int> expect_idx;
    for (std::size_t i = 0; i < ctx.size(); ++i)
      if (Pattern::parse(ctx[i])->match(d).match) expect_idx.push_back(static_cast<int>(i));
    std::stable_sort(expect_idx.begin(), expect_idx.end(), [&](int a, int b) {
      return compare(*Pattern::parse(ctx[a]), *Pattern::parse(ctx[b])) < 0;
    });
    ASSERT_EQ(got.size(), expect_idx.size()) << d;
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(*got[i], expect_idx[i]) << d;
  }
}

}  // namespace
