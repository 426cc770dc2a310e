// console.conf as chan_console reads it, and the console's speexdsp echo canceller and noise
// suppressor measured on synthetic signals.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "telephony/config/config.hpp"
#include "telephony/console/console_conf.hpp"
#include "telephony/console/console_dsp.hpp"
#include "telephony/media/spectrum.hpp"

using namespace telephony;
using namespace telephony::console;

namespace {

Result<ConsoleConfig, Errors> parse(std::string_view text) {
  auto f = config::parse_string(text, "console.conf");
  EXPECT_TRUE(f);
  return parse_console_conf(*f);
}

}  // namespace

TEST(ConsoleConf, GeneralDefaultsDevicesAndActive) {
  auto c = parse(R"([general]
autoanswer=yes
context=office
callerid="Front Desk" <100>
jbenable=yes
[dsp]
input_device=tel_in
output_device=tel_out
samplerate=48000
echocancel=yes
[usb]
context=lab
active=yes
)");
  ASSERT_TRUE(c) << c.error().to_string();
  ASSERT_EQ(c->devices.size(), 2u);
  const auto* dsp = c->find("dsp");
  ASSERT_NE(dsp, nullptr);
  EXPECT_EQ(dsp->input_device, "tel_in");
  EXPECT_EQ(dsp->context, "office");
  EXPECT_TRUE(dsp->autoanswer);
  EXPECT_EQ(dsp->callerid.name, "Front Desk");
  EXPECT_EQ(dsp->samplerate, 48000u);
  EXPECT_TRUE(dsp->echocancel);
  EXPECT_EQ(c->find("usb")->context, "lab");
  EXPECT_EQ(c->active, "usb");
  EXPECT_EQ(c->warnings.size(), 1u) << "jbenable is accepted with a warning";
}

TEST(ConsoleConf, ImplicitDspDeviceAndErrors) {
  auto c = parse("[general]\ncontext=here\n");
  ASSERT_TRUE(c);
  ASSERT_EQ(c->devices.size(), 1u);
  EXPECT_EQ(c->devices[0].name, "dsp");
  EXPECT_EQ(c->active, "dsp");
  auto bad = parse("[general]\nactive=yes\n[a]\nactive=yes\nsamplerate=44100\nvolume=3\n[b]\nactive=yes\n");
  ASSERT_FALSE(bad);
  const auto text = bad.error().to_string();
  EXPECT_NE(text.find("console.conf:2: active is only valid as a per-device setting"), std::string::npos) << text;
  EXPECT_NE(text.find("console.conf:5: samplerate must be 8000, 16000 or 48000"), std::string::npos) << text;
  EXPECT_NE(text.find("console.conf:6: unknown option 'volume'"), std::string::npos) << text;
  EXPECT_NE(text.find("console.conf:8: two active devices"), std::string::npos) << text;
}

TEST(ConsoleDsp, EchoCancellerRemovesTheLoudspeakerFromTheMicrophone) {
  constexpr unsigned kRate = 16000, kFrame = 320;
  auto dsp = ConsoleDsp::create(kRate, kFrame, 128);
  ASSERT_TRUE(dsp);
  dsp->set_echo_cancel(true);
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0, 3000);
  // The far end speaks (noise-like), the room returns it 15 ms later at half level, the near
  // talker says a 700 Hz tone; after convergence the microphone should carry the tone only.
  constexpr std::size_t kDelay = kRate * 15 / 1000;
  std::vector<std::int16_t> far(kRate * 6);
  for (auto& s : far) s = static_cast<std::int16_t>(std::clamp(noise(rng), -32000.0, 32000.0));
  std::vector<std::int16_t> echo_in, out_tail, echo_tail;
  for (std::size_t f = 0; f + kFrame <= far.size(); f += kFrame) {
    std::array<std::int16_t, kFrame> mic{};
    for (std::size_t i = 0; i < kFrame; ++i) {
      const std::size_t t = f + i;
      const double echo = t >= kDelay ? 0.5 * far[t - kDelay] : 0;
      const double near = 1500 * std::sin(2 * M_PI * 700 * static_cast<double>(t) / kRate);
      mic[i] = static_cast<std::int16_t>(std::clamp(echo + near, -32000.0, 32000.0));
      if (f >= far.size() - kRate) echo_tail.push_back(static_cast<std::int16_t>(echo));
    }
    dsp->played(std::span<const std::int16_t>(far.data() + f, kFrame));
    dsp->captured(mic);
    if (f >= far.size() - kRate) out_tail.insert(out_tail.end(), mic.begin(), mic.end());
  }
  // In the last second: the echo's share of the output dropped by more than 10 dB.
  const double echo_power = media::mean_power(echo_tail);
  const double tone_power = media::goertzel_power(out_tail, kRate, 700);
  const double residual = std::max(1.0, media::mean_power(out_tail) - tone_power);
  EXPECT_GT(10 * std::log10(echo_power / residual), 10.0) << "echo " << echo_power << " residual " << residual;
  EXPECT_GT(tone_power, 1500.0 * 1500 / 2 * 0.25) << "the near talker survives";
}

TEST(ConsoleDsp, NoiseSuppressorLowersSteadyNoise) {
  constexpr unsigned kRate = 16000, kFrame = 320;
  auto dsp = ConsoleDsp::create(kRate, kFrame, 128);
  ASSERT_TRUE(dsp);
  dsp->set_noise_suppress(true);
  std::mt19937 rng(11);
  std::normal_distribution<double> noise(0, 800);
  double in_power = 0, out_power = 0;
  for (int f = 0; f < 150; ++f) {
    std::array<std::int16_t, kFrame> frame{};
    for (auto& s : frame) s = static_cast<std::int16_t>(noise(rng));
    const double before = media::mean_power(frame);
    dsp->captured(frame);
    if (f >= 100) {
      in_power += before;
      out_power += media::mean_power(frame);
    }
  }
  EXPECT_GT(10 * std::log10(in_power / std::max(1.0, out_power)), 6.0);
  dsp->set_noise_suppress(false);
  std::array<std::int16_t, kFrame> frame{};
  for (auto& s : frame) s = static_cast<std::int16_t>(noise(rng));
  const auto copy = frame;
  dsp->captured(frame);
  EXPECT_EQ(frame, copy) << "switched off, the DSP leaves the microphone alone";
}
