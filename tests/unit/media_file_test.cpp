#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>

#include "media_signals.hpp"
#include "telephony/media/file_format.hpp"
#include "telephony/media/spectrum.hpp"
#include "testkit/testkit.hpp"

using namespace telephony::media;
using telephony::testkit::TempDir;

namespace {
const std::filesystem::path kSounds = "/usr/share/asterisk/sounds";

std::string run(const std::string& cmd) {
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[256];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    ::pclose(p);
  }
  return out;
}
std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::vector<std::uint8_t> wav_bytes(Format f, std::size_t samples) {
  TempDir dir("media-wav");
  auto path = dir / "x.wav";
  {
    auto w = AudioFileWriter::create(path, f);
    EXPECT_TRUE(w);
    auto tone = media_test::sine(f.rate, 440, samples);
    EXPECT_TRUE(w->write(tone));
    EXPECT_TRUE(w->close());
  }
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
}  // namespace

TEST(MediaFile, WavWrittenIsReadBySoxWithRateAndDuration) {
  TELEPHONY_REQUIRE(telephony::testkit::missing_commands({"sox"}));
  TempDir dir("media-sox");
  struct Case { Format f; const char* encoding; };
  for (auto c : {Case{Format::slin(8000), "Signed Integer PCM"}, Case{Format::slin(16000), "Signed Integer PCM"},
                 Case{Format::slin(48000), "Signed Integer PCM"}, Case{Format::ulaw(), "u-law"},
                 Case{Format::alaw(), "A-law"}}) {
    const auto path = dir / (c.f.name() + ".wav");
    auto w = AudioFileWriter::create(path, c.f);
    ASSERT_TRUE(w) << w.error().to_string();
    // 1.5 s written as 75 frames of 20 ms.
    for (std::size_t f = 0; f < 75; ++f) {
      auto tone = media_test::sine(c.f.rate, 440, c.f.rate / 50, 8000, f * c.f.rate / 50);
      ASSERT_TRUE(w->write(tone));
    }
    ASSERT_TRUE(w->close());
    const std::string p = path.string();
    EXPECT_EQ(trim(run("sox --i -r '" + p + "' 2>&1")), std::to_string(c.f.rate)) << c.f.name();
    EXPECT_EQ(trim(run("sox --i -D '" + p + "' 2>&1")), "1.500000") << c.f.name();
    EXPECT_EQ(trim(run("sox --i -c '" + p + "' 2>&1")), "1");
    EXPECT_NE(run("sox --i -e '" + p + "' 2>&1").find(c.encoding), std::string::npos) << c.f.name();
    // And our own reader agrees and gets the tone back.
    auto r = AudioFileReader::open(path);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->format(), c.f);
    EXPECT_DOUBLE_EQ(r->duration_seconds(), 1.5);
    r->seek_samples(c.f.rate / 2);
    auto s = r->read_slin();
    EXPECT_EQ(s.size(), c.f.rate / 50);
    EXPECT_NEAR(dominant_frequency(s, c.f.rate, 100, 2000, 5), 440, 10);
  }
}

TEST(MediaFile, ReadsDebianPromptIn20msFrames) {
  TELEPHONY_REQUIRE(telephony::testkit::missing_prompts({"hello-world"}, kSounds));
  auto r = AudioFileReader::open(telephony::testkit::prompt_file("hello-world", kSounds));
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->format(), Format::slin(8000));
  EXPECT_EQ(r->total_samples(), 11234u);  // what `sox --i` reports
  std::size_t frames = 0, samples = 0;
  double energy = 0;
  for (auto s = r->read_slin(); !s.empty(); s = r->read_slin()) {
    ++frames;
    samples += s.size();
    EXPECT_LE(s.size(), 160u);
    energy += mean_power(s);
  }
  EXPECT_EQ(samples, 11234u);
  EXPECT_EQ(frames, (11234u + 159) / 160);
  EXPECT_GT(energy, 0);  // it is not silence
}

