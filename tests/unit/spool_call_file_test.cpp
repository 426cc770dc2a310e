#include "telephony/spool/call_file.hpp"

#include <gtest/gtest.h>

using telephony::spool::CallFile;
using telephony::spool::JournalTail;
using telephony::spool::parse_call_file;

namespace {

bool has_warning(const CallFile& cf, std::string_view where, std::string_view text) {
  for (const auto& w : cf.warnings)
    if (w.where == where && w.message.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST(CallFileParser, ReadsEveryFieldOfAsteriskSample) {
  auto cf = parse_call_file(
      "#\n# sample\n#\n"
      "Channel: DAHDI/1\n"
      "Codecs: alaw, speex, h264\n"
      "MaxRetries: 2\nRetryTime: 60\nWaitTime: 30\n"
      "Context: default\nExtension: s\nPriority: 1\n"
      "Set: file1=/tmp/to\n"
      "Set: CDR(userfield)=42\n"
      "SetVar: file2 = /tmp/msg\n"
      "CallerID: \"Wake Up\" <1234>\n"
      "Account: documentation\n"
      "Archive: yes\nAlwaysDelete: no\nEarlyMedia: true\n",
      "sample.call");
  ASSERT_TRUE(cf) << cf.error().to_string();
  EXPECT_EQ(cf->channel, "DAHDI/1");
  EXPECT_EQ(cf->codecs, "alaw, speex, h264");
  EXPECT_EQ(cf->max_retries, 2);
  EXPECT_EQ(cf->retry_time, 60);
  EXPECT_EQ(cf->wait_time, 30);
  EXPECT_EQ(cf->context, "default");
  EXPECT_EQ(cf->extension, "s");
  EXPECT_EQ(cf->priority, 1);
  ASSERT_EQ(cf->variables.size(), 3u);
  EXPECT_EQ(cf->variables[0], (std::pair<std::string, std::string>{"file1", "/tmp/to"}));
  EXPECT_EQ(cf->variables[1], (std::pair<std::string, std::string>{"CDR(userfield)", "42"}));
  EXPECT_EQ(cf->variables[2], (std::pair<std::string, std::string>{"file2", "/tmp/msg"}));
  EXPECT_EQ(cf->callerid, "\"Wake Up\" <1234>");
  EXPECT_EQ(cf->account, "documentation");
  EXPECT_TRUE(cf->archive);
  EXPECT_FALSE(cf->always_delete);
  EXPECT_TRUE(cf->early_media);
  EXPECT_EQ(cf->attempts, 0);
  EXPECT_TRUE(cf->warnings.empty());
}

TEST(CallFileParser, DefaultsMatchAsterisk) {
  auto cf = parse_call_file("Channel: SIP/100\nApplication: Playback\nData: hello-world\n", "x");
  ASSERT_TRUE(cf);
  EXPECT_EQ(cf->max_retries, 0);
  EXPECT_EQ(cf->retry_time, 300);
  EXPECT_EQ(cf->wait_time, 45);
  EXPECT_EQ(cf->priority, 1);
  EXPECT_TRUE(cf->always_delete);
  EXPECT_FALSE(cf->archive);
  EXPECT_FALSE(cf->early_media);
  EXPECT_EQ(cf->application, "Playback");
  EXPECT_EQ(cf->data, "hello-world");
}

TEST(CallFileParser, KeysAreCaseInsensitiveAndCrlfIsAccepted) {
  auto cf = parse_call_file("CHANNEL: Local/1@ctx\r\nmaxretries: 3\r\nAPPLICATION: Echo\r\n", "x");
  ASSERT_TRUE(cf);
  EXPECT_EQ(cf->channel, "Local/1@ctx");
  EXPECT_EQ(cf->max_retries, 3);
  EXPECT_EQ(cf->application, "Echo");
}

TEST(CallFileParser, CommentsAndEscapedSemicolons) {
  auto cf = parse_call_file(
      "Channel: SIP/100 # trailing comment\n"
      "; whole line comment\n"
      "Application: Playback ; another\n"
      "Data: tt-monkeys\\;beep\n"
      "CallerID: Sales#1 <200>\n",
      "x");
  ASSERT_TRUE(cf);
  EXPECT_EQ(cf->channel, "SIP/100");
  EXPECT_EQ(cf->application, "Playback");
  EXPECT_EQ(cf->data, "tt-monkeys;beep");
  // '#' only starts a comment at line start or after a blank.
  EXPECT_EQ(cf->callerid, "Sales#1 <200>");
}

TEST(CallFileParser, UnknownKeysAndKeyEqualsValueAreWarningsWithLine) {
  auto cf = parse_call_file("Channel: SIP/1\nFrobnicate: yes\nContext=foo\nExtension: 100\n",
                            "w.call");
  ASSERT_TRUE(cf);
  EXPECT_EQ(cf->context, "default");  // Context=foo was not applied
  ASSERT_EQ(cf->warnings.size(), 2u);
  EXPECT_TRUE(has_warning(*cf, "w.call:2", "unknown keyword 'Frobnicate'"));
  EXPECT_TRUE(has_warning(*cf, "w.call:3", "'Key: value'"));
}

TEST(CallFileParser, BadNumbersKeepDefaultsAndWarn) {
  auto cf = parse_call_file(
      "Channel: SIP/1\nWaitTime: soon\nRetryTime: 0\nMaxRetries: -1\nApplication: Echo\n", "n");
  ASSERT_TRUE(cf);
  EXPECT_EQ(cf->wait_time, 45);
  EXPECT_EQ(cf->retry_time, 300);
  EXPECT_EQ(cf->max_retries, 0);
  EXPECT_TRUE(has_warning(*cf, "n:2", "WaitTime"));
  EXPECT_TRUE(has_warning(*cf, "n:3", "RetryTime"));
  EXPECT_TRUE(has_warning(*cf, "n:4", "MaxRetries"));
}

TEST(CallFileParser, MalformedSetIsWarning) {
  auto cf = parse_call_file("Channel: SIP/1\nSet: NOVALUE\nSet: A=\nExtension: s\n", "s");
  ASSERT_TRUE(cf);
  ASSERT_EQ(cf->variables.size(), 1u);
  EXPECT_EQ(cf->variables[0].first, "A");
  EXPECT_EQ(cf->variables[0].second, "");
  EXPECT_TRUE(has_warning(*cf, "s:2", "malformed Set"));
}

TEST(CallFileParser, PriorityLabelIsKept) {
  auto cf = parse_call_file("Channel: SIP/1\nExtension: 100\nPriority: start\n", "p");
  ASSERT_TRUE(cf);
  EXPECT_EQ(cf->priority, 1);
  EXPECT_EQ(cf->priority_label, "start");
  auto num = parse_call_file("Channel: SIP/1\nExtension: 100\nPriority: 7\n", "p");
  ASSERT_TRUE(num);
  EXPECT_EQ(num->priority, 7);
  EXPECT_TRUE(num->priority_label.empty());
}

TEST(CallFileParser, MissingChannelIsAnErrorNamingTheFile) {
  auto cf = parse_call_file("Application: Echo\n\n", "nochan.call");
  ASSERT_FALSE(cf);
  EXPECT_EQ(cf.error().where, "nochan.call:2");
  EXPECT_NE(cf.error().message.find("Channel"), std::string::npos);
}

TEST(CallFileParser, ChannelMustBeTechSlashResource) {
  auto cf = parse_call_file("# c\nChannel: SIP\nApplication: Echo\n", "c.call");
  ASSERT_FALSE(cf);
  EXPECT_EQ(cf.error().where, "c.call:2");
  EXPECT_NE(cf.error().message.find("Tech/Resource"), std::string::npos);
}

TEST(CallFileParser, NeitherApplicationNorExtensionIsAnError) {
  auto cf = parse_call_file("Channel: SIP/1\nContext: default\n", "e.call");
  ASSERT_FALSE(cf);
  EXPECT_NE(cf.error().message.find("neither Application"), std::string::npos);
  EXPECT_EQ(cf.error().where, "e.call:2");
}

TEST(CallFileParser, BothApplicationAndExtensionWarns) {
  auto cf = parse_call_file("Channel: SIP/1\nExtension: 1\nApplication: Echo\n", "b");
  ASSERT_TRUE(cf);
  EXPECT_TRUE(has_warning(*cf, "b:3", "Application wins"));
}

TEST(CallFileParser, RetryJournalCountsAttemptsOfTheCurrentRound) {
  std::string base = "Channel: SIP/1\nApplication: Echo\n";
  auto open = parse_call_file(base + "StartRetry: 99 1 (1700000000)\n", "j");
  ASSERT_TRUE(open);
  EXPECT_EQ(open->attempts, 1);
  EXPECT_EQ(open->tail, JournalTail::AttemptOpen);

  auto ended = parse_call_file(
      base + "StartRetry: 99 1 (1)\nEndRetry: 99 1 (2)\nStartRetry: 99 2 (3)\nEndRetry: 99 2 (4)\n",
      "j");
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->attempts, 2);
  EXPECT_EQ(ended->tail, JournalTail::AttemptEnded);

  auto reused = parse_call_file(
      base + "StartRetry: 99 1 (1)\nStatus: Completed\nStartRetry: 99 1 (9)\nAbortRetry: 98 1 (9)\n",
      "j");
  ASSERT_TRUE(reused);
  EXPECT_EQ(reused->attempts, 0);  // the round before Status: and the aborted attempt do not count
  EXPECT_EQ(reused->tail, JournalTail::AttemptEnded);
  EXPECT_EQ(reused->status, "Completed");

  auto finished = parse_call_file(base + "StartRetry: 1 1 (1)\nStatus: Expired\n", "j");
  ASSERT_TRUE(finished);
  EXPECT_EQ(finished->tail, JournalTail::Finished);
  EXPECT_EQ(finished->status, "Expired");
}

TEST(CallFileParser, BinaryGarbageIsRejectedNotCrashed) {
  std::string junk("\0\xff\x01:::\n\n\\", 10);
  auto cf = parse_call_file(junk, "junk");
  ASSERT_FALSE(cf);
  EXPECT_FALSE(cf.error().where.empty());
}

// Line-shaped junk from call-file tokens: every outcome is either a CallFile that keeps the
// parser's promises or an error with a file:line; nothing in between, no crash.
TEST(CallFileParser, RandomTokenSoupKeepsPromises) {
  const char* tokens[] = {"Channel", "channel:", ": ", "SIP/", "/", "Application", "Extension",
                          "Set", "=", "\\;", ";", "#", " ", "\t", "\r", "\n", "Priority: ",
                          "StartRetry: 1 1 (1)\n", "Status: Completed\n", "MaxRetries: ", "-1",
                          "99999999999", "x", "\0", "\xff", ":"};
  std::uint32_t seed = 12345;
  auto next = [&] { return seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff; };
  int ok = 0, bad = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    int n = static_cast<int>(next() % 40);
    for (int i = 0; i < n; ++i) {
      const char* t = tokens[next() % std::size(tokens)];
      text += (t[0] == '\0') ? std::string(1, '\0') : std::string(t);
    }
    auto cf = parse_call_file(text, "soup");
    if (cf) {
      ++ok;
      ASSERT_NE(cf->channel.find('/'), std::string::npos) << text;
      ASSERT_TRUE(!cf->application.empty() || !cf->extension.empty()) << text;
      ASSERT_GE(cf->priority, 1);
      ASSERT_GE(cf->max_retries, 0);
    } else {
      ++bad;
      ASSERT_EQ(cf.error().where.rfind("soup:", 0), 0u) << cf.error().to_string();
    }
  }
  EXPECT_GT(bad, 0);
}
