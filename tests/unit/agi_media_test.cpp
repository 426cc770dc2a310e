// AGI commands that play and listen, driven by bash scripts while the test plays the caller
// (digits and audio injected into the Test channel once the command is seen starting):
// STREAM FILE (endpos, escape digits), CONTROL STREAM FILE, GET OPTION, GET DATA, WAIT FOR DIGIT,
// SAY DIGITS, RECORD FILE (file measured), and EAGI's audio on fd 3 (measured).
#include <cstring>

#include "agi_test_support.hpp"
#include "telephony/media/file_format.hpp"

using namespace agi_test;

namespace {
long long total_samples(const std::string& prompt) {
  auto p = media::find_sound_file("/usr/share/asterisk/sounds", "en", prompt, media::Format::slin());
  if (!p) return -1;
  auto r = media::AudioFileReader::open(*p);
  return r ? static_cast<long long>(r->total_samples()) : -1;
}
long long endpos_of(const std::string& reply) {
  auto at = reply.find("endpos=");
  return at == std::string::npos ? -1 : std::stoll(reply.substr(at + 7));
}
std::string reply_of(const std::string& log, const std::string& cmd) {
  auto at = log.find(cmd + " => ");
  if (at == std::string::npos) return "";
  auto start = at + cmd.size() + 4;
  return log.substr(start, log.find('\n', start) - start);
}
}  // namespace

TEST_F(Agi, StreamFileEndposAndEscapeDigits) {
  script("stream.sh", "cmd 'STREAM FILE hello-world \"\"'\ncmd 'STREAM FILE hello-world #'\n"
                      "cmd 'STREAM FILE no-such-prompt \"\"'\ncmd 'STREAM FILE hello-world \"\" 8000'");
  load("[agi]\nexten => 100,1,Answer()\nsame => n,AGI(stream.sh)\nsame => n,NoOp(${AGISTATUS} ${PLAYBACKSTATUS})\n");
  const long long total = total_samples("hello-world");
  ASSERT_GT(total, 8000);
  auto chan = call("agi", "100", "stream");
  ASSERT_TRUE(command_started(chan, "STREAM FILE hello-world #"));
  std::this_thread::sleep_for(300ms);
  chan->queue_frame(Frame::dtmf_end('#', 80ms));
  ASSERT_TRUE(wait_gone(chan, 10s));
  const std::string out = log_text();
  EXPECT_EQ(reply_of(out, "STREAM FILE hello-world \"\""), "200 result=0 endpos=" + std::to_string(total)) << out;
  const auto interrupted = reply_of(out, "STREAM FILE hello-world #");
  EXPECT_EQ(interrupted.rfind("200 result=35 endpos=", 0), 0u) << out;
  EXPECT_GT(endpos_of(interrupted), 1600);  // about 0.3 s in
  EXPECT_LT(endpos_of(interrupted), 5600);
  EXPECT_EQ(reply_of(out, "STREAM FILE no-such-prompt \"\""), "200 result=-1 endpos=0") << out;
  EXPECT_EQ(reply_of(out, "STREAM FILE hello-world \"\" 8000"), "200 result=0 endpos=" + std::to_string(total));
  // A failed STREAM FILE makes the AGI a FAILURE, as in Asterisk; the last one succeeded.
  EXPECT_EQ(join(trace(chan)), "[FAILURE SUCCESS]");
  EXPECT_EQ(join(prompts(chan)), "[hello-world][hello-world][hello-world]");
}

