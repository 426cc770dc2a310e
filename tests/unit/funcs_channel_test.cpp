// Functions that read or change channel state: CALLERID, CONNECTEDLINE, CHANNEL, SET, SHARED,
// the array functions, HANGUPCAUSE; the time functions; the DB functions on a real AstDB file.
#include "funcs_test_support.hpp"
#include "telephony/astdb.hpp"

using namespace funcs_test;

TEST_F(FunctionsFixture, CallerIdReadsAndWritesEveryField) {
  ASSERT_TRUE(write("CALLERID", "all", "\"Alice Smith\" <1001>"));
  EXPECT_EQ(chan->caller().name, "Alice Smith");
  EXPECT_EQ(chan->caller().number, "1001");
  const std::vector<std::pair<std::string, std::string>> reads = {
      {"all", "\"Alice Smith\" <1001>"}, {"name", "Alice Smith"}, {"num", "1001"}, {"number", "1001"},
      {"pres", "allowed_not_screened"},  {"ani", ""},             {"dnid", ""},    {"ton", "0"},
  };
  for (const auto& [type, expected] : reads) {
    SCOPED_TRACE(type);
    EXPECT_EQ(value("CALLERID", type), expected);
  }
  const std::vector<std::tuple<std::string, std::string, std::string>> writes = {
      {"num", "2002", "2002"},          {"name", "Bob", "Bob"},          {"ani", "5550100", "5550100"},
      {"ani-name", "Front", "Front"},   {"dnid", "800", "800"},          {"rdnis", "1234", "1234"},
      {"tag", "trunk-a", "trunk-a"},    {"ton", "33", "33"},             {"pres", "prohib", "prohib"},
      {"num-pres", "0x21", "prohib_passed_screen"},
  };
  for (const auto& [type, v, expected] : writes) {
    SCOPED_TRACE(type);
    ASSERT_TRUE(write("CALLERID", type, v));
    EXPECT_EQ(value("CALLERID", type), expected);
  }
  EXPECT_EQ(value("CALLERID", "all"), "\"Bob\" <2002>");
  EXPECT_EQ(chan->caller().presentation, 0x21);
  ASSERT_TRUE(write("CALLERID", "name", ""));
  EXPECT_EQ(value("CALLERID", "all"), "2002");  // only the part that exists
  // The optional CID argument parses the given text instead of the channel's caller id.
  EXPECT_EQ(value("CALLERID", "name,\"Carol\" <3003>"), "Carol");
  EXPECT_EQ(value("CALLERID", "num,\"Carol\" <3003>"), "3003");
  EXPECT_EQ(value("CALLERID", "bogus"), "ERROR: CALLERID: unknown data type 'bogus'");
  EXPECT_EQ(value("CALLERID", ""), "ERROR: CALLERID: missing data type");
  auto bad = write("CALLERID", "pres", "sometimes");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "CALLERID: unknown presentation 'sometimes'");
  auto none = read("CALLERID", "num", nullptr);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message, "CALLERID: requires a channel");
}

TEST_F(FunctionsFixture, ConnectedLineIsSeparateFromCallerId) {
  ASSERT_TRUE(write("CONNECTEDLINE", "all", "\"Reception\" <100>"));
  EXPECT_EQ(value("CONNECTEDLINE", "name"), "Reception");
  EXPECT_EQ(value("CONNECTEDLINE", "num"), "100");
  EXPECT_EQ(chan->connected().number, "100");
  EXPECT_EQ(chan->caller().number, "");
  ASSERT_TRUE(write("CONNECTEDLINE", "num,i", "101"));
  EXPECT_EQ(value("CONNECTEDLINE", "all"), "\"Reception\" <101>");
  ASSERT_TRUE(write("CONNECTEDLINE", "tag", "x"));
  EXPECT_EQ(value("CONNECTEDLINE", "tag"), "x");
  EXPECT_EQ(value("CALLERID", "tag"), "");
  auto bad = write("CONNECTEDLINE", "num,z", "1");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "CONNECTEDLINE: unknown option 'z'");
  EXPECT_EQ(value("CONNECTEDLINE", "dnid"), "ERROR: CONNECTEDLINE: unknown data type 'dnid'");
}

