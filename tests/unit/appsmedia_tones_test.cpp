// Generator applications (PlayTones/StopPlayTones, Milliwatt, Ringing with in-band ring tone),
// music on hold (classes from musiconhold.conf through the module, fallback, duration), and the
// documentation every media application registers.
#include <cmath>

#include "testkit/testkit.hpp"
#include "appsmedia_support.hpp"
#include "telephony/media/file_format.hpp"
#include "telephony/media/moh_module.hpp"

using namespace appsmedia_test;

TEST_F(MediaApps, PlayTonesRunsInTheBackgroundUntilStopped) {
  load("[m]\nexten => 100,1,Answer()\nsame => n,PlayTones(440)\nsame => n,Wait(0.4)\nsame => n,StopPlayTones()\n"
       "same => n,NoOp(stopped)\nsame => n,Wait(0.6)\nsame => n,PlayTones(busy)\nsame => n,Wait(0.3)\n"
       "same => n,Playback(beep)\nsame => n,PlayTones(nonsense)\nsame => n,NoOp(bad tone ignored)\n");
  auto chan = call("m", "100", "tones");
  ASSERT_TRUE(testkit::eventually([&] { return trace(chan).size() == 1; }));
  const auto after_stop = voice_frames(*ep("tones"));
  EXPECT_NEAR(static_cast<double>(after_stop), 20, 4);  // 0.4 s of 20 ms frames
  auto tone = sent_pcm(*ep("tones"));
  EXPECT_NEAR(media::dominant_frequency(tone, 8000), 440, 3);
  std::this_thread::sleep_for(200ms);
  EXPECT_LE(voice_frames(*ep("tones")), after_stop + 1);  // stopped means stopped
  ASSERT_TRUE(wait_gone(chan));
  EXPECT_EQ(join(trace(chan)), "[stopped][bad tone ignored]");
  // busy (480+620) was replaced by the beep prompt: about 15 busy frames, then the beep's 21.
  const auto total = voice_frames(*ep("tones"));
  EXPECT_NEAR(static_cast<double>(total - after_stop), 15 + 21, 5);
  auto busy = sent_pcm(*ep("tones"), after_stop + 2);
  busy.resize(std::min<std::size_t>(busy.size(), 160 * 10));
  EXPECT_GT(media::goertzel_power(busy, 8000, 620), 100 * media::goertzel_power(busy, 8000, 440));
}

TEST_F(MediaApps, MilliwattSendsTheTestToneUntilHangup) {
  load("[m]\nexten => 100,1,Milliwatt()\nsame => n,NoOp(not reached)\nexten => h,1,NoOp(h)\n");
  auto chan = call("m", "100", "mw");
  std::this_thread::sleep_for(300ms);
  chan->request_hangup();
  ASSERT_TRUE(wait_gone(chan));
  EXPECT_TRUE(ep("mw")->answered);
  EXPECT_EQ(join(trace(chan)), "[h]");
  auto pcm = sent_pcm(*ep("mw"));
  ASSERT_GE(pcm.size(), 160u * 10);
  EXPECT_NEAR(media::dominant_frequency(pcm, 8000), 1004, 5);
}

// Ringing on an unanswered channel is an indication; once answered (or on an analog-style device)
// it can only be heard, so the ring tone (440+480) is played in band.
TEST_F(MediaApps, RingingUsesTonesWhereTheChannelCannotIndicate) {
  load("[m]\nexten => ring,1,Ringing()\nsame => n,Progress()\nsame => n,Wait(0.3)\n"
       "exten => up,1,Answer()\nsame => n,Ringing()\nsame => n,Wait(0.3)\n");
  auto quiet = call("m", "ring", "ring-sip");
  ASSERT_TRUE(wait_gone(quiet));
  {
    auto e = ep("ring-sip");
    std::lock_guard lock(e->mu);
    ASSERT_EQ(e->indications.size(), 2u);
    EXPECT_EQ(e->indications[0], Control::Ringing);
    EXPECT_EQ(e->indications[1], Control::Progress);
  }
  EXPECT_EQ(voice_frames(*ep("ring-sip")), 0u);

  auto answered = call("m", "up", "ring-up");
  ASSERT_TRUE(wait_gone(answered));
  auto pcm = sent_pcm(*ep("ring-up"));
  ASSERT_GE(pcm.size(), 160u * 10);
  EXPECT_GT(media::goertzel_power(pcm, 8000, 480), 0.1 * media::goertzel_power(pcm, 8000, 440));
  EXPECT_GT(media::goertzel_power(pcm, 8000, 440), 100 * media::goertzel_power(pcm, 8000, 1000));

  auto analog = call("m", "ring", "ring-fxs", {media::Format::ulaw()}, /*inband=*/true);
  ASSERT_TRUE(wait_gone(analog));
  EXPECT_GE(voice_frames(*ep("ring-fxs")), 10u);
}

TEST_F(MediaApps, MusicOnHoldClassesFromTheModule) {
  // A class folder with one known prompt, loaded through the module as telephonyd does.
  fs::create_directories(dir / "data" / "moh-beeps");
  fs::copy_file(telephony::testkit::prompt_file("beep"), dir / "data" / "moh-beeps" / "b.wav");
  testkit::write_file(dir / "etc" / "musiconhold.conf", "[general]\n[beeps]\nmode=files\ndirectory=moh-beeps\n");
  EngineOptions o;
  o.threads = 2;
  o.dirs.data = dir / "data";
  Engine moh_engine(o);
  auto mod = std::make_shared<media::MusicOnHoldModule>(moh_engine);
  ASSERT_TRUE(mod->load(dir / "etc"));
  moh_engine.add_module(mod);
  auto beeps = media::find_moh_class(moh_engine, "BEEPS");
  ASSERT_TRUE(beeps);
  ASSERT_EQ(beeps->files.size(), 1u);
  EXPECT_TRUE(media::find_moh_class(moh_engine, "default"));  // built in
  EXPECT_FALSE(media::find_moh_class(moh_engine, "nope"));

  // A broken reload names file:line and keeps the running classes.
  testkit::write_file(dir / "etc" / "musiconhold.conf", "[beeps]\nmode=custom\napplication=/bin/mpg123\n");
  auto bad = mod->reload(dir / "etc");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().to_string().find("musiconhold.conf:1"), std::string::npos) << bad.error().to_string();
  EXPECT_TRUE(media::find_moh_class(moh_engine, "beeps"));
}

