// $[...] evaluation, table-driven. Expected values follow Asterisk's expression documentation
// (operators, precedence, "%.18Lg" float output, 2147483647 for division by zero).
#include "telephony/dialplan/expression.hpp"

#include <gtest/gtest.h>

#include <string>

using telephony::dialplan::evaluate_expression;

namespace {

struct Case {
  const char* expr;
  const char* expected;
};

class ExpressionValue : public ::testing::TestWithParam<Case> {};

TEST_P(ExpressionValue, EvaluatesLikeAsterisk) {
  const Case& c = GetParam();
  auto r = evaluate_expression(c.expr);
  ASSERT_TRUE(r) << c.expr << " -> " << r.error().to_string();
  EXPECT_EQ(*r, c.expected) << "$[" << c.expr << "]";
}

const Case kArithmetic[] = {
    {"1 + 2", "3"},
    {"1+2", "3"},
    {"10 - 4", "6"},
    {"10-4", "6"},
    {"2 * 3", "6"},
    {"7 / 2", "3.5"},
    {"4 + 8 / 3", "6.66666666666666667"},
    {"8 / 4", "2"},
    {"1 / 3", "0.333333333333333333"},
    {"2 / 3", "0.666666666666666667"},
    {"0.1 + 0.2", "0.3"},
    {"1.1 * 3", "3.3"},
    {"10 % 3", "1"},
    {"-10 % 3", "-1"},
    {"10 % -3", "1"},
    {"5.5 % 2", "1.5"},
    {"7 / 0", "2147483647"},
    {"0 / 0", "2147483647"},
    {"-7 / 0", "2147483647"},
    {"7 % 0", "0"},
    {"foo / 2", "0"},
    {"2 / foo", "2147483647"},
    {"3 * foo", "0"},
    {"foo * 3", "0"},
    {"foo + 3", "3"},
    {"3 + foo", "3"},
    {"foo - 3", "-3"},
    {"3 - foo", "3"},
    {"foo + bar", "0"},
    {"1 + 2 * 3", "7"},
    {"(1 + 2) * 3", "9"},
    {"2 * 3 + 4 * 5", "26"},
    {"10 - 2 - 3", "5"},
    {"100 / 10 / 2", "5"},
    {"2 * (3 + 4) * 5", "70"},
    {"((((7))))", "7"},
    {"-5", "-5"},
    {"- 5 + 3", "-2"},
    {"--5", "5"},
    {"-(2 + 3)", "-5"},
    {"-foo", "0"},
    {"-2 * 3", "-6"},
    {"1.5 + 1.5", "3"},
    {"3 * 1.5", "4.5"},
    {"0 - 0.5", "-0.5"},
    {"1 - 1", "0"},
    {"2147483647 + 1", "2147483648"},
    {"99999999999 * 99999999999", "9.9999999998e+21"},
    {"1e3 + 1", "1"},  // "1e3" is not a number token, so it drops out
    {"007 + 0", "7"},
    {"1.50 * 1", "1.5"},
    {".5 + .5", "0"},  // ".5" is not a number token in Asterisk's lexer
    {"1. + 1", "1"},
    {"1.2.3 + 1", "1"},
};
INSTANTIATE_TEST_SUITE_P(Arithmetic, ExpressionValue, ::testing::ValuesIn(kArithmetic));

const Case kTokens[] = {
    {"hello", "hello"},
    {"\"hello world\"", "\"hello world\""},  // quotes stay part of the value
    {"  5  ", "5"},
    {"007", "007"},  // a bare token keeps its spelling
    {"1.50", "1.50"},
    {"a.b@c#d", "a.b@c#d"},
    {"SIP/100", "0"},  // '/' is division: SIP and 100 are operands
    {"", ""},
    {"   ", ""},
    {"a~b", "a~b"},  // a single '~' is not an operator
};
INSTANTIATE_TEST_SUITE_P(Tokens, ExpressionValue, ::testing::ValuesIn(kTokens));

const Case kComparison[] = {
    {"1 = 1", "1"},
    {"1 == 1", "1"},
    {"1 = 2", "0"},
    {"1 != 2", "1"},
    {"1 != 1", "0"},
    {"2 < 10", "1"},  // numeric, not "2" < "10" as strings
    {"10 < 9", "0"},
    {"10 < 9a", "1"},  // one side is a string: string comparison
    {"abc < abd", "1"},
    {"abd < abc", "0"},
    {"1.0 = 1", "1"},
    {"01 = 1", "1"},
    {"a = a", "1"},
    {"a = b", "0"},
    {"\"a\" = a", "0"},  // quotes are part of the operand in comparisons
    {"\"a\" = \"a\"", "1"},
    {"\"\" = \"\"", "1"},
    {"\"10\" < \"9\"", "1"},  // quoted numbers compare as strings
    {"3 >= 3", "1"},
    {"3 <= 2", "0"},
    {"3 > 2", "1"},
    {"2 > 3", "0"},
    {"2 <= 2", "1"},
    {"b > a", "1"},
    {"b >= b", "1"},
    {"-1 < 0", "1"},
    {"abc != abc", "0"},
    {"1 < 2 < 3", "1"},
    {"3 > 2 > 1", "0"},  // (3 > 2) is 1, and 1 > 1 is false
    {"1 + 1 = 2", "1"},
    {"2 = 1 + 1", "1"},
    {"0.5 > 0.25", "1"},
    {"100 = 1e2", "0"},
};
INSTANTIATE_TEST_SUITE_P(Comparison, ExpressionValue, ::testing::ValuesIn(kComparison));

const Case kLogic[] = {
    {"1 | 0", "1"},
    {"0 | 5", "5"},
    {"0 | 0", "0"},
    {"foo | bar", "foo"},
    {"0 | bar", "bar"},
    {"0.0 | x", "x"},
    {"007 | 1", "7"},  // tested as a number, so it is returned as one
    {"1 & 1", "1"},
    {"5 & 3", "5"},
    {"0 & 3", "0"},
    {"3 & 0", "0"},
    {"foo & bar", "foo"},
    {"foo & 0", "0"},
    {"007 & 1", "7"},
    {"!0", "1"},
    {"!1", "0"},
    {"!foo", "1"},  // `!` reads text by its leading integer (atoi): "foo" is 0
    {"! 0.0", "1"},
    {"!!5", "1"},
    {"!(1 = 2)", "1"},
    {"1 | 0 & 0", "1"},
    {"0 & 1 | 1", "1"},
    {"1 = 1 & 2 = 2", "1"},
    {"1 = 1 & 2 = 3", "0"},
    {"!0 + 1", "2"},
    {"1 = 2 | 3 = 3", "1"},
    {"0 || 7", "7"},
    {"1 && 0", "0"},
};
INSTANTIATE_TEST_SUITE_P(Logic, ExpressionValue, ::testing::ValuesIn(kLogic));

const Case kConditional[] = {
    {"1 ? a :: b", "a"},
    {"0 ? a :: b", "b"},
    {"foo ? a :: b", "a"},
    {"\"\" ? a :: b", "b"},  // the two-character string "" is false
    {"0.0 ? a :: b", "b"},
    {"1 = 2 ? yes :: no", "no"},
    {"2 = 2 ? yes :: no", "yes"},
    {"1 + 1 ? x :: y", "x"},
    {"0 ? a :: 1 ? b :: c", "b"},
    {"1 ? 2 + 3 :: 4", "5"},
    {"x = x ? \"same\" :: \"diff\"", "\"same\""},
    {"0 | 0 ? t :: f", "f"},
    {"(0 ? 1 :: 2) * 10", "20"},
};
INSTANTIATE_TEST_SUITE_P(Conditional, ExpressionValue, ::testing::ValuesIn(kConditional));

const Case kRegex[] = {
    {"abc : ab", "2"},
    {"abc : bc", "0"},  // ':' is anchored at the start
    {"abc =~ bc", "2"},  // '=~' is not
    {"abc : \"(b)c\"", ""},
    {"abc : \"a(b)c\"", "b"},
    {"12345 : 123", "3"},
    {"\"abc\" : \"a.\"", "2"},  // quotes are stripped for regex operands
    {"5551234 : \"555(.*)\"", "1234"},
    {"foo =~ z", "0"},
    {"foo =~ \"(z)\"", ""},
    {"hello : \"h(.*)o\"", "ell"},
    {"abc : ^a", "1"},
    {"abc : \".*\"", "3"},
    {"abc : \"x*\"", "0"},
    {"abc =~ c$", "1"},
    {R"x("+15551234" : "\+1(.*)")x", "5551234"},
    {"(5551234 : \"555(.*)\") + 1", "1235"},
    {"2125551212 : \"[0-9]{3}\"", "3"},
    {"2125551212 : \"([0-9]{3})\"", "212"},
    {"abc : \"(x)|a\"", "1"},  // group did not take part: match length
    {"xyz =~ \"y(z)\"", "z"},
    {"ABC : abc", "0"},  // case sensitive
};
INSTANTIATE_TEST_SUITE_P(Regex, ExpressionValue, ::testing::ValuesIn(kRegex));

const Case kConcatenation[] = {
    {"a ~~ b", "ab"},
    {"\"a\" ~~ \"b\"", "ab"},
    {"1 ~~ 2", "12"},
    {"(1 ~~ 2) + 1", "13"},
    {"1 + 2 ~~ 3", "24"},  // ~~ binds tighter than +
    {"abc ~~ def : abc", "3"},  // same level as ':', left to right
    {"abc : a ~~ x", "1x"},      // (abc : a) ~~ x
    {"x ~~ abc =~ b", "1"},
    {"\"4\" ~~ 2 + 1", "43"},    // the concatenation is numeric
    {"a ~~ b ~~ c", "abc"},
    {"-1 ~~ 5", "-15"},
};
INSTANTIATE_TEST_SUITE_P(Concatenation, ExpressionValue, ::testing::ValuesIn(kConcatenation));

const Case kFunctions[] = {
    {"SQRT(16)", "4"},
    {"ABS(-3)", "3"},
    {"ABS(3)", "3"},
    {"POW(2,10)", "1024"},
    {"POW(2, 0.5)", "1.41421356237309505"},
    {"FLOOR(2.7)", "2"},
    {"FLOOR(-2.5)", "-3"},
    {"CEIL(2.1)", "3"},
    {"CEIL(-2.1)", "-2"},
    {"ROUND(2.5)", "3"},
    {"ROUND(-2.5)", "-3"},
    {"RINT(2.5)", "2"},
    {"RINT(3.5)", "4"},
    {"TRUNC(-2.7)", "-2"},
    {"TRUNC(2.7)", "2"},
    {"LOG10(1000)", "3"},
    {"LOG2(8)", "3"},
    {"LOG(1)", "0"},
    {"EXP(0)", "1"},
    {"EXP2(10)", "1024"},
    {"EXP10(3)", "1000"},
    {"SIN(0)", "0"},
    {"COS(0)", "1"},
    {"TAN(0)", "0"},
    {"ASIN(0)", "0"},
    {"ACOS(1)", "0"},
    {"ATAN(0)", "0"},
    {"ATAN2(0,1)", "0"},
    {"FMOD(7,3)", "1"},
    {"FMOD(7.5, 2)", "1.5"},
    {"REMAINDER(7,4)", "-1"},
    {"SQRT(16) + 1", "5"},
    {"POW(2,3) * 2", "16"},
    {"SQRT(foo)", "0"},
    {"ABS(2 - 5)", "3"},
    {"FLOOR(7 / 2)", "3"},
    {"COS(0) ~~ x", "1x"},
    {"SQRT(POW(3,2) + POW(4,2))", "5"},
    {"FLOOR (9.9)", "9"},
};
INSTANTIATE_TEST_SUITE_P(Functions, ExpressionValue, ::testing::ValuesIn(kFunctions));

// The "Expressions Examples" table of Asterisk's documentation, verbatim.
const Case kDocumentationExamples[] = {
    {R"x("One Thousand Five Hundred" =~ "(T[^ ]+)")x", "Thousand"},
    {R"x("One Thousand Five Hundred" =~ "T[^ ]+")x", "8"},
    {R"x("One Thousand Five Hundred" : "T[^ ]+")x", "0"},
    {R"x("8015551212" : "(...)")x", "801"},
    {R"x("3075551212":"...(...)")x", "555"},
    {R"x(! "One Thousand Five Hundred" =~ "T[^ ]+")x", "0"},
    {R"x(!( "One Thousand Five Hundred" : "T[^ ]+" ))x", "1"},
    {"2 + 8 / 2", "6"},
    {"2+8/2", "6"},
    {"(2+8)/2", "5"},
    {"(3+8)/2", "5.5"},
    {"TRUNC((3+8)/2)", "5"},
    {"FLOOR(2.5)", "2"},
    {"FLOOR(-2.5)", "-3"},
    {"CEIL(2.5)", "3"},
    {"CEIL(-2.5)", "-2"},
    {"ROUND(2.5)", "3"},
    {"ROUND(3.5)", "4"},
    {"ROUND(-2.5)", "-3"},
    {"RINT(2.5)", "2"},
    {"RINT(3.5)", "4"},
    {"RINT(-2.5)", "-2"},
    {"RINT(-3.5)", "-4"},
    {"TRUNC(2.5)", "2"},
    {"TRUNC(3.5)", "3"},
    {"TRUNC(-3.5)", "-3"},
};
INSTANTIATE_TEST_SUITE_P(AsteriskDocumentation, ExpressionValue,
                         ::testing::ValuesIn(kDocumentationExamples));

// How each operator coerces text and numbers, case by case as Asterisk's ast_expr2 does it:
// tokens of digits are numeric strings, quoted tokens and anything else are text, results of
// arithmetic are numbers, and regex/concatenation results are numeric when all digits and dots.
const Case kCoercion[] = {
    // `!`: a number by its value; text is false when empty or "0", else by its leading integer.
    {"!\"\"", "1"},
    {"!abc", "1"},
    {"!2abc", "0"},
    {"!0.5", "1"},  // atoi("0.5") is 0
    {"!00", "1"},
    {"!007", "0"},
    {"!(0.5 + 0)", "0"},  // a number: 0.5 is not 0
    {"!\"0\"", "1"},     // the quotes are part of the text; atoi gives 0
    {"!-3", "0"},
    {"!(abc : a)", "0"},
    {"!(abc : \"a(b)\")", "1"},
    {"!(abc : \"(x)\")", "1"},  // no match: empty text
    {"!(1 ~~ 0)", "0"},
    {"!(x ~~ 1)", "1"},
    // `|` and `&`: empty, or text that reads as the number 0, is false; other text is true.
    {"\"\" | x", "\"\""},  // the two-character text "" is not empty
    {"abc & 0.0", "0"},
    {"0.0 & abc", "0"},
    {"00 | 5", "5"},
    {"(abc : \"(x)\") | fallback", "fallback"},
    // Comparisons: numeric when neither side is text, else strcoll.
    {"2 = 2.0", "1"},
    {"abc = ABC", "0"},
    {"(3 : 3) = 1", "1"},
    {"\"10\" > \"9\"", "0"},
    {"10 > 9", "1"},
    {"a < 1", "0"},
    {"(1 ~~ 0) > 9", "1"},  // "10" from ~~ is numeric again
    {"(1 + 1) = 02", "1"},
    // Arithmetic: text operands drop out (+, -) or give 0 / 2147483647 (*, /, %).
    {"abc + 2", "2"},
    {"2 - abc", "2"},
    {"abc - 2", "-2"},
    {"2 * abc", "0"},
    {"abc / 2", "0"},
    {"2 / abc", "2147483647"},
    {"abc % 2", "0"},
    {"2 % abc", "0"},
    {"- abc", "0"},
    {"\"5\" + 1", "1"},  // a quoted number is text
    {"(1 ~~ 5) + 1", "16"},
    // `?:`: text is false only when empty, "0" or "" (two quotes); numbers by value.
    {"abc ? y :: n", "y"},
    {"\"\" ? y :: n", "n"},
    {"00 ? y :: n", "n"},
    {"\"0\" ? y :: n", "y"},
    {"(abc : \"(x)\") ? y :: n", "n"},
    {"(1 - 1) ? y :: n", "n"},
};
INSTANTIATE_TEST_SUITE_P(Coercion, ExpressionValue, ::testing::ValuesIn(kCoercion));

struct ErrorCase {
  const char* expr;
  const char* message_part;
  const char* where;
};

class ExpressionError : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ExpressionError, IsRejectedWithOffset) {
  const ErrorCase& c = GetParam();
  auto r = evaluate_expression(c.expr);
  ASSERT_FALSE(r) << c.expr << " unexpectedly gave " << *r;
  EXPECT_NE(r.error().message.find(c.message_part), std::string::npos) << r.error().to_string();
  EXPECT_EQ(r.error().where, c.where) << r.error().to_string();
}

