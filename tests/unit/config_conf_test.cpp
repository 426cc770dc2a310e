// The .conf dialect, rule by rule, through parse_string (no files needed).
#include <gtest/gtest.h>

#include "telephony/config/config.hpp"

namespace {

using telephony::config::ConfigFile;
using telephony::config::parse_string;

ConfigFile parse_ok(std::string_view text) {
  auto r = parse_string(text, "t.conf");
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().to_string());
  return r ? *r : ConfigFile{};
}

// The errors, one "file:line: message" per line.
std::string parse_errors(std::string_view text) {
  auto r = parse_string(text, "t.conf");
  EXPECT_FALSE(r.has_value()) << "expected the text to be rejected";
  return r ? std::string{} : r.error().to_string();
}

TEST(ConfDialect, SectionsEntriesAndTrimming) {
  auto cf = parse_ok("[general]\n  context   =   default  \nbindport=5060\n\t\n[Other]\nx=\n");
  ASSERT_EQ(cf.sections.size(), 2u);
  const auto* g = cf.section("general");
  ASSERT_NE(g, nullptr);
  ASSERT_EQ(g->entries.size(), 2u);
  EXPECT_EQ(g->entries[0].name, "context");
  EXPECT_EQ(g->entries[0].value, "default");
  EXPECT_FALSE(g->entries[0].object);
  EXPECT_EQ(g->entries[0].where.to_string(), "t.conf:2");
  EXPECT_EQ(g->get_int("bindport", 0), 5060);
  EXPECT_EQ(g->where.to_string(), "t.conf:1");
  const auto* o = cf.section("other");  // case-insensitive section lookup
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->name, "Other");
  EXPECT_EQ(o->get("x"), std::optional<std::string>(""));
}

TEST(ConfDialect, ObjectArrowAndValueWithEqualsSigns) {
  auto cf = parse_ok("[default]\nexten => 100,1,Set(A=b)\nexten=>101,1,NoOp(x=>y)\n");
  const auto& e = cf.sections[0].entries;
  ASSERT_EQ(e.size(), 2u);
  EXPECT_TRUE(e[0].object);
  EXPECT_EQ(e[0].name, "exten");
  EXPECT_EQ(e[0].value, "100,1,Set(A=b)");
  EXPECT_TRUE(e[1].object);
  EXPECT_EQ(e[1].value, "101,1,NoOp(x=>y)");
}

TEST(ConfDialect, LineCommentsAndEscapedSemicolon) {
  auto cf = parse_ok("; leading comment\n[s] ; after header\na = 1 ; note\nb = x\\;y ; real comment\nc=;\n");
  const auto& s = cf.sections[0];
  ASSERT_EQ(s.entries.size(), 3u);
  EXPECT_EQ(s.get("a"), "1");
  EXPECT_EQ(s.get("b"), "x;y");
  EXPECT_EQ(s.get("c"), "");
}

TEST(ConfDialect, OtherBackslashesAreKept) {
  auto cf = parse_ok("[s]\na = line\\nbreak \\\\ done\n");
  EXPECT_EQ(cf.sections[0].get("a"), "line\\nbreak \\\\ done");
}

TEST(ConfDialect, BlockCommentsSpanLinesAndNest) {
  auto cf = parse_ok(
      "[s]\n"
      "a = 1 ;-- starts\n"
      "b = 2 ;-- nested --; still inside\n"
      "c = 3\n"
      "--; d = 4\n"
      "e = 5\n");
  const auto& s = cf.sections[0];
  // "a = 1 " joins " d = 4": the text around a block comment is one statement, as in Asterisk.
  ASSERT_EQ(s.entries.size(), 2u);
  EXPECT_EQ(s.entries[0].name, "a");
  EXPECT_EQ(s.entries[0].value, "1  d = 4");
  EXPECT_EQ(s.entries[0].where.line, 2);
  EXPECT_EQ(s.get("e"), "5");
  EXPECT_EQ(s.entries[1].where.line, 6);
}

