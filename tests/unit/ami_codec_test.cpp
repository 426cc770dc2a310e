// AMI codec: what a peer sends on the wire becomes the Message a handler sees, and back.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "telephony/manager/message.hpp"
#include "telephony/manager/parser.hpp"
#include "telephony/manager/writer.hpp"

using namespace telephony::ami;

namespace {
std::vector<telephony::Result<Message>> parse_all(Parser& p) {
  std::vector<telephony::Result<Message>> out;
  while (auto r = p.next()) out.push_back(std::move(*r));
  return out;
}
}  // namespace

TEST(AmiMessage, CaseInsensitiveLookupAndRepeatedHeadersInOrder) {
  Message m;
  m.add("Action", "Originate").add("Variable", "A=1").add("variable", "B=2").add("ActionID", "7");
  EXPECT_EQ(m.get("ACTION"), "Originate");
  EXPECT_EQ(m.action(), "Originate");
  EXPECT_EQ(m.get_all("VARIABLE"), (std::vector<std::string_view>{"A=1", "B=2"}));
  EXPECT_FALSE(m.get("Channel"));
  m.set("variable", "C=3");
  EXPECT_EQ(m.get_all("Variable"), (std::vector<std::string_view>{"C=3"}));
  EXPECT_EQ(m.at(1).key, "Variable");  // set() keeps the position of the first occurrence
  EXPECT_EQ(m.at(2).key, "ActionID");
  m.add("Copy", *m.get("ActionID"));  // a view into the message itself must survive reallocation
  EXPECT_EQ(m.get("Copy"), "7");
  EXPECT_FALSE(m.is_event());
  EXPECT_FALSE(m.is_response());
  EXPECT_TRUE((Message{{"Event", "Hangup"}}).is_event());
  EXPECT_TRUE((Message{{"Response", "Success"}}).is_response());
}

TEST(AmiParser, CrlfAndBareLfSplitAcrossFeeds) {
  Parser p;
  const std::string wire = "Action: Login\r\nUsername: admin\r\nSecret:  s3cr3t \r\n\r\nAction: Ping\nActionID:\n\n";
  std::vector<Message> got;
  for (char c : wire) {  // worst case: one byte per read
    p.feed(std::string_view(&c, 1));
    while (auto r = p.next()) {
      ASSERT_TRUE(*r) << r->error().to_string();
      got.push_back(std::move(**r));
    }
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].action(), "Login");
  EXPECT_EQ(got[0].get("secret"), "s3cr3t");
  EXPECT_EQ(got[1].action(), "Ping");
  EXPECT_EQ(got[1].get("ActionID"), "");  // present with an empty value
  EXPECT_EQ(p.buffered(), 0u);
}

TEST(AmiParser, LineWithoutColonIsKeptWithEmptyKey) {
  Parser p;
  p.feed("Action: Ping\r\ngarbage line\r\n\r\n");
  auto all = parse_all(p);
  ASSERT_EQ(all.size(), 1u);
  ASSERT_TRUE(all[0]);
  ASSERT_EQ(all[0]->size(), 2u);
  EXPECT_EQ(all[0]->at(1).key, "");
  EXPECT_EQ(all[0]->at(1).value, "garbage line");
}

TEST(AmiParser, LongLineIsRejectedWithAsteriskTextAndParserRecovers) {
  Parser p;
  p.feed("Action: Ping\r\nX: " + std::string(2000, 'a'));
  auto first = p.next();
  ASSERT_TRUE(first.has_value());
  ASSERT_FALSE(*first);
  EXPECT_EQ(first->error().message, "Failed to parse message: line too long");
  EXPECT_EQ(first->error().where, "offset 14");
  p.feed(std::string(5000, 'b'));  // the rest of the monster line is dropped, not buffered
  EXPECT_FALSE(p.next().has_value());
  EXPECT_LT(p.buffered(), 2048u);
  p.feed("\r\nStill: same message\r\n\r\nAction: Logoff\r\n\r\n");
  auto all = parse_all(p);
  ASSERT_EQ(all.size(), 1u);
  ASSERT_TRUE(all[0]);
  EXPECT_EQ(all[0]->action(), "Logoff");
}