TEST(MediaFile, RawFormatsByExtension) {
  TempDir dir("media-raw");
  for (auto [ext, fmt] : {std::pair{"ulaw", Format::ulaw()}, {"alaw", Format::alaw()}, {"sln", Format::slin(8000)},
                          {"sln16", Format::slin(16000)}, {"sln48", Format::slin(48000)}}) {
    const auto path = dir / (std::string("t.") + ext);
    auto w = AudioFileWriter::create(path);
    ASSERT_TRUE(w);
    EXPECT_EQ(w->format(), fmt);
    auto tone = media_test::sine(fmt.rate, 600, fmt.rate / 10, 9000);
    ASSERT_TRUE(w->write(tone));
    ASSERT_TRUE(w->close());
    const auto bytes_per_sample = fmt.codec == Codec::Slin ? 2u : 1u;
    EXPECT_EQ(std::filesystem::file_size(path), fmt.rate / 10 * bytes_per_sample) << ext;
    auto r = AudioFileReader::open(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->format(), fmt);
    auto raw = r->read_frame();
    EXPECT_EQ(raw.size(), fmt.rate / 50 * bytes_per_sample);
    r->seek_samples(0);
    auto s = r->read_slin();
    EXPECT_NEAR(dominant_frequency(s, fmt.rate, 100, 2000, 5), 600, 10) << ext;
  }
  EXPECT_FALSE(AudioFileWriter::create(dir / "t.mp3"));
  EXPECT_FALSE(AudioFileWriter::create(dir / "t.wav", Format::opus()));
}

TEST(MediaFile, WavParserRejectsMalformedWithOffsets) {
  auto good = wav_bytes(Format::slin(8000), 800);
  ASSERT_TRUE(parse_wav_header(good));
  auto expect_error = [](std::vector<std::uint8_t> b, const char* where, const char* what) {
    auto r = parse_wav_header(b);
    ASSERT_FALSE(r) << what;
    EXPECT_EQ(r.error().where, where) << r.error().to_string();
    EXPECT_NE(r.error().message.find(what), std::string::npos) << r.error().to_string();
  };
  expect_error({}, "offset 0", "too short");
  auto b = good;
  std::memcpy(b.data(), "RIFX", 4);
  expect_error(b, "offset 0", "RIFF");
  b = good;
  b[22] = 2;  // stereo
  expect_error(b, "offset 22", "mono");
  b = good;
  b[34] = 8;  // 8-bit PCM
  expect_error(b, "offset 34", "bits");
  b = good;
  b[20] = 0x55;  // MPEG layer 3 tag
  expect_error(b, "offset 20", "format tag");
  b = good;
  b[40] = 0x10;  // data size bigger than the file
  b[41] = 0x27;
  expect_error(b, "offset 40", "exceeds");
  b = good;
  b.resize(30);  // fmt chunk cut off
  expect_error(b, "offset 16", "past end");
  // A writer that crashed before finalising (data size 0) still plays to the end of the file.
  b = good;
  std::memset(b.data() + 40, 0, 4);
  auto r = parse_wav_header(b);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->data_size, 1600u);
}

