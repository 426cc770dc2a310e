// The functions of issue 16 that need no running dialplan: text (STRREPLACE, STRBETWEEN, TRIM,
// KEYPADHASH, URI*), hashes and arrays (HASH, HASHKEYS, ARRAY, SORT), numbers (INC, DEC, MIN, MAX,
// ABS), AES, files (FILE, FILE_COUNT_LINE, FILE_FORMAT, STAT), the host (SHELL, SYSINFO, VERSION),
// JSON_DECODE, other channels (CHANNELS, CHANNEL_EXISTS, MASTER_CHANNEL, IMPORT), REDIRECTING,
// CALLERPRES, groups, locks and DIALGROUP. Rows marked "doc" are examples of Asterisk's own
// documentation; the others are values Asterisk gives for the same input.
#include <sys/stat.h>

#include "funcs_test_support.hpp"
#include "telephony/astdb.hpp"

using namespace funcs_test;

namespace {

struct Row {
  std::string function;
  std::string args;
  std::string expected;  // "ERROR: ..." expects that error message
};

void run_rows(FunctionsFixture& f, const std::vector<Row>& rows) {
  for (const auto& row : rows) {
    SCOPED_TRACE(row.function + "(" + row.args + ")");
    EXPECT_EQ(f.value(row.function, row.args), row.expected);
  }
}

}  // namespace

TEST_F(FunctionsFixture, TextFunctionsTable) {
  chan->set_variable("digits", "5551212");
  chan->set_variable("path", "a/b/c/b");
  run_rows(*this, {
                      {"STRREPLACE", "path,b,XY", "a/XY/c/XY"},
                      {"STRREPLACE", "path,b,XY,1", "a/XY/c/b"},
                      {"STRREPLACE", "path,/", "abcb"},  // no replacement: deleted
                      {"STRREPLACE", "path,b,,0", "a//c/"},   // 0 or less: unlimited
                      {"STRREPLACE", "CHANNEL(name),Test,T", "T" + chan->name().substr(4)},
                      {"STRREPLACE", "path", "ERROR: STRREPLACE: usage STRREPLACE(<varname>,<find-string>[,<replace-string>[,<max-replacements>]])"},
                      {"STRREPLACE", "path,", "ERROR: STRREPLACE: no <find-string> specified"},
                      {"STRBETWEEN", "digits,w", "5w5w5w1w2w1w2"},  // doc
                      {"STRBETWEEN", "missing,w", ""},
                      {"STRBETWEEN", "digits", "ERROR: STRBETWEEN: usage STRBETWEEN(<varname>,<insert-string>)"},
                      {"TRIM", "  a b \t", "a b"},
                      {"LTRIM", "  a b ", "a b "},
                      {"RTRIM", "  a b ", "  a b"},
                      {"PASSTHRU", "Test/321-1", "Test/321-1"},
                      {"KEYPADHASH", "Les", "537"},  // doc
                      {"KEYPADHASH", "1-800-FLOWERS", "18003569377"},
                      {"URIENCODE", "a b&c=d/é", "a%20b%26c%3Dd%2F%C3%A9"},
                      {"URIENCODE", "-_.!~*'()", "-_.!~*'()"},
                      {"URIDECODE", "a%20b%26c%3dd%2F%C3%A9", "a b&c=d/é"},
                      {"URIDECODE", "100%+x%4", "100%+x%4"},  // not an escape: kept, + stays
                  });
  // The documented CUT(PASSTHRU(...)) idiom: the inner value is read as a variable name.
  chan->set_variable("CHANNELNAME", "SIP/321-1");
  EXPECT_EQ(value("STRREPLACE", "CHANNELNAME,-1"), "SIP/321");
  // List functions read built-in variables as Asterisk does: ${CUT(CHANNEL,-,1)} is the device.
  const std::string name = chan->name();
  EXPECT_EQ(value("CUT", "CHANNEL,-,1"), name.substr(0, name.rfind('-')));
  EXPECT_EQ(value("FIELDQTY", "CHANNEL,/"), "2");
}

