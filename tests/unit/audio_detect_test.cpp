// Listening applications with measured audio: the tone detectors on generated tones, then
// WaitForSilence / WaitForNoise / BackgroundDetect / WaitForTone / ToneScan in the dialplan with
// the caller's audio injected into a Test channel in real time (one 20 ms frame every 20 ms).
#include "appsmedia_support.hpp"
#include "telephony/media/tone.hpp"
#include "telephony/media/tone_detect.hpp"

using namespace appsmedia_test;

namespace {

std::vector<std::int16_t> tones(std::string_view spec, std::size_t samples, double amp = media::kDefaultToneAmplitude) {
  media::ToneGenerator g(*media::parse_tone_spec(spec), 8000, amp);
  std::vector<std::int16_t> out(samples);
  g.generate(out);
  return out;
}

// Queues slin audio into `chan` as 20 ms frames, paced in real time, on a thread of its own.
class Talker {
 public:
  Talker(Channel::Ptr chan, std::vector<std::int16_t> pcm)
      : thread_([chan, pcm = std::move(pcm), this] {
          auto next = std::chrono::steady_clock::now();
          for (std::size_t at = 0; at + 160 <= pcm.size() && !stop_; at += 160) {
            auto bytes = media::slin_bytes(std::span<const std::int16_t>(pcm.data() + at, 160));
            chan->queue_frame(Frame::voice(media::Format::slin(), std::vector<std::uint8_t>(bytes.begin(), bytes.end()), 160));
            next += 20ms;
            std::this_thread::sleep_until(next);
          }
        }) {}
  ~Talker() {
    stop_ = true;
    thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

std::vector<std::int16_t> concat(std::initializer_list<std::vector<std::int16_t>> parts) {
  std::vector<std::int16_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
std::vector<std::int16_t> quiet(int ms) { return std::vector<std::int16_t>(static_cast<std::size_t>(ms) * 8, 0); }

}  // namespace

TEST(ToneDetectors, SingleToneNeedsItsDurationAndItsLevel) {
  media::SingleToneDetector det(1000, 500);
  EXPECT_EQ(det.process(tones("1000", 8 * 400)), 0);  // 400 ms: not yet
  EXPECT_EQ(det.process(tones("1000", 8 * 200)), 1);  // lasting past 90 % of 500 ms
  EXPECT_EQ(det.process(tones("1000", 8 * 600)), 0);  // the same tone is reported once
  EXPECT_EQ(det.process(quiet(100)), 0);
  EXPECT_EQ(det.process(tones("1000", 8 * 600)), 1);  // a new tone after a gap counts again
  media::SingleToneDetector other(1000, 500);
  EXPECT_EQ(other.process(tones("1400", 8 * 1000)), 0);             // wrong frequency
  EXPECT_EQ(other.process(tones("1000+1400", 8 * 1000)), 0);        // not 16 dB above the rest
  EXPECT_EQ(other.process(tones("1000", 8 * 1000, 40)), 0);         // too quiet (-58 dBFS)
  // 1000 Hz with 1400 Hz at half its amplitude: the tone is 6 dB above the rest.
  auto six_db = tones("1000", 8 * 1000);
  const auto weaker = tones("1400", 8 * 1000, media::kDefaultToneAmplitude / 2);
  for (std::size_t i = 0; i < six_db.size(); ++i) six_db[i] = static_cast<std::int16_t>(six_db[i] + weaker[i]);
  EXPECT_EQ(other.process(six_db), 0);                              // 16 dB needed by default
  media::SingleToneDetector lax(1000, 500, 2);
  EXPECT_EQ(lax.process(six_db), 1);                                // d(2): 6 dB above is enough
  media::SingleToneDetector equal(1000, 500, 2);
  EXPECT_EQ(equal.process(tones("1000+1400", 8 * 1000)), 0);        // an equal mix is 0 dB above
}

TEST(ToneDetectors, CallProgressClassifiesZoneTones) {
  auto state_after = [](std::string_view zone, std::vector<std::int16_t> pcm) {
    auto det = media::CallProgressDetector::for_zone(zone);
    det->process(pcm);
    return std::string(media::to_string(det->state())) + "x" + std::to_string(det->count());
  };
  EXPECT_EQ(state_after("us", tones("440+480", 1830)), "RINGINGx10");
  EXPECT_EQ(state_after("us", tones("480+620", 1830)), "BUSYx10");
  EXPECT_EQ(state_after("us", tones("350+440", 1830)), "DIALTONEx10");
  EXPECT_EQ(state_after("us", tones("950/330,1400/330,1800/330", 8 * 990)).substr(0, 4), "SITx");
  EXPECT_EQ(state_after("us", tones("1800", 1830)), "SILENCEx10");  // 1800 Hz alone is not SIT
  EXPECT_EQ(state_after("us", quiet(229)), "SILENCEx10");
  EXPECT_EQ(state_after("uk", tones("400", 1600)), "NUTx10");
  EXPECT_EQ(state_after("br", tones("425", 1880)), "RINGINGx10");
  EXPECT_FALSE(media::CallProgressDetector::for_zone("xx"));
}

TEST_F(MediaApps, WaitForSilenceAndNoiseOnMeasuredAudio) {
  load("[w]\n"
       "exten => sil,1,WaitForSilence(500)\nsame => n,NoOp(${WAITSTATUS})\n"
       "exten => tmo,1,WaitForSilence(500,1,1)\nsame => n,NoOp(${WAITSTATUS})\n"
       "exten => noise,1,WaitForNoise(300)\nsame => n,NoOp(${WAITSTATUS})\n"
       "exten => bad,1,WaitForSilence(-4)\nsame => n,NoOp(not reached)\n");
  auto sil = call("w", "sil", "w-sil");
  const auto t0 = std::chrono::steady_clock::now();
  {
    Talker t(sil, concat({tones("600", 8 * 800, 6000), quiet(1000)}));
    ASSERT_TRUE(wait_gone(sil));
  }
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(join(trace(sil)), "[SILENCE]");
  EXPECT_GT(took, 1200ms);  // 0.8 s of talk, then the 0.5 s of silence it waited for
  EXPECT_LT(took, 1800ms);

  auto tmo = call("w", "tmo", "w-tmo");
  {
    Talker t(tmo, tones("600", 8 * 3000, 6000));
    ASSERT_TRUE(wait_gone(tmo));
  }
  EXPECT_EQ(join(trace(tmo)), "[TIMEOUT]");

  auto noise = call("w", "noise", "w-noise");
  {
    Talker t(noise, concat({quiet(500), tones("600", 8 * 1000, 6000)}));
    ASSERT_TRUE(wait_gone(noise));
  }
  EXPECT_EQ(join(trace(noise)), "[NOISE]");

  auto bad = call("w", "bad", "w-bad");
  ASSERT_TRUE(wait_gone(bad));
  EXPECT_EQ(join(trace(bad)), "");
}

TEST_F(MediaApps, BackgroundDetectGoesToTalkAfterAWord) {
  load("[bd]\nexten => 1,1,BackgroundDetect(demo-congrats,400,100,2000)\nsame => n,NoOp(no talk)\n"
       "exten => talk,1,NoOp(talk ${TALK_DETECTED})\n"
       "exten => 2,1,BackgroundDetect(beep)\nsame => n,NoOp(prompt ended)\n");
  auto chan = call("bd", "1", "bd-talk");
  {
    Talker t(chan, concat({quiet(300), tones("300", 8 * 600, 5000), quiet(1500)}));
    ASSERT_TRUE(wait_gone(chan, 10s));
  }
  auto tr = trace(chan);
  ASSERT_EQ(tr.size(), 1u) << join(tr);
  ASSERT_EQ(tr[0].rfind("talk ", 0), 0u);
  EXPECT_NEAR(std::stoi(tr[0].substr(5)), 600, 120);  // the word's length in ms
  auto plain = call("bd", "2", "bd-plain");
  ASSERT_TRUE(wait_gone(plain));
  EXPECT_EQ(join(trace(plain)), "[prompt ended]");
  EXPECT_GT(voice_frames(*ep("bd-plain")), 15u);  // the beep was played
}

TEST_F(MediaApps, WaitForToneAndToneScanOnGeneratedTones) {
  struct Case {
    const char* args;
    std::vector<std::int16_t> audio;
    const char* want;
  };
  std::vector<Case> cases = {
      {"us,5,10", concat({quiet(200), tones("440+480", 8 * 1000)}), "[RINGING]"},
      {"us,5,4", tones("480+620", 8 * 500), "[BUSY]"},
      {",5,4", tones("350+440", 8 * 1000), "[DIALTONE]"},
      {"us,5", tones("950/330,1400/330,1800/330", 8 * 1200), "[SIT]"},
      {"us,5", tones("2225", 8 * 800), "[MODEM]"},
      {"us,5,1,f", tones("2100", 8 * 800), "[FAX]"},
      {"uk,5,10", tones("400", 8 * 800), "[NUT]"},
      {"us,5,1,v", tones("300+700", 8 * 1500, 9000), "[VOICE]"},
      {"us,1.5", quiet(500), "[TIMEOUT]"},
  };
  std::string plan = "[t]\n"
                     "exten => tone,1,WaitForTone(1000,300,5,2)\nsame => n,NoOp(${WAITFORTONESTATUS})\n"
                     "exten => notone,1,WaitForTone(1000,300,1)\nsame => n,NoOp(${WAITFORTONESTATUS})\n"
                     "exten => badtone,1,WaitForTone(x)\nsame => n,NoOp(not reached)\n"
                     "exten => dtmf,1,ToneScan()\nsame => n,NoOp(${TONESCANSTATUS})\n"
                     "exten => badzone,1,ToneScan(zz)\nsame => n,NoOp(not reached)\n";
  for (std::size_t i = 0; i < cases.size(); ++i)
    plan += "exten => scan" + std::to_string(i) + ",1,ToneScan(" + cases[i].args + ")\nsame => n,NoOp(${TONESCANSTATUS})\n";
  load(plan);
  auto t = call("t", "tone", "wt-yes");
  {
    Talker tk(t, concat({tones("1000", 8 * 400), quiet(200), tones("1000", 8 * 400)}));
    ASSERT_TRUE(wait_gone(t));
  }
  EXPECT_EQ(join(trace(t)), "[SUCCESS]");
  auto n = call("t", "notone", "wt-no");
  {
    Talker tk(n, tones("1400", 8 * 1500));
    ASSERT_TRUE(wait_gone(n));
  }
  EXPECT_EQ(join(trace(n)), "[TIMEOUT]");
  auto bt = call("t", "badtone", "wt-bad");
  ASSERT_TRUE(wait_gone(bt));
  EXPECT_EQ(join(trace(bt)), "");

  for (std::size_t i = 0; i < cases.size(); ++i) {
    auto chan = call("t", "scan" + std::to_string(i), "ts-" + std::to_string(i));
    {
      Talker tk(chan, cases[i].audio);
      ASSERT_TRUE(wait_gone(chan, 8s)) << cases[i].want;
    }
    EXPECT_EQ(join(trace(chan)), cases[i].want) << cases[i].args;
  }
  auto dtmf = call("t", "dtmf", "ts-dtmf");
  dtmf->queue_frame(Frame::dtmf_end('5', 80ms));
  ASSERT_TRUE(wait_gone(dtmf));
  EXPECT_EQ(join(trace(dtmf)), "[DTMF]");
  auto bz = call("t", "badzone", "ts-bad");
  ASSERT_TRUE(wait_gone(bz));
  EXPECT_EQ(join(trace(bz)), "");
}
