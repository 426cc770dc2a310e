// What the caller sends: Record (silence, #, max duration, hangup, formats by extension), Read
// and WaitDigit (digits, terminators, attempts, timeouts, status variables), SendDTMF and Echo
// through a Local pair.
#include "appsmedia_support.hpp"
#include "telephony/media/file_format.hpp"

using namespace appsmedia_test;

namespace {
void queue_tone(const Channel::Ptr& chan, std::size_t frames, double hz = 600) {
  for (std::size_t k = 0; k < frames; ++k) chan->queue_frame(tone_frame(hz, k));
}
void queue_silence(const Channel::Ptr& chan, std::size_t frames) {
  for (std::size_t k = 0; k < frames; ++k) chan->queue_frame(silence_frame());
}
}  // namespace

TEST_F(MediaApps, RecordStopsOnSilenceAndCutsTheQuietTail) {
  load("[m]\nexten => 100,1,Answer()\nsame => n,Record(${DIR}/msg.wav,1,10,q)\n"
       "same => n,NoOp(${RECORD_STATUS} ${RECORDED_FILE})\n"
       "exten => keep,1,Answer()\nsame => n,Record(${DIR}/tail.wav,1,10,qu)\nsame => n,NoOp(${RECORD_STATUS})\n");
  auto chan = call("m", "100", "rec-sil");
  queue_tone(chan, 25);      // 0.5 s of voice
  queue_silence(chan, 60);   // 1.2 s of quiet: the recording stops after 1 s of it
  ASSERT_TRUE(wait_gone(chan));
  EXPECT_EQ(join(trace(chan)), "[SILENCE " + (dir / "msg").string() + "]");
  EXPECT_NEAR(sox_seconds(dir / "msg.wav"), 0.5, 0.021);
  EXPECT_EQ(voice_frames(*ep("rec-sil")), 0u);  // q: no beep

  auto keep = call("m", "keep", "rec-keep");
  queue_tone(keep, 25);
  queue_silence(keep, 60);
  ASSERT_TRUE(wait_gone(keep));
  EXPECT_EQ(join(trace(keep)), "[SILENCE]");
  EXPECT_NEAR(sox_seconds(dir / "tail.wav"), 1.5, 0.021);  // u: the quiet second stays
}

TEST_F(MediaApps, RecordStopsOnPoundOperatorAndMaxDuration) {
  load("[m]\n"
       "exten => pound,1,Answer()\nsame => n,Record(${DIR}/p.ulaw)\nsame => n,NoOp(${RECORD_STATUS})\n"
       "exten => star,1,Answer()\nsame => n,Record(${DIR}/s.wav,0,0,qt)\nsame => n,NoOp(${RECORD_STATUS})\n"
       "exten => op,1,Answer()\nsame => n,Record(${DIR}/o.wav,0,0,qo)\nsame => n,NoOp(${RECORD_STATUS})\n"
       "exten => max,1,Answer()\nsame => n,Record(${DIR}/m.alaw,0,1,qx)\nsame => n,NoOp(${RECORD_STATUS})\n"
       "exten => bad,1,Record(${DIR}/nothing.xyz)\nexten => h,1,NoOp(h ${RECORD_STATUS})\n");
  // '#' after the beep (0.43 s); what was said before the beep ended is not in the file.
  auto p = call("m", "pound", "rec-p");
  std::this_thread::sleep_for(700ms);
  queue_tone(p, 10);
  p->queue_frame(Frame::dtmf_end('#', 80ms));
  ASSERT_TRUE(wait_gone(p));
  EXPECT_EQ(join(trace(p)), "[DTMF][h DTMF]");
  EXPECT_GT(voice_frames(*ep("rec-p")), 15u);  // the beep was played
  auto ulaw = media::AudioFileReader::open(dir / "p.ulaw");
  ASSERT_TRUE(ulaw);
  EXPECT_EQ(ulaw->format(), media::Format::ulaw());
  EXPECT_EQ(ulaw->total_samples(), 1600u);  // 10 frames of 160 samples, 1 byte each

  // t: '*' ends it and '#' does not.
  auto s = call("m", "star", "rec-s");
  queue_tone(s, 5);
  s->queue_frame(Frame::dtmf_end('#', 80ms));
  queue_tone(s, 5);
  s->queue_frame(Frame::dtmf_end('*', 80ms));
  ASSERT_TRUE(wait_gone(s));
  EXPECT_EQ(join(trace(s)), "[DTMF][h DTMF]");
  EXPECT_NEAR(sox_seconds(dir / "s.wav"), 0.2, 0.001);

  auto o = call("m", "op", "rec-o");
  queue_tone(o, 5);
  o->queue_frame(Frame::dtmf_end('0', 80ms));
  ASSERT_TRUE(wait_gone(o));
  EXPECT_EQ(join(trace(o)), "[OPERATOR][h OPERATOR]");

  // x: no digit ends it; maxduration (1 s) does.
  const auto t0 = std::chrono::steady_clock::now();
  auto m = call("m", "max", "rec-m");
  m->queue_frame(Frame::dtmf_end('#', 80ms));
  ASSERT_TRUE(wait_gone(m));
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(join(trace(m)), "[TIMEOUT][h TIMEOUT]");
  EXPECT_GE(took, 990ms);
  EXPECT_LT(took, 1600ms);
  EXPECT_TRUE(fs::exists(dir / "m.alaw"));

  auto bad = call("m", "bad", "rec-bad");
  ASSERT_TRUE(wait_gone(bad));
  EXPECT_EQ(join(trace(bad)), "[h ERROR]");
  EXPECT_FALSE(fs::exists(dir / "nothing.xyz"));
}