TEST_F(MediaApps, MusicOnHoldPlaysForItsDurationAndStartStopWork) {
  // A class of beeps (absolute folder), so what the caller hears can be measured.
  fs::create_directories(dir / "beeps");
  fs::copy_file(telephony::testkit::prompt_file("beep"), dir / "beeps" / "b.wav");
  testkit::write_file(dir / "etc" / "musiconhold.conf", "[beeps]\nmode=files\ndirectory=" + (dir / "beeps").string() + "\n");
  auto mod = std::make_shared<media::MusicOnHoldModule>(engine);
  ASSERT_TRUE(mod->load(dir / "etc"));
  engine.add_module(mod);
  load("[m]\nexten => 100,1,Answer()\nsame => n,Set(CHANNEL(musicclass)=beeps)\nsame => n,MusicOnHold(,0.5)\n"
       "same => n,NoOp(held)\n"
       "same => n,StartMusicOnHold(no-such-class)\nsame => n,Wait(0.3)\nsame => n,StopMusicOnHold()\n"
       "same => n,NoOp(stopped)\nsame => n,Wait(0.3)\n");
  const auto t0 = std::chrono::steady_clock::now();
  auto chan = call("m", "100", "moh");
  ASSERT_TRUE(testkit::eventually([&] { return trace(chan).size() == 1; }));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 480ms);
  const auto held = voice_frames(*ep("moh"));
  EXPECT_NEAR(static_cast<double>(held), 25, 4);
  auto pcm = sent_pcm(*ep("moh"));
  EXPECT_GT(media::power_dbfs(media::mean_power(pcm)), -30);  // CHANNEL(musicclass)'s beeps, not silence
  ASSERT_TRUE(testkit::eventually([&] { return trace(chan).size() == 2; }));
  const auto after_stop = voice_frames(*ep("moh"));
  // The unknown class played default for Wait(0.3): about 16 frames. A loaded machine stretches
  // the Wait (and the test's polling), so only bound it: music played, and it did not run on.
  EXPECT_GE(after_stop - held, 10u);
  EXPECT_LE(after_stop - held, 45u);
  ASSERT_TRUE(wait_gone(chan));
  EXPECT_LE(voice_frames(*ep("moh")), after_stop + 1);
}

TEST_F(MediaApps, EveryMediaApplicationIsDocumented) {
  for (const char* name : {"Playback", "Background", "ControlPlayback", "Record", "Read", "WaitDigit", "SayDigits",
                           "SayNumber", "SayAlpha", "SayPhonetic", "PlayTones", "StopPlayTones", "Milliwatt",
                           "Ringing", "Progress", "MusicOnHold", "StartMusicOnHold", "StopMusicOnHold", "SendDTMF",
                           "Echo"}) {
    SCOPED_TRACE(name);
    auto app = engine.applications().find(name);
    ASSERT_TRUE(app);
    EXPECT_FALSE(app->doc.synopsis.empty());
    EXPECT_TRUE(app->doc.syntax.starts_with(name));
    EXPECT_GT(app->doc.description.size(), 40u);
    EXPECT_FALSE(app->doc.see_also.empty());
  }
}

TEST_F(MediaApps, DialMusicClassOptionPlaysThatClassWhileRinging) {
  // A class whose only file is a 1 kHz tone, so the class the caller hears can be told apart
  // from the default one (Debian's music or the built-in 440 Hz pattern).
  fs::create_directories(dir / "tone1k");
  {
    auto w = media::AudioFileWriter::create(dir / "tone1k" / "t.wav");
    ASSERT_TRUE(w);
    std::vector<std::int16_t> pcm(8000);
    for (std::size_t i = 0; i < pcm.size(); ++i) pcm[i] = static_cast<std::int16_t>(8000 * std::sin(2 * M_PI * 1000 * i / 8000.0));
    ASSERT_TRUE(w->write(pcm));
    ASSERT_TRUE(w->close());
  }
  testkit::write_file(dir / "etc" / "musiconhold.conf", "[tone1k]\nmode=files\ndirectory=" + (dir / "tone1k").string() + "\n");
  auto mod = std::make_shared<media::MusicOnHoldModule>(engine);
  ASSERT_TRUE(mod->load(dir / "etc"));
  engine.add_module(mod);
  load("[m]\nexten => 100,1,Dial(Local/ring@m,1,m(tone1k))\nsame => n,NoOp(${DIALSTATUS})\n"
       "exten => ring,1,Ringing()\nsame => n,Wait(10)\n");
  auto chan = call("m", "100", "held-caller");
  ASSERT_TRUE(testkit::eventually([&] { return trace(chan).size() == 1; }, 5s));
  EXPECT_EQ(trace(chan)[0], "NOANSWER");
  auto pcm = sent_pcm(*ep("held-caller"));
  ASSERT_GE(pcm.size(), 160u * 20) << "the caller heard the class while the device rang";
  EXPECT_NEAR(media::dominant_frequency(pcm, 8000), 1000, 20);
}
