// pjsip.conf endpoint media keys reach the RTP layer's settings (EndpointOptions::media), which
// every call's rtp::MediaSession starts from; bad media values are errors with file:line.
#include <gtest/gtest.h>

#include "telephony/config/config.hpp"
#include "telephony/sip/options.hpp"

using namespace telephony;
using namespace telephony::sip;

TEST(SipMediaConfig, EndpointMediaKeysFillTheMediaSettings) {
  const char* text =
      "[phone](!)\n"
      "type=endpoint\n"
      "disallow=all\n"
      "allow=alaw,ulaw\n"
      "[alice](phone)\n"
      "dtmf_mode=info\n"
      "rtp_timeout=30\n"
      "rtp_timeout_hold=60\n"
      "media_encryption=sdes\n"
      "rtp_symmetric=yes\n"
      "use_ptime=yes\n"
      "media_address=192.0.2.10\n";
  auto file = config::parse_string(text, "pjsip.conf");
  ASSERT_TRUE(file);
  auto c = parse_sip_config(*file);
  ASSERT_TRUE(c) << c.error().to_string();
  auto alice = c->endpoint("alice");
  ASSERT_TRUE(alice);
  const auto& m = alice->media;
  EXPECT_EQ(m.endpoint, "alice");
  EXPECT_EQ(m.codecs.names(), "alaw,ulaw");
  EXPECT_EQ(m.dtmf_mode, rtp::DtmfMode::Info);
  EXPECT_EQ(m.rtp_timeout, std::chrono::seconds(30));
  EXPECT_EQ(m.rtp_timeout_hold, std::chrono::seconds(60));
  EXPECT_EQ(m.encryption, rtp::MediaEncryption::Sdes);
  EXPECT_TRUE(m.rtp_symmetric);
  EXPECT_EQ(m.media_address, "192.0.2.10");
  // The driver's own copy of the keys it reads stays in step.
  EXPECT_EQ(alice->allow, (std::vector<std::string>{"alaw", "ulaw"}));
  EXPECT_EQ(alice->dtmf_mode, DtmfMode::Info);
  EXPECT_TRUE(alice->rtp_symmetric);
}

TEST(SipMediaConfig, BadMediaValuesNameFileAndLine) {
  const char* text =
      "[e]\n"                        // 1
      "type=endpoint\n"              // 2
      "allow=ulaw,nosuchcodec\n"     // 3
      "rtp_timeout=soon\n"           // 4
      "media_encryption=dtls\n"      // 5
      "dtmf_mode=loud\n";            // 6
  auto file = config::parse_string(text, "pjsip.conf");
  ASSERT_TRUE(file);
  auto c = parse_sip_config(*file);
  ASSERT_FALSE(c);
  const std::string all = c.error().to_string();
  for (const char* want : {"pjsip.conf:3: 'allow'", "nosuchcodec", "pjsip.conf:4: 'rtp_timeout'", "pjsip.conf:5: ",
                           "pjsip.conf:6: dtmf_mode must be"})
    EXPECT_NE(all.find(want), std::string::npos) << "missing: " << want << "\nin:\n" << all;
  // One error per line: the driver's message replaces the RTP layer's for keys both read.
  EXPECT_EQ(all.find("pjsip.conf:6: 'dtmf_mode'"), std::string::npos) << all;
}
