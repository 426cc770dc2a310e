// system.conf (dahdi_cfg's reading), chan_dahdi.conf (Asterisk's reading order), the YAML spelling
// of chan_dahdi.conf, DAHDI dial strings and the socket-span wire framing.
#include <gtest/gtest.h>

#include "telephony/config/config.hpp"
#include "telephony/config/yaml.hpp"
#include "telephony/tdm/chan_dahdi_conf.hpp"
#include "telephony/tdm/dial_string.hpp"
#include "telephony/tdm/system_conf.hpp"
#include "telephony/tdm/wire.hpp"
#include "testkit/testkit.hpp"

using namespace telephony;
using namespace telephony::tdm;

namespace {

config::ConfigFile conf(std::string_view text) {
  auto f = config::parse_string(text, "chan_dahdi.conf");
  EXPECT_TRUE(f) << (f ? "" : f.error().to_string());
  return f ? *f : config::ConfigFile{};
}

std::string all_errors(const Errors& e) { return e.to_string(); }

}  // namespace

TEST(TdmSystemConf, ReadsSpansDynamicSpansChannelsAndZones) {
  auto cfg = parse_system_conf(R"(# a comment
span=1,1,0,esf,b8zs
dynamic=loc,1:0,4,0   # phones
dynamic = loc , 1:1 , 4 , 0
dynamic=sock,phones,2,0
fxoks=1-2,4
fxsks = 3
fxsks=5-8
e&m=9
mulaw=9
alaw=1
echocanceller=mg2,1-2
loadzone = us
loadzone=uk
defaultzone=uk
)",
                               "system.conf");
  ASSERT_TRUE(cfg) << all_errors(cfg.error());
  ASSERT_EQ(cfg->spans.size(), 1u);
  EXPECT_EQ(cfg->spans[0].framing, "esf");
  ASSERT_EQ(cfg->dynamic_spans.size(), 3u);
  EXPECT_EQ(cfg->dynamic_spans[1].driver, "loc");
  EXPECT_EQ(cfg->dynamic_spans[1].address, "1:1");
  EXPECT_EQ(cfg->dynamic_spans[2].channels, 2);
  EXPECT_EQ(cfg->channels.size(), 9u);
  EXPECT_EQ(cfg->channels.at(4).signalling, Signalling::FxoKs);
  EXPECT_EQ(cfg->channels.at(3).signalling, Signalling::FxsKs);
  EXPECT_EQ(cfg->channels.at(9).signalling, Signalling::Em);
  EXPECT_EQ(cfg->channels.at(1).law, LawOverride::Alaw);
  EXPECT_EQ(cfg->channels.at(9).law, LawOverride::Ulaw);
  EXPECT_EQ(cfg->channels.at(2).echocanceller, "mg2");
  EXPECT_EQ(cfg->default_zone, "uk");
  ASSERT_EQ(cfg->load_zones.size(), 2u);
  EXPECT_EQ(cfg->channels.at(5).where.line, 8);  // fxsks=5-8 is the 8th line
}

TEST(TdmSystemConf, RejectsEveryBadLineWithItsLine) {
  auto cfg = parse_system_conf(
      "span=1,0,0,esf\n"        // 1: too few fields
      "fxoks=1-x\n"             // 2: bad range
      "fxoks=1\nfxsks=1\n"      // 3,4: configured twice
      "bogus=1\n"               // 5: unknown keyword
      "dynamic=loc,1:0,zero,0\n"  // 6: bad channel count
      "fxoks=2-1\n"             // 7: backwards range
      "justtext\n",             // 8: not key=value
      "system.conf");
  ASSERT_FALSE(cfg);
  const auto text = all_errors(cfg.error());
  for (const char* where : {"system.conf:1:", "system.conf:2:", "system.conf:4:", "system.conf:5:", "system.conf:6:",
                            "system.conf:7:", "system.conf:8:"})
    EXPECT_NE(text.find(where), std::string::npos) << where << " missing in\n" << text;
  EXPECT_NE(text.find("channel 1 already configured as 'fxoks' at system.conf:3"), std::string::npos) << text;
}

