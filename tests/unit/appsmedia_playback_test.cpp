// Playback, Background, ControlPlayback and Say* run by the dialplan executor, with real Debian
// prompts: heard (recorded) on the far side of a Local pair, interrupted by DTMF, hung up on.
#include "appsmedia_support.hpp"
#include "telephony/media/recording.hpp"

using namespace appsmedia_test;

// Playback on ;2 of a Local pair is recorded on ;1: the recording lasts as long as the prompt.
TEST_F(MediaApps, PlaybackThroughLocalIsHeardWithTheRightDuration) {
  load("[m]\nexten => 100,1,Answer()\nsame => n,Playback(hello-world)\nsame => n,NoOp(${PLAYBACKSTATUS})\nsame => n,Hangup()\n");
  auto one = *engine.request("Local/100@m");
  tokens.push_back(one->hold());
  const auto wav = dir / "heard.wav";
  media::RecordOptions ro;
  ro.beep = false;
  auto rec = spawn(one, media::record_file(one, wav, ro));
  ASSERT_TRUE(one->call("", 5s));
  auto two = two_of(one);
  ASSERT_TRUE(wait_gone(two));
  ASSERT_EQ(rec.wait_for(3s), std::future_status::ready);
  auto r = rec.get();
  EXPECT_EQ(r.status, media::RecordStatus::Hangup);
  EXPECT_EQ(join(trace(two)), "[SUCCESS]");
  EXPECT_EQ(join(prompts(two)), "[hello-world]");
  EXPECT_EQ(run("soxi -r '" + wav.string() + "'"), "8000");
  EXPECT_NEAR(sox_seconds(wav), 1.404, 0.04);  // the Debian prompt is 11234 samples
}

TEST_F(MediaApps, PlaybackOptionsAndStatus) {
  load("[m]\n"
       "exten => missing,1,Playback(no-such-prompt&beep)\nsame => n,NoOp(${PLAYBACKSTATUS})\n"
       "exten => skip,1,Playback(beep,skip)\nsame => n,NoOp(${PLAYBACKSTATUS} ${CHANNEL(state)})\n"
       "exten => noanswer,1,Playback(beep,noanswer)\nsame => n,NoOp(${PLAYBACKSTATUS} ${CHANNEL(state)})\n"
       "exten => answer,1,Playback(beep)\nsame => n,NoOp(${PLAYBACKSTATUS} ${CHANNEL(state)})\n"
       "exten => empty,1,Playback()\nsame => n,NoOp(not reached)\nexten => h,1,NoOp(h ${PLAYBACKSTATUS})\n");
  struct Case {
    const char* exten;
    const char* trace;
    const char* prompts;
    bool answered;
  } cases[] = {
      {"missing", "[FAILED][h FAILED]", "[beep]", true},  // the missing one is skipped, the next plays
      {"skip", "[SUCCESS Ring][h SUCCESS]", "", false},
      {"noanswer", "[SUCCESS Ring][h SUCCESS]", "[beep]", false},
      {"answer", "[SUCCESS Up][h SUCCESS]", "[beep]", true},
      {"empty", "[h FAILED]", "", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.exten);
    auto chan = call("m", c.exten, std::string("pb-") + c.exten);
    ASSERT_TRUE(wait_gone(chan));
    EXPECT_EQ(join(trace(chan)), c.trace);
    EXPECT_EQ(join(prompts(chan)), c.prompts);
    EXPECT_EQ(ep(std::string("pb-") + c.exten)->answered, c.answered);
    if (std::string(c.prompts).empty()) {
      EXPECT_EQ(voice_frames(*ep(std::string("pb-") + c.exten)), 0u);
    }
  }
}

