// ${...} / $[...] substitution as the executor sees it, against a fixed set of variables.
#include "telephony/dialplan/substitution.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <map>

using telephony::dialplan::apply_substring;
using telephony::dialplan::substitute;
using telephony::dialplan::substitute_checked;
using telephony::dialplan::SubstitutionLimits;
using telephony::dialplan::VariableResolver;

namespace {

struct TableResolver : VariableResolver {
  std::map<std::string, std::string, std::less<>> vars{
      {"EXTEN", "5551234"}, {"A", "2"}, {"B", "3"}, {"X", "EXTEN"},
      {"NAME", "John Doe"}, {"EMPTY", ""}, {"LONG", std::string(1000, 'z')}};
  std::optional<std::string> variable(std::string_view name) const override {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  }
  std::optional<std::string> function(std::string_view name, std::string_view args) const override {
    if (name == "LEN") return std::to_string(args.size());
    if (name == "UPPER") {
      std::string s(args);
      std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
      return s;
    }
    if (name == "CALLERID" && args == "num") return "2125551212";
    if (name == "CALLERID" && args == "name") return "Alice";
    if (name == "ECHO") return std::string(args);
    return std::nullopt;
  }
};

struct Case {
  const char* in;
  const char* out;
};
class Substitution : public ::testing::TestWithParam<Case> {};

TEST_P(Substitution, ProducesAsterisksText) {
  TableResolver r;
  EXPECT_EQ(substitute(GetParam().in, r), GetParam().out) << "input: " << GetParam().in;
}

const Case kCases[] = {
    {"${EXTEN}", "5551234"},
    {"Dial(SIP/${EXTEN},20)", "Dial(SIP/5551234,20)"},
    {"${${X}}", "5551234"},
    {"${EXTEN:1}", "551234"},
    {"${EXTEN:-4}", "1234"},
    {"${EXTEN:0:3}", "555"},
    {"${EXTEN:1:3}", "551"},
    {"${EXTEN:-4:2}", "12"},
    {"${EXTEN:2:-2}", "512"},
    {"${EXTEN:0:-1}", "555123"},
    {"${EXTEN:-3:-1}", "23"},
    {"${EXTEN:-20}", "5551234"},
    {"${EXTEN:20}", ""},
    {"${EXTEN:1:0}", ""},
    {"${EXTEN:1:100}", "551234"},
    {"${EXTEN::3}", "5551234"},  // like sscanf("%d:%d"): no offset means no substring at all
    {"${EXTEN:abc}", "5551234"},
    {"${NOPE}", ""},
    {"${NOPE:1}", ""},
    {"a${NOPE}b", "ab"},
    {"${}", ""},
    {"${EMPTY:1}", ""},
    {"${A}${B}", "23"},
    {"{${A}}", "{2}"},
    {"${LEN(hello)}", "5"},
    {"${LEN(${EXTEN})}", "7"},
    {"${LEN()}", "0"},
    {"${LEN(x:y)}", "3"},  // ':' inside parentheses is not a substring operator
    {"${UPPER(${NAME})}", "JOHN DOE"},
    {"${CALLERID(num)}", "2125551212"},
    {"${CALLERID(num):0:3}", "212"},
    {"${CALLERID(num):-4}", "1212"},
    {"${ECHO(a(b)c)}", "a(b)c"},
    {"${ECHO(${A}${B})}", "23"},
    {"${UNKNOWNFUNC(1)}", ""},
    {"$[${A} + ${B}]", "5"},
    {"$[1 + 2]", "3"},
    {"$[$[1 + 2] * 3]", "9"},
    {"$[4 + 8 / 3]", "6.66666666666666667"},
    {"${EXTEN:$[${A} - 1]}", "551234"},
    {"$[${EXTEN:0:3} = 555]", "1"},
    {"$[\"${NAME}\" = \"John Doe\"]", "1"},
    {"$[${LEN(${NAME})} > 5]", "1"},
    {"${A}$[${A}*${B}]${B}", "263"},
    {"x$[1 +]y", "x0y"},  // a bad expression becomes "0", as in Asterisk
    {"${EXTEN", "${EXTEN"},  // unterminated: left as text
    {"abc${", "abc${"},
    {"$[1 + 2", "$[1 + 2"},
    {"pre ${A} ${EXTEN", "pre 2 ${EXTEN"},
    {"$", "$"},
    {"$$", "$$"},
    {"cost: $5", "cost: $5"},
    {"\\${A}", "\\2"},  // no escape character in substitution
    {"no variables here", "no variables here"},
    {"", ""},
    {"${A}${A:0:0}${A}", "22"},
    {"$[${EMPTY}1 + 1]", "2"},
};
INSTANTIATE_TEST_SUITE_P(Table, Substitution, ::testing::ValuesIn(kCases));

TEST(Substitution, ValuesAreNotSubstitutedAgain) {
  TableResolver r;
  r.vars["RAW"] = "${A}$[1+1]";
  EXPECT_EQ(substitute("${RAW}", r), "${A}$[1+1]");
}

TEST(Substitution, ExpressionErrorIsReported) {
  TableResolver r;
  auto res = substitute_checked("$[${NAME} = x]", r);  // "John Doe = x" has two operands in a row
  EXPECT_EQ(res.text, "0");
  ASSERT_EQ(res.warnings.size(), 1U);
  EXPECT_NE(res.warnings[0].find("unexpected 'Doe'"), std::string::npos) << res.warnings[0];
  auto unterminated = substitute_checked("x${A", r);
  EXPECT_EQ(unterminated.text, "x${A");
  ASSERT_EQ(unterminated.warnings.size(), 1U);
  EXPECT_NE(unterminated.warnings[0].find("missing '}'"), std::string::npos);
}

TEST(Substitution, DeepNestingStopsAtTheLimit) {
  TableResolver r;
  std::string text;
  for (int i = 0; i < 200; ++i) text += "${";
  text += "A";
  for (int i = 0; i < 200; ++i) text += "}";
  auto res = substitute_checked(text, r);
  EXPECT_FALSE(res.warnings.empty());
  EXPECT_NE(res.warnings[0].find("nested deeper"), std::string::npos);
  SubstitutionLimits shallow;
  shallow.max_depth = 2;
  EXPECT_EQ(substitute_checked("${${${X}}}", r, shallow).text, "");  // innermost left as text
  EXPECT_EQ(substitute_checked("${${X}}", r, shallow).text, "5551234");
}

TEST(Substitution, OutputIsCappedAtTheSizeLimit) {
  TableResolver r;
  SubstitutionLimits small;
  small.max_output = 2500;
  std::string text;
  for (int i = 0; i < 10; ++i) text += "${LONG}";
  auto res = substitute_checked(text, r, small);
  EXPECT_EQ(res.text.size(), 2500U);
  ASSERT_FALSE(res.warnings.empty());
  EXPECT_EQ(res.warnings.back(), "substitution output truncated");
}

struct SubstringCase {
  const char* value;
  int offset, length;
  const char* out;
};
class Substring : public ::testing::TestWithParam<SubstringCase> {};
TEST_P(Substring, FollowsAsterisksOffsetRules) {
  const auto& c = GetParam();
  EXPECT_EQ(apply_substring(c.value, c.offset, c.length), c.out);
}
INSTANTIATE_TEST_SUITE_P(
    Table, Substring,
    ::testing::Values(SubstringCase{"123456789", 0, 3, "123"}, SubstringCase{"123456789", 4, 100, "56789"},
                      SubstringCase{"123456789", -3, 2, "78"}, SubstringCase{"123456789", -3, -1, "78"},
                      SubstringCase{"123456789", 1, -1, "2345678"}, SubstringCase{"123456789", 5, -10, ""},
                      SubstringCase{"123456789", 9, 1, ""}, SubstringCase{"", 0, 5, ""},
                      SubstringCase{"abc", -10, 1, "a"}, SubstringCase{"abc", 0, 2147483647, "abc"}));

}  // namespace
