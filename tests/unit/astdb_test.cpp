// AstDb on a real SQLite file in a temporary directory: the family/key model, persistence across
// reopen, deltree counts, key order, errors, and the `database …` console commands' output.
#include <gtest/gtest.h>

#include <thread>

#include "telephony/astdb.hpp"
#include "telephony/console.hpp"
#include "telephony/engine.hpp"
#include "testkit/testkit.hpp"

using namespace telephony;
using testkit::TempDir;

namespace {

void fill(AstDb& db) {
  ASSERT_TRUE(db.put("cf", "1001", "2002"));
  ASSERT_TRUE(db.put("cf", "1001/busy", "3003"));
  ASSERT_TRUE(db.put("cf", "1001/noanswer", "4004"));
  ASSERT_TRUE(db.put("cf", "1002", "5005"));
  ASSERT_TRUE(db.put("cf10", "x", "y"));  // shares a text prefix with "cf" but is another family
  ASSERT_TRUE(db.put("dnd", "1001", "YES"));
}

std::vector<std::string> keys_of(const std::vector<AstDb::Entry>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.key);
  return out;
}

}  // namespace

TEST(AstDb, PutGetDeleteFollowTheFamilyKeyModel) {
  TempDir dir("astdb");
  AstDb db(dir / "astdb.sqlite3");
  EXPECT_FALSE(std::filesystem::exists(dir / "astdb.sqlite3"));  // opened lazily
  ASSERT_TRUE(db.put("test", "count", "1"));
  EXPECT_TRUE(std::filesystem::exists(dir / "astdb.sqlite3"));
  EXPECT_EQ(*db.get("test", "count"), std::optional<std::string>("1"));
  ASSERT_TRUE(db.put("test", "count", "2"));  // overwrite
  EXPECT_EQ(*db.get("test", "count"), std::optional<std::string>("2"));
  EXPECT_EQ(*db.get("test", "other"), std::nullopt);
  EXPECT_TRUE(*db.del("test", "count"));
  EXPECT_FALSE(*db.del("test", "count"));
  EXPECT_EQ(*db.get("test", "count"), std::nullopt);
  EXPECT_FALSE(db.put("", "k", "v"));
  // Wildcard characters of LIKE are plain text here.
  ASSERT_TRUE(db.put("a%", "k_1", "v"));
  EXPECT_EQ(*db.get("a%", "k_1"), std::optional<std::string>("v"));
  EXPECT_EQ(*db.deltree("a%"), 1u);
}

TEST(AstDb, SurvivesReopening) {
  TempDir dir("astdb");
  {
    AstDb db(dir / "astdb.sqlite3");
    fill(db);
  }
  AstDb again(dir / "astdb.sqlite3");
  EXPECT_EQ(*again.get("cf", "1001/busy"), std::optional<std::string>("3003"));
  EXPECT_EQ(again.show()->size(), 6u);
}

TEST(AstDb, ShowIsSortedByPathAndRestrictedToTheTree) {
  TempDir dir("astdb");
  AstDb db(dir / "astdb.sqlite3");
  fill(db);
  EXPECT_EQ(keys_of(*db.show()), (std::vector<std::string>{"/cf/1001", "/cf/1001/busy", "/cf/1001/noanswer",
                                                            "/cf/1002", "/cf10/x", "/dnd/1001"}));
  EXPECT_EQ(keys_of(*db.show("cf")),
            (std::vector<std::string>{"/cf/1001", "/cf/1001/busy", "/cf/1001/noanswer", "/cf/1002"}));
  EXPECT_EQ(keys_of(*db.show("cf", "1001")),
            (std::vector<std::string>{"/cf/1001", "/cf/1001/busy", "/cf/1001/noanswer"}));
  EXPECT_TRUE(db.show("nope")->empty());
}

TEST(AstDb, KeysListsTheNextLevelUniqueAndSorted) {
  TempDir dir("astdb");
  AstDb db(dir / "astdb.sqlite3");
  fill(db);
  EXPECT_EQ(*db.keys(), (std::vector<std::string>{"cf", "cf10", "dnd"}));
  EXPECT_EQ(*db.keys("cf"), (std::vector<std::string>{"1001", "1002"}));
  EXPECT_EQ(*db.keys("/cf/1001/"), (std::vector<std::string>{"busy", "noanswer"}));
  EXPECT_TRUE(db.keys("cf/1002")->empty());
}

TEST(AstDb, DeltreeCountsWhatItRemoves) {
  TempDir dir("astdb");
  AstDb db(dir / "astdb.sqlite3");
  fill(db);
  EXPECT_EQ(*db.deltree("cf", "1001"), 3u);  // the key itself and its subtree
  EXPECT_EQ(*db.deltree("cf", "1001"), 0u);
  EXPECT_EQ(*db.deltree("cf"), 1u);          // "/cf10" is untouched
  EXPECT_EQ(*db.get("cf10", "x"), std::optional<std::string>("y"));
  EXPECT_EQ(*db.deltree(""), 2u);            // everything left
  EXPECT_TRUE(db.show()->empty());
}

TEST(AstDb, SplitPathNeedsFamilyAndKey) {
  auto p = AstDb::split_path("/cf/1001/busy");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->first, "cf");
  EXPECT_EQ(p->second, "1001/busy");
  EXPECT_FALSE(AstDb::split_path("cf"));
  EXPECT_FALSE(AstDb::split_path("cf/"));
  EXPECT_FALSE(AstDb::split_path("/key"));
}

