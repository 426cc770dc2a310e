// The analog line's signal processing: caller ID generation and detection (Bell 202 MDMF/SDMF,
// V.23, DTMF) through a G.711 channel, the caller ID message decoder's checks, call progress
// detection from a zone's tones, overlap dialling decisions and indications.conf.
#include <gtest/gtest.h>

#include <cmath>

#include "telephony/config/config.hpp"
#include "telephony/media/codec.hpp"
#include "telephony/media/indications.hpp"
#include "telephony/media/tone.hpp"
#include "telephony/tdm/call_progress.hpp"
#include "telephony/tdm/callerid.hpp"
#include "telephony/tdm/digit_collector.hpp"

using namespace telephony;
using namespace telephony::tdm;

namespace {

// Generated caller ID, through µ-law (what a line carries), with silence around it.
std::vector<std::int16_t> line_audio(CidSignalling std, const CallerIdMessage& m, bool off_hook = false) {
  auto gen = CallerIdGenerator::create(std, off_hook);
  EXPECT_TRUE(gen);
  EXPECT_TRUE(gen->start(m));
  std::vector<std::int16_t> out(4000, 0);
  std::array<std::int16_t, 160> block;
  for (std::size_t n; (n = gen->generate(block)) > 0;) {
    for (std::size_t i = 0; i < n; ++i) out.push_back(media::g711::ulaw_to_linear(media::g711::ulaw_from_linear(block[i])));
  }
  out.resize(out.size() + 4000, 0);
  return out;
}

std::optional<CallerIdMessage> detect(CidSignalling std, std::span<const std::int16_t> audio) {
  auto rx = CallerIdReceiver::create(std);
  EXPECT_TRUE(rx);
  std::optional<CallerIdMessage> got;
  for (std::size_t i = 0; i < audio.size(); i += 160) {
    auto m = rx->process(audio.subspan(i, std::min<std::size_t>(160, audio.size() - i)));
    if (m) got = m;
  }
  return got;
}

// Every event the detector reports, fed 20 ms at a time as a line does.
std::vector<ProgressEvent> events_of(CallProgressDetector& d, std::span<const std::int16_t> audio) {
  std::vector<ProgressEvent> out;
  for (std::size_t i = 0; i < audio.size(); i += 160)
    if (auto ev = d.process(audio.subspan(i, std::min<std::size_t>(160, audio.size() - i))); ev != ProgressEvent::None)
      out.push_back(ev);
  return out;
}

std::vector<std::int16_t> tones(std::string_view spec, int ms) {
  auto parsed = media::parse_tone_spec(spec);
  EXPECT_TRUE(parsed);
  media::ToneGenerator g(*parsed, 8000);
  std::vector<std::int16_t> out(static_cast<std::size_t>(ms) * 8);
  g.generate(out);
  return out;
}

}  // namespace

TEST(TdmCallerId, Bell202MdmfCarriesNameNumberAndDate) {
  CallerIdMessage m{.number = "2015550123", .name = "Alice Smith", .datetime = "12251830"};
  auto got = detect(CidSignalling::Bell, line_audio(CidSignalling::Bell, m));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->format, CallerIdFormat::Mdmf);
  EXPECT_EQ(got->number, "2015550123");
  EXPECT_EQ(got->name, "Alice Smith");
  EXPECT_EQ(got->datetime, "12251830");
}

TEST(TdmCallerId, Bell202SdmfAndPrivateNumbers) {
  CallerIdMessage sdmf{.number = "5551234", .datetime = "01020304", .format = CallerIdFormat::Sdmf};
  auto got = detect(CidSignalling::Bell, line_audio(CidSignalling::Bell, sdmf));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->format, CallerIdFormat::Sdmf);
  EXPECT_EQ(got->number, "5551234");
  EXPECT_EQ(got->datetime, "01020304");
  CallerIdMessage priv{.number_absent = 'P', .name_absent = 'P'};
  got = detect(CidSignalling::Bell, line_audio(CidSignalling::Bell, priv));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->number_absent, 'P');
  EXPECT_EQ(got->name_absent, 'P');
}