TEST_F(MediaApps, RecordHangupDeletesUnlessKeptAndNumbersFiles) {
  load("[m]\nexten => lost,1,Answer()\nsame => n,Record(${DIR}/lost.wav,0,0,q)\n"
       "exten => kept,1,Answer()\nsame => n,Record(${DIR}/kept-%d.wav,0,0,qk)\n"
       "exten => skip,1,Record(${DIR}/skip.wav,0,0,s)\nsame => n,NoOp(${RECORD_STATUS})\n"
       "exten => h,1,NoOp(h ${RECORD_STATUS} ${RECORDED_FILE})\n");
  testkit::write_file(dir / "kept-0.wav", "taken");
  auto lost = call("m", "lost", "rec-lost");
  queue_tone(lost, 10);
  ASSERT_TRUE(testkit::eventually([&] { return fs::exists(dir / "lost.wav"); }));
  std::this_thread::sleep_for(100ms);
  lost->request_hangup();
  ASSERT_TRUE(wait_gone(lost));
  EXPECT_EQ(join(trace(lost)), "[h HANGUP " + (dir / "lost").string() + "]");
  EXPECT_FALSE(fs::exists(dir / "lost.wav"));  // "all data will be lost"

  auto kept = call("m", "kept", "rec-kept");
  queue_tone(kept, 10);
  ASSERT_TRUE(testkit::eventually([&] { return fs::exists(dir / "kept-1.wav"); }));
  std::this_thread::sleep_for(100ms);
  kept->request_hangup();
  ASSERT_TRUE(wait_gone(kept));
  EXPECT_EQ(join(trace(kept)), "[h HANGUP " + (dir / "kept-1").string() + "]");
  EXPECT_NEAR(sox_seconds(dir / "kept-1.wav"), 0.2, 0.001);

  auto skip = call("m", "skip", "rec-skip");
  ASSERT_TRUE(wait_gone(skip));
  EXPECT_EQ(join(trace(skip)), "[SKIP][h SKIP ]");
  EXPECT_FALSE(fs::exists(dir / "skip.wav"));
}

// Audio from the far side of a Local pair, ended with '#': the file holds what was said.
TEST_F(MediaApps, RecordThroughLocalKeepsWhatTheFarSideSaid) {
  load("[m]\nexten => 100,1,Answer()\nsame => n,Record(${DIR}/said.wav,0,10,q)\nsame => n,NoOp(${RECORD_STATUS})\n");
  auto one = local_call("m", "100");
  auto two = two_of(one);
  ASSERT_TRUE(testkit::eventually([&] { return reached(two, "Record"); }));
  std::this_thread::sleep_for(50ms);
  std::string hello = "hello-world";
  auto played = spawn(one, media::play_file(one, hello)).get();
  ASSERT_EQ(played.status, media::PlayStatus::Played);
  one->send_digit('#', 80ms);
  ASSERT_TRUE(testkit::eventually([&] { return !trace(two).empty(); }));
  EXPECT_EQ(join(trace(two)), "[DTMF]");
  EXPECT_NEAR(sox_seconds(dir / "said.wav"), 1.404, 0.04);
}

