#include <gtest/gtest.h>

#include <string>

#include "media_signals.hpp"
#include "telephony/media/codec.hpp"
#include "telephony/media/dtmf.hpp"
#include "telephony/media/file_format.hpp"

using namespace telephony::media;

namespace {
std::string detect_all(DtmfDetector& det, std::span<const std::int16_t> audio, std::size_t chunk = 160) {
  std::string digits;
  for (std::size_t off = 0; off < audio.size(); off += chunk) {
    for (const auto& e : det.process(audio.subspan(off, std::min(chunk, audio.size() - off))))
      if (e.begin) digits += e.digit;
  }
  return digits;
}
}  // namespace

TEST(MediaDtmf, AllSixteenDigitsGeneratedAndDetected) {
  DtmfGenerator gen(8000);
  std::vector<std::int16_t> audio;
  std::vector<std::int16_t> frame(160);
  for (char d : kDtmfDigits) {
    ASSERT_TRUE(gen.play(d, 80, 60));
    while (gen.generate(frame)) audio.insert(audio.end(), frame.begin(), frame.end());
    audio.insert(audio.end(), frame.begin(), frame.end());
  }
  DtmfDetector det;
  EXPECT_EQ(detect_all(det, audio), std::string(kDtmfDigits));
  EXPECT_EQ(det.current(), '\0');
}

TEST(MediaDtmf, BeginAndEndEventsBracketTheTone) {
  DtmfGenerator gen(8000);
  std::vector<std::int16_t> audio(8000);
  gen.play('5', 200, 0);
  gen.generate(audio);  // 200 ms of '5' then silence
  DtmfDetector det;
  auto ev = det.process(audio);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_TRUE(ev[0].begin);
  EXPECT_EQ(ev[0].digit, '5');
  EXPECT_FALSE(ev[1].begin);
  // Begin within ~30 ms of onset, end within ~30 ms after the 200 ms tone stops.
  EXPECT_LE(ev[0].sample, 240u);
  EXPECT_NEAR(static_cast<double>(ev[1].sample), 1600 + 200, 120);
}

TEST(MediaDtmf, NoFalseDetectionOnSpeechLikeNoise) {
  auto speech = media_test::speech_like(8000 * 20, 7);
  DtmfDetector det;
  EXPECT_EQ(detect_all(det, speech), "");
  // White-ish noise at a high level.
  std::vector<std::int16_t> noise(8000 * 5);
  std::uint32_t lcg = 99;
  for (auto& s : noise) {
    lcg = lcg * 1664525u + 1013904223u;
    s = static_cast<std::int16_t>(static_cast<std::int32_t>(lcg >> 16) - 32768) ;
  }
  EXPECT_EQ(detect_all(det, noise), "");
}

TEST(MediaDtmf, NoFalseDetectionOnDebianPrompts) {
  for (const char* name : {"en/hello-world.wav", "en/vm-intro.wav", "en/digits/1.wav", "en/digits/5.wav",
                           "en/digits/9.wav", "en/conf-onlyperson.wav", "en/pls-hold-while-try.wav"}) {
    auto r = AudioFileReader::open(std::filesystem::path("/usr/share/asterisk/sounds") / name);
    if (!r) continue;  // prompt set differs between package versions
    DtmfDetector det;
    std::string got;
    for (auto s = r->read_slin(); !s.empty(); s = r->read_slin())
      for (const auto& e : det.process(s))
        if (e.begin) got += e.digit;
    EXPECT_EQ(got, "") << name;
  }
}

TEST(MediaDtmf, RejectsExcessTwistAndWeakTones) {
  // Row tone at -9 dBm0 with the column 12 dB weaker: beyond the 8 dB normal-twist limit.
  DtmfGenerator twisted(8000, -9, -21);
  std::vector<std::int16_t> a(4000);
  twisted.play('1', 300, 0);
  twisted.generate(a);
  DtmfDetector d1;
  EXPECT_EQ(detect_all(d1, a), "");
  // -40 dBm0 per tone: below the -32 dBm0 sensitivity floor.
  DtmfGenerator quiet(8000, -40, -40);
  quiet.play('1', 300, 0);
  quiet.generate(a);
  DtmfDetector d2;
  EXPECT_EQ(detect_all(d2, a), "");
  // Within limits (-20 dBm0, 3 dB twist) it is found.
  DtmfGenerator ok(8000, -20, -17);
  ok.play('#', 300, 0);
  ok.generate(a);
  DtmfDetector d3;
  EXPECT_EQ(detect_all(d3, a), "#");
}

