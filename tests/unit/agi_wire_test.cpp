// AGI wire syntax without a channel: word splitting with Asterisk's quoting and escapes, AGI()
// locations, the URI encoding of AsyncAGI fields, and command lookup over the full command set.
#include <gtest/gtest.h>

#include "telephony/agi/agi.hpp"
#include "telephony/agi/command_line.hpp"

using namespace telephony::agi;

namespace {
std::vector<std::string> words(std::string_view line) { return split_agi_words(line).words; }
}  // namespace

TEST(AgiWords, QuotesEscapesAndEmptyArguments) {
  EXPECT_EQ(words("STREAM FILE hello-world \"\""), (std::vector<std::string>{"STREAM", "FILE", "hello-world", ""}));
  EXPECT_EQ(words("SET VARIABLE FOO \"two words\""), (std::vector<std::string>{"SET", "VARIABLE", "FOO", "two words"}));
  EXPECT_EQ(words("  NOOP\t x  "), (std::vector<std::string>{"NOOP", "x"}));
  EXPECT_EQ(words("VERBOSE a\\ b\\\"c"), (std::vector<std::string>{"VERBOSE", "a b\"c"}));
  EXPECT_EQ(words("EXEC Dial \"SIP/a,20\"\r\n"), (std::vector<std::string>{"EXEC", "Dial", "SIP/a,20"}));
  EXPECT_EQ(words("x\"y z\"w"), (std::vector<std::string>{"xy zw"}));  // quotes inside a word only group
  EXPECT_EQ(words("\"\" \"\""), (std::vector<std::string>{"", ""}));
  EXPECT_TRUE(words("").empty());
  EXPECT_TRUE(words("   ").empty());
}

TEST(AgiWords, TooManyWordsAreTruncatedAndSaidSo) {
  std::string line;
  for (int i = 0; i < 200; ++i) line += "w" + std::to_string(i) + " ";
  auto w = split_agi_words(line);
  EXPECT_TRUE(w.truncated);
  ASSERT_EQ(w.words.size(), kMaxAgiWords);
  EXPECT_EQ(w.words.back(), "w126");
  EXPECT_FALSE(split_agi_words("a b c").truncated);
}

TEST(AgiLocation, ScriptsFastAgiSrvAndAsync) {
  auto s = parse_agi_location("my.agi");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->kind, AgiLocationKind::Script);
  EXPECT_EQ(s->script, "my.agi");

  auto f = parse_agi_location("agi://127.0.0.1:4600/route/x?y=1");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, AgiLocationKind::FastAgi);
  EXPECT_EQ(f->host, "127.0.0.1");
  EXPECT_EQ(f->port, 4600);
  EXPECT_EQ(f->script, "route/x?y=1");

  auto d = parse_agi_location("AGI://agi.example.com");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->port, kFastAgiPort);
  EXPECT_EQ(d->script, "");

  auto v6 = parse_agi_location("agi://[::1]:4573/x");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");

  auto srv = parse_agi_location("hagi://agi.example.com/x");
  ASSERT_TRUE(srv);
  EXPECT_EQ(srv->kind, AgiLocationKind::Srv);

  auto a = parse_agi_location("agi:async");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->kind, AgiLocationKind::Async);

  EXPECT_FALSE(parse_agi_location("agi://:4573/x"));
  auto bad_port = parse_agi_location("agi://host:99999/x");
  ASSERT_FALSE(bad_port);
  EXPECT_NE(bad_port.error().message.find("invalid port '99999'"), std::string::npos);
  EXPECT_FALSE(parse_agi_location("agi://[::1/x"));
  EXPECT_FALSE(parse_agi_location(""));
}

TEST(AgiUri, EncodesLikeAsteriskAndDecodesBack) {
  EXPECT_EQ(uri_encode("200 result=1 (x y)\n"), "200%20result%3D1%20(x%20y)%0A");
  EXPECT_EQ(uri_encode("agi_request: async\n"), "agi_request%3A%20async%0A");
  EXPECT_EQ(uri_encode("a-_.!~*'()Z9"), "a-_.!~*'()Z9");
  EXPECT_EQ(uri_encode("\xc3\xa9/"), "%C3%A9%2F");
  EXPECT_EQ(uri_decode("200%20result%3D1%0A"), "200 result=1\n");
  EXPECT_EQ(uri_decode("bad%zzend%4"), "bad%zzend%4");
}

TEST(AgiCommands, LookupIgnoresCaseAndTakesFurtherWordsAsArguments) {
  auto find = [](std::string_view line) {
    auto c = find_agi_command_info(words(line));
    return c ? c->name : std::string("-");
  };
  EXPECT_EQ(find("stream file x \"\""), "STREAM FILE");
  EXPECT_EQ(find("Get Full Variable ${X}"), "GET FULL VARIABLE");
  EXPECT_EQ(find("GET VARIABLE X"), "GET VARIABLE");
  EXPECT_EQ(find("GET"), "-");           // a command needs all its words
  EXPECT_EQ(find("STREAMFILE x"), "-");
  EXPECT_EQ(find(""), "-");
  EXPECT_EQ(find("hangup SIP/x"), "HANGUP");
}

TEST(AgiCommands, TheFullSetAsteriskDocumentsWithDeadFlags) {
  const std::vector<std::pair<std::string, bool>> expected = {
      {"ANSWER", false},          {"ASYNCAGI BREAK", true},    {"CHANNEL STATUS", false},
      {"CONTROL STREAM FILE", false}, {"DATABASE DEL", true},  {"DATABASE DELTREE", true},
      {"DATABASE GET", true},     {"DATABASE PUT", true},      {"EXEC", true},
      {"GET DATA", false},        {"GET FULL VARIABLE", true}, {"GET OPTION", false},
      {"GET VARIABLE", true},     {"GOSUB", false},            {"HANGUP", false},
      {"NOOP", true},             {"RECEIVE CHAR", false},     {"RECEIVE TEXT", false},
      {"RECORD FILE", false},     {"SAY ALPHA", false},        {"SAY DATE", false},         {"SAY DATETIME", false},
      {"SAY DIGITS", false},      {"SAY TIME", false},
      {"SAY NUMBER", false},      {"SAY PHONETIC", false},     {"SEND IMAGE", false},
      {"SEND TEXT", false},       {"SET AUTOHANGUP", false},   {"SET CALLERID", false},
      {"SET CONTEXT", false},     {"SET EXTENSION", false},    {"SET MUSIC", false},
      {"SET PRIORITY", false},    {"SET VARIABLE", true},      {"SPEECH ACTIVATE GRAMMAR", false},
      {"SPEECH CREATE", false},   {"SPEECH DEACTIVATE GRAMMAR", false}, {"SPEECH DESTROY", true},
      {"SPEECH LOAD GRAMMAR", false}, {"SPEECH RECOGNIZE", false}, {"SPEECH SET", false},
      {"SPEECH UNLOAD GRAMMAR", true}, {"STREAM FILE", false}, {"TDD MODE", false},
      {"VERBOSE", true},          {"WAIT FOR DIGIT", false}};
  for (const auto& [name, dead] : expected) {
    auto c = find_agi_command_info(words(name));
    ASSERT_TRUE(c) << name;
    EXPECT_EQ(c->name, name);
    EXPECT_EQ(c->runs_dead, dead) << name;
    EXPECT_FALSE(c->synopsis.empty()) << name;
    EXPECT_EQ(c->usage.rfind(" Usage: " + name, 0), 0u) << name;
  }
  EXPECT_EQ(agi_command_list().size(), expected.size());
}