TEST_F(FunctionsFixture, ChannelItemsReflectTheChannel) {
  chan->set_location({"default", "100", 3});
  chan->set_state(ChannelState::Up);
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"name", chan->name()},   {"uniqueid", chan->uniqueid()}, {"linkedid", chan->linkedid()},
      {"state", "Up"},          {"language", "en"},             {"channeltype", "Test"},
      {"context", "default"},   {"exten", "100"},               {"priority", "3"},
      {"accountcode", ""},      {"callgroup", ""},
  };
  for (const auto& [item, expected] : rows) {
    SCOPED_TRACE(item);
    EXPECT_EQ(value("CHANNEL", item), expected);
  }
  ASSERT_TRUE(write("CHANNEL", "language", "de"));
  EXPECT_EQ(chan->language(), "de");
  ASSERT_TRUE(write("CHANNEL", "accountcode", "acme"));
  EXPECT_EQ(chan->snapshot().accountcode, "acme");
  EXPECT_EQ(value("CHANNEL", "accountcode"), "acme");
  ASSERT_TRUE(write("CHANNEL", "callgroup", "1,3-5"));
  EXPECT_EQ(value("CHANNEL", "callgroup"), "1,3-5");
  auto bad_group = write("CHANNEL", "callgroup", "64");
  ASSERT_FALSE(bad_group);
  EXPECT_EQ(bad_group.error().message, "CHANNEL: bad group list '64' (numbers 0-63)");
  auto ro = write("CHANNEL", "name", "x");
  ASSERT_FALSE(ro);
  EXPECT_EQ(ro.error().message, "CHANNEL: item 'name' cannot be written");
  EXPECT_EQ(value("CHANNEL", "nonsense"), "ERROR: CHANNEL: unknown item 'nonsense'");
}

TEST_F(FunctionsFixture, SetAssignsAndReturnsTheValue) {
  EXPECT_EQ(value("SET", "foo=bar=baz"), "bar=baz");
  EXPECT_EQ(var("foo"), "bar=baz");
  EXPECT_EQ(value("SET", "__inherit=1"), "1");
  auto vars = chan->variables();
  auto it = std::find_if(vars.begin(), vars.end(), [](const Variable& v) { return v.name == "inherit"; });
  ASSERT_NE(it, vars.end());
  EXPECT_EQ(it->inherit, 2);
  EXPECT_EQ(value("SET", "empty="), "");
  EXPECT_EQ(var("empty"), "");
  EXPECT_EQ(value("SET", "novalue"), "ERROR: SET: usage SET(<varname>=[<value>])");
  EXPECT_EQ(value("SET", "=x"), "ERROR: SET: missing variable name");
}

TEST_F(FunctionsFixture, ArrayFunctionsFollowTheDocumentedLoops) {
  // doc: Set(array=one,two,three); While($["${SET(var=${POP(array)})}" != ""]) prints three, two, one.
  chan->set_variable("array", "one,two,three");
  std::vector<std::string> popped;
  for (std::string v; !(v = value("POP", "array")).empty();) popped.push_back(v);
  EXPECT_EQ(popped, (std::vector<std::string>{"three", "two", "one"}));
  EXPECT_EQ(var("array"), "");
  chan->set_variable("array", "one,two,three");
  std::vector<std::string> shifted;
  for (std::string v; !(v = value("SHIFT", "array")).empty();) shifted.push_back(v);
  EXPECT_EQ(shifted, (std::vector<std::string>{"one", "two", "three"}));
  // doc: Set(PUSH(array)=one,two,three) appends; UNSHIFT inserts at the beginning.
  ASSERT_TRUE(write("PUSH", "array", "one,two,three"));
  EXPECT_EQ(var("array"), "one,two,three");
  ASSERT_TRUE(write("PUSH", "array", "four"));
  ASSERT_TRUE(write("UNSHIFT", "array", "zero"));
  EXPECT_EQ(var("array"), "zero,one,two,three,four");
  ASSERT_TRUE(write("PUSH", "path,/", "a"));
  ASSERT_TRUE(write("PUSH", "path,/", "b"));
  EXPECT_EQ(var("path"), "a/b");
  EXPECT_EQ(value("POP", "path,/"), "b");
  EXPECT_EQ(value("POP", "missing"), "");
  EXPECT_FALSE(read("POP", "array", nullptr));
  EXPECT_EQ(value("SHIFT", ""), "ERROR: SHIFT: missing variable name");
}

TEST_F(FunctionsFixture, SharedVariablesLiveOnTheNamedChannel) {
  auto other = engine.request("Test/bob");
  ASSERT_TRUE(other);
  Channel::Ptr bob = *other;
  ASSERT_TRUE(write("SHARED", "room", "7"));
  EXPECT_EQ(value("SHARED", "room"), "7");
  EXPECT_EQ(var("room"), "<unset>");  // not a channel variable
  // Another channel reads and writes it by full name or by prefix.
  EXPECT_EQ(*read("SHARED", "room," + chan->name(), bob.get()), "7");
  EXPECT_EQ(*read("SHARED", "room,Test/alice", bob.get()), "7");
  ASSERT_TRUE(write("SHARED", "room,Test/alice", "8", bob.get()));
  EXPECT_EQ(value("SHARED", "room"), "8");
  EXPECT_EQ(*read("SHARED", "room", bob.get()), "");  // bob's own area is separate
  ASSERT_TRUE(write("SHARED", "room", ""));
  EXPECT_EQ(value("SHARED", "room"), "");
  EXPECT_EQ(value("SHARED", "room,Test/nobody"), "ERROR: SHARED: channel 'Test/nobody' not found");
  // Readable without a calling channel when a channel is named (AMI Getvar).
  ASSERT_TRUE(write("SHARED", "k", "v"));
  auto r = read("SHARED", "k," + chan->name(), nullptr);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "v");
  bob->hangup();
}

