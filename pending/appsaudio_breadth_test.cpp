// Issue 16's audio features measured on the audio itself: VOLUME, PITCH_SHIFT, DENOISE, AGC,
// JITTERBUFFER and MUTEAUDIO on what a Test device hears (Echo() sends back what it said, after
// the RX hooks; PlayTones goes through the TX hooks), TALK_DETECT's events, ChanSpy listening,
// whispering, barging and cycling with DTMF, ChanIsAvail and the device/extension state
// functions.
#include <random>

#include "breadth_support.hpp"
#include "telephony/device_state.hpp"
#include "telephony/dialplan/app_events.hpp"

using namespace breadth_test;

namespace {

using Audio = Breadth;

void send_tone(const Channel::Ptr& chan, double hz, std::size_t frames, double amp = 4000, std::size_t from = 0) {
  for (std::size_t k = 0; k < frames; ++k) chan->queue_frame(tone_frame(hz, from + k, 8000, amp));
}

// Feeds `frames` of 20 ms at real-time pace (hooks with state — speex — see a live stream).
void stream(const Channel::Ptr& chan, std::size_t frames, const std::function<Frame(std::size_t)>& make) {
  auto next = std::chrono::steady_clock::now();
  for (std::size_t k = 0; k < frames; ++k) {
    chan->queue_frame(make(k));
    next += 20ms;
    std::this_thread::sleep_until(next);
  }
}

double power_at(const std::vector<std::int16_t>& pcm, double hz, std::size_t from = 0, std::size_t n = 0) {
  if (from >= pcm.size()) return 0;
  if (n == 0 || from + n > pcm.size()) n = pcm.size() - from;
  return media::goertzel_power(std::span<const std::int16_t>(pcm.data() + from, n), 8000, hz);
}
double db(double ratio) { return 10 * std::log10(ratio); }

// Waits until the device was sent at least `samples` of voice.
bool heard(testkit::TestEndpoint& ep, std::size_t samples, std::chrono::milliseconds t = 5s) {
  return eventually([&] { return sent_pcm(ep).size() >= samples; }, t);
}

}  // namespace

TEST_F(Audio, VolumeScalesWhatTheDeviceHearsAndSays) {
  load("[a]\n"
       "exten => plain,1,Answer()\nsame => n,PlayTones(!440/400)\nsame => n,Wait(1)\n"
       "exten => tx,1,Answer()\nsame => n,Set(VOLUME(TX)=2)\nsame => n,NoOp(${VOLUME(tx)})\n"
       "same => n,PlayTones(!440/400)\nsame => n,Wait(1)\n"
       "exten => half,1,Answer()\nsame => n,Set(VOLUME(tx)=-2)\nsame => n,PlayTones(!440/400)\nsame => n,Wait(1)\n"
       "exten => rx,1,Answer()\nsame => n,Set(VOLUME(RX)=3)\nsame => n,Echo()\n");
  auto plain = call("a", "plain", "vol-plain");
  auto tx = call("a", "tx", "vol-tx");
  auto half = call("a", "half", "vol-half");
  for (auto* c : {&plain, &tx, &half}) ASSERT_TRUE(wait_gone(*c));
  const double p0 = power_at(sent_pcm(*ep("vol-plain")), 440);
  ASSERT_GT(p0, 1e4);
  EXPECT_NEAR(db(power_at(sent_pcm(*ep("vol-tx")), 440) / p0), 6.02, 0.5);
  EXPECT_NEAR(db(power_at(sent_pcm(*ep("vol-half")), 440) / p0), -6.02, 0.5);
  EXPECT_EQ(join(trace(tx)), "[2.000000]");

  auto rx = call("a", "rx", "vol-rx");
  ASSERT_TRUE(eventually([&] { return reached(rx, "Echo"); }));
  send_tone(rx, 700, 20, 2000);
  ASSERT_TRUE(heard(*ep("vol-rx"), 20 * 160));
  auto echoed = sent_pcm(*ep("vol-rx"));
  EXPECT_NEAR(db(power_at(echoed, 700) / (2000.0 * 2000 / 2)), 9.54, 0.5);  // x3
}

