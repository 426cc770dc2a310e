// The media applications of issue 16, run by the executor on Test channels: the prompts of
// SayUnixTime/DateTime, SayMoney, SayOrdinal, SayAlphaCase, SayCountedNoun/Adj (Asterisk's
// English file names, from a sounds folder of 20 ms stand-ins), and the audio of SendMF, SendSF,
// Morsecode and Zapateller measured with Goertzel probes: which frequencies, for how long.
#include <algorithm>
#include <map>

#include "breadth_support.hpp"

using namespace breadth_test;

namespace {

struct MediaBreadth : Breadth {
  MediaBreadth() : Breadth(true) {}
};

// The audio a Test device was sent, cut into 10 ms blocks, each named by the tones in it ("-"
// for quiet), with runs of equal names merged: [(name, ms)...].
using Runs = std::vector<std::pair<std::string, int>>;

Runs tone_runs(const std::vector<std::int16_t>& pcm, const std::vector<double>& freqs, int max_tones) {
  Runs out;
  for (std::size_t at = 0; at + 80 <= pcm.size(); at += 80) {
    std::span<const std::int16_t> block(pcm.data() + at, 80);
    std::string name = "-";
    const double total = media::mean_power(block);
    if (total > 1e4) {
      std::vector<std::pair<double, double>> power;
      for (double f : freqs) power.emplace_back(media::goertzel_power(block, 8000, f), f);
      std::sort(power.rbegin(), power.rend());
      std::vector<int> chosen;
      for (int i = 0; i < max_tones && i < static_cast<int>(power.size()); ++i)
        if (power[i].first > total * 0.15) chosen.push_back(static_cast<int>(power[i].second));
      std::sort(chosen.begin(), chosen.end());
      name.clear();
      for (int f : chosen) name += (name.empty() ? "" : "+") + std::to_string(f);
      if (name.empty()) name = "?";
    }
    if (!out.empty() && out.back().first == name) out.back().second += 10;
    else out.emplace_back(name, 10);
  }
  while (!out.empty() && out.back().first == "-") out.pop_back();  // trailing quiet
  if (!out.empty() && out.front().first == "-") out.erase(out.begin());
  return out;
}

std::string names(const Runs& runs) {
  std::string s;
  for (auto& [n, ms] : runs) s += "[" + n + "]";
  return s;
}

}  // namespace

TEST_F(MediaBreadth, SayApplicationsPlayAsterisksEnglishPrompts) {
  load("[s]\n"
       "exten => time,1,SayUnixTime(1700000000,UTC)\n"
       "exten => dt,1,DateTime(1700000000,UTC,R)\n"
       "exten => fmt,1,SayUnixTime(1700000000,UTC,'digits/at' HMp)\n"
       "exten => money,1,SayMoney(12.34)\nsame => n,SayMoney(1.01)\nsame => n,SayMoney(.5)\n"
       "exten => ord,1,SayOrdinal(23)\nsame => n,SayOrdinal(1)\nsame => n,SayOrdinal(100)\n"
       "exten => case,1,SayAlphaCase(u,aB)\nsame => n,SayAlphaCase(A,aB)\nsame => n,SayAlphaCase(n,aB)\n"
       "exten => noun,1,SayCountedNoun(2,vm-message)\nsame => n,SayCountedNoun(1,vm-message)\n"
       "same => n,SayCountedAdj(3,vm-new)\n");
  std::map<std::string, Channel::Ptr> calls;
  for (const char* e : {"time", "dt", "fmt", "money", "ord", "case", "noun"}) calls[e] = call("s", e, std::string("say-") + e);
  for (auto& [e, c] : calls) ASSERT_TRUE(wait_gone(c, 10s)) << e;
  // 2023-11-14 22:13:20 UTC, a Tuesday: "ABdY 'digits/at' IMp".
  EXPECT_EQ(join(prompts(calls["time"])),
            "[digits/day-2][digits/mon-10][digits/h-14][digits/2][digits/thousand][digits/20][digits/3][digits/at]"
            "[digits/10][digits/13][digits/p-m]");
  EXPECT_EQ(join(prompts(calls["dt"])), "[digits/20][digits/2][digits/13]");
  EXPECT_EQ(join(prompts(calls["fmt"])), "[digits/at][digits/20][digits/2][digits/13][digits/p-m]");
  EXPECT_EQ(join(prompts(calls["money"])),
            "[digits/12][dollars][and][digits/30][digits/4][cents]"
            "[digits/1][letters/dollar_][and][digits/1][cent]"
            "[digits/5][cents]");  // ".5": five cents, as Asterisk's %02u reads it
  EXPECT_EQ(join(prompts(calls["ord"])), "[digits/20][digits/h-3][digits/h-1][digits/h-hundred]");  // no "one" hundredth
  EXPECT_EQ(join(prompts(calls["case"])),
            "[letters/a][uppercase][letters/b]"
            "[lowercase][letters/a][uppercase][letters/b]"
            "[letters/a][letters/b]");
  // The counted forms alone (Asterisk's SayCounted* say no number).
  EXPECT_EQ(join(prompts(calls["noun"])), "[vm-messages][vm-message][vm-new]");
  EXPECT_TRUE(ep("say-time")->answered);  // SayUnixTime answers, as Asterisk's does
}