// A digit during Background starts dialing: the rest is collected and the call continues there.
TEST_F(MediaApps, BackgroundInterruptedByDtmfJumpsToThatExtension) {
  load("[m]\nexten => 100,1,Answer()\nsame => n,Set(TIMEOUT(digit)=0.4)\nsame => n,Background(demo-congrats)\n"
       "same => n,NoOp(not interrupted)\n"
       "exten => 12,1,NoOp(twelve ${BACKGROUNDSTATUS})\nsame => n,Hangup()\n"
       "exten => 1,1,NoOp(one)\nexten => 123,1,NoOp(one-two-three)\n"
       "exten => i,1,NoOp(invalid ${INVALID_EXTEN})\n");
  auto one = local_call("m", "100");
  auto two = two_of(one);
  ASSERT_TRUE(testkit::eventually([&] { return !prompts(two).empty(); }));
  std::this_thread::sleep_for(300ms);
  const auto t0 = std::chrono::steady_clock::now();
  one->send_digit('1', 80ms);
  std::this_thread::sleep_for(100ms);
  one->send_digit('2', 80ms);
  ASSERT_TRUE(wait_gone(two));
  // 12 can still become 123: the executor waited TIMEOUT(digit) before settling on 12, and not
  // the 30 s of demo-congrats.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  EXPECT_EQ(join(trace(two)), "[twelve SUCCESS]");

  // A digit that no extension starts with goes to i.
  auto other = local_call("m", "100");
  auto other2 = two_of(other);
  ASSERT_TRUE(testkit::eventually([&] { return !prompts(other2).empty(); }));
  other->send_digit('9', 80ms);
  ASSERT_TRUE(wait_gone(other2));
  EXPECT_EQ(join(trace(other2)), "[invalid 9]");
}

TEST_F(MediaApps, BackgroundOptionsContextAndStatus) {
  load("[m]\n"
       "exten => ctx,1,Background(hello-world,,,menu)\nsame => n,NoOp(not interrupted)\n"
       "exten => p,1,Background(hello-world,p)\nsame => n,NoOp(played ${BACKGROUNDSTATUS})\n"
       "exten => mopt,1,Set(TIMEOUT(digit)=0.3)\nsame => n,Background(hello-world,m)\nsame => n,NoOp(m ran out)\n"
       "exten => missing,1,Background(no-such-prompt)\nsame => n,NoOp(not reached)\n"
       "exten => 5,1,NoOp(five in m)\nexten => 55,1,NoOp(fifty-five in m)\n"
       "exten => h,1,NoOp(h ${BACKGROUNDSTATUS})\n"
       "[menu]\nexten => 5,1,NoOp(five in menu ${CONTEXT})\n");
  // context argument: the digit is looked up in [menu].
  auto a = call("m", "ctx", "bg-ctx");
  ASSERT_TRUE(testkit::eventually([&] { return !prompts(a).empty(); }));
  a->queue_frame(Frame::dtmf_end('5', 80ms));
  ASSERT_TRUE(wait_gone(a));
  EXPECT_EQ(join(trace(a)), "[five in menu menu]");
  EXPECT_TRUE(ep("bg-ctx")->answered);

  // p: digits do not interrupt; the prompt plays to its end.
  auto b = call("m", "p", "bg-p");
  ASSERT_TRUE(testkit::eventually([&] { return !prompts(b).empty(); }));
  b->queue_frame(Frame::dtmf_end('5', 80ms));
  ASSERT_TRUE(wait_gone(b));
  EXPECT_EQ(join(trace(b)), "[played SUCCESS][h SUCCESS]");
  EXPECT_GE(voice_frames(*ep("bg-p")), 70u);

  // m: only a digit that is a one-digit extension interrupts ('7' is not, '5' is).
  auto c = call("m", "mopt", "bg-m");
  ASSERT_TRUE(testkit::eventually([&] { return !prompts(c).empty(); }));
  c->queue_frame(Frame::dtmf_end('7', 80ms));
  std::this_thread::sleep_for(100ms);
  c->queue_frame(Frame::dtmf_end('5', 80ms));
  ASSERT_TRUE(wait_gone(c, 10s));
  EXPECT_EQ(join(trace(c)), "[five in m][h SUCCESS]");

  // A missing prompt ends the call with FAILED.
  auto d = call("m", "missing", "bg-miss");
  ASSERT_TRUE(wait_gone(d));
  EXPECT_EQ(join(trace(d)), "[h FAILED]");
}

TEST_F(MediaApps, HangupDuringPlaybackEndsPromptlyAndRunsH) {
  load("[m]\nexten => 100,1,Answer()\nsame => n,Playback(demo-congrats)\nsame => n,NoOp(not reached)\n"
       "exten => h,1,NoOp(h ${PLAYBACKSTATUS} ${HANGUPCAUSE})\n");
  auto one = local_call("m", "100");
  auto two = two_of(one);
  ASSERT_TRUE(testkit::eventually([&] { return !prompts(two).empty(); }));
  std::this_thread::sleep_for(200ms);
  const auto t0 = std::chrono::steady_clock::now();
  one->request_hangup(HangupCause::NormalClearing);
  tokens.clear();  // the test was ;1's owner: releasing it makes the hangup final
  ASSERT_TRUE(wait_gone(two));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 500ms);
  EXPECT_EQ(join(trace(two)), "[h SUCCESS 16]");
}