TEST_F(Agi, DigitsWaitForDigitGetDataAndGetOption) {
  script("digits.sh", R"(cmd 'WAIT FOR DIGIT 3000'
cmd 'WAIT FOR DIGIT 100'
cmd 'GET DATA beep 3000 4'
cmd 'GET DATA beep 300 4'
cmd 'GET OPTION beep 12 2000'
cmd 'SAY DIGITS 123 ""'
cmd 'SAY NUMBER 42 ""'
cmd 'SAY NUMBER twelve ""'
cmd 'CONTROL STREAM FILE hello-world 5')");
  load("[agi]\nexten => 100,1,Answer()\nsame => n,AGI(digits.sh)\nsame => n,NoOp(${CPLAYBACKSTATUS} ${CPLAYBACKSTOPKEY})\n");
  auto chan = call("agi", "100", "digits");
  ASSERT_TRUE(command_started(chan, "WAIT FOR DIGIT 3000"));
  chan->queue_frame(Frame::dtmf_end('5', 80ms));
  ASSERT_TRUE(command_started(chan, "GET DATA beep 3000"));
  std::this_thread::sleep_for(100ms);
  for (char d : std::string("12#")) {
    chan->queue_frame(Frame::dtmf_end(d, 80ms));
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(command_started(chan, "GET DATA beep 300"));
  std::this_thread::sleep_for(100ms);
  chan->queue_frame(Frame::dtmf_end('7', 80ms));
  ASSERT_TRUE(command_started(chan, "GET OPTION"));
  std::this_thread::sleep_for(700ms);  // after the beep: the digit counts during the timeout
  chan->queue_frame(Frame::dtmf_end('2', 80ms));
  ASSERT_TRUE(command_started(chan, "CONTROL STREAM FILE"));
  std::this_thread::sleep_for(400ms);
  chan->queue_frame(Frame::dtmf_end('5', 80ms));
  ASSERT_TRUE(wait_gone(chan, 10s));
  const std::string out = log_text();
  EXPECT_EQ(reply_of(out, "WAIT FOR DIGIT 3000"), "200 result=53") << out;
  EXPECT_EQ(reply_of(out, "WAIT FOR DIGIT 100"), "200 result=0") << out;
  EXPECT_EQ(reply_of(out, "GET DATA beep 3000 4"), "200 result=12") << out;
  EXPECT_EQ(reply_of(out, "GET DATA beep 300 4"), "200 result=7 (timeout)") << out;
  EXPECT_EQ(reply_of(out, "GET OPTION beep 12 2000"), "200 result=50 endpos=" + std::to_string(total_samples("beep")))
      << out;
  EXPECT_EQ(reply_of(out, "SAY DIGITS 123 \"\""), "200 result=0") << out;
  EXPECT_EQ(reply_of(out, "SAY NUMBER 42 \"\""), "200 result=0") << out;
  EXPECT_EQ(reply_of(out, "SAY NUMBER twelve \"\"").rfind("520-", 0), 0u) << out;
  const auto cs = reply_of(out, "CONTROL STREAM FILE hello-world 5");
  EXPECT_EQ(cs.rfind("200 result=53 endpos=", 0), 0u) << out;
  EXPECT_GT(endpos_of(cs), 200);  // milliseconds heard
  EXPECT_LT(endpos_of(cs), 800);
  EXPECT_EQ(join(trace(chan)), "[USERSTOPPED 5]");
  auto said = prompts(chan);
  const std::string spoken = join(said);
  EXPECT_NE(spoken.find("[digits/1][digits/2][digits/3][digits/40][digits/2]"), std::string::npos) << spoken;
}

TEST_F(Agi, RecordFileStopsOnTheEscapeDigit) {
  script("rec.sh", "cmd 'RECORD FILE " + (dir / "agirec").string() + " wav # 5000'\n"
                   "cmd 'RECORD FILE " + (dir / "short").string() + " wav # 300'\n"
                   "cmd 'RECORD FILE " + (dir / "bad").string() + " nosuchformat # 300'");
  load("[agi]\nexten => 100,1,Answer()\nsame => n,AGI(rec.sh)\n");
  auto chan = call("agi", "100", "rec");
  ASSERT_TRUE(command_started(chan, "RECORD FILE " + (dir / "agirec").string()));
  std::this_thread::sleep_for(50ms);
  for (std::size_t k = 0; k < 25; ++k) chan->queue_frame(tone_frame(600, k));
  chan->queue_frame(Frame::dtmf_end('#', 80ms));
  ASSERT_TRUE(command_started(chan, "RECORD FILE " + (dir / "short").string()));
  for (std::size_t k = 0; k < 50; ++k) chan->queue_frame(tone_frame(600, k));
  ASSERT_TRUE(wait_gone(chan, 10s));
  const std::string out = log_text();
  EXPECT_EQ(reply_of(out, "RECORD FILE " + (dir / "agirec").string() + " wav # 5000"), "200 result=35 (dtmf) endpos=4000")
      << out;
  EXPECT_NEAR(sox_seconds(dir / "agirec.wav"), 0.5, 0.021);
  const auto short_reply = reply_of(out, "RECORD FILE " + (dir / "short").string() + " wav # 300");
  EXPECT_EQ(short_reply.rfind("200 result=0 (timeout) endpos=", 0), 0u) << out;
  EXPECT_EQ(reply_of(out, "RECORD FILE " + (dir / "bad").string() + " nosuchformat # 300"), "200 result=-1 (writefile)");
}

TEST_F(Agi, EagiGivesTheScriptTheCallersAudioOnFd3) {
  script("eagi.sh", R"(cmd 'NOOP'
head -c 8000 <&3 > "$DIR/audio.raw"
cmd 'VERBOSE done')");
  load("[agi]\nexten => 100,1,Answer()\nsame => n,EAGI(eagi.sh)\nsame => n,NoOp(${AGISTATUS})\n"
       "exten => fast,1,EAGI(agi://127.0.0.1:1/x)\nsame => n,NoOp(${AGISTATUS})\n");
  auto chan = call("agi", "100", "eagi");
  ASSERT_TRUE(log->wait_for_type(agi::AgiExecEnded::kType));
  for (std::size_t k = 0; k < 60; ++k) chan->queue_frame(tone_frame(600, k, 8000, 6000));
  ASSERT_TRUE(wait_gone(chan, 10s));
  EXPECT_EQ(join(trace(chan)), "[SUCCESS]");
  auto env = lines("env.txt");
  EXPECT_NE(std::find(env.begin(), env.end(), "agi_enhanced: 1.0"), env.end());
  const std::string raw = testkit::read_file(dir / "audio.raw");
  ASSERT_EQ(raw.size(), 8000u);
  std::vector<std::int16_t> pcm(raw.size() / 2);
  std::memcpy(pcm.data(), raw.data(), raw.size());
  EXPECT_NEAR(media::dominant_frequency(pcm, 8000), 600, 5);
  EXPECT_NEAR(std::sqrt(media::mean_power(pcm)), 6000 / std::sqrt(2.0), 300);

  auto fast = call("agi", "fast", "eagi-fast");
  ASSERT_TRUE(wait_gone(fast));
  EXPECT_EQ(join(trace(fast)), "[FAILURE]");
}

TEST_F(Agi, SayDateTimeAndDatetime) {
  // 2026-03-06 16:50:05 UTC, a Friday: 11:50 in New York.
  script("dates.sh", R"(cmd 'SAY DATE 1772815805 ""'
cmd 'SAY TIME 1772815805 ""'
cmd 'SAY DATETIME 1772815805 "" HM America/New_York'
cmd 'SAY DATETIME 1772815805 "" HM'
cmd 'SAY DATE soon ""'
cmd 'SAY TIME'
cmd 'SAY DATETIME 1772815805 #')");
  load("[agi]\nexten => 100,1,Answer()\nsame => n,AGI(dates.sh)\n");
  auto chan = call("agi", "100", "dates");
  ASSERT_TRUE(command_started(chan, "SAY DATETIME 1772815805 #", 30s)) << log_text();
  std::this_thread::sleep_for(300ms);
  chan->queue_frame(Frame::dtmf_end('#', 80ms));
  ASSERT_TRUE(wait_gone(chan, 20s));
  const std::string out = log_text();
  EXPECT_EQ(reply_of(out, "SAY DATE 1772815805 \"\""), "200 result=0") << out;
  EXPECT_EQ(reply_of(out, "SAY TIME 1772815805 \"\""), "200 result=0") << out;
  EXPECT_EQ(reply_of(out, "SAY DATETIME 1772815805 \"\" HM America/New_York"), "200 result=0") << out;
  EXPECT_EQ(reply_of(out, "SAY DATE soon \"\"").rfind("520-", 0), 0u) << out;
  EXPECT_EQ(reply_of(out, "SAY TIME").rfind("520-", 0), 0u) << out;
  EXPECT_EQ(reply_of(out, "SAY DATETIME 1772815805 #"), "200 result=35") << out;

  // What Asterisk's English say.c plays, in the host's zone for DATE and TIME.
  std::tm tm{};
  const std::time_t t = 1772815805;
  localtime_r(&t, &tm);
  std::vector<std::string> want{"digits/day-" + std::to_string(tm.tm_wday), "digits/mon-" + std::to_string(tm.tm_mon)};
  for (auto& p : media::number_prompts(tm.tm_mday)) want.push_back(p);
  for (auto& p : media::number_prompts(tm.tm_year + 1900)) want.push_back(p);
  const int hour12 = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
  for (auto& p : media::number_prompts(hour12)) want.push_back(p);
  for (auto& p : media::number_prompts(tm.tm_min)) want.push_back(p);  // 50: no "oh"
  want.push_back(tm.tm_hour >= 12 ? "digits/p-m" : "digits/a-m");
  want.insert(want.end(), {"digits/11", "digits/50"});  // HM in New York
  tm = {};
  localtime_r(&t, &tm);
  for (auto& p : media::number_prompts(tm.tm_hour)) want.push_back(p);  // HM in the host's zone
  want.push_back("digits/50");
  want.push_back("digits/day-" + std::to_string(tm.tm_wday));  // the default format, stopped by #
  auto said = prompts(chan);
  ASSERT_GE(said.size(), want.size()) << join(said);
  said.resize(want.size());
  EXPECT_EQ(join(said), join(want));
}
