// Shared fixture of the media application tests (appsmedia_*_test.cpp): an engine with Test and
// Local drivers and the real dialplan executor, dialplans loaded from text, calls started on Test
// channels or through Local pairs (the test holds ;1, the dialplan runs on ;2), and the traces a
// user can observe: NoOp steps, PlaybackStarted prompt names, files on disk (measured with sox).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <cmath>
#include <cstdio>
#include <functional>
#include <future>
#include <numbers>
#include <thread>

#include "telephony/dialplan/functions.hpp"
#include "telephony/dialplan/loader.hpp"
#include "telephony/dialplan/module.hpp"
#include "telephony/engine.hpp"
#include "telephony/local/local_driver.hpp"
#include "telephony/media/codec.hpp"
#include "telephony/media/playback.hpp"
#include "telephony/media/spectrum.hpp"
#include "telephony/media/translator.hpp"
#include "testkit/engine_kit.hpp"
#include "testkit/testkit.hpp"

namespace appsmedia_test {

using namespace telephony;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace fs = std::filesystem;

struct MediaApps : ::testing::Test {
  // The engine's options may depend on the test's temp folder (created first).
  using OptionsFor = std::function<EngineOptions(const testkit::TempDir&)>;
  MediaApps() : MediaApps([](const testkit::TempDir&) { return EngineOptions{.threads = 2}; }) {}
  explicit MediaApps(const OptionsFor& options) : engine(options(dir)) {}

  testkit::TempDir dir{"appsmedia"};
  Engine engine;
  std::shared_ptr<testkit::TestDriver> driver = std::make_shared<testkit::TestDriver>();
  std::shared_ptr<dialplan::DialplanPbx> pbx;
  std::unique_ptr<testkit::EventLog> log;
  std::vector<std::shared_ptr<void>> tokens;  // holds on ;1 halves for the test's lifetime

  void SetUp() override {
    // Every test here plays Debian's prompts and most measure results with sox.
    TELEPHONY_REQUIRE(testkit::missing_commands({"sox", "soxi"}));
    TELEPHONY_REQUIRE(testkit::missing_prompts({"hello-world", "beep", "demo-congrats", "digits/1"}));
    ASSERT_TRUE(engine.drivers().add("Test", driver));
    ASSERT_TRUE(engine.drivers().add("Local", std::make_shared<LocalDriver>()));
    engine.log().set_level(LogLevel::Error);
    dialplan::register_builtin_functions(engine);  // CHANNEL(), TIMEOUT() … as telephonyd has them
    pbx = dialplan::install_dialplan(engine);
    engine.start();
    log = std::make_unique<testkit::EventLog>(engine.events());
  }
  void TearDown() override {
    tokens.clear();
    engine.stop();
  }

  // The dialplan text; ${DIR} becomes the test's temp folder.
  void load(std::string text) {
    for (auto at = text.find("${DIR}"); at != std::string::npos; at = text.find("${DIR}"))
      text.replace(at, 6, dir.path().string());
    auto p = dialplan::load_dialplan_string(text, "extensions.conf");
    ASSERT_TRUE(p) << p.error().to_string();
    pbx->replace(*p);
  }

  // An inbound call from Test/<device> (ringing, not answered) into exten@ctx, with `caller` set
  // before the dialplan starts (setting it afterwards races the first priority).
  Channel::Ptr call(const std::string& ctx, const std::string& exten, const std::string& device,
                    std::vector<media::Format> formats = {}, bool inband = false,
                    std::optional<CallerId> caller = std::nullopt) {
    auto ep = driver->endpoint(device);
    if (!formats.empty() || inband) {
      std::lock_guard lock(ep->mu);
      if (!formats.empty()) ep->formats = std::move(formats);
      ep->inband_dtmf = inband;
    }
    auto chan = *engine.request("Test/" + device);
    chan->set_state(ChannelState::Ring);
    chan->set_location({ctx, exten, 1});
    if (caller) chan->set_caller(*caller);
    pbx->start(chan);
    return chan;
  }