TEST(AstDb, UnusableLocationsAreClearErrorsAndRecoverable) {
  TempDir dir("astdb");
  testkit::write_file(dir / "notadir", "x");
  AstDb db(dir / "notadir" / "astdb.sqlite3");
  auto r = db.put("a", "b", "c");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().where, (dir / "notadir" / "astdb.sqlite3").string());
  EXPECT_NE(r.error().message.find("cannot open database"), std::string::npos) << r.error().message;
  // Not a database.
  testkit::write_file(dir / "garbage.sqlite3", std::string(4096, 'z'));
  AstDb junk(dir / "garbage.sqlite3");
  auto g = junk.get("a", "b");
  ASSERT_FALSE(g);
  EXPECT_NE(g.error().to_string().find("garbage.sqlite3"), std::string::npos) << g.error().to_string();
  // The open is retried: once the directory exists, the same object works.
  std::filesystem::remove(dir / "notadir");
  ASSERT_TRUE(db.put("a", "b", "c"));
  EXPECT_EQ(*db.get("a", "b"), std::optional<std::string>("c"));
}

TEST(AstDb, EngineOpensItUnderTheDbDirectory) {
  TempDir dir("astdb");
  EngineOptions o;
  o.threads = 1;
  o.dirs.db = dir / "var" / "lib";
  Engine engine(o);
  ASSERT_TRUE(engine.astdb().put("f", "k", "v"));
  EXPECT_EQ(engine.astdb().file(), dir / "var" / "lib" / "astdb.sqlite3");
  EXPECT_TRUE(std::filesystem::exists(dir / "var" / "lib" / "astdb.sqlite3"));
}

TEST(AstDbConsole, CommandsPrintAsteriskOutput) {
  TempDir dir("astdb");
  AstDb db(dir / "astdb.sqlite3");
  ConsoleCommands cli;
  register_database_commands(cli, db);

  auto put = cli.execute("database put cf 1001 \"Alice Smith\"");
  EXPECT_EQ(put.status, 0);
  EXPECT_EQ(put.output, "Updated database successfully\n");
  ASSERT_EQ(cli.execute("database put cf 1002 2002").status, 0);
  ASSERT_EQ(cli.execute("database put dnd 1001 YES").status, 0);
  EXPECT_EQ(cli.execute("database put cf 1001").status, 2);  // usage

  auto get = cli.execute("database get cf 1001");
  EXPECT_EQ(get.output, "Value: Alice Smith\n");
  auto miss = cli.execute("database get cf 9999");
  EXPECT_EQ(miss.status, 1);
  EXPECT_EQ(miss.output, "Database entry not found.\n");

  auto show = cli.execute("database show");
  EXPECT_EQ(show.status, 0);
  EXPECT_EQ(show.output,
            "/cf/1001" + std::string(42, ' ') + ": Alice Smith" + std::string(14, ' ') + "\n" +
            "/cf/1002" + std::string(42, ' ') + ": 2002" + std::string(21, ' ') + "\n" +
            "/dnd/1001" + std::string(41, ' ') + ": YES" + std::string(22, ' ') + "\n" +
            "3 results found.\n");
  auto fam = cli.execute("database show dnd");
  EXPECT_NE(fam.output.find("/dnd/1001"), std::string::npos);
  EXPECT_EQ(fam.output.find("/cf/"), std::string::npos);
  EXPECT_NE(fam.output.find("1 results found."), std::string::npos);
  auto key = cli.execute("database showkey 1001");
  EXPECT_NE(key.output.find("/cf/1001 "), std::string::npos);
  EXPECT_NE(key.output.find("/dnd/1001 "), std::string::npos);
  EXPECT_NE(key.output.find("2 results found."), std::string::npos);

  EXPECT_EQ(cli.execute("database del cf 1002").output, "Database entry removed.\n");
  EXPECT_EQ(cli.execute("database del cf 1002").output, "Database entry does not exist.\n");
  ASSERT_EQ(cli.execute("database put cf 1001/busy 3").status, 0);
  EXPECT_EQ(cli.execute("database deltree cf 1001").output, "2 database entries removed.\n");
  EXPECT_EQ(cli.execute("database deltree cf").output, "Database entries do not exist.\n");
  EXPECT_EQ(cli.execute("database deltree").status, 2);
  EXPECT_EQ(cli.execute("database show").output, "/dnd/1001" + std::string(41, ' ') + ": YES" +
                                                     std::string(22, ' ') + "\n1 results found.\n");
  // Every command carries its help.
  for (auto& c : cli.list()) {
    SCOPED_TRACE(c->command);
    EXPECT_FALSE(c->doc.synopsis.empty());
    EXPECT_FALSE(c->doc.syntax.empty());
  }
}

TEST(AstDb, ConcurrentWritersShareTheOneConnection) {
  TempDir dir("astdb");
  AstDb db(dir / "astdb.sqlite3");
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t)
    writers.emplace_back([&db, t] {
      for (int i = 0; i < 100; ++i) ASSERT_TRUE(db.put("t" + std::to_string(t), std::to_string(i), "v"));
    });
  for (auto& w : writers) w.join();
  EXPECT_EQ(db.show()->size(), 400u);
  EXPECT_EQ(*db.deltree("t2"), 100u);
}
