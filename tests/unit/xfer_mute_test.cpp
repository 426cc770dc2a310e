// AMI MuteAudio on a real call path: Test/alice <-> bridge <-> Local pair <-> bridge <-> Test/bob.
// A 440 Hz tone fed by alice is measured at bob before, during and after a mute; DTMF still
// crosses while muted; the input errors read as Asterisk's.
#include <utility>  // before asio (Boost 1.74)
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <thread>

#include "amiz_test_support.hpp"
#include "mediax_support.hpp"
#include "telephony/bridge.hpp"
#include "telephony/local/local_driver.hpp"

using namespace amiz_test;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using telephony::Bridge;
using telephony::BridgeExit;
using telephony::Channel;

namespace {

struct MutePath {
  Fixture& f;
  Channel::Ptr alice, bob, one, two;
  Bridge::Ptr left, right;
  std::vector<std::future<BridgeExit>> joins;
  std::size_t fed = 0;

  explicit MutePath(Fixture& fx) : f(fx) {
    alice = *f.engine.request("Test/alice");
    bob = *f.engine.request("Test/bob");
    one = *f.engine.request("Local/mid@test/n");  // /n: the pair stays in the path (no optimisation)
    two = telephony::local_peer(*one);
    left = Bridge::create(f.engine);
    right = Bridge::create(f.engine);
    for (auto [b, c] : {std::pair{left, alice}, {left, one}, {right, two}, {right, bob}})
      joins.push_back(asio::co_spawn(c->strand(), b->join(c), asio::use_future));
    EXPECT_TRUE(telephony::testkit::eventually([&] { return left->members().size() == 2 && right->members().size() == 2; }));
    std::this_thread::sleep_for(50ms);  // on_join runs on the bridge strands
  }
  ~MutePath() {
    left->dissolve();
    right->dissolve();
    for (auto& j : joins) j.wait_for(2s);
  }
  // Feeds `n` 20 ms tone frames into alice and returns what bob was sent for them (slin 8 kHz).
  std::vector<std::int16_t> through(std::size_t n) {
    auto ep = f.driver->endpoint("bob");
    const auto before = mediax_test::voice_frames(*ep);
    for (std::size_t k = 0; k < n; ++k) alice->queue_frame(mediax_test::tone_frame(telephony::media::Format::slin(), 440, fed++));
    EXPECT_TRUE(telephony::testkit::eventually([&] { return mediax_test::voice_frames(*ep) >= before + n; }));
    return mediax_test::decoded(*ep, 8000, before);
  }
};

double level_dbfs(const std::vector<std::int16_t>& pcm) {
  return telephony::media::power_dbfs(telephony::media::mean_power(pcm));
}

}  // namespace

TEST(XferMuteAudio, ToneThroughLocalPairDisappearsWhileMuted) {
  Fixture f;
  Client& c = f.login();
  MutePath path(f);
  auto mute = [&](const Channel::Ptr& chan, const char* dir, const char* state) {
    auto m = action("MuteAudio");
    m.add("Channel", chan->name()).add("Direction", dir).add("State", state);
    auto r = f.send(c, m);
    EXPECT_EQ(r.response(), "Success") << r.get_or("Message");
  };

  auto open = path.through(25);
  EXPECT_NEAR(telephony::media::dominant_frequency(open, 8000), 440, 5);
  EXPECT_GT(level_dbfs(open), -20);

  // Inbound mute on the far half of the Local pair: what it reads (and relays to bob) is silence.
  mute(path.two, "in", "on");
  EXPECT_TRUE(path.two->audio_muted_in());
  EXPECT_FALSE(path.two->audio_muted_out());
  auto muted = path.through(25);
  EXPECT_EQ(muted.size(), open.size()) << "silence keeps the frame timing";
  EXPECT_LT(level_dbfs(muted), -80);

  // DTMF still crosses while the voice is muted.
  path.alice->queue_frame(telephony::Frame::dtmf_begin('5'));
  path.alice->queue_frame(telephony::Frame::dtmf_end('5', 100ms));
  auto bob_ep = f.driver->endpoint("bob");
  EXPECT_TRUE(telephony::testkit::eventually([&] {
    std::lock_guard lock(bob_ep->mu);
    for (const auto& fr : bob_ep->written)
      if (fr.kind == telephony::FrameKind::DtmfEnd && fr.digit() == '5') return true;
    return false;
  }));

  mute(path.two, "in", "off");
  auto back = path.through(25);
  EXPECT_GT(level_dbfs(back), -20);

  // Outbound mute on bob: what is written to his device is silence; "all" covers both ways.
  mute(path.bob, "out", "on");
  EXPECT_LT(level_dbfs(path.through(25)), -80);
  mute(path.bob, "all", "off");
  EXPECT_GT(level_dbfs(path.through(25)), -20);
  mute(path.alice, "all", "on");
  EXPECT_TRUE(path.alice->audio_muted_in() && path.alice->audio_muted_out());
  EXPECT_LT(level_dbfs(path.through(25)), -80);
}

TEST(XferMuteAudio, InputErrorsAsAsteriskWordsThem) {
  Fixture f;
  Client& c = f.login();
  auto chan = *f.engine.request("Test/carol");
  auto err = [&](std::vector<std::pair<const char*, std::string>> headers) {
    auto m = action("MuteAudio");
    for (auto& [k, v] : headers) m.add(k, v);
    auto r = f.send(c, m);
    EXPECT_EQ(r.response(), "Error");
    return std::string(r.get_or("Message"));
  };
  EXPECT_EQ(err({}), "Channel not specified");
  EXPECT_EQ(err({{"Channel", chan->name()}}), "Direction not specified");
  EXPECT_EQ(err({{"Channel", chan->name()}, {"Direction", "sideways"}, {"State", "on"}}), "Invalid direction specified");
  EXPECT_EQ(err({{"Channel", chan->name()}, {"Direction", "in"}}), "State not specified");
  EXPECT_EQ(err({{"Channel", chan->name()}, {"Direction", "in"}, {"State", "maybe"}}), "Invalid state specified");
  EXPECT_EQ(err({{"Channel", "Test/nobody-9"}, {"Direction", "in"}, {"State", "on"}}), "No such channel");
  EXPECT_FALSE(chan->audio_muted_in());
  chan->hangup();
}
