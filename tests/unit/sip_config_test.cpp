// pjsip.conf and its YAML spelling → SipConfig: templates, (+), objects sharing a name across
// types, references checked, every error with file:line.
#include <gtest/gtest.h>

#include <filesystem>

#include "telephony/config/config.hpp"
#include "telephony/config/yaml.hpp"
#include "telephony/sip/options.hpp"

using namespace telephony;
using namespace telephony::sip;

namespace {
const std::filesystem::path kData = std::filesystem::path(TELEPHONY_TEST_DATA) / "config";

void expect_sample(const SipConfig& c) {
  EXPECT_EQ(c.global.user_agent, "test-agent");
  EXPECT_EQ(c.global.max_calls, 10u);
  ASSERT_EQ(c.transports.size(), 2u);
  EXPECT_EQ(c.transports[0].bind_address, "127.0.0.1");
  EXPECT_EQ(c.transports[0].bind_port, 5070);
  EXPECT_EQ(c.transports[1].protocol, TransportProtocol::Tls);
  EXPECT_EQ(c.transports[1].bind_address, "::1");
  EXPECT_EQ(c.transports[1].bind_port, 5061);  // tls default
  auto alice = c.endpoint("alice");
  ASSERT_TRUE(alice);
  EXPECT_EQ(alice->context, "phones");
  EXPECT_EQ(alice->allow, (std::vector<std::string>{"ulaw", "alaw", "g722"}));
  EXPECT_EQ(alice->aors, (std::vector<std::string>{"alice"}));
  EXPECT_EQ(alice->callerid, "\"Alice\" <100>");
  ASSERT_TRUE(c.auth("alice"));
  EXPECT_EQ(c.auth("alice")->password, "s3cret");
  ASSERT_TRUE(c.aor("alice"));
  EXPECT_EQ(c.aor("alice")->max_contacts, 2u);
  EXPECT_TRUE(c.aor("alice")->remove_existing);
  ASSERT_TRUE(c.aor("trunk"));
  EXPECT_EQ(c.aor("trunk")->contacts, (std::vector<std::string>{"sip:provider@127.0.0.1:5080"}));
  ASSERT_EQ(c.identifies.size(), 1u);
  EXPECT_EQ(c.identifies[0].endpoint, "trunk");
  ASSERT_EQ(c.identifies[0].match.size(), 2u);
  EXPECT_EQ(c.identifies[0].match[1].network, "10.0.0.0");
  EXPECT_EQ(c.identifies[0].match[1].prefix, 8u);
  EXPECT_FALSE(c.endpoint("phone"));  // a template is not an object
}
}  // namespace

TEST(SipConfig, ConfWithTemplatesAndSharedNames) {
  auto file = config::parse_file(kData / "pjsip.conf");
  ASSERT_TRUE(file) << file.error().to_string();
  auto c = parse_sip_config(*file);
  ASSERT_TRUE(c) << c.error().to_string();
  expect_sample(*c);
}

TEST(SipConfig, YamlGivesTheSameObjects) {
  auto file = config::load_yaml(kData / "pjsip.yaml");
  ASSERT_TRUE(file) << file.error().to_string();
  auto c = parse_sip_config(*file);
  ASSERT_TRUE(c) << c.error().to_string();
  expect_sample(*c);
}

TEST(SipConfig, EveryErrorNamesFileAndLine) {
  const char* text =
      "[t]\n"                      // 1
      "type=transport\n"           // 2
      "protocol=sctp\n"            // 3
      "[e]\n"                      // 4
      "type=endpoint\n"            // 5
      "aors=missing\n"             // 6
      "dtmf_mode=loud\n"           // 7
      "colour=blue\n"              // 8
      "[a]\n"                      // 9
      "type=aor\n"                 // 10
      "max_contacts=many\n"        // 11
      "[x]\n"                      // 12
      "type=widget\n"              // 13
      "[i]\n"                      // 14
      "type=identify\n"            // 15
      "endpoint=nobody\n"          // 16
      "match=not-an-address\n";    // 17
  auto file = config::parse_string(text, "pjsip.conf");
  ASSERT_TRUE(file);
  auto c = parse_sip_config(*file);
  ASSERT_FALSE(c);
  const std::string all = c.error().to_string();
  for (const char* want : {"pjsip.conf:3: protocol must be udp, tcp or tls", "pjsip.conf:7: dtmf_mode must be",
                           "pjsip.conf:8: unknown option 'colour' for type=endpoint",
                           "pjsip.conf:11: 'max_contacts' must be a number", "pjsip.conf:13: unknown type 'widget'",
                           "pjsip.conf:17: 'not-an-address' is not an address", "aor 'missing' does not exist",
                           "endpoint 'nobody' does not exist"})
    EXPECT_NE(all.find(want), std::string::npos) << "missing: " << want << "\nin:\n" << all;
}

TEST(SipConfig, AuthChallengeAlgorithms) {
  // MD5 only unless supported_algorithms_uas says otherwise (Asterisk's default); a value other
  // than MD5 / SHA-256 is an error naming the line.
  const char* text =
      "[a]\ntype=auth\nusername=a\npassword=p\n"                                       // 1-4
      "[b]\ntype=auth\nusername=b\npassword=p\nsupported_algorithms_uas=SHA-256,MD5\n"  // 5-9
      "[c]\ntype=auth\nusername=c\npassword=p\nsupported_algorithms_uas=SHA-512\n";     // 10-14
  auto file = config::parse_string(text, "pjsip.conf");
  ASSERT_TRUE(file);
  auto bad = parse_sip_config(*file);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().to_string().find("pjsip.conf:14: 'supported_algorithms_uas' takes MD5 and SHA-256, not 'SHA-512'"),
            std::string::npos)
      << bad.error().to_string();
  auto good_file = config::parse_string(std::string(text).substr(0, std::string(text).find("[c]")), "pjsip.conf");
  ASSERT_TRUE(good_file);
  auto c = parse_sip_config(*good_file);
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->auth("a")->supported_algorithms_uas, (std::vector<std::string>{"MD5"}));
  EXPECT_EQ(c->auth("b")->supported_algorithms_uas, (std::vector<std::string>{"SHA-256", "MD5"}));
}

TEST(SipConfig, MohPassthrough) {
  // Off unless the endpoint says yes (Asterisk's default); a value that is not a boolean is an
  // error naming the line.
  const char* text =
      "[a]\ntype=endpoint\n"                        // 1-2
      "[b]\ntype=endpoint\nmoh_passthrough=yes\n"   // 3-5
      "[c]\ntype=endpoint\nmoh_passthrough=maybe\n";  // 6-8
  auto file = config::parse_string(text, "pjsip.conf");
  ASSERT_TRUE(file);
  auto bad = parse_sip_config(*file);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().to_string().find("pjsip.conf:8: 'moh_passthrough' must be yes or no, not 'maybe'"),
            std::string::npos)
      << bad.error().to_string();
  auto good_file = config::parse_string(std::string(text).substr(0, std::string(text).find("[c]")), "pjsip.conf");
  ASSERT_TRUE(good_file);
  auto c = parse_sip_config(*good_file);
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_FALSE(c->endpoint("a")->moh_passthrough);
  EXPECT_TRUE(c->endpoint("b")->moh_passthrough);
}