TEST_F(FunctionsFixture, HashesKeepAsteriskVariableNamesAndNewestFirstKeys) {
  ASSERT_TRUE(write("HASH", "cfg,color", "red"));
  ASSERT_TRUE(write("HASH", "cfg,size", "big"));
  ASSERT_TRUE(write("HASH", "_inh,k", "v"));
  EXPECT_EQ(value("HASH", "cfg,color"), "red");
  EXPECT_EQ(var("~HASH~cfg~color~"), "red");  // the same variable Asterisk uses
  EXPECT_EQ(value("HASHKEYS", "cfg"), "size,color");  // most recently set first, as Asterisk
  ASSERT_TRUE(write("HASH", "cfg,color", "blue"));
  EXPECT_EQ(value("HASHKEYS", "cfg"), "color,size");
  // _hash: inherited by channels created from this one.
  auto vars = chan->variables();
  auto it = std::find_if(vars.begin(), vars.end(), [](const Variable& v) { return v.name == "~HASH~inh~k~"; });
  ASSERT_NE(it, vars.end());
  EXPECT_EQ(it->inherit, 1);
  // Single-argument read: the values in HASHKEYS order, and the keys for a following write.
  EXPECT_EQ(value("HASH", "cfg"), "blue,big");
  EXPECT_EQ(var("~ODBCFIELDS~"), "color,size");
  ASSERT_TRUE(write("HASH", "copy", "green,small"));
  EXPECT_EQ(value("HASH", "copy,color"), "green");
  EXPECT_EQ(value("HASH", "copy,size"), "small");
  EXPECT_EQ(value("HASH", "cfg,missing"), "");
  EXPECT_EQ(value("HASHKEYS", "nothing"), "");
}

TEST_F(FunctionsFixture, ArrayAndSortTable) {
  ASSERT_TRUE(write("ARRAY", "var1,var2", "1,2"));  // doc
  EXPECT_EQ(var("var1"), "1");
  EXPECT_EQ(var("var2"), "2");
  ASSERT_TRUE(write("ARRAY", "a,b,c", "x"));
  EXPECT_EQ(var("a"), "x");
  EXPECT_EQ(var("b"), "");
  EXPECT_EQ(var("c"), "");
  EXPECT_FALSE(read("ARRAY", "a"));  // write-only
  run_rows(*this, {
                      {"SORT", "a:3,b:1.5,c:2", "b,c,a"},
                      {"SORT", "a:1,b:1,c:0", "c,a,b"},  // equal values keep their order
                      {"SORT", "a:-1,junk,b:-2", "b,a"},
                      {"SORT", "", "ERROR: SORT: requires an argument"},
                  });
}

TEST_F(FunctionsFixture, NumberFunctionsTable) {
  chan->set_variable("n", "41");
  EXPECT_EQ(value("INC", "n"), "42");
  EXPECT_EQ(var("n"), "42");
  EXPECT_EQ(value("DEC", "n"), "41");
  EXPECT_EQ(value("DEC", "n"), "40");
  chan->set_variable("word", "12abc");
  run_rows(*this, {
                      {"INC", "word", "ERROR: INC: the content of ${word} is not an integer: '12abc'"},
                      {"INC", "nothing", "ERROR: INC: variable nothing doesn't exist"},
                      {"MIN", "7,4", "4"},  // doc
                      {"MAX", "4,7", "7"},  // doc
                      {"MIN", "1.5,2", "1.500000"},
                      {"MAX", ",9", "9"},
                      {"MIN", "3,", "3"},
                      {"MAX", "-1,-2", "-1"},
                      {"MIN", "x,1", "ERROR: MIN: 'x' is not a valid number"},
                      {"MIN", ",", "ERROR: MIN: missing argument for number(s)"},
                      {"ABS", "-13", "13"},  // doc
                      {"ABS", "-2.5", "2.500000"},
                      {"ABS", "q", "ERROR: ABS: bad or missing argument for number: 'q'"},
                  });
}