TEST_F(FunctionsFixture, HangupCauseReportsWhatDialRecorded) {
  EXPECT_EQ(value("HANGUPCAUSE_KEYS", ""), "");
  dialplan::record_hangup_cause(*chan, "SIP/bob-00000001", HangupCause::UserBusy, "SIP 486 Busy Here");
  dialplan::record_hangup_cause(*chan, "SIP/carol-00000002", HangupCause::NoAnswer, "SIP 480 Temporarily Unavailable");
  EXPECT_EQ(value("HANGUPCAUSE_KEYS", ""), "SIP/bob-00000001,SIP/carol-00000002");
  EXPECT_EQ(value("HANGUPCAUSE", "SIP/bob-00000001,ast"), "17");
  EXPECT_EQ(value("HANGUPCAUSE", "SIP/bob-00000001,tech"), "SIP 486 Busy Here");
  EXPECT_EQ(value("HANGUPCAUSE", "SIP/carol-00000002,ast"), "19");
  EXPECT_EQ(value("HANGUPCAUSE", "SIP/dave-1,ast"), "ERROR: HANGUPCAUSE: no hangup cause recorded for channel 'SIP/dave-1'");
  EXPECT_EQ(value("HANGUPCAUSE", "SIP/bob-00000001"), "ERROR: HANGUPCAUSE: missing type (tech or ast)");
  EXPECT_EQ(value("HANGUPCAUSE", "SIP/bob-00000001,q850"), "ERROR: HANGUPCAUSE: unknown type 'q850' (tech or ast)");
}

TEST_F(FunctionsFixture, TimeFunctionsTable) {
  const std::vector<std::pair<std::string, std::pair<std::string, std::string>>> rows = {
      // doc: STRPTIME(2006-03-01 07:30:35,America/Chicago,%Y-%m-%d %H:%M:%S) = 1141219835
      {"STRPTIME", {"2006-03-01 07:30:35,America/Chicago,%Y-%m-%d %H:%M:%S", "1141219835"}},
      {"STRPTIME", {"2006-03-01 13:30:35,UTC,%Y-%m-%d %H:%M:%S", "1141219835"}},
      {"STRFTIME", {"1141219835,America/Chicago,%Y-%m-%d %H:%M:%S", "2006-03-01 07:30:35"}},
      {"STRFTIME", {"1141219835,Europe/Berlin,%H:%M %Z", "14:30 CET"}},
      {"STRFTIME", {"1141219835.25,UTC,%S.%q|%1q|%6q", "35.250|2|250000"}},
      {"STRFTIME", {"0,UTC,%d/%m/%Y, %H", "01/01/1970, 00"}},  // commas in the format
      {"STRFTIME", {"abc,UTC,%Y", "ERROR: STRFTIME: bad epoch 'abc'"}},
      {"STRFTIME", {"0,Mars/Olympus,%Y", "ERROR: STRFTIME: unknown timezone 'Mars/Olympus'"}},
      {"STRPTIME", {"yesterday,UTC,%Y-%m-%d", "ERROR: STRPTIME: 'yesterday' does not match format '%Y-%m-%d'"}},
      {"STRPTIME", {"2006-03-01", "ERROR: STRPTIME: usage STRPTIME(<datetime>,<timezone>,<format>)"}},
  };
  for (const auto& [fn, io] : rows) {
    SCOPED_TRACE(fn + "(" + io.first + ")");
    EXPECT_EQ(value(fn, io.first), io.second);
  }
  // Without an epoch: now.
  auto now = std::stoll(value("STRFTIME", ",UTC,%s"));
  EXPECT_LE(std::llabs(now - static_cast<long long>(std::time(nullptr))), 2);
}