const ErrorCase kErrors[] = {
    {"1 +", "missing operand", "offset 3"},
    {"(1 + 2", "expected ')'", "offset 6"},
    {"1 + 2)", "unexpected ')'", "offset 5"},
    {"* 3", "expected an operand", "offset 0"},
    {"\"abc", "unterminated", "offset 0"},
    {"1 ? 2", "expected '::'", "offset 5"},
    {"FOO(1)", "unknown function 'FOO'", "offset 0"},
    {"sqrt(4)", "unknown function 'sqrt'", "offset 0"},
    {"SQRT(1,2)", "takes 1 argument", "offset 0"},
    {"POW(2)", "takes 2 argument", "offset 0"},
    {"1 2", "unexpected '2'", "offset 2"},
    {", 1", "expected an operand", "offset 0"},
    {"abc : \"(\"", "invalid regular expression", "offset 4"},
    {"()", "expected an operand before ')'", "offset 1"},
};
INSTANTIATE_TEST_SUITE_P(Errors, ExpressionError, ::testing::ValuesIn(kErrors));

TEST(Expression, DeepNestingIsRejectedNotCrashing) {
  std::string deep(5000, '(');
  deep += "1";
  deep += std::string(5000, ')');
  auto r = evaluate_expression(deep);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("nested too deeply"), std::string::npos);
  std::string minus(5000, '-');
  EXPECT_FALSE(evaluate_expression(minus + "1"));
}

}  // namespace