TEST(AmiParser, ExactlyMaxLineIsAccepted) {
  Parser p;
  std::string line = "K: " + std::string(1021, 'v');
  ASSERT_EQ(line.size(), 1024u);
  p.feed(line + "\r\n\r\n");
  auto all = parse_all(p);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_TRUE(all[0]);
}

TEST(AmiParser, TooManyHeadersIsRejectedThenRecovers) {
  Parser p;
  std::string msg = "Action: Ping\r\n";
  for (int i = 0; i < 200; ++i) msg += "H" + std::to_string(i) + ": x\r\n";
  p.feed(msg + "\r\nAction: Ping\r\nActionID: ok\r\n\r\n");
  auto all = parse_all(p);
  ASSERT_EQ(all.size(), 2u);
  ASSERT_FALSE(all[0]);
  EXPECT_EQ(all[0].error().message, "Too many lines in message or allocation failure");
  ASSERT_TRUE(all[1]);
  EXPECT_EQ(all[1]->action_id(), "ok");
}

TEST(AmiParser, ExactlyMaxHeadersIsAccepted) {
  Parser p;
  std::string msg;
  for (int i = 0; i < 128; ++i) msg += "H" + std::to_string(i) + ": x\r\n";
  p.feed(msg + "\r\n");
  auto all = parse_all(p);
  ASSERT_EQ(all.size(), 1u);
  ASSERT_TRUE(all[0]);
  EXPECT_EQ(all[0]->size(), 128u);
}

TEST(AmiParser, CommandFollowsBodyBecomesOutputHeaders) {
  ParserLimits lim;
  lim.command_follows = true;
  Parser p(lim);
  p.feed(
      "Response: Follows\r\nPrivilege: Command\r\nActionID: 12\r\n"
      "Asterisk 11.25.3 built by root\n\nName: not a header here\n--END COMMAND--\r\n\r\n"
      "Event: FullyBooted\r\n\r\n");
  auto all = parse_all(p);
  ASSERT_EQ(all.size(), 2u);
  ASSERT_TRUE(all[0]);
  EXPECT_EQ(all[0]->action_id(), "12");
  EXPECT_EQ(all[0]->get_all("Output"),
            (std::vector<std::string_view>{"Asterisk 11.25.3 built by root", "", "Name: not a header here"}));
  ASSERT_TRUE(all[1]);
  EXPECT_TRUE(all[1]->is_event());
}

TEST(AmiParser, FollowsIsPlainHeadersWhenNotInClientMode) {
  Parser p;
  p.feed("Response: Follows\r\nsome text\r\n\r\n");
  auto all = parse_all(p);
  ASSERT_EQ(all.size(), 1u);
  ASSERT_TRUE(all[0]);
  EXPECT_EQ(all[0]->at(1).key, "");
}

TEST(AmiWriter, ExactWireFormatAndRoundTrip) {
  Message m{{"Response", "Success"}, {"ActionID", "a b"}, {"Message", ""}, {"Output", "x: y"}};
  const std::string wire = Writer::to_string(m);
  EXPECT_EQ(wire, "Response: Success\r\nActionID: a b\r\nMessage: \r\nOutput: x: y\r\n\r\n");
  Parser p;
  p.feed(wire);
  auto r = p.next();
  ASSERT_TRUE(r && *r);
  EXPECT_EQ(**r, m);
}

TEST(AmiWriter, NewlinesInValuesCannotInjectHeaders) {
  Message m{{"Event", "UserEvent"}, {"Data", "x\r\nAction: Originate"}};
  const std::string wire = Writer::to_string(m);
  Parser p;
  p.feed(wire);
  auto r = p.next();
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->size(), 2u);
  EXPECT_FALSE((*r)->has("Action"));
}