TEST(MediaFile, FindSoundFileFollowsAsteriskLanguageFallback) {
  TELEPHONY_REQUIRE(telephony::testkit::missing_prompts({"hello-world", "digits/1"}, kSounds));
  TempDir dir("media-sounds");
  std::filesystem::create_directories(dir / "en/digits");
  std::filesystem::create_directories(dir / "fr");
  for (auto p : {"en/hello.wav", "en/hello.ulaw", "en/hello.sln16", "fr/hello.wav", "en/digits/1.wav", "beep.alaw"})
    telephony::testkit::write_file(dir / p, "x");
  // Native-format match wins inside the language folder.
  EXPECT_EQ(find_sound_file(dir.path(), "en", "hello", Format::ulaw()), dir / "en/hello.ulaw");
  EXPECT_EQ(find_sound_file(dir.path(), "en", "hello", Format::slin(16000)), dir / "en/hello.sln16");
  EXPECT_EQ(find_sound_file(dir.path(), "en", "hello", Format::slin(8000)), dir / "en/hello.wav");
  // Language folder first, then the region-less language, then en, then no folder.
  EXPECT_EQ(find_sound_file(dir.path(), "fr", "hello", Format::ulaw()), dir / "fr/hello.wav");
  EXPECT_EQ(find_sound_file(dir.path(), "fr_CA", "hello", Format::ulaw()), dir / "fr/hello.wav");
  EXPECT_EQ(find_sound_file(dir.path(), "de", "digits/1", Format::ulaw()), dir / "en/digits/1.wav");
  EXPECT_EQ(find_sound_file(dir.path(), "de", "beep", Format::ulaw()), dir / "beep.alaw");
  EXPECT_FALSE(find_sound_file(dir.path(), "en", "nope", Format::ulaw()));
  // Against the real Debian sounds.
  auto hw = find_sound_file(kSounds, "en", "hello-world", Format::ulaw());
  ASSERT_TRUE(hw);
  EXPECT_EQ(*hw, telephony::testkit::prompt_file("hello-world", kSounds));
  EXPECT_EQ(find_sound_file(kSounds, "es", "digits/1", Format::alaw()), telephony::testkit::prompt_file("digits/1", kSounds));
}

// Debian's asterisk-core-sounds-en-wav alone installs only the voice folder en_US_f_Allison (the
// `en` link comes with asterisk-core-sounds-en): `en` is then served from that folder.
TEST(MediaFile, VoiceFolderServesItsLanguageWhenTheLanguageFolderIsMissing) {
  TempDir dir("media-voice");
  for (auto p : {"en_US_f_Allison/hello.wav", "en_US_f_Allison/digits/1.ulaw", "fr_FR_m_Jean/bonjour.wav"})
    telephony::testkit::write_file(dir / p, "x");
  EXPECT_EQ(find_sound_file(dir.path(), "en", "hello", Format::slin(8000)), dir / "en_US_f_Allison/hello.wav");
  EXPECT_EQ(find_sound_file(dir.path(), "en", "digits/1", Format::ulaw()), dir / "en_US_f_Allison/digits/1.ulaw");
  // Other languages fall back to en as usual, through the voice folder.
  EXPECT_EQ(find_sound_file(dir.path(), "de", "hello", Format::ulaw()), dir / "en_US_f_Allison/hello.wav");
  EXPECT_EQ(find_sound_file(dir.path(), "fr", "bonjour", Format::ulaw()), dir / "fr_FR_m_Jean/bonjour.wav");
  EXPECT_EQ(prompts_folder(dir.path(), "en"), dir / "en_US_f_Allison");
  EXPECT_FALSE(prompts_folder(dir.path(), "es"));
  // A real language folder wins over a voice folder.
  telephony::testkit::write_file(dir / "en/hello.wav", "x");
  EXPECT_EQ(find_sound_file(dir.path(), "en", "hello", Format::slin(8000)), dir / "en/hello.wav");
}

// A prompt that is nowhere is reported with every path that was searched.
TEST(MediaFile, NotFoundMessageNamesEveryPathTried) {
  TempDir dir("media-missing");
  std::filesystem::create_directories(dir / "en");
  auto msg = sound_not_found_message(dir.path(), "fr_CA", "nope");
  EXPECT_NE(msg.find("prompt 'nope' not found (language fr_CA)"), std::string::npos) << msg;
  for (auto p : {"fr_CA/nope.*", "fr/nope.*", "en/nope.*"})
    EXPECT_NE(msg.find((dir / p).string()), std::string::npos) << p << " in " << msg;
  EXPECT_NE(msg.find(", " + (dir / "nope.*").string()), std::string::npos) << msg;
  auto dirs = sound_search_dirs(dir.path(), "fr_CA");
  ASSERT_EQ(dirs.size(), 4u);
  EXPECT_EQ(dirs.back(), dir.path());
}