TEST(TdmCallerId, V23AndDtmfStandards) {
  CallerIdMessage m{.number = "442071234567", .name = "London"};
  auto v23 = detect(CidSignalling::V23, line_audio(CidSignalling::V23, m));
  ASSERT_TRUE(v23);
  EXPECT_EQ(v23->number, "442071234567");
  EXPECT_EQ(v23->name, "London");
  // FSK and DTMF signalling are not mistaken for each other. (Bell 202 and V.23 receivers do
  // decode each other's FSK: at the same 1200 baud, V.23's 1300/2100 Hz lie 100 Hz from Bell
  // 202's 1200/2200 Hz, spandsp's demodulator only compares the power near its two tones, and
  // both carry the same framing and checksum.)
  EXPECT_FALSE(detect(CidSignalling::Dtmf, line_audio(CidSignalling::V23, m)));
  EXPECT_FALSE(detect(CidSignalling::V23, line_audio(CidSignalling::Dtmf, m)));
  auto dtmf = detect(CidSignalling::Dtmf, line_audio(CidSignalling::Dtmf, CallerIdMessage{.number = "31201234567"}));
  ASSERT_TRUE(dtmf);
  EXPECT_EQ(dtmf->format, CallerIdFormat::Dtmf);
  EXPECT_EQ(dtmf->number, "31201234567");
}

TEST(TdmCallerId, DecoderChecksEveryLength) {
  const std::uint8_t ok[] = {0x80, 0x05, 0x02, 0x03, '1', '2', '3'};
  auto m = decode_callerid_message(CidSignalling::Bell, ok);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->number, "123");
  const std::uint8_t runs_past[] = {0x80, 0x05, 0x02, 0x09, '1', '2', '3'};
  EXPECT_FALSE(decode_callerid_message(CidSignalling::Bell, runs_past));
  const std::uint8_t body_past[] = {0x80, 0x20, 0x02};
  EXPECT_FALSE(decode_callerid_message(CidSignalling::Bell, body_past));
  const std::uint8_t mwi[] = {0x82, 0x03, 0x0b, 0x01, 0xff};
  auto not_cid = decode_callerid_message(CidSignalling::Bell, mwi);
  ASSERT_FALSE(not_cid);
  EXPECT_NE(not_cid.error().message.find("0x82"), std::string::npos);
  const std::uint8_t short_sdmf[] = {0x04, 0x03, '0', '1', '0'};
  EXPECT_FALSE(decode_callerid_message(CidSignalling::Bell, short_sdmf));
  const std::uint8_t dtmf_no_end[] = {'A', '1', '2'};
  EXPECT_FALSE(decode_callerid_message(CidSignalling::Dtmf, dtmf_no_end));
  const std::uint8_t dtmf_private[] = {'D', '1', '0', 'C'};
  EXPECT_EQ(decode_callerid_message(CidSignalling::Dtmf, dtmf_private)->number_absent, 'P');
}

TEST(TdmCallProgress, UsBusyRingbackAnswerAndDialTone) {
  // Held in a local: find() points into it, so a temporary would dangle past this line.
  const auto indications = media::builtin_indications();
  auto zone = indications.find("us");
  ASSERT_NE(zone, nullptr);
  auto t = CallProgressTones::from_zone(*zone);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->busy.f1, 480);
  EXPECT_EQ(t->busy.f2, 620);
  {
    CallProgressDetector d(*t, 3);
    auto ev = d.process(tones("350+440", 600));
    EXPECT_EQ(ev, ProgressEvent::DialTone);
  }
  {
    CallProgressDetector d(*t, 3);
    auto ev = d.process(tones("480+620/500,0/500", 4000));
    EXPECT_EQ(ev, ProgressEvent::Busy);
  }
  {
    CallProgressDetector d(*t, 3);
    auto ev = d.process(tones("480+620/250,0/250", 2500));
    EXPECT_EQ(ev, ProgressEvent::Congestion);
  }
  {
    CallProgressDetector d(*t, 3);
    EXPECT_EQ(d.process(tones("440+480/2000,0/4000", 2000)), ProgressEvent::Ringing);
    EXPECT_EQ(d.process(std::vector<std::int16_t>(8000, 0)), ProgressEvent::None);
    // A voice-like mix (not a zone tone) answers the call.
    EXPECT_EQ(d.process(tones("697+1209", 400)), ProgressEvent::Answer);
  }
}

