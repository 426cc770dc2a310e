// #include / #tryinclude / #exec and whole files on disk, including the tests/data/config fixtures.
#include <gtest/gtest.h>

#include "telephony/config/config.hpp"
#include "testkit/testkit.hpp"

namespace {

namespace cfg = telephony::config;
using telephony::testkit::TempDir;
using telephony::testkit::write_file;

const std::string kData = std::string(TELEPHONY_TEST_DATA) + "/config";

std::string errors_of(const telephony::Result<cfg::ConfigFile, telephony::Errors>& r) {
  EXPECT_FALSE(r.has_value());
  return r ? std::string{} : r.error().to_string();
}

TEST(ConfInclude, IncludedTextContinuesCurrentSection) {
  TempDir d;
  write_file(d / "main.conf", "[s]\na=1\n#include \"part.conf\"\nc=3\n[t]\n");
  write_file(d / "part.conf", "b=2\n[u]\nd=4\n");
  auto r = cfg::parse_file(d / "main.conf");
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->sections.size(), 3u);
  const auto& s = r->sections[0];
  ASSERT_EQ(s.entries.size(), 2u);
  EXPECT_EQ(s.entries[1].name, "b");
  EXPECT_EQ(s.entries[1].where.to_string(), (d / "part.conf").string() + ":1");
  // After the include, `c` belongs to the section the included file left open.
  EXPECT_EQ(r->sections[1].name, "u");
  EXPECT_EQ(r->sections[1].get("c"), "3");
  EXPECT_EQ(r->files_read, (std::vector<std::string>{(d / "main.conf").string(), (d / "part.conf").string()}));
}

TEST(ConfInclude, AllQuoteStylesAndRelativeToConfigDir) {
  TempDir d;
  std::filesystem::create_directories(d / "sub");
  write_file(d / "sub" / "top.conf", "[s]\n#include \"a.conf\"\n#include <b.conf>\n#include c.conf\n");
  write_file(d / "a.conf", "a=1\n");
  write_file(d / "b.conf", "b=2\n");
  write_file(d / "c.conf", "c=3\n");
  cfg::ParseOptions opts;
  opts.config_dir = d.path();  // not the directory of top.conf
  auto r = cfg::parse_file(d / "sub" / "top.conf", opts);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->sections[0].entries.size(), 3u);
  EXPECT_EQ(r->files_read.size(), 4u);
}

TEST(ConfInclude, DefaultBaseIsDirectoryOfTopFile) {
  TempDir d;
  write_file(d / "top.conf", "[s]\n#include sibling.conf\n");
  write_file(d / "sibling.conf", "x=1\n");
  auto r = cfg::parse_file(d / "top.conf");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->sections[0].get("x"), "1");
}

TEST(ConfInclude, GlobExpandsInSortedOrder) {
  TempDir d;
  write_file(d / "top.conf", "[s]\n#include \"sip_*.conf\"\n");
  write_file(d / "sip_c.conf", "n=c\n");
  write_file(d / "sip_a.conf", "n=a\n");
  write_file(d / "sip_b.conf", "n=b\n");
  write_file(d / "other.conf", "n=other\n");
  auto r = cfg::parse_file(d / "top.conf");
  ASSERT_TRUE(r) << r.error().to_string();
  std::string seen;
  for (const auto* e : r->sections[0].find_all("n")) seen += e->value;
  EXPECT_EQ(seen, "abc");
}

TEST(ConfInclude, MissingIncludeNamesIncludingLine) {
  TempDir d;
  write_file(d / "top.conf", "[s]\n\n#include \"gone.conf\"\n");
  auto r = cfg::parse_file(d / "top.conf");
  EXPECT_EQ(errors_of(r), (d / "top.conf").string() + ":3: #include \"gone.conf\": cannot read '" +
                              (d / "gone.conf").string() + "': No such file or directory");
}

TEST(ConfInclude, GlobWithoutMatchIsAnErrorForInclude) {
  TempDir d;
  write_file(d / "top.conf", "[s]\n#include conf.d/*.conf\n");
  auto r = cfg::parse_file(d / "top.conf");
  EXPECT_EQ(errors_of(r), (d / "top.conf").string() + ":2: #include \"conf.d/*.conf\": no file matches '" +
                              (d / "conf.d/*.conf").string() + "'");
}

TEST(ConfInclude, TryIncludeToleratesMissingFiles) {
  TempDir d;
  write_file(d / "top.conf", "[s]\n#tryinclude \"gone.conf\"\n#tryinclude conf.d/*.conf\n#tryinclude there.conf\n");
  write_file(d / "there.conf", "x=1\n");
  auto r = cfg::parse_file(d / "top.conf");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->sections[0].get("x"), "1");
  EXPECT_EQ(r->files_read.size(), 2u);
}

TEST(ConfInclude, ErrorsInsideIncludedFileNameThatFile) {
  TempDir d;
  write_file(d / "top.conf", "[s]\n#include inc.conf\n");
  write_file(d / "inc.conf", "ok=1\n[b](nosuch)\n");
  auto r = cfg::parse_file(d / "top.conf");
  EXPECT_EQ(errors_of(r),
            (d / "inc.conf").string() + ":2: section 'b' inherits from 'nosuch', which is not defined before it");
}