TEST(ConfDialect, BlockCommentInsideOneLine) {
  auto cf = parse_ok("[s]\nexten => 1,1,NoOp(a;-- hidden --;b)\n;---- a rule line, not a block ----\nz=1\n");
  const auto& s = cf.sections[0];
  EXPECT_EQ(s.get("exten"), "1,1,NoOp(ab)");
  EXPECT_EQ(s.get("z"), "1");  // `;----` did not open a block comment
}

TEST(ConfDialect, BlockCommentHidesSectionsAndDirectives) {
  auto cf = parse_ok("[a]\n;--\n[b]\n#include nothing.conf\nx=1\n--;\ny=2\n");
  ASSERT_EQ(cf.sections.size(), 1u);
  EXPECT_EQ(cf.sections[0].entries.size(), 1u);
  EXPECT_EQ(cf.sections[0].get("y"), "2");
}

TEST(ConfDialect, UnterminatedBlockCommentNamesOpeningLine) {
  EXPECT_EQ(parse_errors("[s]\na=1\n;-- one\n;-- two --;\nb=2\n"),
            "t.conf:3: block comment ';--' is never closed with '--;'");
}

TEST(ConfDialect, CrlfAndBom) {
  auto cf = parse_ok("\xEF\xBB\xBF[s]\r\na = 1\r\nb=two words \r\n\r\n");
  ASSERT_EQ(cf.sections.size(), 1u);
  EXPECT_EQ(cf.sections[0].name, "s");
  EXPECT_EQ(cf.sections[0].get("a"), "1");
  EXPECT_EQ(cf.sections[0].get("b"), "two words");
  EXPECT_EQ(cf.sections[0].entries[1].where.line, 3);
}

TEST(ConfDialect, NoTrailingNewline) {
  auto cf = parse_ok("[s]\nlast=1");
  EXPECT_EQ(cf.sections[0].get("last"), "1");
}

TEST(ConfDialect, PlusEqualsConcatenatesLikeAsterisk) {
  auto cf = parse_ok(
      "[s]\n"
      "allow = ulaw\n"
      "allow +=,alaw\n"         // plain concatenation
      "note = hello\n"
      "note += world\n"         // the blank after += is kept, as Asterisk does
      "fresh += new\n"          // nothing earlier: a plain entry
      "Allow += ,x\n");         // exact-case match only: a new entry
  const auto& s = cf.sections[0];
  ASSERT_EQ(s.entries.size(), 4u);
  EXPECT_EQ(s.entries[0].value, "ulaw,alaw");
  EXPECT_EQ(s.entries[0].where.line, 2);
  EXPECT_EQ(s.get("note"), "hello world");
  EXPECT_EQ(s.get("fresh"), "new");
  EXPECT_EQ(s.entries[3].name, "Allow");
  EXPECT_EQ(s.entries[3].value, ",x");
}

TEST(ConfDialect, PlusEqualsAppendsToLastOfRepeatedEntries) {
  auto cf = parse_ok("[s]\nallow=a\nallow=b\nallow+=c\n");
  auto all = cf.sections[0].find_all("allow");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]->value, "a");
  EXPECT_EQ(all[1]->value, "bc");
}

TEST(ConfDialect, RepeatedSectionStaysSeparate) {
  auto cf = parse_ok("[peer]\na=1\n[other]\n[peer]\na=2\n");
  ASSERT_EQ(cf.sections.size(), 3u);
  auto peers = cf.sections_named("PEER");
  ASSERT_EQ(peers.size(), 2u);
  EXPECT_EQ(peers[0]->get("a"), "1");
  EXPECT_EQ(peers[1]->get("a"), "2");
  EXPECT_EQ(cf.section("peer"), peers[0]);
}

