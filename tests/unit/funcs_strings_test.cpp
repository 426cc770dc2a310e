// The string, list, logic, math and encoding functions, table-driven: each row sets channel
// variables, calls one function as the dialplan would and expects its value (or its error).
// Rows marked "doc" are the examples of Asterisk's own function documentation.
#include <set>

#include "funcs_test_support.hpp"

using namespace funcs_test;

namespace {

struct Row {
  std::vector<std::pair<std::string, std::string>> vars;
  std::string function;
  std::string args;
  std::string expected;  // "ERROR: ..." expects that error message
};

void run_rows(FunctionsFixture& f, const std::vector<Row>& rows) {
  for (const auto& row : rows) {
    for (const auto& [k, v] : row.vars) f.chan->set_variable(k, v);
    SCOPED_TRACE(row.function + "(" + row.args + ")");
    EXPECT_EQ(f.value(row.function, row.args), row.expected);
  }
}

}  // namespace

TEST_F(FunctionsFixture, StringFunctionsTable) {
  run_rows(*this, {
      {{}, "LEN", "example", "7"},                              // doc
      {{}, "LEN", "a,b", "3"},
      {{}, "LEN", "", "0"},
      {{}, "TOUPPER", "Example", "EXAMPLE"},                    // doc
      {{}, "TOLOWER", "Example", "example"},                    // doc
      {{}, "EXISTS", "x", "1"},
      {{}, "EXISTS", "", "0"},
      {{}, "ISNULL", "", "1"},
      {{}, "ISNULL", "0", "0"},
      {{}, "FILTER", "0-9,(555) 123-4567", "5551234567"},
      {{}, "FILTER", "a-z\\-,a-b_c-d", "a-bc-d"},
      {{}, "FILTER", "\\x41-\\x43,ABCDE", "ABC"},
      {{}, "FILTER", "0-9,1,2,3", "123"},                      // everything after the first comma
      {{}, "FILTER", "9-0,123", "ERROR: FILTER: range is backwards ('9-0')"},
      {{}, "FILTER", "abc", "ERROR: FILTER: usage FILTER(<allowed-chars>,<string>)"},
      {{{"phone", "555-123-4567"}}, "REPLACE", "phone,-", "5551234567"},
      {{{"phone", "555-123.4567"}}, "REPLACE", "phone,-.,_", "555_123_4567"},
      {{}, "REPLACE", "phone", "ERROR: REPLACE: missing characters to find"},
      {{}, "QUOTE", "ab\"c\"de", "\"ab\\\"c\\\"de\""},           // doc
      {{}, "QUOTE", "back\\slash", "\"back\\\\slash\""},
      {{}, "CSV_QUOTE", "\"a,b\" 123", "\"\"\"a,b\"\" 123\""},   // doc
      {{}, "REGEX", "\"^[0-9]+$\" 12345", "1"},
      {{}, "REGEX", "\"^[0-9]+$\" 123a5", "0"},
      {{}, "REGEX", "\"^ x\"  x", "1"},                        // the second space belongs to the string
      {{}, "REGEX", "\"^abc\"abcdef", "1"},                    // the separating space is optional
      {{}, "REGEX", "\"(\" x", "ERROR: REGEX: invalid regular expression '(': "
                              "Unmatched ( or \\("},
      {{}, "REGEX", "\"abc x", "ERROR: REGEX: missing closing quote of the regular expression"},
      {{}, "SPRINTF", "%s-%03d-%.2f-%x-%c%%,a,7,3.14159,255,Z", "a-007-3.14-ff-Z%"},
      {{}, "SPRINTF", "%s,one,two", "one"},
      {{}, "SPRINTF", "%5s|%-5s|,ab,ab", "   ab|ab   |"},
      {{}, "SPRINTF", "%y,1", "ERROR: SPRINTF: unsupported conversion '%y'"},
      {{}, "SPRINTF", "100%", "ERROR: SPRINTF: incomplete conversion at end of format"},
  });
}