TEST_F(Audio, PitchShiftScalesEveryFrequency) {
  load("[a]\n"
       "exten => up,1,Answer()\nsame => n,Set(PITCH_SHIFT(tx)=highest)\nsame => n,PlayTones(!500/1000)\nsame => n,Wait(1.2)\n"
       "exten => down,1,Answer()\nsame => n,Set(PITCH_SHIFT(RX)=0.5)\nsame => n,Echo()\n");
  auto up = call("a", "up", "pitch-up");
  ASSERT_TRUE(wait_gone(up));
  auto pcm = sent_pcm(*ep("pitch-up"));
  ASSERT_GT(pcm.size(), 4000u);
  std::span<const std::int16_t> steady(pcm.data() + 1600, 4000);  // after the 40 ms window filled
  EXPECT_NEAR(media::dominant_frequency(steady, 8000, 100, 3000), 1000, 15);

  auto down = call("a", "down", "pitch-down");
  ASSERT_TRUE(eventually([&] { return reached(down, "Echo"); }));
  send_tone(down, 1200, 50);
  ASSERT_TRUE(heard(*ep("pitch-down"), 50 * 160));
  auto echoed = sent_pcm(*ep("pitch-down"));
  std::span<const std::int16_t> tail(echoed.data() + 1600, 4000);
  EXPECT_NEAR(media::dominant_frequency(tail, 8000, 100, 3000), 600, 15);
}

TEST_F(Audio, DenoiseRemovesSteadyNoiseAndAgcRaisesQuietSpeech) {
  load("[a]\nexten => dn,1,Answer()\nsame => n,Set(DENOISE(rx)=on)\nsame => n,NoOp(${DENOISE(rx)})\nsame => n,Echo()\n"
       "exten => agc,1,Answer()\nsame => n,Set(AGC(rx)=16000)\nsame => n,NoOp(${AGC(rx)})\nsame => n,Echo()\n");
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0, 800);
  auto noisy = [&](std::size_t k) {
    auto f = tone_frame(500, k, 8000, 6000);
    auto pcm = media::slin_samples(f.data());
    std::vector<std::int16_t> out(pcm.begin(), pcm.end());
    for (auto& s : out) s = static_cast<std::int16_t>(std::clamp(s + noise(rng), -32768.0, 32767.0));
    auto bytes = media::slin_bytes(out);
    return Frame::voice(media::Format::slin(), std::vector<std::uint8_t>(bytes.begin(), bytes.end()), 160);
  };
  auto dn = call("a", "dn", "denoise");
  ASSERT_TRUE(eventually([&] { return reached(dn, "Echo"); }));
  stream(dn, 100, noisy);  // 2 s
  ASSERT_TRUE(heard(*ep("denoise"), 100 * 160));
  auto out = sent_pcm(*ep("denoise"));
  // The last second: noise (everything but the tone) at least 6 dB lower; the tone kept.
  std::span<const std::int16_t> last(out.data() + out.size() - 8000, 8000);
  const double tone_out = media::goertzel_power(last, 8000, 500);
  const double noise_out = media::mean_power(last) - tone_out;
  EXPECT_LT(db(noise_out / (800.0 * 800)), -6);
  EXPECT_GT(db(tone_out / (6000.0 * 6000 / 2)), -3);
  EXPECT_EQ(join(trace(dn)), "[1]");

  auto agc = call("a", "agc", "agc");
  ASSERT_TRUE(eventually([&] { return reached(agc, "Echo"); }));
  stream(agc, 150, [](std::size_t k) { return tone_frame(300, k, 8000, 600); });  // quiet, 3 s
  ASSERT_TRUE(heard(*ep("agc"), 150 * 160));
  auto raised = sent_pcm(*ep("agc"));
  std::span<const std::int16_t> end(raised.data() + raised.size() - 4000, 4000);
  EXPECT_GT(db(media::mean_power(end) / (600.0 * 600 / 2)), 6);
  EXPECT_EQ(join(trace(agc)), "[16000.0]");
}

TEST_F(Audio, TalkDetectRaisesStartAndStopWithTheDuration) {
  load("[a]\nexten => t,1,Answer()\nsame => n,Set(TALK_DETECT(set)=400)\nsame => n,Wait(10)\n");
  auto t = call("a", "t", "talk");
  ASSERT_TRUE(eventually([&] { return reached(t, "Wait"); }));
  send_tone(t, 400, 15);  // 300 ms of talking
  for (int k = 0; k < 30; ++k) t->queue_frame(silence_frame());
  ASSERT_TRUE(log->wait_for_type("ChannelTalkingStopped"));
  auto starts = events_of<ChannelTalkingStarted>();
  auto stops = events_of<ChannelTalkingStopped>();
  ASSERT_EQ(starts.size(), 1u);
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_EQ(stops[0]->duration.count(), 300);
  t->request_hangup(HangupCause::NormalClearing);
}