  // Local/exten@ctx: returns ;1 (held by the test) after calling it, so ;2 runs the dialplan.
  Channel::Ptr local_call(const std::string& ctx, const std::string& exten) {
    auto one = *engine.request("Local/" + exten + "@" + ctx);
    tokens.push_back(one->hold());
    auto r = one->call("", 30s);
    EXPECT_TRUE(r) << (r ? "" : r.error().to_string());
    return one;
  }
  Channel::Ptr two_of(const Channel::Ptr& one) { return local_peer(*one); }

  bool wait_gone(const Channel::Ptr& chan, std::chrono::milliseconds t = 5s) {
    return log->wait_for_type("ChannelHungUp", [&](const Event& e) { return e.as<ChannelHungUp>()->channel.name == chan->name(); }, t);
  }
  // The data of every NoOp step of `chan`: the tests' trace.
  std::vector<std::string> trace(const Channel::Ptr& chan) {
    std::vector<std::string> out;
    for (auto& e : log->events())
      if (auto* s = e->as<DialplanStep>(); s && s->channel.name == chan->name() && s->application == "NoOp")
        out.push_back(s->data);
    return out;
  }
  bool reached(const Channel::Ptr& chan, const std::string& app) {
    for (auto& e : log->events())
      if (auto* s = e->as<DialplanStep>(); s && s->channel.name == chan->name() && s->application == app) return true;
    return false;
  }
  // Prompt names the channel played, in order (PlaybackStarted events).
  std::vector<std::string> prompts(const Channel::Ptr& chan) {
    std::vector<std::string> out;
    for (auto& e : log->events())
      if (auto* p = e->as<PlaybackStarted>(); p && p->channel.name == chan->name()) out.push_back(p->prompt);
    return out;
  }
  std::shared_ptr<testkit::TestEndpoint> ep(const std::string& device) { return driver->endpoint(device); }

  template <class T>
  std::future<T> spawn(const Channel::Ptr& chan, asio::awaitable<T> coro) {
    return asio::co_spawn(chan->strand(), std::move(coro), asio::use_future);
  }
};

inline std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (auto& x : v) s += "[" + x + "]";
  return s;
}

inline std::string run(const std::string& cmd) {
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[256];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    ::pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

inline double sox_seconds(const fs::path& p) {
  auto s = run("soxi -D '" + p.string() + "' 2>/dev/null");
  return s.empty() ? -1 : std::stod(s);
}

// One 20 ms slin frame of a sine (frame k of a continuous tone).
inline Frame tone_frame(double hz, std::size_t k, std::uint32_t rate = 8000, double amp = 8000) {
  const std::size_t n = rate / 50;
  std::vector<std::int16_t> pcm(n);
  for (std::size_t i = 0; i < n; ++i)
    pcm[i] = static_cast<std::int16_t>(std::lround(amp * std::sin(2 * std::numbers::pi * hz * double(k * n + i) / rate)));
  auto bytes = media::slin_bytes(pcm);
  return Frame::voice(media::Format::slin(rate), std::vector<std::uint8_t>(bytes.begin(), bytes.end()),
                      static_cast<std::uint32_t>(n));
}
inline Frame silence_frame(std::uint32_t rate = 8000) {
  return Frame::voice(media::Format::slin(rate), std::vector<std::uint8_t>(rate / 50 * 2, 0), rate / 50);
}

// Voice frames a Test device was sent, as slin (Test devices default to slin 8 kHz).
inline std::vector<std::int16_t> sent_pcm(testkit::TestEndpoint& ep, std::size_t from_frame = 0) {
  std::vector<Frame> frames;
  {
    std::lock_guard lock(ep.mu);
    frames = ep.written;
  }
  std::vector<std::int16_t> out;
  std::size_t k = 0;
  for (auto& f : frames) {
    if (f.kind != FrameKind::Voice || f.format != media::Format::slin()) continue;
    if (k++ < from_frame) continue;
    auto s = media::slin_samples(f.data());
    out.insert(out.end(), s.begin(), s.end());
  }
  return out;
}
inline std::size_t voice_frames(testkit::TestEndpoint& ep) {
  std::lock_guard lock(ep.mu);
  std::size_t n = 0;
  for (auto& f : ep.written) n += f.kind == FrameKind::Voice;
  return n;
}

}  // namespace appsmedia_test
