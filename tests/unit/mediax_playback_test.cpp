// Playback, Say*, recording, tones and music on hold on real channels with the Debian prompts.
#include <cstdio>
#include <filesystem>

#include "mediax_support.hpp"
#include "testkit/testkit.hpp"
#include "telephony/media/channel_media.hpp"
#include "telephony/media/file_format.hpp"
#include "telephony/media/music_on_hold.hpp"
#include "telephony/media/playback.hpp"
#include "telephony/media/recording.hpp"

using namespace mediax_test;
namespace fs = std::filesystem;

namespace {
struct MediaPlayback : EngineFixture {
  fs::path dir;
  void SetUp() override {
    TELEPHONY_REQUIRE(telephony::testkit::missing_commands({"sox", "soxi"}));
    TELEPHONY_REQUIRE(telephony::testkit::missing_prompts({"hello-world", "beep", "digits/1"}));
    EngineFixture::SetUp();
    dir = fs::temp_directory_path() / ("mediax-" + std::to_string(::getpid()) + "-" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir);
  }
  void TearDown() override {
    EngineFixture::TearDown();
    fs::remove_all(dir);
  }
};

std::string run(const std::string& cmd) {
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[256];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    ::pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}
}  // namespace

TEST_F(MediaPlayback, PlaybackIsPacedInRealTime) {
  auto chan = test_channel("pace");
  const auto t0 = std::chrono::steady_clock::now();
  auto r = spawn(chan, media::play_file(chan, "hello-world")).get();
  const auto wall = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(r.status, media::PlayStatus::Played) << r.error;
  EXPECT_EQ(r.frames, 71u);  // 11234 samples at 8 kHz in 160-sample frames
  const double expected = r.frames * 20.0;
  EXPECT_NEAR(static_cast<double>(r.elapsed.count()), expected, expected * 0.05);
  EXPECT_NEAR(wall, expected, expected * 0.05);
  EXPECT_EQ(voice_frames(*ep("pace")), 71u);
  // Frames are not bunched: the first half of them is out after about half the time.
  EXPECT_TRUE(r.file.ends_with("en/hello-world.wav")) << r.file;
}

TEST_F(MediaPlayback, DigitInterruptsPlaybackAndOthersDoNot) {
  auto chan = test_channel("intr");
  auto fut = spawn(chan, media::play_file(chan, "demo-congrats", {.interrupt_digits = "#5"}));
  std::this_thread::sleep_for(200ms);
  chan->queue_frame(Frame::dtmf_end('1', 80ms));  // not an interrupt digit: ignored
  std::this_thread::sleep_for(100ms);
  chan->queue_frame(Frame::dtmf_end('5', 80ms));
  ASSERT_EQ(fut.wait_for(2s), std::future_status::ready);
  auto r = fut.get();
  EXPECT_EQ(r.status, media::PlayStatus::Interrupted);
  EXPECT_EQ(r.digit, '5');
  EXPECT_LT(r.elapsed, 600ms);
  EXPECT_GT(r.frames, 10u);
}

TEST_F(MediaPlayback, MissingPromptAndHangup) {
  auto chan = test_channel("miss");
  auto r = spawn(chan, media::play_files(chan, {"beep", "no-such-prompt-xyz"})).get();
  EXPECT_EQ(r.status, media::PlayStatus::NotFound);
  EXPECT_EQ(r.file, "no-such-prompt-xyz");
  EXPECT_NE(r.error.find("no-such-prompt-xyz"), std::string::npos);
  EXPECT_GT(r.frames, 0u);  // beep played first

  auto token = chan->hold();
  auto fut = spawn(chan, media::play_file(chan, "demo-congrats"));
  std::this_thread::sleep_for(150ms);
  chan->request_hangup();
  ASSERT_EQ(fut.wait_for(1s), std::future_status::ready);
  EXPECT_EQ(fut.get().status, media::PlayStatus::HungUp);
}

