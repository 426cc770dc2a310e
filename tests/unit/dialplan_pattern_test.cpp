// Extension patterns: Asterisk's MATCH / CANMATCH / MATCHMORE answers and ext_cmp sort order.
#include "telephony/dialplan/pattern.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <sstream>

using telephony::dialplan::compare;
using telephony::dialplan::MatchResult;
using telephony::dialplan::parse_extension_key;
using telephony::dialplan::Pattern;

namespace {

struct MatchCase {
  const char* pattern;
  const char* dialed;
  bool match, can_match, match_more;
};

class PatternMatch : public ::testing::TestWithParam<MatchCase> {};

TEST_P(PatternMatch, AnswersAsterisksThreeQuestions) {
  const MatchCase& c = GetParam();
  auto p = Pattern::parse(c.pattern);
  ASSERT_TRUE(p) << p.error().to_string();
  const MatchResult r = p->match(c.dialed);
  EXPECT_EQ(r.match, c.match) << c.pattern << " vs '" << c.dialed << "' match";
  EXPECT_EQ(r.can_match, c.can_match) << c.pattern << " vs '" << c.dialed << "' canmatch";
  EXPECT_EQ(r.match_more, c.match_more) << c.pattern << " vs '" << c.dialed << "' matchmore";
}

const MatchCase kMatches[] = {
    // pattern, dialed, match, canmatch, matchmore
    {"_1XX", "12", false, true, true},
    {"_1XX", "123", true, true, false},
    {"_1XX", "1234", false, false, false},
    {"_1XX", "22", false, false, false},
    {"_1XX", "", false, true, true},
    {"_X!", "1", true, true, true},
    {"_X!", "", false, true, true},
    {"_X!", "123", true, true, true},
    {"_X.", "1", false, true, true},
    {"_X.", "12", true, true, true},
    {"_X.", "12345678", true, true, true},
    {"_X.", "a1", false, false, false},
    {"_.", "", false, true, true},
    {"_.", "x", true, true, true},
    {"_!", "", true, true, true},
    {"_NXX", "200", true, true, false},
    {"_NXX", "100", false, false, false},
    {"_NXX", "911", true, true, false},
    {"_ZXX", "100", true, true, false},
    {"_ZXX", "000", false, false, false},
    {"_nxx", "234", true, true, false},  // classes in any case
    {"_zx", "10", true, true, false},
    {"_[1-3a]X", "a5", true, true, false},
    {"_[1-3a]X", "35", true, true, false},
    {"_[1-3a]X", "45", false, false, false},
    {"_[1-3a]X", "b", false, false, false},
    {"_[13-5]", "4", true, true, false},
    {"_[13-5]", "2", false, false, false},
    {"_1-800-NXX", "1800555", true, true, false},  // '-' ignored in the pattern
    {"_1800NXX", "1-800-555", true, true, false},  // ... and in the dialed string
    {"_1800NXX", "1-800", false, true, true},
    {"_9.", "9", false, true, true},
    {"_9.", "95551212", true, true, true},
    {"_9!", "9", true, true, true},
    {"_*X", "*5", true, true, false},
    {"_#", "#", true, true, false},
    {"100", "100", true, true, false},
    {"100", "10", false, true, true},
    {"100", "1000", false, false, false},
    {"100", "", false, true, true},
    {"1-00", "100", true, true, false},
    {"fax", "fax", true, true, false},
    {"fax", "FAX", false, false, false},
    {"XXX", "123", false, false, false},  // no '_': X is a literal letter
    {"XXX", "XXX", true, true, false},
    {"_X.5", "1", false, true, true},  // everything after '.' is ignored (Asterisk)
    {"_X.5", "19", true, true, true},
};
INSTANTIATE_TEST_SUITE_P(Table, PatternMatch, ::testing::ValuesIn(kMatches));

std::vector<std::string> split_words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

class PatternSortOrder : public ::testing::TestWithParam<const char*> {};

// The list is already in Asterisk's order: every pair compares consistently, and sorting any
// shuffle of it gives it back.
TEST_P(PatternSortOrder, SortsExactlyAsListed) {
  const auto words = split_words(GetParam());
  std::vector<Pattern> expected;
  for (const auto& w : words) {
    auto p = Pattern::parse(w);
    ASSERT_TRUE(p) << p.error().to_string();
    expected.push_back(*p);
  }
  for (std::size_t i = 0; i < expected.size(); ++i)
    for (std::size_t j = 0; j < expected.size(); ++j) {
      const int c = compare(expected[i], expected[j]);
      if (i < j) {
        EXPECT_LT(c, 0) << words[i] << " should sort before " << words[j];
      } else if (i == j) {
        EXPECT_EQ(c, 0) << words[i];
      } else {
        EXPECT_GT(c, 0) << words[i] << " should sort after " << words[j];
      }
    }
  std::mt19937 rng(12345);
  for (int round = 0; round < 20; ++round) {
    auto shuffled = expected;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    std::stable_sort(shuffled.begin(), shuffled.end());
    for (std::size_t i = 0; i < shuffled.size(); ++i)
      ASSERT_EQ(shuffled[i].text(), words[i]) << "position " << i << " round " << round;
  }
}

INSTANTIATE_TEST_SUITE_P(
    AsteriskExtCmp, PatternSortOrder,
    ::testing::Values("123 1234 _12X _1[23]X _1XX _1. _[1-3]XX _NXX _ZXX _X. _X! _. _!",
                      "fax _307754XXXX _NXXNXXXXXX _NXXXXXXXXX", "_XXX _XX. _XX _X.",
                      "100 101 s t _[25]X _[34]X _NX _XX",  // equal-size sets: lower bytes first
                      "_X.1 _X. _X! _X", "1-0 11 2"));

struct SameCase {
  const char* a;
  const char* b;
};
class PatternEquality : public ::testing::TestWithParam<SameCase> {};

TEST_P(PatternEquality, SameSetAtEveryPositionComparesEqual) {
  auto a = Pattern::parse(GetParam().a);
  auto b = Pattern::parse(GetParam().b);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(compare(*a, *b), 0);
  EXPECT_EQ(compare(*b, *a), 0);
}

INSTANTIATE_TEST_SUITE_P(Table, PatternEquality,
                         ::testing::Values(SameCase{"_N", "_[2-9]"}, SameCase{"_X", "_[0-9]"},
                                           SameCase{"_Z", "_[1-9]"}, SameCase{"_nxx", "_NXX"},
                                           SameCase{"_[321]", "_[1-3]"},
                                           SameCase{"_1-NXX", "_1NXX"}, SameCase{"1-00", "100"},
                                           SameCase{"_[1-22]", "_[12]"}));

TEST(PatternCompare, DifferentSetsOfSameSizeAreNotEqual) {
  auto a = Pattern::parse("_[13]");
  auto b = Pattern::parse("_[12]");
  ASSERT_TRUE(a && b);
  EXPECT_GT(compare(*a, *b), 0);  // [12] holds the lower byte
  EXPECT_NE(compare(*Pattern::parse("100"), *Pattern::parse("_100")), 0);
}

TEST(PatternParse, RejectsBadSetsWithLocation) {
  auto r = Pattern::parse("_12[3", "extensions.conf:14");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().where, "extensions.conf:14: extension '_12[3'");
  EXPECT_NE(r.error().message.find("unterminated '['"), std::string::npos);
  EXPECT_FALSE(Pattern::parse("_[]X"));
  EXPECT_FALSE(Pattern::parse("_[9-1]"));
  EXPECT_FALSE(Pattern::parse(""));
  EXPECT_FALSE(Pattern::parse("--"));
  EXPECT_TRUE(Pattern::parse("_"));
}

TEST(PatternParse, CallerIdPartUsesTheSameRules) {
  auto k = parse_extension_key("_1XX/_NXX");
  ASSERT_TRUE(k);
  EXPECT_TRUE(k->exten.match("123").match);
  ASSERT_TRUE(k->caller_id.has_value());
  EXPECT_TRUE(k->caller_id->match("200").match);
  EXPECT_FALSE(k->caller_id->match("100").can_match);
  auto plain = parse_extension_key("100");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->caller_id.has_value());
  auto literal_cid = parse_extension_key("100/5551234");
  ASSERT_TRUE(literal_cid);
  EXPECT_TRUE(literal_cid->caller_id->match("5551234").match);
  EXPECT_FALSE(parse_extension_key("100/_[12"));
}

}  // namespace
