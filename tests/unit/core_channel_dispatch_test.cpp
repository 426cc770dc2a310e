// Channel::write as the one entry point towards a driver: whatever writes a frame (a bridge, Dial's
// early media, an app), voice reaches ChannelTech::write(), control frames indicate(), DTMF
// send_digit_begin/end() and text send_text() — the same calls Channel::indicate()/send_digit()/
// send_text() make, so a driver handles each kind in one place.
#include <gtest/gtest.h>

#include "telephony/engine.hpp"
#include "testkit/engine_kit.hpp"

using namespace telephony;
using namespace std::chrono_literals;
using testkit::eventually;

namespace {
struct ChannelDispatch : ::testing::Test {
  Engine engine{EngineOptions{.threads = 2}};
  std::shared_ptr<testkit::TestDriver> driver = std::make_shared<testkit::TestDriver>();
  void SetUp() override {
    ASSERT_TRUE(engine.drivers().add("Test", driver));
    engine.start();
  }
  void TearDown() override { engine.stop(); }
};
}  // namespace

TEST_F(ChannelDispatch, WrittenFramesReachTheTechByKind) {
  auto chan = engine.request("Test/phone");
  ASSERT_TRUE(chan);
  auto ep = driver->endpoint("phone");
  auto c = *chan;
  c->write(Frame::dtmf_begin('5'));
  c->write(Frame::dtmf_end('5', 120ms));
  c->write(Frame::control(Control::Hold));
  c->write(Frame::text("hello"));
  c->write(Frame::voice(media::Format::slin(), std::vector<std::uint8_t>(320, 0), 160));
  c->write(Frame::control(Control::Unhold));
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(ep->mu);
    return ep->indications.size() == 2;
  }));
  std::lock_guard lock(ep->mu);
  EXPECT_EQ(ep->digits_sent, "5");
  EXPECT_EQ(ep->indications, (std::vector<Control>{Control::Hold, Control::Unhold}));
  EXPECT_EQ(ep->texts_sent, std::vector<std::string>{"hello"});
  // write() got the voice frame only; the test device records the digits it was sent beside it.
  std::string kinds;
  for (const auto& f : ep->written) kinds += f.kind == FrameKind::Voice ? 'V' : f.kind == FrameKind::DtmfBegin ? 'B' : f.kind == FrameKind::DtmfEnd ? 'E' : '?';
  EXPECT_EQ(kinds, "BEV");
}

TEST_F(ChannelDispatch, WrittenAndIndicatedControlsArriveTheSameWay) {
  auto chan = engine.request("Test/desk");
  ASSERT_TRUE(chan);
  auto ep = driver->endpoint("desk");
  (*chan)->indicate(Control::Ringing);
  (*chan)->write(Frame::control(Control::Progress));
  (*chan)->send_digit('7', 80ms);
  (*chan)->write(Frame::dtmf_end('8', 80ms));
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(ep->mu);
    return ep->digits_sent.size() == 2;
  }));
  std::lock_guard lock(ep->mu);
  EXPECT_EQ(ep->indications, (std::vector<Control>{Control::Ringing, Control::Progress}));
  EXPECT_EQ(ep->digits_sent, "78");
  for (const auto& f : ep->written) EXPECT_NE(f.kind, FrameKind::Control);
}