TEST_F(MediaPlayback, SayPromptLists) {
  using V = std::vector<std::string>;
  EXPECT_EQ(media::number_prompts(0), V{"digits/0"});
  EXPECT_EQ(media::number_prompts(15), V{"digits/15"});
  EXPECT_EQ(media::number_prompts(42), (V{"digits/40", "digits/2"}));
  EXPECT_EQ(media::number_prompts(-7), (V{"digits/minus", "digits/7"}));
  EXPECT_EQ(media::number_prompts(1234567),
            (V{"digits/1", "digits/million", "digits/2", "digits/hundred", "digits/30", "digits/4", "digits/thousand",
               "digits/5", "digits/hundred", "digits/60", "digits/7"}));
  EXPECT_EQ(media::digit_prompts("1*#"), (V{"digits/1", "digits/star", "digits/pound"}));
  EXPECT_EQ(media::alpha_prompts("Ab1."), (V{"letters/a", "letters/b", "digits/1", "letters/dot"}));
  EXPECT_EQ(media::phonetic_prompts("az9"), (V{"phonetic/a_p", "phonetic/z_p", "digits/9"}));
  // Every prompt those produce for ordinary text exists in the Debian set.
  for (const auto& list : {media::number_prompts(987654321), media::alpha_prompts("xyz@-"),
                           media::phonetic_prompts("abcdefghijklmnopqrstuvwxyz")})
    for (const auto& p : list)
      EXPECT_TRUE(media::find_sound_file(engine.options().dirs.sounds, "en", p, media::Format::slin())) << p;
}

TEST_F(MediaPlayback, SayNumberPlaysTheSequence) {
  auto chan = test_channel("say");
  auto r = spawn(chan, media::say_number(chan, 21)).get();
  ASSERT_EQ(r.status, media::PlayStatus::Played) << r.error;
  EXPECT_TRUE(r.file.ends_with("digits/1.wav")) << r.file;
  EXPECT_GT(r.frames, 20u);
}

// A prompt played on ;2 of a Local pair is recorded on ;1: same duration, a file sox reads.
TEST_F(MediaPlayback, RecordedPromptHasTheSameDurationAndSoxReadsIt) {
  auto one = *engine.request("Local/rec@ctx");
  auto two = local_peer(*one);
  auto token = one->hold();
  const auto path = dir / "hello.wav";
  auto rec = spawn(one, media::record_file(one, path, {.beep = false}));
  std::this_thread::sleep_for(30ms);
  auto played = spawn(two, media::play_file(two, "hello-world")).get();
  ASSERT_EQ(played.status, media::PlayStatus::Played);
  std::this_thread::sleep_for(60ms);
  one->request_hangup();
  ASSERT_EQ(rec.wait_for(2s), std::future_status::ready);
  auto r = rec.get();
  EXPECT_EQ(r.status, media::RecordStatus::Hangup) << r.error;
  EXPECT_NEAR(r.seconds(), 1.404, 0.04);
  auto reader = media::AudioFileReader::open(telephony::testkit::prompt_file("hello-world"));
  const double want = reader->duration_seconds();
  EXPECT_EQ(run("soxi -r " + path.string()), "8000");
  EXPECT_NEAR(std::stod(run("soxi -D " + path.string())), want, 0.04);
}

TEST_F(MediaPlayback, RecordStopsOnSilenceAndTrimsIt) {
  auto chan = test_channel("silence");
  const auto path = dir / "s.wav";
  for (std::size_t k = 0; k < 25; ++k) chan->queue_frame(tone_frame(media::Format::slin(), 600, k));
  for (std::size_t k = 0; k < 75; ++k) chan->queue_frame(silence_frame());
  auto r = spawn(chan, media::record_file(chan, path, {.silence = 1000ms, .beep = false})).get();
  // The beep would have been written to the device: none was asked for.
  EXPECT_EQ(r.status, media::RecordStatus::Silence) << r.error;
  EXPECT_NEAR(r.seconds(), 0.5, 0.021);
  EXPECT_EQ(media::to_string(r.status), "SILENCE");
}

TEST_F(MediaPlayback, RecordStopsOnMaxDurationAndOnPound) {
  auto chan = test_channel("limits", {media::Format::ulaw()});
  const auto t0 = std::chrono::steady_clock::now();
  auto r = spawn(chan, media::record_file(chan, dir / "t.ulaw", {.max_duration = 400ms, .beep = false})).get();
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.status, media::RecordStatus::Timeout);
  EXPECT_GE(took, 390ms);
  EXPECT_LT(took, 700ms);

  auto fut = spawn(chan, media::record_file(chan, dir / "d.wav", {.beep = true}));
  std::this_thread::sleep_for(700ms);  // after the beep (0.43 s)
  for (std::size_t k = 0; k < 10; ++k) chan->queue_frame(tone_frame(media::Format::ulaw(), 800, k));
  chan->queue_frame(Frame::dtmf_end('#', 100ms));
  ASSERT_EQ(fut.wait_for(2s), std::future_status::ready);
  r = fut.get();
  EXPECT_EQ(r.status, media::RecordStatus::Dtmf);
  EXPECT_EQ(r.digit, '#');
  EXPECT_NEAR(r.seconds(), 0.2, 0.001);
  EXPECT_GT(voice_frames(*ep("limits")), 5u);  // the beep went to the device
  // Append adds to what is there.
  for (std::size_t k = 0; k < 5; ++k) chan->queue_frame(tone_frame(media::Format::ulaw(), 800, k));
  chan->queue_frame(Frame::dtmf_end('#', 100ms));
  r = spawn(chan, media::record_file(chan, dir / "d.wav", {.beep = false, .append = true})).get();
  EXPECT_NEAR(r.seconds(), 0.3, 0.001);
}