TEST(ConfDialect, TemplatesAndInheritanceInOrder) {
  auto cf = parse_ok(
      "[base](!)\ntype=friend\nallow=ulaw\n"
      "[extra](!)\nallow=alaw\nnat=yes\n"
      "[alice](base,extra)\nsecret=x\nallow=g722\n");
  EXPECT_EQ(cf.section("base"), nullptr);  // templates are not browsed as sections
  ASSERT_EQ(cf.sections.size(), 3u);
  EXPECT_TRUE(cf.sections[0].is_template);
  const auto* a = cf.section("alice");
  ASSERT_NE(a, nullptr);
  EXPECT_FALSE(a->is_template);
  EXPECT_EQ(a->inherits, (std::vector<std::string>{"base", "extra"}));
  std::vector<std::string> order;
  for (const auto& e : a->entries) order.push_back(e.name + "=" + e.value);
  EXPECT_EQ(order, (std::vector<std::string>{"type=friend", "allow=ulaw", "allow=alaw", "nat=yes", "secret=x",
                                             "allow=g722"}));
  EXPECT_EQ(a->get("allow"), "g722");  // own entry wins as the last one
  EXPECT_EQ(a->entries[0].where.line, 2);  // inherited entries keep their template's location
}

TEST(ConfDialect, TemplateThatInherits) {
  auto cf = parse_ok("[a](!)\nx=1\n[b](!,a)\ny=2\n[c](b)\nz=3\n");
  EXPECT_TRUE(cf.sections[1].is_template);
  EXPECT_EQ(cf.sections[1].inherits, std::vector<std::string>{"a"});
  const auto* c = cf.section("c");
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(c->entries.size(), 3u);
  EXPECT_EQ(c->entries[0].name, "x");
  EXPECT_EQ(c->entries[1].name, "y");
  EXPECT_EQ(c->entries[2].name, "z");
}

TEST(ConfDialect, InheritanceCopiesParentAsItWasThen) {
  // A later (+) on the template does not reach sections that already inherited from it.
  auto cf = parse_ok("[t](!)\nx=1\n[a](t)\n[t](+)\ny=2\n[b](t)\n");
  EXPECT_EQ(cf.section("a")->entries.size(), 1u);
  EXPECT_EQ(cf.section("b")->entries.size(), 2u);
}

TEST(ConfDialect, AppendMergesIntoEarlierSection) {
  auto cf = parse_ok("[a]\nx=1\n[b]\n[a](+)\ny=2\nx+=0\n");
  ASSERT_EQ(cf.sections.size(), 2u);
  const auto* a = cf.section("a");
  ASSERT_EQ(a->entries.size(), 2u);
  EXPECT_EQ(a->get("x"), "10");
  EXPECT_EQ(a->get("y"), "2");
}

TEST(ConfDialect, HeaderOptionsToleratesBlanks) {
  auto cf = parse_ok("[t](!)\nx=1\n[ s ] ( t , ! )\n");
  ASSERT_EQ(cf.sections.size(), 2u);
  EXPECT_EQ(cf.sections[1].name, "s");
  EXPECT_TRUE(cf.sections[1].is_template);
  EXPECT_EQ(cf.sections[1].inherits, std::vector<std::string>{"t"});
}

TEST(ConfDialect, Lookups) {
  auto cf = parse_ok(
      "[s]\nA=1\na=2\nyes1=Yes\nyes2=on\nyes3=t\nno1=OFF\nno2=n\nno3=0\nodd=maybe\n"
      "num= -42 \nbad=12abc\nempty=\n");
  const auto& s = cf.sections[0];
  ASSERT_NE(s.find("a"), nullptr);
  EXPECT_EQ(s.find("a")->value, "2");  // last one, case-insensitive
  EXPECT_EQ(s.find_all("A").size(), 2u);
  EXPECT_EQ(s.find("missing"), nullptr);
  EXPECT_FALSE(s.get("missing").has_value());
  EXPECT_TRUE(s.get_bool("yes1", false));
  EXPECT_TRUE(s.get_bool("yes2", false));
  EXPECT_TRUE(s.get_bool("yes3", false));
  EXPECT_FALSE(s.get_bool("no1", true));
  EXPECT_FALSE(s.get_bool("no2", true));
  EXPECT_FALSE(s.get_bool("no3", true));
  EXPECT_TRUE(s.get_bool("odd", true));
  EXPECT_FALSE(s.get_bool("odd", false));
  EXPECT_TRUE(s.get_bool("missing", true));
  EXPECT_EQ(s.get_int("num", 0), -42);
  EXPECT_EQ(s.get_int("bad", 7), 7);
  EXPECT_EQ(s.get_int("empty", 9), 9);
  EXPECT_EQ(s.get_int("missing", 3), 3);
}