TEST_F(MediaBreadth, SendMFPlaysBellR1PairsWithTheirDurations) {
  load("[s]\nexten => mf,1,Answer()\nsame => n,SendMF(*12#)\nsame => n,NoOp(sent)\n"
       "exten => timed,1,Answer()\nsame => n,SendMF(3,100,200)\n");
  auto chan = call("s", "mf", "mf");
  auto timed = call("s", "timed", "mf-timed");
  ASSERT_TRUE(wait_gone(chan));
  ASSERT_TRUE(wait_gone(timed));
  EXPECT_EQ(join(trace(chan)), "[sent]");
  const std::vector<double> mf = {700, 900, 1100, 1300, 1500, 1700};
  auto runs = tone_runs(sent_pcm(*ep("mf")), mf, 2);
  ASSERT_EQ(names(runs), "[1100+1700][-][700+900][-][700+1100][-][1500+1700]");
  EXPECT_NEAR(runs[0].second, 120, 15);  // KP
  EXPECT_NEAR(runs[1].second, 50, 15);   // the gap after each digit
  EXPECT_NEAR(runs[2].second, 55, 15);   // digits
  EXPECT_NEAR(runs[4].second, 55, 15);
  EXPECT_NEAR(runs[6].second, 65, 15);   // ST
  auto slow = tone_runs(sent_pcm(*ep("mf-timed")), mf, 2);
  ASSERT_EQ(names(slow), "[900+1100]");
  EXPECT_NEAR(slow[0].second, 200, 15);  // duration_ms
}

TEST_F(MediaBreadth, SendSFPulsesEachDigitAtTheFrequency) {
  load("[s]\nexten => sf,1,Answer()\nsame => n,SendSF(23)\n"
       "exten => f,1,Answer()\nsame => n,SendSF(1,1600)\n");
  auto chan = call("s", "sf", "sf");
  auto other = call("s", "f", "sf-1600");
  ASSERT_TRUE(wait_gone(chan, 10s));
  ASSERT_TRUE(wait_gone(other, 10s));
  auto runs = tone_runs(sent_pcm(*ep("sf")), {2600}, 1);
  int pulses = 0;
  std::vector<int> digits;
  for (auto& [n, ms] : runs) {
    if (n == "2600") ++pulses;
    if (n == "-" && ms >= 300) {
      digits.push_back(pulses);  // the inter-digit pause
      pulses = 0;
    }
  }
  digits.push_back(pulses);
  EXPECT_EQ(digits, (std::vector<int>{2, 3})) << names(runs);
  EXPECT_EQ(names(tone_runs(sent_pcm(*ep("sf-1600")), {1600, 2600}, 1)), "[1600]");
}

TEST_F(MediaBreadth, MorsecodeKeysDitsAndDahsWithAsterisksSpacing) {
  load("[s]\nexten => sos,1,Answer()\nsame => n,Morsecode(SOS)\n"
       "exten => tone,1,Answer()\nsame => n,Set(MORSEDITLEN=40)\nsame => n,Set(MORSETONE=1200)\nsame => n,Morsecode(e)\n");
  auto sos = call("s", "sos", "morse");
  auto e = call("s", "tone", "morse-e");
  ASSERT_TRUE(wait_gone(sos, 10s));
  ASSERT_TRUE(wait_gone(e, 10s));
  auto runs = tone_runs(sent_pcm(*ep("morse")), {800}, 1);
  std::string pattern;
  for (auto& [n, ms] : runs) {
    if (n == "800") pattern += ms < 160 ? "." : "-";
    else if (ms > 160) pattern += " ";
  }
  EXPECT_EQ(pattern, "... --- ...") << names(runs);
  for (auto& [n, ms] : runs)  // dits, dahs, element gaps (1 dit) and letter gaps (3 dits)
    EXPECT_TRUE(std::abs(ms - 80) <= 15 || std::abs(ms - 240) <= 15) << n << " " << ms;
  auto dit = tone_runs(sent_pcm(*ep("morse-e")), {800, 1200}, 1);
  ASSERT_EQ(names(dit), "[1200]");
  EXPECT_NEAR(dit[0].second, 40, 15);
}

TEST_F(MediaBreadth, ZapatellerPlaysTheSpecialInformationTone) {
  load("[s]\nexten => z,1,Zapateller(ANSWER)\nsame => n,NoOp(${ZAPATELLERSTATUS})\n"
       "exten => cid,1,Zapateller(answer,nocallerid)\nsame => n,NoOp(${ZAPATELLERSTATUS})\n");
  auto z = call("s", "z", "zap");
  ASSERT_TRUE(wait_gone(z, 10s));
  EXPECT_EQ(join(trace(z)), "[ZAPPED]");
  EXPECT_TRUE(ep("zap")->answered);
  auto runs = tone_runs(sent_pcm(*ep("zap")), {950, 1400, 1800}, 1);
  ASSERT_EQ(names(runs), "[950][1400][1800]");
  for (auto& [n, ms] : runs) EXPECT_NEAR(ms, 330, 15) << n;

  auto chan = *engine.request("Test/zap-cid");
  chan->set_caller(CallerId{.number = "5551234", .name = "Someone"});
  chan->set_state(ChannelState::Ring);
  chan->set_location({"s", "cid", 1});
  pbx->start(chan);
  ASSERT_TRUE(wait_gone(chan, 10s));
  EXPECT_EQ(join(trace(chan)), "[ANSWERED]");  // a caller ID: not zapped
  EXPECT_TRUE(tone_runs(sent_pcm(*ep("zap-cid")), {950, 1400, 1800}, 1).empty());
}
