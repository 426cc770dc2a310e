// Answering-machine detection: the decision rules on synthetic speech-like timing (tone bursts as
// words, zero frames as silence), amd.conf parsing, and AMD() in the dialplan with the callee's
// audio injected into a Test channel (AMDSTATUS/AMDCAUSE).
#include "appsmedia_support.hpp"
#include "telephony/config/config.hpp"
#include "telephony/media/amd.hpp"

using namespace appsmedia_test;

namespace {

std::vector<std::int16_t> tone_block(std::size_t k, double amp = 4000) {
  std::vector<std::int16_t> v(160);
  for (std::size_t i = 0; i < v.size(); ++i)
    v[i] = static_cast<std::int16_t>(amp * std::sin(2 * std::numbers::pi * 300 * double(k * 160 + i) / 8000));
  return v;
}
const std::vector<std::int16_t> kSilence(160, 0);

// Feeds `ms` of voice (true) or silence (false) in 20 ms frames; returns the first decision.
struct Feeder {
  media::AnsweringMachineDetector det;
  std::size_t k = 0;
  std::optional<media::AmdDecision> decision;
  explicit Feeder(media::AmdSettings s = {}) : det(s) {}
  Feeder& feed(bool voice, int ms) {
    for (int t = 0; t < ms && !decision; t += 20) decision = det.on_voice(voice ? tone_block(k++) : kSilence, 8000);
    return *this;
  }
  std::string result() const {
    return decision ? std::string(media::to_string(decision->status)) + " " + decision->cause : "undecided";
  }
};

}  // namespace

TEST(AmdDetector, DecisionsFollowAppAmdRules) {
  EXPECT_EQ(Feeder().feed(false, 3000).result(), "MACHINE INITIALSILENCE-2500-2500");
  // "Hello?" then quiet: one word, then after_greeting_silence of silence.
  EXPECT_EQ(Feeder().feed(false, 300).feed(true, 500).feed(false, 1500).result(), "HUMAN HUMAN-800-800");
  // Words separated by pauses: the utterance AMD starts in is not counted (app_amd starts "in a
  // word"), the next three are — more than maximum_number_of_words (2).
  EXPECT_EQ(Feeder().feed(true, 300).feed(false, 200).feed(true, 300).feed(false, 200).feed(true, 300).result(),
            "undecided");
  EXPECT_EQ(Feeder()
                .feed(true, 300).feed(false, 200).feed(true, 300).feed(false, 200).feed(true, 300).feed(false, 200)
                .feed(true, 300).result(),
            "MACHINE MAXWORDS-3-2");
  // One long utterance: the greeting's voice reaches 1500 ms.
  EXPECT_EQ(Feeder().feed(true, 2500).result(), "MACHINE LONGGREETING-1500-1500");
  media::AmdSettings long_greeting;
  long_greeting.greeting = 5000;
  long_greeting.maximum_word_length = 1000;
  EXPECT_EQ(Feeder(long_greeting).feed(true, 2500).result(), "MACHINE MAXWORDLENGTH-1000");
  // Bursts shorter than a word and gaps shorter than after-greeting silence: nothing decides.
  Feeder unsure;
  for (int i = 0; i < 100 && !unsure.decision; ++i) unsure.feed(true, 60).feed(false, 60);
  EXPECT_EQ(unsure.result(), "NOTSURE TOOLONG-5000");
  // No frames at all only advances the total.
  media::AnsweringMachineDetector quiet({});
  std::optional<media::AmdDecision> d;
  for (int i = 0; i < 60 && !d; ++i) d = quiet.on_no_frame(100);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->cause, "TOOLONG-5000");
  // A threshold above the words' level makes them silence.
  media::AmdSettings deaf;
  deaf.silence_threshold = 5000;
  EXPECT_EQ(Feeder(deaf).feed(true, 3000).result(), "MACHINE INITIALSILENCE-2500-2500");
}