TEST_F(FunctionsFixture, AesRoundTripsInAsterisksFormat) {
  // AES-128-ECB of "Hello World" zero-padded to 16 bytes with this key, base64 (openssl enc
  // -aes-128-ecb -nopad gives the same bytes).
  const std::string key = "abcdefghijklmnop";
  auto enc = value("AES_ENCRYPT", key + ",Hello World");
  EXPECT_EQ(enc.size(), 24u);  // one block
  EXPECT_EQ(value("AES_DECRYPT", key + "," + enc), "Hello World");
  auto two = value("AES_ENCRYPT", key + ",exactly sixteen!and more");
  EXPECT_EQ(two.size(), 44u);  // two blocks
  EXPECT_EQ(value("AES_DECRYPT", key + "," + two), "exactly sixteen!and more");
  EXPECT_EQ(value("AES_ENCRYPT", "short,text"), "ERROR: AES_ENCRYPT: <key> must be exactly 16 characters");
  EXPECT_EQ(value("AES_DECRYPT", key), "ERROR: AES_DECRYPT: usage AES_DECRYPT(<key>,<data>)");
  // Cross-check with the openssl tool when present (the same cipher, no padding).
  auto tool = std::string("printf 'Hello World\\0\\0\\0\\0\\0' | openssl enc -aes-128-ecb -nopad -K ") +
              "6162636465666768696a6b6c6d6e6f70 2>/dev/null | base64";
  if (FILE* p = ::popen(tool.c_str(), "r")) {
    char buf[128] = {};
    if (std::fgets(buf, sizeof buf, p)) {
      std::string expected(buf);
      while (!expected.empty() && expected.back() == '\n') expected.pop_back();
      EXPECT_EQ(enc, expected);
    }
    ::pclose(p);
  }
}