TEST_F(Audio, JitterbufferDelaysAndMuteaudioSilences) {
  load("[a]\nexten => jb,1,Answer()\nsame => n,Set(JITTERBUFFER(fixed)=100)\nsame => n,Echo()\n"
       "exten => mute,1,Answer()\nsame => n,Set(MUTEAUDIO(in)=on)\nsame => n,NoOp(${MUTEAUDIO(in)}${MUTEAUDIO(out)})\n"
       "same => n,Echo()\n");
  auto jb = call("a", "jb", "jb");
  ASSERT_TRUE(eventually([&] { return reached(jb, "Echo"); }));
  send_tone(jb, 1000, 20);
  ASSERT_TRUE(heard(*ep("jb"), 20 * 160));
  auto out = sent_pcm(*ep("jb"));
  EXPECT_LT(media::mean_power(std::span<const std::int16_t>(out.data(), 800)), 1.0);           // 100 ms quiet
  EXPECT_GT(power_at(out, 1000, 800, 1600), 1e6);                                               // then the tone

  auto mute = call("a", "mute", "mute");
  ASSERT_TRUE(eventually([&] { return reached(mute, "Echo"); }));
  send_tone(mute, 1000, 10);
  ASSERT_TRUE(heard(*ep("mute"), 10 * 160));
  EXPECT_LT(media::mean_power(sent_pcm(*ep("mute"))), 1.0);
  EXPECT_EQ(join(trace(mute)), "[10]");
}

// alice hears a 1000 Hz tone (PlayTones) and says 600 Hz (injected); the spy hears both.
TEST_F(Audio, ChanSpyHearsBothDirectionsAndWhispers) {
  load("[a]\nexten => alice,1,Answer()\nsame => n,PlayTones(1000)\nsame => n,Wait(20)\n"
       "exten => spy,1,ChanSpy(Test/alice,q)\n"
       "exten => own,1,ChanSpy(Test/alice,qo)\n"
       "exten => whisper,1,ChanSpy(Test/alice,qw)\n");
  auto alice = call("a", "alice", "alice");
  ASSERT_TRUE(eventually([&] { return reached(alice, "Wait"); }));
  auto spy = call("a", "spy", "spy");
  ASSERT_TRUE(log->wait_for_type("ChanSpyStarted"));
  send_tone(alice, 600, 25);
  ASSERT_TRUE(heard(*ep("spy"), 20 * 160));
  auto pcm = sent_pcm(*ep("spy"));
  EXPECT_GT(power_at(pcm, 600), 1e5);
  EXPECT_GT(power_at(pcm, 1000), 1e5);
  auto started = events_of<ChanSpyStarted>();
  ASSERT_FALSE(started.empty());
  EXPECT_EQ(started[0]->spyer.name, spy->name());
  EXPECT_EQ(started[0]->spyee.name, alice->name());
  spy->request_hangup(HangupCause::NormalClearing);
  ASSERT_TRUE(log->wait_for_type("ChanSpyStopped"));

  auto own = call("a", "own", "own");
  ASSERT_TRUE(eventually([&] { return events_of<ChanSpyStarted>().size() == 2; }));
  send_tone(alice, 600, 25);
  ASSERT_TRUE(heard(*ep("own"), 20 * 160));
  auto only = sent_pcm(*ep("own"));
  EXPECT_GT(power_at(only, 600), 1e5);
  EXPECT_LT(power_at(only, 1000), power_at(only, 600) / 100);  // o: not what alice hears
  own->request_hangup(HangupCause::NormalClearing);

  auto w = call("a", "whisper", "whisperer");
  ASSERT_TRUE(eventually([&] { return events_of<ChanSpyStarted>().size() == 3; }));
  const auto before = voice_frames(*ep("alice"));
  send_tone(w, 1500, 25);
  ASSERT_TRUE(eventually([&] {
    auto a = sent_pcm(*ep("alice"), before);
    return a.size() >= 20 * 160 && power_at(a, 1500) > 1e5;
  })) << "alice never heard the whisper";
  w->request_hangup(HangupCause::NormalClearing);
  alice->request_hangup(HangupCause::NormalClearing);
}