TEST(AmdConfig, ReadsGeneralAndNamesBadLines) {
  auto ok = config::parse_string("[general]\ninitial_silence = 3000\ngreeting=2000\nafter_greeting_silence=700\n"
                                 "total_analysis_time=6000\nmin_word_length=120\nbetween_words_silence=60\n"
                                 "maximum_number_of_words=4\nsilence_threshold=300\nmaximum_word_length=4000\n"
                                 "playback_file=beep\nfrobnicate=1\n",
                                 "amd.conf");
  ASSERT_TRUE(ok);
  std::string warnings;
  auto s = media::amd_settings_from_config(*ok, &warnings);
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(s->initial_silence, 3000);
  EXPECT_EQ(s->greeting, 2000);
  EXPECT_EQ(s->after_greeting_silence, 700);
  EXPECT_EQ(s->total_analysis_time, 6000);
  EXPECT_EQ(s->min_word_length, 120);
  EXPECT_EQ(s->between_words_silence, 60);
  EXPECT_EQ(s->maximum_number_of_words, 4);
  EXPECT_EQ(s->silence_threshold, 300);
  EXPECT_EQ(s->maximum_word_length, 4000);
  EXPECT_EQ(s->playback_file, "beep");
  EXPECT_EQ(warnings, "amd.conf:12: unknown keyword 'frobnicate' in [general] of amd.conf (ignored)\n");

  auto bad = config::parse_string("[general]\ngreeting=long\ntotal_analysis_time=-5\n", "amd.conf");
  ASSERT_TRUE(bad);
  auto e = media::amd_settings_from_config(*bad);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().to_string(),
            "amd.conf:2: 'greeting' needs a whole number of milliseconds, not 'long'\n"
            "amd.conf:3: 'total_analysis_time' needs a whole number of milliseconds, not '-5'");
}

TEST_F(MediaApps, AmdAppSetsStatusAndCauseFromTheCalleesAudio) {
  load("[amd]\nexten => 100,1,Answer()\nsame => n,AMD()\nsame => n,NoOp(${AMDSTATUS} ${AMDCAUSE})\n"
       "exten => 200,1,Answer()\nsame => n,AMD(1000)\nsame => n,NoOp(${AMDSTATUS} ${AMDCAUSE})\n"
       "exten => 300,1,Answer()\nsame => n,AMD()\nsame => n,NoOp(not reached)\nexten => h,1,NoOp(h ${AMDSTATUS})\n");
  auto started = [&](const Channel::Ptr& c) {
    return log->wait_for_type("DialplanStep", [&](const Event& e) {
      auto* s = e.as<DialplanStep>();
      return s->channel.name == c->name() && s->application == "AMD";
    });
  };
  auto human = call("amd", "100", "amd-human");
  ASSERT_TRUE(started(human));
  std::size_t k = 0;
  for (int i = 0; i < 5; ++i) human->queue_frame(silence_frame());
  for (int i = 0; i < 30; ++i) human->queue_frame(tone_frame(300, k++, 8000, 4000));
  for (int i = 0; i < 60; ++i) human->queue_frame(silence_frame());
  ASSERT_TRUE(wait_gone(human));
  // The dialplan falls through and the channel hangs up: the context's h extension runs, as in Asterisk.
  EXPECT_EQ(join(trace(human)), "[HUMAN HUMAN-800-800][h HUMAN]");

  auto quiet = call("amd", "200", "amd-quiet");
  ASSERT_TRUE(started(quiet));
  for (int i = 0; i < 60; ++i) quiet->queue_frame(silence_frame());
  ASSERT_TRUE(wait_gone(quiet));
  EXPECT_EQ(join(trace(quiet)), "[MACHINE INITIALSILENCE-1000-1000][h MACHINE]");

  auto gone = call("amd", "300", "amd-hangup");
  ASSERT_TRUE(started(gone));
  gone->request_hangup();
  ASSERT_TRUE(wait_gone(gone));
  EXPECT_EQ(join(trace(gone)), "[h HANGUP]");
}