TEST_F(FunctionsFixture, FileReadsAndWritesBytesAndLines) {
  const auto path = (dir / "test.txt").string();
  testkit::write_file(path, "line1\nline2\nline3\nline4\n");
  run_rows(*this, {
                      {"FILE", path + ",0,5", "line1"},
                      {"FILE", path + ",6,5", "line2"},
                      {"FILE", path + ",-6", "line4\n"},
                      {"FILE", path + ",0,-18", "line1\n"},
                      {"FILE", path + ",1,1,l", "line2\n"},
                      {"FILE", path + ",1,2,l", "line2\nline3\n"},
                      {"FILE", path + ",2,,l", "line3\nline4\n"},
                      {"FILE", path + ",-1,,l", "line4\n"},
                      {"FILE", path + ",1,-2,l", "line2\n"},
                      {"FILE_COUNT_LINE", path, "4"},
                      {"FILE_FORMAT", path, "u"},
                      {"FILE", path + ",9,,l", ""},
                      {"FILE", path + ",-9,,l", "ERROR: FILE: offset -9 refers to before the beginning of the file"},
                      {"FILE", (dir / "none").string(), "ERROR: FILE: cannot open '" + (dir / "none").string() + "' for reading"},
                      {"FILE_COUNT_LINE", (dir / "none").string(), "-1"},
                  });
  // Line mode writes: replace the first line, append, delete a line with d.
  ASSERT_TRUE(write("FILE", path + ",0,1,l", "first"));
  EXPECT_EQ(testkit::read_file(path), "first\nline2\nline3\nline4\n");
  ASSERT_TRUE(write("FILE", path + ",,,al", "five"));
  EXPECT_EQ(testkit::read_file(path), "first\nline2\nline3\nline4\nfive\n");
  ASSERT_TRUE(write("FILE", path + ",1,1,ld", ""));
  EXPECT_EQ(testkit::read_file(path), "first\nline3\nline4\nfive\n");
  ASSERT_TRUE(write("FILE", path + ",-1,,l", "last"));
  EXPECT_EQ(testkit::read_file(path), "first\nline3\nline4\nlast\n");
  // Byte mode: overwrite, splice, append, truncate after.
  ASSERT_TRUE(write("FILE", path, "bar"));
  EXPECT_EQ(testkit::read_file(path), "bar");
  ASSERT_TRUE(write("FILE", path + ",,,a", "baz"));
  EXPECT_EQ(testkit::read_file(path), "barbaz");
  ASSERT_TRUE(write("FILE", path + ",0,1", "B"));
  EXPECT_EQ(testkit::read_file(path), "Barbaz");
  ASSERT_TRUE(write("FILE", path + ",3,0", "-"));  // insert
  EXPECT_EQ(testkit::read_file(path), "Bar-baz");
  ASSERT_TRUE(write("FILE", path + ",3", "!"));  // write and truncate after
  EXPECT_EQ(testkit::read_file(path), "Bar!");
  // DOS files keep their terminators.
  const auto dos = (dir / "dos.txt").string();
  testkit::write_file(dos, "a\r\nb\r\n");
  EXPECT_EQ(value("FILE_FORMAT", dos), "d");
  EXPECT_EQ(value("FILE", dos + ",1,1,l"), "b\r\n");
  ASSERT_TRUE(write("FILE", dos + ",,,al", "c"));
  EXPECT_EQ(testkit::read_file(dos), "a\r\nb\r\nc\r\n");
  // STAT
  ::chmod(path.c_str(), 0640);
  run_rows(*this, {
                      {"STAT", "e," + path, "1"},
                      {"STAT", "f," + path, "1"},
                      {"STAT", "d," + dir.path().string(), "1"},
                      {"STAT", "s," + path, "4"},
                      {"STAT", "m," + path, "100640"},
                      {"STAT", "e," + (dir / "none").string(), "0"},
                      {"STAT", "x," + path, "ERROR: STAT: unknown flag 'x' (d e f m s A C M)"},
                  });
  EXPECT_NEAR(std::stoll(value("STAT", "M," + path)), static_cast<long long>(std::time(nullptr)), 5);
}

TEST_F(FunctionsFixture, HostFunctions) {
  // SHELL without a running dialplan runs at once (AMI); the dialplan path is in pbx tests.
  EXPECT_EQ(value("SHELL", "echo bar"), "bar\n");  // doc: Set(foo=${SHELL(echo bar)})
  EXPECT_EQ(value("SHELL", "printf 'a,b'"), "a,b");
  EXPECT_EQ(value("SHELL", ""), "ERROR: SHELL: missing argument; example: Set(foo=${SHELL(echo \"bar\")})");
  EXPECT_EQ(value("SYSINFO", "numcalls"), std::to_string(engine.channel_count()));
  EXPECT_GT(std::stoll(value("SYSINFO", "totalram")), 0);
  EXPECT_GT(std::stoll(value("SYSINFO", "numprocs")), 0);
  EXPECT_NE(value("SYSINFO", "loadavg").find('.'), std::string::npos);
  EXPECT_EQ(value("SYSINFO", "bogus"), "ERROR: SYSINFO: unknown sysinfo parameter type 'bogus'");
  EXPECT_EQ(value("VERSION", ""), TELEPHONY_VERSION);
  EXPECT_EQ(value("VERSION", "ASTERISK_VERSION_NUM"), "00100");  // 0.1.0 in Asterisk's layout
  EXPECT_FALSE(value("VERSION", "BUILD_OS").empty());
}