TEST(TdmSystemConf, PlansDynamicSpansAfterKernelSpansAndChecksChannels) {
  auto cfg = parse_system_conf("dynamic=loc,7:0,4,0\ndynamic=loc,7:1,4,0\ndynamic=sock,/tmp/x,2,0\nfxoks=1-4\nfxsks=5-8\nfxoks=9-10\n",
                               "system.conf");
  ASSERT_TRUE(cfg);
  auto plan = plan_spans(*cfg, {});
  ASSERT_TRUE(plan) << all_errors(plan.error());
  ASSERT_EQ(plan->spans.size(), 3u);
  EXPECT_EQ(plan->spans[1].first_channel, 5);
  EXPECT_EQ(plan->spans[2].first_channel, 9);
  EXPECT_EQ(plan->span_of(10)->number, 3);
  // With two kernel spans of 4 and 24 channels, the dynamic spans come after them (DAHDI numbers
  // dynamic spans after the hardware's), so channels 1-10 are kernel channels.
  auto shifted = plan_spans(*cfg, {4, 24});
  ASSERT_TRUE(shifted) << all_errors(shifted.error());
  ASSERT_EQ(shifted->spans.size(), 5u);
  EXPECT_EQ(shifted->spans[2].number, 3);
  EXPECT_EQ(shifted->spans[2].first_channel, 29);
  EXPECT_EQ(shifted->span_of(10)->number, 2);
  EXPECT_EQ(shifted->span_of(10)->dynamic, nullptr);
}

TEST(TdmSystemConf, PlanErrorsNameTheLine) {
  auto cfg = parse_system_conf("dynamic=loc,1:0,2,0\ndynamic=eth,eth0/00:11:22:33:44:55,24,1\nfxoks=1-3\nspan=4,0,0,esf,b8zs\n",
                               "system.conf");
  ASSERT_TRUE(cfg);
  auto plan = plan_spans(*cfg, {});
  ASSERT_FALSE(plan);
  const auto text = all_errors(plan.error());
  EXPECT_NE(text.find("system.conf:2: dynamic span driver 'eth' needs the DAHDI kernel"), std::string::npos) << text;
  EXPECT_NE(text.find("system.conf:3: channel 3 is on no span"), std::string::npos) << text;
  EXPECT_NE(text.find("system.conf:4: span 4: no such span"), std::string::npos) << text;
}

