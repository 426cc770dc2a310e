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

TEST(IndicationFrames, CarryTheirDataAsText) {
  auto hold = indication_frame(Control::Hold, IndicationData{.moh_class = "jazz"});
  EXPECT_TRUE(hold.is_control(Control::Hold));
  EXPECT_EQ(indication_data(hold).moh_class, "jazz");
  auto line = indication_frame(Control::ConnectedLine, IndicationData{.connected = CallerId{"2001", "Reception", 0}});
  ASSERT_TRUE(indication_data(line).connected);
  EXPECT_EQ(indication_data(line).connected->number, "2001");
  EXPECT_EQ(indication_data(line).connected->name, "Reception");
  EXPECT_TRUE(indication_data(Frame::control(Control::Hold)).empty());
  // Data a kind does not carry is not invented.
  EXPECT_TRUE(indication_data(indication_frame(Control::Ringing, IndicationData{.moh_class = "x"})).empty());
}

TEST_F(ChannelDispatch, IndicationDataReachesTheTechWrittenOrIndicated) {
  auto chan = engine.request("Test/listener");
  ASSERT_TRUE(chan);
  auto ep = driver->endpoint("listener");
  (*chan)->indicate(Control::Hold, IndicationData{.moh_class = "jazz"});
  (*chan)->write(Frame::control(Control::Unhold));
  (*chan)->write(indication_frame(Control::Hold, IndicationData{.moh_class = "blues"}));
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(ep->mu);
    return ep->indication_data.size() == 3;
  }));
  std::lock_guard lock(ep->mu);
  EXPECT_EQ(ep->indication_data[0].moh_class, "jazz");
  EXPECT_TRUE(ep->indication_data[1].empty());
  EXPECT_EQ(ep->indication_data[2].moh_class, "blues");
}

TEST_F(ChannelDispatch, NativeFormatsChangeOnTheDriversWordAndTheWritePathFollows) {
  driver->endpoint("phone")->formats = {media::Format::ulaw()};
  auto chan = engine.request("Test/phone");
  ASSERT_TRUE(chan);
  auto c = *chan;
  auto ep = driver->endpoint("phone");
  const auto slin = Frame::voice(media::Format::slin(), std::vector<std::uint8_t>(320, 0), 160);
  EXPECT_EQ(c->native_format(), media::Format::ulaw());
  const auto gen = c->native_formats_generation();
  c->write(slin);
  // The SIP answer chose PCMA: the driver says so; voice written from now on is encoded to it.
  c->set_native_formats({media::Format::alaw(), media::Format::ulaw()});
  c->write(slin);
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(ep->mu);
    return ep->written.size() == 2;
  }));
  {
    std::lock_guard lock(ep->mu);
    EXPECT_EQ(ep->written[0].format, media::Format::ulaw());
    EXPECT_EQ(ep->written[1].format, media::Format::alaw());
  }
  EXPECT_EQ(c->native_format(), media::Format::alaw());
  EXPECT_EQ(c->native_formats(), (std::vector<media::Format>{media::Format::alaw(), media::Format::ulaw()}));
  EXPECT_EQ(c->native_formats_generation(), gen + 1);
  // The same formats again, or none: nothing changes.
  c->set_native_formats({media::Format::alaw(), media::Format::ulaw()});
  c->set_native_formats({});
  c->write(Frame::voice(media::Format::ulaw(), std::vector<std::uint8_t>(160, 0xFF), 160));
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(ep->mu);
    return ep->written.size() == 3;
  }));
  EXPECT_EQ(c->native_formats_generation(), gen + 1);
  std::lock_guard lock(ep->mu);
  EXPECT_EQ(ep->written[2].format, media::Format::ulaw()) << "a native format passes untranslated";
}