TEST_F(FunctionsFixture, JsonDecodeTable) {
  chan->set_variable("doc", R"({"name":"Alice","n":42,"pi":3.5,"ok":true,"no":false,"none":null,)"
                            R"("list":[10,{"k":"v"},"s"],"obj":{"a":{"b":"deep"}},"esc":"t\u00e9\n\"x\""})");
  chan->set_variable("arr", R"([{"id":7},{"id":8}])");
  chan->set_variable("bad", R"({"a":)");
  run_rows(*this, {
                      {"JSON_DECODE", "doc,name", "Alice"},
                      {"JSON_DECODE", "doc,n", "42"},
                      {"JSON_DECODE", "doc,pi", "3.5"},
                      {"JSON_DECODE", "doc,ok", "1"},
                      {"JSON_DECODE", "doc,no", "0"},
                      {"JSON_DECODE", "doc,none", ""},
                      {"JSON_DECODE", "doc,missing", ""},
                      {"JSON_DECODE", "doc,list", R"([10,{"k":"v"},"s"])"},
                      {"JSON_DECODE", "doc,list,,c", "3"},
                      {"JSON_DECODE", "doc,list.1.k", "v"},
                      {"JSON_DECODE", "doc,list.9", ""},
                      {"JSON_DECODE", "doc,obj.a.b", "deep"},
                      {"JSON_DECODE", "doc,obj/a/b,/", "deep"},
                      {"JSON_DECODE", "doc,obj", R"({"a":{"b":"deep"}})"},
                      {"JSON_DECODE", "doc,esc", "té\n\"x\""},
                      {"JSON_DECODE", "arr,1.id", "8"},
                      {"JSON_DECODE", "empty,x", ""},
                      {"JSON_DECODE", "doc", "ERROR: JSON_DECODE: requires a key"},
                      {"JSON_DECODE", "doc,a,::", "ERROR: JSON_DECODE: nesting separator '::' must be a single character"},
                      {"JSON_DECODE", "bad,a", "ERROR: JSON_DECODE: variable bad is not JSON: JSON: unexpected end of text at offset 5"},
                  });
}

TEST_F(FunctionsFixture, OtherChannelsAreReachable) {
  auto bob = *engine.request("Test/bob", chan.get());
  bob->set_variable("SECRET", "42");
  chan->set_variable("MINE", "m");
  run_rows(*this, {
                      {"CHANNEL_EXISTS", chan->name(), "1"},
                      {"CHANNEL_EXISTS", bob->uniqueid(), "1"},
                      {"CHANNEL_EXISTS", "Test/nobody-1", "0"},
                      {"CHANNELS", "", bob->name() < chan->name() ? bob->name() + " " + chan->name() : chan->name() + " " + bob->name()},
                      {"CHANNELS", "test/BOB", bob->name()},  // case-insensitive regex
                      {"IMPORT", bob->name() + ",SECRET", "42"},
                      {"IMPORT", bob->name() + ",CHANNEL(name)", bob->name()},
                      {"IMPORT", "Test/nobody-1,SECRET", ""},
                  });
  EXPECT_EQ(value("CHANNELS", "[").rfind("ERROR: CHANNELS: invalid regular expression '[': ", 0), 0u);
  // bob was created by (and is linked to) chan: its master channel is chan.
  EXPECT_EQ(*read("MASTER_CHANNEL", "MINE", bob.get()), "m");
  ASSERT_TRUE(write("MASTER_CHANNEL", "FROMBOB", "hello", bob.get()));
  EXPECT_EQ(var("FROMBOB"), "hello");
  EXPECT_EQ(*read("MASTER_CHANNEL", "MINE"), "m");  // its own master is itself
  bob->hangup();
}