TEST(TdmChanDahdi, SettingsApplyToTheChannelsThatFollow) {
  auto c = parse_chan_dahdi(conf(R"(
[trunkgroups]
[channels]
context=phones
signalling=fxo_ks
callerid="Alice" <201>
group=1
channel => 1
callerid="Bob" <202>
immediate=yes
channel => 2
signalling=fxs_ks
context=from-pstn
group=2,3
callerid=asreceived
answeronpolarityswitch=yes
channel => 3-4
rxgain=-3.5
cadence=125,125,2000,-4000
ringtimeout=5000
reportalarms=all
[extra]
context=special
dahdichan=5
)"));
  ASSERT_TRUE(c) << all_errors(c.error());
  ASSERT_EQ(c->channels.size(), 5u);
  const auto& one = c->channels.at(1);
  EXPECT_EQ(one.context, "phones");
  EXPECT_EQ(*one.signalling, Signalling::FxoKs);
  EXPECT_EQ(one.callerid.name, "Alice");
  EXPECT_FALSE(one.immediate);
  EXPECT_EQ(one.group, 2u);
  const auto& two = c->channels.at(2);
  EXPECT_EQ(two.callerid.number, "202");
  EXPECT_TRUE(two.immediate);
  const auto& four = c->channels.at(4);
  EXPECT_EQ(four.context, "from-pstn");
  EXPECT_EQ(four.group, (1u << 2) | (1u << 3));
  EXPECT_TRUE(four.callerid_asreceived);
  EXPECT_TRUE(four.answeronpolarityswitch);
  EXPECT_EQ(four.rxgain, 0);  // rxgain came after channel 4
  // [extra] starts from [channels] as it ended, then applies its own settings.
  const auto& five = c->channels.at(5);
  EXPECT_EQ(five.context, "special");
  EXPECT_EQ(five.rxgain, -3.5);
  EXPECT_EQ(*five.signalling, Signalling::FxsKs);
  ASSERT_EQ(c->cadences.size(), 1u);
  EXPECT_EQ(c->cadences[0].cid_after_ring, 2);
  EXPECT_EQ(c->cadences[0].pattern, (std::vector<int>{125, 125, 2000, 4000}));
  EXPECT_EQ(c->ringtimeout, 5000);
  EXPECT_EQ(c->reportalarms, kReportChannels | kReportSpans);
}

TEST(TdmChanDahdi, RejectsUnknownOptionsAndUnsupportedSignallingButAcceptsPriKnobs) {
  auto c = parse_chan_dahdi(conf("[channels]\nswitchtype=national\nsignalling=pri_cpe\nbusypattern=500\ncontxt=x\n"
                                 "group=64\nchannel => 1\nchannel => 1\n"));
  ASSERT_FALSE(c);
  const auto text = all_errors(c.error());
  EXPECT_NE(text.find("chan_dahdi.conf:3: signalling=pri_cpe is not supported"), std::string::npos) << text;
  EXPECT_NE(text.find("chan_dahdi.conf:4: busypattern"), std::string::npos) << text;
  EXPECT_NE(text.find("chan_dahdi.conf:5: unknown option 'contxt'"), std::string::npos) << text;
  EXPECT_NE(text.find("chan_dahdi.conf:6: group"), std::string::npos) << text;
  EXPECT_NE(text.find("chan_dahdi.conf:8: channel 1 already configured at chan_dahdi.conf:7"), std::string::npos) << text;
  EXPECT_EQ(text.find("switchtype"), std::string::npos) << "a PRI option is a warning, not an error";
}

TEST(TdmChanDahdi, YamlSpellingGivesTheSameChannels) {
  testkit::TempDir dir;
  const auto yaml = dir.path() / "chan_dahdi.yaml";
  testkit::write_file(yaml, R"(channels:
  - context: phones
  - signalling: fxo_ks
  - callerid: '"Alice" <201>'
  - "channel =>": 1-2
  - context: lines
  - "channel =>": 3
)");
  auto file = config::load_yaml(yaml);
  ASSERT_TRUE(file) << all_errors(file.error());
  auto from_yaml = parse_chan_dahdi(*file);
  auto from_conf = parse_chan_dahdi(conf("[channels]\ncontext=phones\nsignalling=fxo_ks\ncallerid=\"Alice\" <201>\n"
                                         "channel => 1-2\ncontext=lines\nchannel => 3\n"));
  ASSERT_TRUE(from_yaml) << all_errors(from_yaml.error());
  ASSERT_TRUE(from_conf);
  ASSERT_EQ(from_yaml->channels.size(), 3u);
  for (int ch : {1, 2, 3}) {
    EXPECT_EQ(from_yaml->channels.at(ch).context, from_conf->channels.at(ch).context);
    EXPECT_EQ(from_yaml->channels.at(ch).callerid, from_conf->channels.at(ch).callerid);
    EXPECT_EQ(from_yaml->channels.at(ch).signalling, from_conf->channels.at(ch).signalling);
  }
}

TEST(TdmDialString, ChannelsGroupsRoundRobinAndOptions) {
  auto one = parse_dahdi_dial_string("1");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->kind, DahdiDialString::Kind::Channel);
  EXPECT_EQ(one->number, 1);
  auto num = parse_dahdi_dial_string("4/5551234");
  ASSERT_TRUE(num);
  EXPECT_EQ(num->dial, "5551234");
  auto g = parse_dahdi_dial_string("g2/14109850123");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->kind, DahdiDialString::Kind::GroupForward);
  EXPECT_EQ(g->number, 2);
  EXPECT_EQ(g->dial, "14109850123");
  EXPECT_EQ(parse_dahdi_dial_string("G2")->kind, DahdiDialString::Kind::GroupBackward);
  EXPECT_EQ(parse_dahdi_dial_string("r1")->kind, DahdiDialString::Kind::RoundRobinForward);
  EXPECT_EQ(parse_dahdi_dial_string("R1")->kind, DahdiDialString::Kind::RoundRobinBackward);
  auto ring = parse_dahdi_dial_string("3r2");
  ASSERT_TRUE(ring);
  EXPECT_EQ(ring->cadence, 2);
  EXPECT_TRUE(parse_dahdi_dial_string("3c/55")->confirm_answer);
  EXPECT_EQ(parse_dahdi_dial_string("pseudo")->kind, DahdiDialString::Kind::Pseudo);
  for (const char* bad : {"", "x", "g64", "0", "3r", "3q", "g", "1r2x"}) EXPECT_FALSE(parse_dahdi_dial_string(bad)) << bad;
}