TEST(TdmCallProgress, SingleFrequencyZoneToldApartByCadence) {
  // Held in a local: find() points into it, so a temporary would dangle past this line.
  const auto indications = media::builtin_indications();
  auto zone = indications.find("de");
  ASSERT_NE(zone, nullptr);
  auto t = CallProgressTones::from_zone(*zone);
  ASSERT_TRUE(t);
  // Busy's 480 ms bursts are 425 Hz held past 300 ms too: the first burst reads as dial tone,
  // the third on/off cycle then as busy.
  CallProgressDetector busy(*t, 3);
  const auto busy_evs = events_of(busy, tones(*zone->tone("busy"), 4000));
  ASSERT_EQ(busy_evs.size(), 2u);
  EXPECT_EQ(busy_evs[0], ProgressEvent::DialTone);
  EXPECT_EQ(busy_evs[1], ProgressEvent::Busy);
  // Ringback is 425 Hz for a second: held past 300 ms it first reads as dial tone (same
  // frequency), then as ringing once its on-time passes 3/4 of the cadence's.
  CallProgressDetector ring(*t, 3);
  const auto evs = events_of(ring, tones(*zone->tone("ring"), 1200));
  ASSERT_EQ(evs.size(), 2u);
  EXPECT_EQ(evs[0], ProgressEvent::DialTone);
  EXPECT_EQ(evs[1], ProgressEvent::Ringing);
}

namespace {

struct FakePlan : DialplanQuestions {
  std::vector<std::string> extens = {"100", "1000", "200", "9", "95551234"};
  std::vector<std::string> ignore = {"9"};
  bool exists(std::string_view, std::string_view e, std::string_view) const override {
    return std::find(extens.begin(), extens.end(), e) != extens.end();
  }
  bool can_match(std::string_view, std::string_view e, std::string_view) const override {
    for (const auto& x : extens)
      if (x.rfind(e, 0) == 0) return true;
    return false;
  }
  bool match_more(std::string_view, std::string_view e, std::string_view) const override {
    for (const auto& x : extens)
      if (x.size() > e.size() && x.rfind(e, 0) == 0) return true;
    return false;
  }
  bool ignore_pattern(std::string_view, std::string_view d) const override {
    return std::find(ignore.begin(), ignore.end(), d) != ignore.end();
  }
};

}  // namespace