TEST_F(MediaApps, ReadCollectsDigitsWithStatus) {
  load("[m]\n"
       "exten => _r.,1,Read(V,${PROMPT},${MAX},${OPTS},${ATTEMPTS},${T})\n"
       "same => n,NoOp(${READSTATUS} [${V}])\n");
  struct Case {
    const char* name;
    const char* prompt;
    const char* max;
    const char* opts;
    const char* attempts;
    const char* timeout;
    const char* digits;
    bool answer_first;
    const char* trace;
  } cases[] = {
      {"pound", "beep", "", "", "", "1", "123#", true, "OK [123]"},
      {"maxdigits", "", "2", "", "", "1", "123", true, "OK [12]"},
      {"partial then timeout", "", "", "", "", "0.3", "4", true, "TIMEOUT [4]"},
      {"nothing, two attempts", "beep", "", "", "2", "0.2", "", true, "TIMEOUT []"},
      {"pound alone", "", "", "", "", "1", "#", true, "OK []"},
      {"own terminator", "", "", "t(*)", "", "1", "5#*", true, "OK [5#]"},
      {"skip when not up", "", "", "s", "", "1", "1#", false, "SKIPPED []"},
      {"tone prompt", "dial", "1", "i", "", "1", "7", true, "OK [7]"},
      {"missing prompt", "no-such-prompt", "", "", "", "1", "1#", true, "ERROR []"},
  };
  int n = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string dev = "read" + std::to_string(n++);
    auto chan = *engine.request("Test/" + dev);
    chan->set_state(c.answer_first ? ChannelState::Up : ChannelState::Ring);
    chan->set_variable("PROMPT", c.prompt);
    chan->set_variable("MAX", c.max);
    chan->set_variable("OPTS", c.opts);
    chan->set_variable("ATTEMPTS", c.attempts);
    chan->set_variable("T", c.timeout);
    chan->set_location({"m", "r" + std::to_string(n), 1});
    pbx->start(chan);
    ASSERT_TRUE(testkit::eventually([&] { return reached(chan, "Read"); }));
    for (const char* d = c.digits; *d; ++d) chan->queue_frame(Frame::dtmf_end(*d, 80ms));
    ASSERT_TRUE(wait_gone(chan, 6s));
    EXPECT_EQ(join(trace(chan)), std::string("[") + c.trace + "]");
  }
  // Two attempts with nothing entered play the prompt twice.
  auto twice = *engine.request("Test/read-twice");
  twice->set_state(ChannelState::Up);
  twice->set_location({"m", "rtwice", 1});
  const std::vector<std::pair<std::string, std::string>> vars = {
      {"PROMPT", "beep"}, {"MAX", ""}, {"OPTS", ""}, {"ATTEMPTS", "2"}, {"T", "0.2"}};
  for (const auto& [k, v] : vars) twice->set_variable(k, v);
  pbx->start(twice);
  ASSERT_TRUE(wait_gone(twice));
  EXPECT_EQ(join(prompts(twice)), "[beep][beep]");
}