TEST(ConfInclude, BlockCommentStateIsPerFile) {
  TempDir d;
  write_file(d / "top.conf", "[s]\n#include inc.conf\nafter=1\n");
  write_file(d / "inc.conf", "x=1\n;-- never closed\n");
  auto r = cfg::parse_file(d / "top.conf");
  EXPECT_EQ(errors_of(r), (d / "inc.conf").string() + ":2: block comment ';--' is never closed with '--;'");
}

TEST(ConfInclude, CycleHitsDepthLimit) {
  TempDir d;
  write_file(d / "a.conf", "[s]\n#include b.conf\n");
  write_file(d / "b.conf", "x=1\n#include a.conf\n");
  auto r = cfg::parse_file(d / "a.conf");
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().items.size(), 1u) << r.error().to_string();
  // a(0) -> b(1) -> a(2) ... -> b(9) -> a(10) whose include of b would be level 11.
  EXPECT_EQ(r.error().items[0].to_string(),
            (d / "a.conf").string() + ":2: #include 'b.conf' nests deeper than 10 levels (an include cycle?)");
}

TEST(ConfInclude, DepthLimitIsConfigurable) {
  TempDir d;
  write_file(d / "a.conf", "[s]\n#include b.conf\n");
  write_file(d / "b.conf", "#include c.conf\n");
  write_file(d / "c.conf", "x=1\n");
  cfg::ParseOptions opts;
  opts.max_include_depth = 2;
  EXPECT_TRUE(cfg::parse_file(d / "a.conf", opts));
  opts.max_include_depth = 1;
  EXPECT_EQ(errors_of(cfg::parse_file(d / "a.conf", opts)),
            (d / "b.conf").string() + ":1: #include 'c.conf' nests deeper than 1 levels (an include cycle?)");
}

TEST(ConfInclude, ParseStringIncludesRelativeToConfigDir) {
  TempDir d;
  write_file(d / "inc.conf", "x=1\n");
  cfg::ParseOptions opts;
  opts.config_dir = d.path();
  auto r = cfg::parse_string("[s]\n#include inc.conf\n", "mem.conf", opts);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->sections[0].get("x"), "1");
  EXPECT_EQ(r->files_read, std::vector<std::string>{(d / "inc.conf").string()});
}

TEST(ConfExec, RunsCommandAndParsesItsOutputWhenAllowed) {
  cfg::ParseOptions opts;
  opts.allow_exec = true;
  auto r = cfg::parse_string("[s]\na=1\n#exec \"/usr/bin/printf 'b=2\\n[t]\\nc=3\\n'\"\nd=4\n", "e.conf", opts);
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->sections.size(), 2u);
  EXPECT_EQ(r->sections[0].get("b"), "2");
  EXPECT_EQ(r->sections[1].get("c"), "3");
  EXPECT_EQ(r->sections[1].get("d"), "4");
}

TEST(ConfExec, FailingCommandIsAnError) {
  cfg::ParseOptions opts;
  opts.allow_exec = true;
  auto r = cfg::parse_string("[s]\n#exec /bin/false\n", "e.conf", opts);
  EXPECT_EQ(errors_of(r), "e.conf:2: #exec '/bin/false': command exited with status 1");
}

TEST(ConfFile, MissingTopFile) {
  auto r = cfg::parse_file("/nonexistent/dir/x.conf");
  EXPECT_EQ(errors_of(r), "/nonexistent/dir/x.conf: cannot read config file: No such file or directory");
}

// A realistic sip.conf: BOM, CRLF, nested block comment, templates, +=, (+), \; and a glob include.
TEST(ConfFile, SipFixture) {
  auto r = cfg::parse_file(kData + "/sip.conf");
  ASSERT_TRUE(r) << r.error().to_string();
  std::vector<std::string> names;
  for (const auto& s : r->sections) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"general", "phone", "office", "alice", "bob", "carol", "dave"}));
  EXPECT_EQ(r->files_read.size(), 3u);
  const auto* alice = r->section("alice");
  ASSERT_NE(alice, nullptr);
  EXPECT_EQ(alice->get("allow"), "ulaw,alaw");
  EXPECT_EQ(alice->get("context"), "office");
  EXPECT_EQ(alice->get("secret"), "s3cr;t");
  EXPECT_EQ(alice->get("callerid"), "\"Alice\" <100>");
  EXPECT_EQ(alice->get("mailbox"), "100@default");
  EXPECT_EQ(alice->where.to_string(), kData + "/sip.conf:20");
  EXPECT_EQ(r->section("general")->get("context"), "default");
  EXPECT_FALSE(r->section("general")->get_bool("allowguest", true));
  const auto* dave = r->section("dave");
  ASSERT_NE(dave, nullptr);
  EXPECT_EQ(dave->where.to_string(), kData + "/conf.d/20-dave.conf:2");
  EXPECT_EQ(dave->get("host"), "dynamic");
}

TEST(ConfFile, BadFixtureReportsEveryProblem) {
  auto r = cfg::parse_file(kData + "/bad_many.conf");
  ASSERT_FALSE(r);
  const std::string f = kData + "/bad_many.conf";
  std::vector<std::string> where;
  for (const auto& e : r.error().items) where.push_back(e.where);
  EXPECT_EQ(where, (std::vector<std::string>{f + ":1", f + ":4", f + ":5", f + ":6", f + ":7", f + ":8", f + ":9"}))
      << r.error().to_string();
}

}  // namespace
