// MixingBridge following a member whose native format changes mid-call (a SIP re-INVITE from PCMU
// to PCMA): the mix reaches it encoded in the new format from the next tick, with the same audio.
#include "mediax_support.hpp"
#include "telephony/media/mixing_bridge.hpp"

using namespace mediax_test;

namespace {
struct MixingFormats : EngineFixture {
  void feed(const Channel::Ptr& chan, double hz, std::size_t frames, std::size_t from = 0) {
    const auto t0 = std::chrono::steady_clock::now();
    for (std::size_t k = 0; k < frames; ++k) {
      chan->queue_frame(tone_frame(chan->native_format(), hz, from + k));
      std::this_thread::sleep_until(t0 + (k + 1) * 20ms);
    }
  }
};
}  // namespace

TEST_F(MixingFormats, AMemberRenegotiatingGetsTheMixInItsNewFormat) {
  auto br = Bridge::create(engine, {.type = "conference", .dissolve_when_alone = false},
                           std::make_unique<media::MixingBridge>());
  auto talker = test_channel("talker", {media::Format::slin()});
  auto phone = test_channel("phone", {media::Format::ulaw()});
  auto jt = join(br, talker), jp = join(br, phone);
  ASSERT_TRUE(testkit::eventually([&] { return br->members().size() == 2; }));
  feed(talker, 500, 25);
  media::Format seen;
  auto before = decoded(*ep("phone"), 8000, 0, &seen);
  EXPECT_EQ(seen, media::Format::ulaw());
  const std::size_t frames_before = voice_frames(*ep("phone"));
  phone->set_native_formats({media::Format::alaw()});
  feed(talker, 500, 25, 25);
  auto after = decoded(*ep("phone"), 8000, frames_before + 2, &seen);
  EXPECT_EQ(seen, media::Format::alaw()) << "the bridge still encodes the old format";
  ASSERT_GE(after.size(), 8000u / 4);
  EXPECT_NEAR(media::dominant_frequency(after, 8000), 500, 10);
  br->dissolve();
  EXPECT_EQ(jt.wait_for(2s), std::future_status::ready);
  EXPECT_EQ(jp.wait_for(2s), std::future_status::ready);
}