TEST_F(MediaApps, WaitDigitStatusAndResult) {
  load("[m]\nexten => _w.,1,WaitDigit(${ARGS})\nsame => n,NoOp(${WAITDIGITSTATUS} ${WAITDIGITRESULT})\n"
       "exten => h,1,NoOp(h ${WAITDIGITSTATUS})\n");
  struct Case {
    const char* args;
    const char* digits;
    const char* trace;
  } cases[] = {
      {"2", "5", "[DTMF 5]"},
      {"2,34", "1234", "[DTMF 3]"},
      {"0.2", "", "[TIMEOUT ][h TIMEOUT]"},
      {"abc", "", "[ERROR ][h ERROR]"},
  };
  int n = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.args);
    auto chan = *engine.request("Test/wd" + std::to_string(n));
    chan->set_variable("ARGS", c.args);
    chan->set_location({"m", "w" + std::to_string(n++), 1});
    pbx->start(chan);
    ASSERT_TRUE(testkit::eventually([&] { return reached(chan, "WaitDigit"); }));
    for (const char* d = c.digits; *d; ++d) chan->queue_frame(Frame::dtmf_end(*d, 80ms));
    ASSERT_TRUE(wait_gone(chan));
    auto t = join(trace(chan));
    EXPECT_EQ(t.substr(0, std::string(c.trace).size()), c.trace);
  }
  auto cancel = *engine.request("Test/wd-cancel");
  cancel->set_variable("ARGS", "");
  cancel->set_location({"m", "wcancel", 1});
  pbx->start(cancel);
  ASSERT_TRUE(testkit::eventually([&] { return reached(cancel, "WaitDigit"); }));
  cancel->request_hangup();
  ASSERT_TRUE(wait_gone(cancel));
  EXPECT_EQ(join(trace(cancel)), "[h CANCEL]");
}

// SendDTMF on ;2 arrives as digits on ;1, paced (duration + gap per digit, w = 0.5 s).
TEST_F(MediaApps, SendDtmfThroughLocalIsPaced) {
  load("[m]\nexten => 100,1,Answer()\nsame => n,SendDTMF(12w#,50,60)\nsame => n,NoOp(sent)\nsame => n,Wait(5)\n");
  auto one = *engine.request("Local/100@m");
  tokens.push_back(one->hold());
  auto got = spawn(one, [](Channel::Ptr c) -> asio::awaitable<std::vector<std::pair<char, long long>>> {
    std::vector<std::pair<char, long long>> out;
    const auto t0 = std::chrono::steady_clock::now();
    while (out.size() < 3) {
      auto f = co_await c->read(3000ms);
      if (!f) break;
      if (f->kind == FrameKind::DtmfEnd)
        out.emplace_back(f->digit(), std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count());
    }
    co_return out;
  }(one));
  ASSERT_TRUE(one->call("", 5s));
  ASSERT_EQ(got.wait_for(4s), std::future_status::ready);
  auto d = got.get();
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].first, '1');
  EXPECT_EQ(d[1].first, '2');
  EXPECT_EQ(d[2].first, '#');
  EXPECT_NEAR(static_cast<double>(d[1].second - d[0].second), 110, 30);        // 60 ms on + 50 ms gap
  EXPECT_NEAR(static_cast<double>(d[2].second - d[1].second), 110 + 500, 40);  // w between them
  ASSERT_TRUE(testkit::eventually([&] { return !trace(two_of(one)).empty(); }));
}

// Echo on ;2: the tone ;1 sends comes back; '#' ends Echo and the dialplan continues.
TEST_F(MediaApps, EchoReturnsAudioUntilPound) {
  load("[m]\nexten => 100,1,Answer()\nsame => n,Echo()\nsame => n,NoOp(echo ended)\n");
  auto one = local_call("m", "100");
  auto two = two_of(one);
  ASSERT_TRUE(testkit::eventually([&] { return reached(two, "Echo"); }));
  auto heard = spawn(one, [](Channel::Ptr c) -> asio::awaitable<std::vector<std::int16_t>> {
    std::vector<std::int16_t> pcm;
    for (std::size_t k = 0; k < 25; ++k) {
      c->write(tone_frame(700, k));
      auto f = co_await c->read(200ms);
      while (f && f->kind != FrameKind::Voice) f = co_await c->read(200ms);
      if (!f) continue;
      auto s = media::slin_samples(f->data());
      pcm.insert(pcm.end(), s.begin(), s.end());
    }
    co_return pcm;
  }(one));
  ASSERT_EQ(heard.wait_for(5s), std::future_status::ready);
  auto pcm = heard.get();
  ASSERT_GE(pcm.size(), 160u * 20);
  EXPECT_NEAR(media::dominant_frequency(pcm, 8000), 700, 5);
  EXPECT_TRUE(trace(two).empty());
  one->send_digit('#', 80ms);
  ASSERT_TRUE(testkit::eventually([&] { return !trace(two).empty(); }));
  EXPECT_EQ(join(trace(two)), "[echo ended]");
}