TEST_F(FunctionsFixture, ListFunctionsTable) {
  run_rows(*this, {
      {{{"example", "ex-amp-le"}}, "FIELDQTY", "example,-", "3"},     // doc
      {{{"example", "ex-amp-le"}}, "FIELDNUM", "example,-,amp", "2"}, // doc
      {{{"example", "ex-amp-le"}}, "FIELDNUM", "example,-,nope", "0"},
      {{{"list", "a,b,c"}}, "FIELDQTY", "list,\\,", "3"},
      {{{"tabs", "a\tb"}}, "FIELDQTY", "tabs,\\t", "2"},
      {{{"empty", ""}}, "FIELDQTY", "empty,-", "0"},
      {{{"chans", "SIP/a&SIP/b&SIP/a&SIP/c"}}, "LISTFILTER", "chans,&,SIP/a", "SIP/b&SIP/c"},
      {{}, "LISTFILTER", "chans,&", "ERROR: LISTFILTER: usage LISTFILTER(<varname>,<delim>,<value>)"},
      {{{"date", "2024-05-17"}}, "CUT", "date,-,2", "05"},
      {{{"date", "2024-05-17"}}, "CUT", "date,,1", "2024"},            // default delimiter '-'
      {{{"csv", "a,b,c,d,e"}}, "CUT", "csv,\\,,2-3", "b,c"},
      {{{"csv", "a,b,c,d,e"}}, "CUT", "csv,\\,,4-", "d,e"},
      {{{"csv", "a,b,c,d,e"}}, "CUT", "csv,\\,,-2", "a,b"},
      {{{"csv", "a,b,c,d,e"}}, "CUT", "csv,\\,,1&3&5", "a,c,e"},
      {{{"csv", "a,b,c,d,e"}}, "CUT", "csv,\\,,9", ""},
      {{{"path", "a/b/c"}}, "CUT", "path,/,2", "b"},
      {{}, "CUT", "date,-", "ERROR: CUT: missing field specification"},
      {{}, "CUT", ",-,1", "ERROR: CUT: missing variable name"},
      {{{"csv", "a,b"}}, "CUT", "csv,\\,,3-1", "ERROR: CUT: bad field range '3-1'"},
      {{{"csv", "a,b"}}, "CUT", "csv,\\,,x", "ERROR: CUT: bad field 'x'"},
  });
}

TEST_F(FunctionsFixture, LogicAndMathTable) {
  run_rows(*this, {
      {{}, "IF", "1?yes:no", "yes"},
      {{}, "IF", "0?yes:no", "no"},
      {{}, "IF", "?yes:no", "no"},
      {{}, "IF", "abc?yes:no", "yes"},
      {{}, "IF", "1?yes", "yes"},
      {{}, "IF", "0?yes", ""},
      {{}, "IF", "0?:no", "no"},
      {{}, "IF", "1? spaced : out ", "spaced"},
      {{}, "IF", "1?a:b:c", "a"},
      {{}, "IF", "nothing", "ERROR: IF: usage IF(<expr>?[<true>][:<false>])"},
      {{}, "MATH", "123%16,int", "11"},                                 // doc
      {{}, "MATH", "3*2", "6"},
      {{}, "MATH", "7/2", "3.5"},
      {{}, "MATH", "7/2,i", "3"},
      {{}, "MATH", "-3*2", "-6"},
      {{}, "MATH", "2^10,int", "1024"},
      {{}, "MATH", "1<<4,i", "16"},
      {{}, "MATH", "256>>4,i", "16"},
      {{}, "MATH", "12AND10,i", "8"},
      {{}, "MATH", "12OR3,i", "15"},
      {{}, "MATH", "12XOR10,i", "6"},
      {{}, "MATH", "255+0,hex", "ff"},
      {{}, "MATH", "64+1,char", "A"},
      {{}, "MATH", "3<4", "TRUE"},
      {{}, "MATH", "3>=4", "FALSE"},
      {{}, "MATH", "4==4", "TRUE"},
      {{}, "MATH", "1.5 + 2.25", "3.75"},
      {{}, "MATH", "1/0", "ERROR: MATH: division by zero"},
      {{}, "MATH", "5%0,i", "ERROR: MATH: division by zero"},
      {{}, "MATH", "42", "ERROR: MATH: no operator in '42'"},
      {{}, "MATH", "a+1", "ERROR: MATH: 'a' is not a number"},
      {{}, "MATH", "1+2,z", "ERROR: MATH: unknown result type 'z' (f, i, h or c)"},
      {{}, "MATH", "", "ERROR: MATH: missing expression"},
      {{}, "RAND", "5,5", "5"},
      {{}, "RAND", "x", "ERROR: RAND: min 'x' is not an integer"},
  });
}