// alice (calling) is bridged with bob; a barging spy is heard by both, a whisperer by alice only.
TEST_F(Audio, ChanSpyBargeReachesBothPartiesAndDtmfCycles) {
  load("[a]\nexten => alice,1,Dial(Test/bob)\n"
       "exten => carol,1,Answer()\nsame => n,Set(SPYGROUP=sales:x)\nsame => n,PlayTones(1800)\nsame => n,Wait(20)\n"
       "exten => barge,1,ChanSpy(Test/alice,qB)\n"
       "exten => cycle,1,ChanSpy(Test/,qbE)\n"
       "exten => group,1,ChanSpy(,qg(sales))\n");
  auto alice = call("a", "alice", "alice");
  ASSERT_TRUE(eventually([&] { return !alice->snapshot().bridge_id.empty(); }));
  auto b = call("a", "barge", "barger");
  ASSERT_TRUE(log->wait_for_type("ChanSpyStarted"));
  const auto alice_before = voice_frames(*ep("alice"));
  const auto bob_before = voice_frames(*ep("bob"));
  // Keep audio flowing both ways through the bridge so the hooks run.
  std::thread talk([&] {
    for (std::size_t k = 0; k < 40; ++k) {
      alice->queue_frame(silence_frame());
      b->queue_frame(tone_frame(1500, k));
      std::this_thread::sleep_for(20ms);
    }
  });
  for (std::size_t k = 0; k < 40; ++k) {
    for (auto& c : engine.channels())
      if (c->name().rfind("Test/bob-", 0) == 0) c->queue_frame(silence_frame());
    std::this_thread::sleep_for(20ms);
  }
  talk.join();
  EXPECT_GT(power_at(sent_pcm(*ep("alice"), alice_before), 1500), 1e5);
  EXPECT_GT(power_at(sent_pcm(*ep("bob"), bob_before), 1500), 1e5);
  b->request_hangup(HangupCause::NormalClearing);
  ASSERT_TRUE(log->wait_for_type("ChanSpyStopped"));

  // g(sales): only carol qualifies.
  auto carol = call("a", "carol", "carol");
  ASSERT_TRUE(eventually([&] { return reached(carol, "Wait"); }));
  auto g = call("a", "group", "grouper");
  ASSERT_TRUE(eventually([&] { return events_of<ChanSpyStarted>().size() == 2; }));
  EXPECT_EQ(events_of<ChanSpyStarted>()[1]->spyee.name, carol->name());
  g->request_hangup(HangupCause::NormalClearing);

  // '*' moves on to the next Test/ channel (bridged: b); '#' twice raises the volume to 2 (+6 dB).
  auto c = call("a", "cycle", "cycler");
  ASSERT_TRUE(eventually([&] { return events_of<ChanSpyStarted>().size() == 3; }));
  const std::string first = events_of<ChanSpyStarted>()[2]->spyee.name;
  c->queue_frame(Frame::dtmf_end('*', 80ms));
  ASSERT_TRUE(eventually([&] { return events_of<ChanSpyStarted>().size() == 4; }));
  EXPECT_NE(events_of<ChanSpyStarted>()[3]->spyee.name, first);
  c->request_hangup(HangupCause::NormalClearing);
  alice->request_hangup(HangupCause::NormalClearing);
  carol->request_hangup(HangupCause::NormalClearing);
}

TEST_F(Audio, ChanIsAvailAndDeviceStateFunctions) {
  load("[a]\n"
       "exten => avail,1,ChanIsAvail(Test/x&Test/y,s)\n"
       "same => n,NoOp(${AVAILORIGCHAN}|${AVAILSTATUS}|${CUT(AVAILCHAN,-,1)}|${AVAILCAUSECODE})\n"
       "same => n,ChanIsAvail(bogus&Test/x&Test/y,a)\n"
       "same => n,NoOp(${AVAILORIGCHAN}|${AVAILSTATUS})\n"
       "exten => dev,1,Set(DEVICE_STATE(Custom:lamp)=inuse)\n"
       "same => n,NoOp(${DEVICE_STATE(Custom:lamp)}|${EXTENSION_STATE(100@hints)}|${HINT(100@hints)}|${HINT(100@hints,n)})\n"
       "same => n,Set(DEVICE_STATE(Custom:lamp)=NOT_INUSE)\n"
       "same => n,NoOp(${EXTENSION_STATE(100@hints)}|${EXTENSION_STATE(999@hints)})\n"
       "[hints]\nexten => 100,hint,Custom:lamp,Lamp\n");
  engine.device_states().set("Test/x", DeviceState::Busy);
  auto chan = call("a", "avail", "checker");
  ASSERT_TRUE(wait_gone(chan));
  auto t = trace(chan);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].substr(0, t[0].find('|', t[0].find('|') + 1)), "Test/y|3&" + std::to_string(static_cast<int>(engine.device_states().get("Test/y"))));
  EXPECT_NE(t[0].find("|Test/y|0"), std::string::npos) << t[0];
  EXPECT_EQ(t[1], "Test/x&Test/y|4&0&0");

  auto dev = call("a", "dev", "lamp-setter");
  ASSERT_TRUE(wait_gone(dev));
  EXPECT_EQ(join(trace(dev)), "[INUSE|INUSE|Custom:lamp|Lamp][NOT_INUSE|UNKNOWN]");
  bool changed = false;
  for (auto* e : events_of<DeviceStateChanged>()) changed |= e->device == "Custom:lamp" && e->state == DeviceState::InUse;
  EXPECT_TRUE(changed);
}