// ---- invalid input: every error names file:line ----------------------------------------------

TEST(ConfDialectErrors, EntryBeforeAnySection) {
  EXPECT_EQ(parse_errors("\n; comment\nfoo = bar\n[s]\n"),
            "t.conf:3: entry 'foo' is outside any section (no [section] above it)");
}

TEST(ConfDialectErrors, UnterminatedHeader) {
  EXPECT_EQ(parse_errors("[ok]\n[broken\nx=1\n"), "t.conf:2: section header '[broken' has no closing ']'");
}

TEST(ConfDialectErrors, UnterminatedOptions) {
  EXPECT_EQ(parse_errors("[t](!)\n[s](t\n"), "t.conf:2: options of section 's' have no closing ')'");
}

TEST(ConfDialectErrors, MissingParent) {
  EXPECT_EQ(parse_errors("[a]\n[b](nosuch)\n"),
            "t.conf:2: section 'b' inherits from 'nosuch', which is not defined before it");
}

TEST(ConfDialectErrors, ParentMustComeFirst) {
  EXPECT_EQ(parse_errors("[b](a)\n[a](!)\n"),
            "t.conf:1: section 'b' inherits from 'a', which is not defined before it");
}

TEST(ConfDialectErrors, AppendWithoutEarlierSection) {
  EXPECT_EQ(parse_errors("[a]\n\n[x](+)\ny=1\n"), "t.conf:3: section 'x' to append to does not exist");
}

TEST(ConfDialectErrors, LineWithoutEquals) {
  EXPECT_EQ(parse_errors("[a]\njust words\n"),
            "t.conf:2: expected 'name = value', '[section]' or a #directive, got 'just words'");
}

TEST(ConfDialectErrors, EntryWithoutName) {
  EXPECT_EQ(parse_errors("[a]\n = 1\n"), "t.conf:2: entry '= 1' has no name before '='");
}

TEST(ConfDialectErrors, EmptySectionNameAndTrailingText) {
  EXPECT_EQ(parse_errors("[]\n[a] junk\n"),
            "t.conf:1: empty section name '[]'\nt.conf:2: unexpected text 'junk' after section header '[a]'");
}

TEST(ConfDialectErrors, UnknownDirective) {
  EXPECT_EQ(parse_errors("[a]\n#includ foo.conf\n"),
            "t.conf:2: unknown directive '#includ' (expected #include, #tryinclude or #exec)");
}

TEST(ConfDialectErrors, ExecNotAllowed) {
  EXPECT_EQ(parse_errors("[a]\n#exec /bin/echo x=1\n"),
            "t.conf:2: #exec is not allowed (ParseOptions::allow_exec is off)");
}

TEST(ConfDialectErrors, AllErrorsAtOnceAndNoCascade) {
  auto r = parse_string("x=1\n[a]\nbad line\n[b](zz)\ny=2\n[c\nz=3\n#include\n", "t.conf");
  ASSERT_FALSE(r.has_value());
  ASSERT_EQ(r.error().items.size(), 5u) << r.error().to_string();
  EXPECT_EQ(r.error().items[0].where, "t.conf:1");
  EXPECT_EQ(r.error().items[1].where, "t.conf:3");
  EXPECT_EQ(r.error().items[2].where, "t.conf:4");
  EXPECT_EQ(r.error().items[3].where, "t.conf:6");
  EXPECT_EQ(r.error().items[4].to_string(), "t.conf:8: #include needs a file name");
}

}  // namespace