TEST_F(FunctionsFixture, RandStaysInItsInclusiveRangeAndSwapsBounds) {
  std::set<std::string> seen;
  for (int i = 0; i < 400; ++i) {
    auto v = value("RAND", "8,1");  // swapped bounds
    int n = std::stoi(v);
    ASSERT_GE(n, 1);
    ASSERT_LE(n, 8);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 8u);  // both ends reachable
  auto big = std::stoll(value("RAND", ""));
  EXPECT_GE(big, 0);
  EXPECT_LE(big, 2147483647LL);
}

TEST_F(FunctionsFixture, EncodingAndDigestTable) {
  run_rows(*this, {
      {{}, "BASE64_ENCODE", "hello", "aGVsbG8="},
      {{}, "BASE64_ENCODE", "hi", "aGk="},
      {{}, "BASE64_ENCODE", "abc", "YWJj"},
      {{}, "BASE64_DECODE", "aGVsbG8=", "hello"},
      {{}, "BASE64_DECODE", "YWJj", "abc"},
      {{}, "MD5", "hello", "5d41402abc4b2a76b9719d911017c592"},
      {{}, "SHA1", "junky", "60fa5675b9303eb62f99a9cd47f9f5837d18f9a0"},  // doc
      {{}, "MD5", "", "ERROR: MD5: requires an argument"},
  });
}

TEST_F(FunctionsFixture, EnvReadsAndWritesTheProcessEnvironment) {
  ASSERT_TRUE(write("ENV", "TELEPHONY_FUNCS_TEST", "on"));
  EXPECT_EQ(value("ENV", "TELEPHONY_FUNCS_TEST"), "on");
  EXPECT_STREQ(std::getenv("TELEPHONY_FUNCS_TEST"), "on");
  ASSERT_TRUE(write("ENV", "TELEPHONY_FUNCS_TEST", ""));
  EXPECT_EQ(std::getenv("TELEPHONY_FUNCS_TEST"), nullptr);
  EXPECT_EQ(value("ENV", "TELEPHONY_FUNCS_TEST"), "");
  auto bad = write("ENV", "A=B", "x");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "ENV: bad environment variable name 'A=B'");
}

TEST_F(FunctionsFixture, EveryBuiltinFunctionIsDocumented) {
  const char* names[] = {"CALLERID", "CONNECTEDLINE", "CUT", "LEN", "EXISTS", "ISNULL", "IF", "IFTIME", "SET",
                         "SHARED", "STRFTIME", "STRPTIME", "REGEX", "REPLACE", "FILTER", "TOUPPER", "TOLOWER",
                         "FIELDQTY", "FIELDNUM", "SHIFT", "POP", "PUSH", "UNSHIFT", "QUOTE", "CSV_QUOTE", "RAND",
                         "MATH", "DB", "DB_EXISTS", "DB_DELETE", "DB_KEYS", "HANGUPCAUSE", "HANGUPCAUSE_KEYS",
                         "CHANNEL", "ENV", "SPRINTF", "LISTFILTER", "BASE64_ENCODE", "BASE64_DECODE", "MD5", "SHA1"};
  for (auto* n : names) {
    SCOPED_TRACE(n);
    auto fn = engine.functions().find(n);
    ASSERT_TRUE(fn);
    EXPECT_FALSE(fn->doc.synopsis.empty());
    EXPECT_FALSE(fn->doc.syntax.empty());
    EXPECT_FALSE(fn->doc.description.empty());
    EXPECT_EQ(fn->doc.syntax.rfind(n, 0), 0u) << fn->doc.syntax;
  }
  // Lookups are case-insensitive, as the dialplan writes ${len(x)} too.
  EXPECT_EQ(value("len", "abc"), "3");
}

TEST_F(FunctionsFixture, AHostRegisteredFunctionIsNotReplaced) {
  Engine other(options_in(dir));
  auto mine = std::make_shared<dialplan::Function>();
  mine->name = "LEN";
  mine->read = [](const dialplan::FunctionCall&) -> Result<std::string> { return std::string("host"); };
  ASSERT_TRUE(other.functions().add("LEN", mine));
  dialplan::register_builtin_functions(other);
  EXPECT_EQ(other.functions().find("LEN"), mine);
  EXPECT_TRUE(other.functions().find("CUT"));
}