// Three calls at once (the prompts are real, so each sentence takes seconds).
TEST_F(MediaApps, SayApplicationsPlayTheRightPromptsInOrder) {
  load("[m]\nexten => n,1,SayNumber(-1234)\nsame => n,SayNumber(12x)\nsame => n,NoOp(done ${CHANNEL(state)})\n"
       "exten => d,1,SayDigits(5*#0)\nsame => n,SayAlpha(b@.)\n"
       "exten => p,1,SayPhonetic(az9)\nsame => n,SayNumber(0)\nsame => n,SayNumber(21)\n");
  auto n = call("m", "n", "say-n");
  auto d = call("m", "d", "say-d");
  auto p = call("m", "p", "say-p");
  for (auto* c : {&n, &d, &p}) ASSERT_TRUE(wait_gone(*c, 20s));
  EXPECT_EQ(join(prompts(n)), "[digits/minus][digits/1][digits/thousand][digits/2][digits/hundred][digits/30][digits/4]");
  EXPECT_EQ(join(prompts(d)), "[digits/5][digits/star][digits/pound][digits/0][letters/b][letters/at][letters/dot]");
  EXPECT_EQ(join(prompts(p)), "[phonetic/a_p][phonetic/z_p][digits/9][digits/0][digits/20][digits/1]");
  EXPECT_EQ(join(trace(n)), "[done Ring]");  // Say* do not answer; 12x was refused and skipped
  EXPECT_FALSE(ep("say-n")->answered);
}

TEST_F(MediaApps, ControlPlaybackKeysAndStatus) {
  load("[m]\n"
       "exten => stop,1,ControlPlayback(demo-congrats,1000,6,4,5)\n"
       "same => n,NoOp(${CPLAYBACKSTATUS} ${CPLAYBACKOFFSET} ${CPLAYBACKSTOPKEY})\n"
       "exten => end,1,ControlPlayback(hello-world,,,,,,,o(1000))\nsame => n,NoOp(${CPLAYBACKSTATUS} ${CPLAYBACKOFFSET})\n"
       "exten => missing,1,ControlPlayback(no-such-prompt)\nsame => n,NoOp(${CPLAYBACKSTATUS})\n");
  auto chan = call("m", "stop", "cp");
  ASSERT_TRUE(testkit::eventually([&] { return !prompts(chan).empty(); }));
  std::this_thread::sleep_for(200ms);
  chan->queue_frame(Frame::dtmf_end('6', 80ms));  // +1000 ms
  chan->queue_frame(Frame::dtmf_end('6', 80ms));  // +1000 ms
  chan->queue_frame(Frame::dtmf_end('4', 80ms));  // -1000 ms
  std::this_thread::sleep_for(100ms);
  chan->queue_frame(Frame::dtmf_end('5', 80ms));  // stop
  ASSERT_TRUE(wait_gone(chan));
  auto t = trace(chan);
  ASSERT_EQ(t.size(), 1u);
  long long offset = -2;
  char status[32] = {}, key[4] = {};
  ASSERT_EQ(std::sscanf(t[0].c_str(), "%31s %lld %3s", status, &offset, key), 3) << t[0];
  EXPECT_STREQ(status, "USERSTOPPED");
  EXPECT_STREQ(key, "5");
  EXPECT_NEAR(static_cast<double>(offset), 1300, 200);  // ~300 ms heard, +2 s, -1 s

  // o(1000): starts 1 s into hello-world; the end of file reports -1.
  auto end = call("m", "end", "cp-end");
  ASSERT_TRUE(wait_gone(end));
  EXPECT_EQ(join(trace(end)), "[SUCCESS -1]");
  EXPECT_NEAR(static_cast<double>(voice_frames(*ep("cp-end"))), (11234 - 8000) / 160.0, 2);

  auto missing = call("m", "missing", "cp-miss");
  ASSERT_TRUE(wait_gone(missing));
  EXPECT_EQ(join(trace(missing)), "[ERROR]");
}
