// Application argument splitting, option strings and `App(data)` splitting.
#include "telephony/dialplan/args.hpp"

#include <gtest/gtest.h>

using telephony::dialplan::parse_options;
using telephony::dialplan::split_app_data;
using telephony::dialplan::split_args;

namespace {

struct SplitCase {
  const char* data;
  char sep;
  std::vector<std::string> args;
};
class SplitArgs : public ::testing::TestWithParam<SplitCase> {};
TEST_P(SplitArgs, MatchesStandardAppArgs) {
  EXPECT_EQ(split_args(GetParam().data, GetParam().sep), GetParam().args) << GetParam().data;
}
INSTANTIATE_TEST_SUITE_P(
    Table, SplitArgs,
    ::testing::Values(
        SplitCase{"", ',', {}}, SplitCase{"a", ',', {"a"}}, SplitCase{"a,b,c", ',', {"a", "b", "c"}},
        SplitCase{"a,,c", ',', {"a", "", "c"}}, SplitCase{"a,", ',', {"a", ""}},
        SplitCase{",a", ',', {"", "a"}},
        SplitCase{"SIP/a&SIP/b,20,tT", ',', {"SIP/a&SIP/b", "20", "tT"}},
        SplitCase{"a(b,c),d", ',', {"a(b,c)", "d"}}, SplitCase{"a[b,c],d", ',', {"a[b,c]", "d"}},
        SplitCase{"\"a,b\",c", ',', {"a,b", "c"}}, SplitCase{"a\\,b,c", ',', {"a,b", "c"}},
        SplitCase{"  a, b ,c", ',', {"  a", " b ", "c"}}, SplitCase{"x\\\\y", ',', {"x\\y"}},
        SplitCase{"a)b,c", ',', {"a)b", "c"}},
        SplitCase{"b(ctx^s^1(x,y)),t", ',', {"b(ctx^s^1(x,y))", "t"}},
        SplitCase{"a|b,c", '|', {"a", "b,c"}}, SplitCase{"\"\"", ',', {""}},
        SplitCase{"a\\", ',', {"a"}}, SplitCase{"say \"hi, there\" now,2", ',', {"say hi, there now", "2"}},
        SplitCase{"ctx^s^1", '^', {"ctx", "s", "1"}}, SplitCase{"\"a\\\"b\",c", ',', {"a\"b", "c"}}));

TEST(ParseOptions, FlagsWithNestedArguments) {
  auto o = parse_options("b(ctx^ext^1(args))dqr", "b");
  ASSERT_TRUE(o) << o.error().to_string();
  EXPECT_EQ(o->flags, (std::set<char>{'b', 'd', 'q', 'r'}));
  EXPECT_EQ(o->argument('b'), "ctx^ext^1(args)");
  EXPECT_TRUE(o->has('q'));
  EXPECT_FALSE(o->has('x'));
}

TEST(ParseOptions, SeveralArgumentsAndPlainFlags) {
  auto o = parse_options("L(60000:30000)tTS(3)", "LS");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->argument('L'), "60000:30000");
  EXPECT_EQ(o->argument('S'), "3");
  EXPECT_TRUE(o->has('t') && o->has('T'));
  EXPECT_EQ(o->arguments.size(), 2U);
}

TEST(ParseOptions, ArgumentOnFlagWithoutOneIsDroppedWithWarning) {
  auto o = parse_options("m(default)r", "");
  ASSERT_TRUE(o);
  EXPECT_TRUE(o->has('m'));
  EXPECT_TRUE(o->arguments.empty());
  ASSERT_EQ(o->warnings.size(), 1U);
  EXPECT_NE(o->warnings[0].find("'m'"), std::string::npos);
}

TEST(ParseOptions, QuotesAndBackslashes) {
  auto quoted = parse_options("A(\"a(b\")x", "A");
  ASSERT_TRUE(quoted);
  EXPECT_EQ(quoted->argument('A'), "a(b");
  EXPECT_TRUE(quoted->has('x'));
  auto escaped = parse_options("D(\\))", "D");
  ASSERT_TRUE(escaped);
  EXPECT_EQ(escaped->argument('D'), ")");
  auto in_quotes = parse_options("D(\"a\\nb\")", "D");
  ASSERT_TRUE(in_quotes);
  EXPECT_EQ(in_quotes->argument('D'), "a\\nb");
}

TEST(ParseOptions, EmptyAndErrors) {
  auto empty = parse_options("", "b");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->flags.empty());
  auto bad = parse_options("rb(abc", "b");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().where, "offset 2");
  EXPECT_NE(bad.error().message.find("'b'"), std::string::npos);
  auto nested_unclosed = parse_options("b(a(b)", "b");
  EXPECT_FALSE(nested_unclosed);
}

struct AppCase {
  const char* text;
  const char* app;
  const char* data;
};
class SplitAppData : public ::testing::TestWithParam<AppCase> {};
TEST_P(SplitAppData, SplitsNameAndData) {
  auto r = split_app_data(GetParam().text);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->application, GetParam().app);
  EXPECT_EQ(r->data, GetParam().data);
}
INSTANTIATE_TEST_SUITE_P(
    Table, SplitAppData,
    ::testing::Values(AppCase{"Dial(SIP/a,20)", "Dial", "SIP/a,20"},
                      AppCase{"Dial,SIP/a,20", "Dial", "SIP/a,20"},
                      AppCase{"NoOp(a(b)c)", "NoOp", "a(b)c"},
                      AppCase{"Set(X=$[${A} + (1)])", "Set", "X=$[${A} + (1)]"},
                      AppCase{"Answer()", "Answer", ""}, AppCase{"Answer", "Answer", ""},
                      AppCase{" Hangup ( 16 ) ", "Hangup", " 16 "},
                      AppCase{"Goto(ctx,s,1)", "Goto", "ctx,s,1"},
                      AppCase{"Set(A=1,b)", "Set", "A=1,b"},
                      AppCase{"Playback,hello(world)", "Playback", "hello(world)"},
                      AppCase{"NoOp(x) trailing", "NoOp", "x"},
                      AppCase{"DAHDI/g0/${GLOBAL(var)}", "DAHDI/g0/${GLOBAL(var)}", ""}));

TEST(SplitAppData, RejectsMissingParenAndName) {
  auto r = split_app_data("Dial(SIP/a", "extensions.conf:7");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().where, "extensions.conf:7");
  EXPECT_NE(r.error().message.find("missing ')'"), std::string::npos);
  EXPECT_FALSE(split_app_data("(x)"));
  EXPECT_FALSE(split_app_data(""));
}

}  // namespace