TEST(TdmWire, EncodesAndDecodesEveryMessage) {
  std::array<std::uint8_t, kWireMaxDatagram> buf;
  std::vector<std::uint8_t> audio(160, 0x7f);
  auto n = encode_wire_audio(buf, 513, WireLaw::Alaw, audio);
  ASSERT_EQ(n, 168u);
  auto m = decode_wire(std::span<const std::uint8_t>(buf.data(), n));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->type, WireType::Audio);
  EXPECT_EQ(m->law(), WireLaw::Alaw);
  EXPECT_EQ(m->sequence, 513);
  EXPECT_EQ(m->payload.size(), 160u);
  n = encode_wire_signal(buf, 1, LineSignal::Polarity);
  ASSERT_EQ(decode_wire(std::span<const std::uint8_t>(buf.data(), n))->signal(), LineSignal::Polarity);
  n = encode_wire_hello(buf, 2, "phone 1");
  EXPECT_EQ(decode_wire(std::span<const std::uint8_t>(buf.data(), n))->hello_name(), "phone 1");
  n = encode_wire_alarm(buf, 3, kAlarmRed | kAlarmBlue);
  EXPECT_EQ(decode_wire(std::span<const std::uint8_t>(buf.data(), n))->code, kAlarmRed | kAlarmBlue);
  LineSignal s;
  ASSERT_TRUE(line_signal_from_name("RingOn", s));
  EXPECT_EQ(s, LineSignal::RingOn);
}

TEST(TdmWire, RejectsMalformedDatagramsNamingTheOffset) {
  std::array<std::uint8_t, kWireMaxDatagram> buf;
  auto n = encode_wire_signal(buf, 1, LineSignal::HookOff);
  auto bad = [&](auto mutate, const char* where) {
    auto copy = std::vector<std::uint8_t>(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
    mutate(copy);
    auto r = decode_wire(copy);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().where, where) << r.error().message;
  };
  bad([](auto& d) { d[0] = 0; }, "offset 0");
  bad([](auto& d) { d[1] = 9; }, "offset 1");
  bad([](auto& d) { d[2] = 77; }, "offset 2");
  bad([](auto& d) { d[3] = 99; }, "offset 3");
  bad([](auto& d) { d[7] = 5; }, "offset 6");
  bad([](auto& d) { d.resize(4); }, "offset 0");
  std::vector<std::uint8_t> tiny(3, 0x55);
  EXPECT_EQ(encode_wire_audio(buf, 0, WireLaw::Ulaw, tiny), 0u);
  std::vector<std::uint8_t> huge(400, 0x55);
  EXPECT_EQ(encode_wire_audio(buf, 0, WireLaw::Ulaw, huge), 0u);
}
