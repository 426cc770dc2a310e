// Channel formats: write/read translation, bridges between channels of different codecs (with
// a Local pair in the path), and inband DTMF generation and detection.
#include "mediax_support.hpp"

using namespace mediax_test;

namespace {
struct MediaFormats : EngineFixture {};
}  // namespace

TEST_F(MediaFormats, WriteTranslatesToTheNativeCodecAndPassesNativeFramesUntouched) {
  auto chan = test_channel("ulawphone", {media::Format::ulaw()});
  ASSERT_EQ(chan->native_format(), media::Format::ulaw());
  chan->set_write_format(media::Format::slin(16000));
  for (std::size_t k = 0; k < 10; ++k) chan->write(tone_frame(media::Format::slin(16000), 1000, k));
  Frame native = tone_frame(media::Format::ulaw(), 1000, 0);
  chan->write(native);
  auto e = ep("ulawphone");
  ASSERT_TRUE(testkit::eventually([&] { return voice_frames(*e) == 11; }));
  std::lock_guard lock(e->mu);
  for (std::size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(e->written[i].format, media::Format::ulaw());
    EXPECT_EQ(e->written[i].samples, 160u);
    EXPECT_EQ(e->written[i].data().size(), 160u);
  }
  // Same format: the very same payload object, no copy.
  EXPECT_EQ(e->written[10].payload.get(), native.payload.get());
}

TEST_F(MediaFormats, ReadFormatTranslatesInboundVoice) {
  auto chan = test_channel("reader", {media::Format::ulaw()});
  chan->set_read_format(media::Format::slin(16000));
  for (std::size_t k = 0; k < 5; ++k) chan->queue_frame(tone_frame(media::Format::ulaw(), 500, k));
  auto fut = spawn(chan, [](Channel::Ptr c) -> asio::awaitable<std::vector<Frame>> {
    std::vector<Frame> got;
    while (got.size() < 5) {
      auto f = co_await c->read(1000ms);
      if (!f) break;
      got.push_back(*f);
    }
    co_return got;
  }(chan));
  auto got = fut.get();
  ASSERT_EQ(got.size(), 5u);
  for (auto& f : got) {
    EXPECT_EQ(f.format, media::Format::slin(16000));
    EXPECT_EQ(f.samples, 320u);
  }
  EXPECT_EQ(chan->read_format(), media::Format::slin(16000));
}

// ulaw phone <-> Local pair <-> slin16 phone, two bridges: a 440 Hz tone crosses both ways.
TEST_F(MediaFormats, ToneCrossesLocalPairAndBridgesBetweenUlawAndSlin16) {
  auto phone = test_channel("narrow", {media::Format::ulaw()});
  auto far = test_channel("wide", {media::Format::slin(16000)});
  auto one = *engine.request("Local/mid@ctx/n");  // /n: the pair stays in the path (no optimisation)
  auto two = local_peer(*one);
  ASSERT_TRUE(two);
  auto a = Bridge::create(engine);
  auto b = Bridge::create(engine);
  auto j1 = join(a, phone), j2 = join(a, one), j3 = join(b, two), j4 = join(b, far);
  ASSERT_TRUE(testkit::eventually([&] { return a->members().size() == 2 && b->members().size() == 2; }));
  std::this_thread::sleep_for(50ms);  // on_join runs on the bridge strands
  for (std::size_t k = 0; k < 50; ++k) {
    phone->queue_frame(tone_frame(media::Format::ulaw(), 440, k));
    far->queue_frame(tone_frame(media::Format::slin(16000), 440, k));
  }
  auto wide = ep("wide"), narrow = ep("narrow");
  ASSERT_TRUE(testkit::eventually([&] { return voice_frames(*wide) >= 50 && voice_frames(*narrow) >= 50; }));
  media::Format wide_fmt, narrow_fmt;
  auto at_far = decoded(*wide, 16000, 0, &wide_fmt);
  auto at_phone = decoded(*narrow, 8000, 0, &narrow_fmt);
  EXPECT_EQ(wide_fmt, media::Format::slin(16000));
  EXPECT_EQ(narrow_fmt, media::Format::ulaw());
  EXPECT_NEAR(media::dominant_frequency(tail(at_far, 8000), 16000), 440, 5);
  EXPECT_NEAR(media::dominant_frequency(tail(at_phone, 4000), 8000), 440, 5);
  EXPECT_GT(media::power_dbfs(media::mean_power(tail(at_far, 8000))), -20);
  a->dissolve();
  b->dissolve();
  for (auto* f : {&j1, &j2, &j3, &j4}) EXPECT_EQ(f->wait_for(2s), std::future_status::ready);
}

TEST_F(MediaFormats, SameFormatBridgePassesFramesStraight) {
  auto x = test_channel("x1"), y = test_channel("y1");
  auto br = Bridge::create(engine);
  auto jx = join(br, x), jy = join(br, y);
  ASSERT_TRUE(testkit::eventually([&] { return br->members().size() == 2; }));
  Frame f = tone_frame(media::Format::slin(), 300, 0);
  x->queue_frame(f);
  auto e = ep("y1");
  ASSERT_TRUE(testkit::eventually([&] { return voice_frames(*e) == 1; }));
  {
    std::lock_guard lock(e->mu);
    EXPECT_EQ(e->written[0].payload.get(), f.payload.get());
  }
  br->dissolve();
  jx.wait_for(2s);
  jy.wait_for(2s);
}

TEST_F(MediaFormats, InbandDtmfGeneratedOnOneSideIsDetectedOnTheOther) {
  auto sender = test_channel("analog", {media::Format::ulaw()}, /*inband=*/true);
  auto receiver = test_channel("listener", {media::Format::ulaw()});
  receiver->set_dtmf_detection(true);
  ep("analog")->on_write = [receiver](const Frame& f) { receiver->queue_frame(f); };
  testkit::EventLog log(engine.events());
  auto fut = spawn(receiver, [](Channel::Ptr c) -> asio::awaitable<std::string> {
    std::string got;
    for (;;) {
      auto f = co_await c->read(2000ms);
      if (!f) co_return got + "|timeout";
      if (f->kind == FrameKind::DtmfBegin) got += "b";
      if (f->kind == FrameKind::DtmfEnd) {
        got += f->digit();
        if (got.size() >= 4) co_return got;
      }
    }
  }(receiver));
  sender->send_digit('7', 120ms);
  std::this_thread::sleep_for(300ms);
  sender->send_digit('#', 120ms);
  ASSERT_EQ(fut.wait_for(3s), std::future_status::ready);
  EXPECT_EQ(fut.get(), "b7b#");
  // It went as tones, not as out-of-band digits.
  EXPECT_TRUE(ep("analog")->digits_sent.empty());
  EXPECT_GE(voice_frames(*ep("analog")), 6u);
  EXPECT_TRUE(log.wait_for_type("DtmfEnd", [&](const Event& ev) {
    auto* d = ev.as<DtmfEnd>();
    return d && d->channel.name == receiver->name() && d->digit == '7';
  }));
}