TEST_F(FunctionsFixture, IfTimeMatchesTimeSpecifications) {
  // 1700000000 is Tuesday 14 November 2023, 22:13:20 UTC (16:13:20 in Chicago).
  chan->set_variable("IFTIME_NOW", "1700000000");
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"*,*,*,*?yes:no", "yes"},
      {"22:00-22:59,tue,14,nov,UTC?yes:no", "yes"},
      {"22:00-22:13,*,*,*,UTC?yes:no", "yes"},   // the end minute is included
      {"22:14-23:00,*,*,*,UTC?yes:no", "no"},
      {"21:00-06:00,*,*,*,UTC?night:day", "night"},  // wraps over midnight
      {"09:00-17:59,mon-fri,*,*,America/Chicago?open:closed", "open"},
      {"09:00-17:59,sat&sun,*,*,America/Chicago?open:closed", "closed"},
      {"*,fri-tue,*,*,UTC?yes:no", "yes"},       // weekday range wraps
      {"*,*,1-13,*,UTC?yes:no", "no"},
      {"*,*,*,jan-mar&nov,UTC?yes:no", "yes"},
      {"*|tue|*|*?old:new", "old"},              // pre-1.6 '|' separators
      {"*,wed,*,*,UTC?yes", ""},
      {"25:00-26:00,*,*,*?a:b", "ERROR: IFTIME: bad time range '25:00-26:00'"},
      {"*,funday,*,*?a:b", "ERROR: IFTIME: bad weekday range 'funday'"},
      {"*,*,32,*?a:b", "ERROR: IFTIME: bad day-of-month range '32'"},
      {"*,*,*,smarch?a:b", "ERROR: IFTIME: bad month range 'smarch'"},
      {"*,*?a:b", "ERROR: IFTIME: time specification needs times,weekdays,mdays,months[,timezone]"},
      {"*,*,*,*", "ERROR: IFTIME: usage IFTIME(<timespec>?[<true>][:<false>])"},
  };
  for (const auto& [args, expected] : rows) {
    SCOPED_TRACE(args);
    EXPECT_EQ(value("IFTIME", args), expected);
  }
}

TEST_F(FunctionsFixture, DatabaseFunctionsUseTheEngineAstDb) {
  // doc: Set(DB(test/count)=1), Set(COUNT=${DB(test/count)}).
  ASSERT_TRUE(write("DB", "test/count", "1"));
  EXPECT_EQ(value("DB", "test/count"), "1");
  EXPECT_EQ(*engine.astdb().get("test", "count"), std::optional<std::string>("1"));
  EXPECT_TRUE(std::filesystem::exists(dir / "db/astdb.sqlite3"));
  EXPECT_EQ(value("DB", "test/missing"), "");
  EXPECT_EQ(value("DB_EXISTS", "test/count"), "1");
  EXPECT_EQ(var("DB_RESULT"), "1");
  chan->set_variable("DB_RESULT", "stale");
  EXPECT_EQ(value("DB_EXISTS", "test/missing"), "0");
  EXPECT_EQ(var("DB_RESULT"), "stale");  // only set when the key exists
  ASSERT_TRUE(write("DB", "cf/1001/busy", "2002"));
  ASSERT_TRUE(write("DB", "cf/1001/noanswer", "2003"));
  ASSERT_TRUE(write("DB", "cf/1000", "x"));
  EXPECT_EQ(value("DB_KEYS", ""), "cf,test");
  EXPECT_EQ(value("DB_KEYS", "cf"), "1000,1001");
  EXPECT_EQ(value("DB_KEYS", "cf/1001"), "busy,noanswer");
  EXPECT_EQ(value("DB_KEYS", "nothing"), "");
  // doc: Verbose(0, The value was ${DB_DELETE(test/count)}) deletes and returns.
  EXPECT_EQ(value("DB_DELETE", "test/count"), "1");
  EXPECT_EQ(value("DB_EXISTS", "test/count"), "0");
  EXPECT_EQ(value("DB_DELETE", "test/count"), "");
  EXPECT_EQ(value("DB", "nokey"), "ERROR: DB: expected <family>/<key>, got 'nokey'");
  EXPECT_EQ(value("DB", "/fam/"), "ERROR: DB: expected <family>/<key>, got 'fam/'");
}

TEST(FunctionsStorage, DbFunctionsReportAnUnwritableDatabaseDirectory) {
  testkit::TempDir dir("funcs-ro");
  testkit::write_file(dir / "file", "not a directory");
  EngineOptions o;
  o.threads = 1;
  o.dirs.db = dir / "file";  // a regular file where the directory should be
  Engine engine(o);
  dialplan::register_builtin_functions(engine);
  auto fn = engine.functions().find("DB");
  ASSERT_TRUE(fn);
  auto r = fn->read(dialplan::FunctionCall{engine, nullptr, "DB", "a/b"});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("DB: "), std::string::npos);
  EXPECT_NE(r.error().message.find("cannot open database"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find((dir / "file" / "astdb.sqlite3").string()), std::string::npos) << r.error().message;
}