TEST(TdmDigitCollector, EndsWhereAsteriskEnds) {
  FakePlan plan;
  using O = DigitCollector::Outcome;
  DigitCollector c(plan, "phones", "201", {16000, 8000, 3000});
  auto s = c.start();
  EXPECT_EQ(s.outcome, O::Continue);
  EXPECT_EQ(s.timeout_ms, 16000);
  EXPECT_TRUE(s.dialtone);
  s = c.on_digit('2');
  EXPECT_EQ(s.timeout_ms, 8000);
  EXPECT_FALSE(s.dialtone);
  s = c.on_digit('0');
  s = c.on_digit('0');  // "200" exists and nothing longer: done at once
  EXPECT_EQ(s.outcome, O::Complete);
  EXPECT_EQ(s.exten, "200");

  DigitCollector amb(plan, "phones", "201", {16000, 8000, 3000});
  amb.start();
  amb.on_digit('1');
  amb.on_digit('0');
  s = amb.on_digit('0');  // "100" exists but "1000" too: wait matchdigit_timeout
  EXPECT_EQ(s.outcome, O::Continue);
  EXPECT_EQ(s.timeout_ms, 3000);
  s = amb.on_timeout();
  EXPECT_EQ(s.outcome, O::Complete);
  EXPECT_EQ(s.exten, "100");

  DigitCollector hash(plan, "phones", "201", {16000, 8000, 3000});
  hash.start();
  hash.on_digit('1');
  hash.on_digit('0');
  hash.on_digit('0');
  s = hash.on_digit('#');  // # ends dialling when the digits before it are an extension
  EXPECT_EQ(s.outcome, O::Complete);
  EXPECT_EQ(s.exten, "100");

  DigitCollector outside(plan, "phones", "201", {16000, 8000, 3000});
  outside.start();
  s = outside.on_digit('9');  // ignorepat => 9 keeps the dial tone
  EXPECT_TRUE(s.dialtone);
  EXPECT_EQ(s.outcome, O::Continue);

  DigitCollector bad(plan, "phones", "201", {16000, 8000, 3000});
  bad.start();
  EXPECT_EQ(bad.on_digit('7').outcome, O::Invalid);

  DigitCollector dnd(plan, "phones", "201", {16000, 8000, 3000});
  dnd.start();
  dnd.on_digit('*');
  dnd.on_digit('7');
  s = dnd.on_digit('8');
  EXPECT_EQ(s.outcome, O::Feature);
  EXPECT_EQ(s.exten, "*78");
  EXPECT_TRUE(dnd.digits().empty());

  DigitCollector imm(plan, "phones", "201", {16000, 8000, 3000}, true);
  s = imm.start();
  EXPECT_EQ(s.outcome, O::Complete);
  EXPECT_EQ(s.exten, "s");
}

TEST(TdmIndications, FileOverlaysBuiltInsWithCadenceAndTones) {
  auto file = config::parse_string(
      "[general]\ncountry=xx\n[xx]\ndescription=Test land\nringcadence=300,200,300,1200\ndial=425\n"
      "busy=425/300,0/300\nring=425/300,0/200\n[us]\nringcadence=1000,3000\ndial=350+440\n",
      "indications.conf");
  ASSERT_TRUE(file);
  auto ind = media::parse_indications(*file);
  ASSERT_TRUE(ind) << ind.error().to_string();
  EXPECT_EQ(ind->default_country, "xx");
  EXPECT_EQ(ind->find("xx")->ringcadence, (std::vector<int>{300, 200, 300, 1200}));
  EXPECT_EQ(*ind->find("xx")->tone("dial"), "425");
  EXPECT_EQ(ind->find("us")->ringcadence, (std::vector<int>{1000, 3000}));
  EXPECT_FALSE(ind->find("us")->tone("busy")) << "a file section replaces the built-in zone whole";
  EXPECT_TRUE(ind->find("uk"));
  auto bad = config::parse_string("[general]\ncountry=zz\n[yy]\nringcadence=100\ndial=abc\n", "indications.conf");
  ASSERT_TRUE(bad);
  auto errs = media::parse_indications(*bad);
  ASSERT_FALSE(errs);
  const auto text = errs.error().to_string();
  EXPECT_NE(text.find("indications.conf:4:"), std::string::npos) << text;
  EXPECT_NE(text.find("indications.conf:5: tone 'dial'"), std::string::npos) << text;
  EXPECT_NE(text.find("indications.conf:2: country 'zz'"), std::string::npos) << text;
}

// Type 2 (call-waiting) caller ID: no channel seizure, a short mark — shorter than the on-hook
// spill by the 300 seizure bits — and still decoded by the same receivers.
TEST(TdmCallerId, OffHookTypeTwoIsShorterAndDecodes) {
  CallerIdMessage m;
  m.number = "1004";
  m.name = "Dave";
  for (auto std : {CidSignalling::Bell, CidSignalling::V23}) {
    const auto on_hook = line_audio(std, m);
    const auto off_hook = line_audio(std, m, true);
    EXPECT_LT(off_hook.size() + 1600, on_hook.size()) << to_string(std);
    auto got = detect(std, off_hook);
    ASSERT_TRUE(got) << to_string(std);
    EXPECT_EQ(got->number, "1004");
    EXPECT_EQ(got->name, "Dave");
  }
}