TEST(MediaRfc4733, PayloadRoundTrip) {
  TelephoneEvent e{11, true, 10, 1600};
  auto b = encode_telephone_event(e);
  EXPECT_EQ(b, (std::array<std::uint8_t, 4>{11, 0x8A, 0x06, 0x40}));
  auto d = decode_telephone_event(b);
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, e);
  EXPECT_EQ(telephone_event_digit(11), '#');
  EXPECT_EQ(*telephone_event_code('D'), 15);
  const std::uint8_t short_payload[3] = {1, 2, 3};
  auto bad = decode_telephone_event(short_payload);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().where, "offset 3");
}

TEST(MediaRfc4733, SenderTimingStartUpdatesAndTripleEnd) {
  TelephoneEventSender tx(8000, 50);
  ASSERT_TRUE(tx.begin('7', 123456, 1000));
  auto first = tx.poll(1000);
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->marker);
  EXPECT_EQ(first->timestamp, 123456u);
  EXPECT_EQ(first->event.event, 7);
  EXPECT_FALSE(tx.poll(1020));  // nothing due before 50 ms
  auto u1 = tx.poll(1050);
  ASSERT_TRUE(u1);
  EXPECT_FALSE(u1->marker);
  EXPECT_EQ(u1->event.duration, 400);  // 50 ms at 8 kHz
  EXPECT_FALSE(tx.poll(1060));
  auto u2 = tx.poll(1100);
  ASSERT_TRUE(u2);
  EXPECT_EQ(u2->event.duration, 800);
  tx.end(1130);
  for (int i = 0; i < 3; ++i) {
    auto e = tx.poll(1130);
    ASSERT_TRUE(e) << i;
    EXPECT_TRUE(e->event.end);
    EXPECT_EQ(e->event.duration, 1040);
    EXPECT_EQ(e->timestamp, 123456u);
  }
  EXPECT_FALSE(tx.poll(1140));
  EXPECT_FALSE(tx.active());
}

TEST(MediaRfc4733, ReceiverDeduplicatesRetransmissions) {
  TelephoneEventSender tx(8000, 50);
  TelephoneEventReceiver rx;
  std::string log;
  tx.begin('9', 1000, 0);
  for (std::uint64_t t = 0; t <= 200; t += 10) {
    if (t == 200) tx.end(t);
    while (auto p = tx.poll(t)) {
      if (auto d = rx.on_packet(p->event, p->timestamp)) log += std::string(d->begin ? "+" : "-") + d->digit;
    }
  }
  EXPECT_EQ(log, "+9-9");
}

TEST(MediaDtmf, DetectedThroughUlawWithNoiseAt20dBSnr) {
  DtmfGenerator gen(8000, -12, -10);
  std::vector<std::int16_t> audio;
  std::vector<std::int16_t> frame(160);
  for (char d : std::string("159#")) {
    gen.play(d, 60, 60);  // 60 ms: just above the 40 ms minimum of Q.24
    while (gen.generate(frame)) audio.insert(audio.end(), frame.begin(), frame.end());
  }
  std::uint32_t lcg = 5;
  for (auto& s : audio) {
    lcg = lcg * 1664525u + 1013904223u;
    const int noise = (static_cast<int>(lcg >> 16) - 32768) / 24;  // ~ -20 dB below the tones
    s = g711::ulaw_to_linear(g711::ulaw_from_linear(static_cast<std::int16_t>(s + noise)));
  }
  DtmfDetector det;
  EXPECT_EQ(detect_all(det, audio), "159#");
}