TEST_F(FunctionsFixture, RedirectingAndCallerPres) {
  ASSERT_TRUE(write("REDIRECTING", "from-all", "\"Bob\" <2000>"));
  ASSERT_TRUE(write("REDIRECTING", "to-num", "3000"));
  ASSERT_TRUE(write("REDIRECTING", "reason", "no-answer"));  // a SIP alias
  ASSERT_TRUE(write("REDIRECTING", "count", "2"));
  ASSERT_TRUE(write("REDIRECTING", "from-pres", "prohib"));
  run_rows(*this, {
                      {"REDIRECTING", "from-num", "2000"},
                      {"REDIRECTING", "from-name", "Bob"},
                      {"REDIRECTING", "from-all", "\"Bob\" <2000>"},
                      {"REDIRECTING", "to-num", "3000"},
                      {"REDIRECTING", "to-num-valid", "1"},
                      {"REDIRECTING", "orig-num-valid", "0"},
                      {"REDIRECTING", "reason", "cfnr"},
                      {"REDIRECTING", "orig-reason", "unknown"},
                      {"REDIRECTING", "count", "2"},
                      {"REDIRECTING", "from-name-pres", "prohib"},
                      {"REDIRECTING", "pres", "prohib"},
                      {"REDIRECTING", "priv-from-num", ""},
                      {"CALLERID", "rdnis", "2000"},  // the same field, as in Asterisk
                      {"REDIRECTING", "sideways", "ERROR: REDIRECTING: unknown data type 'sideways'"},
                  });
  ASSERT_TRUE(write("REDIRECTING", "reason", "Vacation \"away\""));  // user-defined: kept
  EXPECT_EQ(value("REDIRECTING", "reason"), "Vacation \"away\"");
  ASSERT_TRUE(write("CALLERPRES", "", "prohib_passed_screen"));
  EXPECT_EQ(value("CALLERPRES", ""), "prohib_passed_screen");
  EXPECT_EQ(chan->caller().presentation, 0x21);
  EXPECT_FALSE(write("CALLERPRES", "", "hidden"));
}

TEST_F(FunctionsFixture, GroupsCountLiveChannels) {
  auto bob = *engine.request("Test/bob");
  auto carol = *engine.request("Test/carol");
  ASSERT_TRUE(write("GROUP", "", "sales"));
  ASSERT_TRUE(write("GROUP", "trunk", "out1"));
  ASSERT_TRUE(write("GROUP", "", "sales", bob.get()));
  ASSERT_TRUE(write("GROUP", "", "support@dept", carol.get()));
  run_rows(*this, {
                      {"GROUP", "", "sales"},
                      {"GROUP", "trunk", "out1"},
                      {"GROUP_COUNT", "sales", "2"},
                      {"GROUP_COUNT", "SALES", "2"},
                      {"GROUP_COUNT", "", "2"},  // this channel's own (first) group
                      {"GROUP_COUNT", "out1@trunk", "1"},
                      {"GROUP_COUNT", "out1@other", "0"},
                      {"GROUP_MATCH_COUNT", "s.*", "3"},
                      {"GROUP_MATCH_COUNT", "s.*@de", "1"},
                      {"GROUP_MATCH_COUNT", "[", "0"},
                      {"GROUP_LIST", "", "sales out1@trunk"},
                  });
  EXPECT_EQ(*read("GROUP", "dept", carol.get()), "support");
  // A new group in the same category replaces the old one; an empty value leaves it.
  ASSERT_TRUE(write("GROUP", "", "marketing"));
  EXPECT_EQ(value("GROUP_COUNT", "sales"), "1");
  ASSERT_TRUE(write("GROUP", "trunk", ""));
  EXPECT_EQ(value("GROUP_LIST", ""), "marketing");
  // A hung-up channel no longer counts.
  bob->hangup();
  ASSERT_TRUE(testkit::eventually([&] { return value("GROUP_COUNT", "sales") == "0"; }));
  auto shown = engine.commands().execute("group show channels");
  EXPECT_EQ(shown.status, 0);
  EXPECT_NE(shown.output.find(chan->name()), std::string::npos);
  EXPECT_NE(shown.output.find("(default)"), std::string::npos);
  EXPECT_NE(shown.output.find("2 active channels"), std::string::npos);
  EXPECT_NE(engine.commands().execute("group show channels ^supp").output.find("1 active channel\n"), std::string::npos);
  carol->hangup();
}