TEST_F(MediaPlayback, TonesPlayUntilStoppedAndBadSpecsAreRejected) {
  auto chan = test_channel("tones", {media::Format::slin(16000)});
  auto task = media::play_tones(chan, "440");
  ASSERT_TRUE(task);
  std::this_thread::sleep_for(300ms);
  (*task)->stop();
  ASSERT_TRUE(testkit::eventually([&] { return !(*task)->running(); }));
  const auto n = voice_frames(*ep("tones"));
  EXPECT_NEAR(static_cast<double>(n), 15, 3);
  auto pcm = decoded(*ep("tones"), 16000);
  EXPECT_NEAR(media::dominant_frequency(pcm, 16000), 440, 3);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(voice_frames(*ep("tones")), n);  // stopped means stopped

  auto busy = media::play_tones(chan, "busy", "us");  // 480+620
  ASSERT_TRUE(busy);
  std::this_thread::sleep_for(200ms);
  media::stop_generator(chan);
  auto b = decoded(*ep("tones"), 16000, n);
  EXPECT_GT(media::goertzel_power(b, 16000, 620), 100 * media::goertzel_power(b, 16000, 440));

  auto bad = media::play_tones(chan, "440/abc");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().to_string().find("PlayTones"), std::string::npos);
  EXPECT_FALSE(media::play_tones(chan, "nosuchtone", "us"));
}

TEST_F(MediaPlayback, MilliwattAndMusicOnHold) {
  auto chan = test_channel("hold", {media::Format::ulaw()});
  auto mw = media::play_milliwatt(chan);
  std::this_thread::sleep_for(200ms);
  // Starting music on hold replaces the milliwatt generator.
  auto cls = media::default_moh_class();
  auto moh = media::start_moh(chan, cls, 42);
  ASSERT_TRUE(moh);
  EXPECT_TRUE(testkit::eventually([&] { return !mw->running(); }));
  auto pcm = decoded(*ep("hold"), 8000);
  EXPECT_NEAR(media::dominant_frequency(std::span<const std::int16_t>(pcm).subspan(0, 800), 8000), 1004, 5);
  std::this_thread::sleep_for(400ms);
  media::stop_moh(chan);
  ASSERT_TRUE(testkit::eventually([&] { return !moh->running(); }));
  EXPECT_GT(moh->frames_written(), 15u);
  EXPECT_EQ(moh->kind(), cls.mode == media::MohClass::Mode::Files ? "moh" : "tones");
}

TEST_F(MediaPlayback, MusicOnHoldConfig) {
  fs::create_directories(dir / "moh-a");
  fs::copy_file(telephony::testkit::prompt_file("beep"), dir / "moh-a" / "b.wav");
  fs::copy_file(telephony::testkit::prompt_file("hello-world"), dir / "moh-a" / "a.wav");
  auto conf = config::parse_string(
      "[general]\n[default]\nmode=files\ndirectory=moh-a\nsort=alpha\n", "musiconhold.conf");
  ASSERT_TRUE(conf);
  auto classes = media::moh_classes_from_config(*conf, dir);
  ASSERT_TRUE(classes) << classes.error().to_string();
  ASSERT_EQ(classes->size(), 1u);
  EXPECT_FALSE((*classes)[0].random);
  ASSERT_EQ((*classes)[0].files.size(), 2u);
  EXPECT_EQ((*classes)[0].files[0].filename(), "a.wav");

  auto bad = config::parse_string("[x]\nmode=custom\napplication=/bin/mpg123\n[y]\nmode=files\ndirectory=/nonexistent\n",
                                  "musiconhold.conf");
  auto errs = media::moh_classes_from_config(*bad, dir);
  ASSERT_FALSE(errs);
  const auto text = errs.error().to_string();
  EXPECT_NE(text.find("musiconhold.conf:1"), std::string::npos) << text;
  EXPECT_NE(text.find("mode=custom"), std::string::npos) << text;
  EXPECT_NE(text.find("musiconhold.conf:6"), std::string::npos) << text;
}