TEST_F(FunctionsFixture, LocksBelongToOneChannel) {
  auto bob = *engine.request("Test/bob");
  EXPECT_EQ(value("LOCK", "door"), "1");
  EXPECT_EQ(value("TRYLOCK", "door"), "1");  // the owner may take it again (counted)
  EXPECT_EQ(*read("TRYLOCK", "door", bob.get()), "0");
  EXPECT_EQ(*read("LOCK", "door", bob.get()), "0");  // outside a dialplan LOCK does not wait
  EXPECT_EQ(*read("UNLOCK", "door", bob.get()), "0");
  EXPECT_EQ(value("UNLOCK", "door"), "1");
  EXPECT_EQ(*read("TRYLOCK", "door", bob.get()), "0");  // still held once
  EXPECT_EQ(value("UNLOCK", "door"), "1");
  EXPECT_EQ(*read("TRYLOCK", "door", bob.get()), "1");
  // The owner's hangup frees it.
  bob->hangup();
  ASSERT_TRUE(testkit::eventually([&] { return value("TRYLOCK", "door") == "1"; }));
  EXPECT_EQ(value("LOCK", ""), "ERROR: LOCK: missing lock name");
}

TEST_F(FunctionsFixture, DialGroupsPersistInAstDb) {
  ASSERT_TRUE(write("DIALGROUP", "mygroup,add", "SIP/10"));  // doc
  ASSERT_TRUE(write("DIALGROUP", "mygroup,add", "SIP/20&SIP/10"));
  EXPECT_EQ(value("DIALGROUP", "mygroup"), "SIP/10&SIP/20");
  ASSERT_TRUE(write("DIALGROUP", "mygroup,del", "SIP/10"));
  EXPECT_EQ(value("DIALGROUP", "mygroup"), "SIP/20");
  ASSERT_TRUE(write("DIALGROUP", "mygroup", "Local/1@x&Local/2@x"));  // replaces
  EXPECT_EQ(value("DIALGROUP", "mygroup"), "Local/1@x&Local/2@x");
  auto stored = engine.astdb().get("dialgroup", "mygroup");
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ(**stored, "Local/1@x&Local/2@x");
  EXPECT_EQ(value("DIALGROUP", "other"), "ERROR: DIALGROUP: no such dialgroup 'other'");
  EXPECT_FALSE(write("DIALGROUP", "mygroup,swap", "x"));
}

TEST_F(FunctionsFixture, NewFunctionsAreDocumented) {
  const char* names[] = {"STRREPLACE", "STRBETWEEN", "TRIM", "LTRIM", "RTRIM", "PASSTHRU", "KEYPADHASH", "URIENCODE",
                         "URIDECODE", "HASH", "HASHKEYS", "ARRAY", "SORT", "INC", "DEC", "MIN", "MAX", "ABS",
                         "AES_ENCRYPT", "AES_DECRYPT", "FILE", "FILE_COUNT_LINE", "FILE_FORMAT", "STAT", "SHELL",
                         "SYSINFO", "VERSION", "JSON_DECODE", "CHANNELS", "CHANNEL_EXISTS", "MASTER_CHANNEL", "IMPORT",
                         "REDIRECTING", "CALLERPRES", "GROUP", "GROUP_COUNT", "GROUP_MATCH_COUNT", "GROUP_LIST", "LOCK",
                         "TRYLOCK", "UNLOCK", "DIALGROUP", "DIALPLAN_EXISTS", "VALID_EXTEN", "EVAL", "EVAL_EXTEN"};
  for (auto* n : names) {
    SCOPED_TRACE(n);
    auto fn = engine.functions().find(n);
    ASSERT_TRUE(fn);
    EXPECT_FALSE(fn->doc.synopsis.empty());
    EXPECT_FALSE(fn->doc.description.empty());
    EXPECT_EQ(fn->doc.syntax.rfind(n, 0), 0u) << fn->doc.syntax;
  }
}
