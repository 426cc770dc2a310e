// Channel calls made from other threads: call() runs the driver on the channel's strand whoever
// calls it, and the format/DTMF getters read what was set without touching strand-only state.
// `make tsan` runs these under ThreadSanitizer, where the old code raced.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <atomic>
#include <future>
#include <thread>

#include "telephony/engine.hpp"
#include "telephony/local/local_driver.hpp"
#include "testkit/engine_kit.hpp"

using namespace telephony;
using namespace std::chrono_literals;
using testkit::eventually;

namespace asio = boost::asio;

namespace {
struct ChannelThreads : ::testing::Test {
  Engine engine{EngineOptions{.threads = 2}};
  std::shared_ptr<testkit::TestDriver> test_driver = std::make_shared<testkit::TestDriver>();
  std::shared_ptr<testkit::ScriptedPbx> pbx = std::make_shared<testkit::ScriptedPbx>();
  void SetUp() override {
    ASSERT_TRUE(engine.drivers().add("Test", test_driver));
    ASSERT_TRUE(engine.drivers().add("Local", std::make_shared<LocalDriver>()));
    engine.set_pbx(pbx);
    engine.start();
  }
  void TearDown() override { engine.stop(); }

  // A Test/<name> device whose call() records whether it ran on the channel's strand.
  std::shared_ptr<std::atomic<int>> strand_checked(const std::string& name) {
    auto on_strand = std::make_shared<std::atomic<int>>(-1);
    auto ep = test_driver->endpoint(name);
    std::lock_guard lock(ep->mu);
    ep->on_call = [on_strand](Channel& chan) {
      on_strand->store(chan.strand().running_in_this_thread() ? 1 : 0);
      chan.queue_frame(Frame::control(Control::Answer));
    };
    return on_strand;
  }
};

TEST_F(ChannelThreads, CallFromAForeignThreadRunsTheDriverOnTheStrandAndReturnsItsResult) {
  auto on_strand = strand_checked("far");
  auto chan = *engine.request("Test/far");
  auto token = chan->hold();
  ASSERT_TRUE(chan->call("", 5s));
  // The result came back after the driver ran: no wait needed.
  EXPECT_EQ(on_strand->load(), 1);

  // A driver's failure reaches the foreign caller as the Result.
  auto missing = *engine.request("Local/999@nowhere");
  auto r = missing->call("", 1s);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("No such extension/context 999@nowhere"), std::string::npos);
  missing->hangup();
}

TEST_F(ChannelThreads, CallFromAnotherChannelsStrandPostsAndAFailureHangsUp) {
  auto on_strand = strand_checked("callee");
  auto caller = *engine.request("Test/caller");
  auto callee = *engine.request("Test/callee");
  auto missing = *engine.request("Local/999@nowhere");
  auto callee_token = callee->hold();
  auto missing_token = missing->hold();
  // Dialing from another channel's strand (an engine thread): call() must not block that thread
  // on the callee's strand, so it posts and reports failure through the hangup path.
  auto fut = asio::co_spawn(
      caller->strand(),
      [callee, missing]() -> asio::awaitable<std::pair<bool, bool>> {
        co_return std::pair{static_cast<bool>(callee->call("", 5s)), static_cast<bool>(missing->call("", 1s))};
      },
      asio::use_future);
  ASSERT_EQ(fut.wait_for(3s), std::future_status::ready);
  const auto [ok_callee, ok_missing] = fut.get();
  EXPECT_TRUE(ok_callee);
  EXPECT_TRUE(ok_missing) << "the failure is reported by hangup, not by the result";
  EXPECT_TRUE(eventually([&] { return on_strand->load() == 1; }));
  EXPECT_TRUE(eventually([&] { return missing->hangup_requested(); }));
  EXPECT_EQ(missing->hangup_cause(), HangupCause::Unallocated);
  missing_token.reset();
  EXPECT_TRUE(eventually([&] { return missing->is_hung_up(); }));
  caller->hangup();
}

TEST_F(ChannelThreads, FormatGettersReadWhatWasSetWhileTheStrandUsesThem) {
  auto ep = test_driver->endpoint("fmt");
  {
    std::lock_guard lock(ep->mu);
    ep->formats = {media::Format::ulaw()};
  }
  auto chan = *engine.request("Test/fmt");
  // Defaults: the native format, no detection.
  EXPECT_EQ(chan->read_format(), media::Format::ulaw());
  EXPECT_EQ(chan->write_format(), media::Format::ulaw());
  EXPECT_FALSE(chan->dtmf_detection());
  // The caller reads back what it set at once, before the strand applied it.
  chan->set_read_format(media::Format::slin(16000));
  chan->set_write_format(media::Format::slin(8000));
  chan->set_dtmf_detection(true);
  EXPECT_EQ(chan->read_format(), media::Format::slin(16000));
  EXPECT_EQ(chan->write_format(), media::Format::slin(8000));
  EXPECT_TRUE(chan->dtmf_detection());

  // The strand flips the formats while it delivers voice; another thread polls the getters the
  // way `core show channel` does. Every value seen is one that was set, never a torn one.
  std::atomic<bool> stop{false};
  std::atomic<int> odd{0};
  std::thread reader([&] {
    while (!stop.load()) {
      const auto r = chan->read_format();
      if (r != media::Format::slin(16000) && r != media::Format::slin(8000)) ++odd;
      const auto w = chan->write_format();
      if (w != media::Format::slin(8000) && w != media::Format::ulaw()) ++odd;
      (void)chan->dtmf_detection();
    }
  });
  auto fut = asio::co_spawn(
      chan->strand(),
      [chan]() -> asio::awaitable<int> {
        int voice = 0;
        for (int i = 0; i < 200; ++i) {
          chan->set_read_format(i % 2 ? media::Format::slin(8000) : media::Format::slin(16000));
          chan->set_write_format(i % 2 ? media::Format::ulaw() : media::Format::slin(8000));
          chan->set_dtmf_detection(i % 2 == 0);
          chan->queue_frame(Frame::voice(media::Format::ulaw(), std::vector<std::uint8_t>(160, 0xff), 160));
          if (auto f = co_await chan->read(1000ms); f && f->kind == FrameKind::Voice) ++voice;
        }
        co_return voice;
      },
      asio::use_future);
  ASSERT_EQ(fut.wait_for(10s), std::future_status::ready);
  stop.store(true);
  reader.join();
  EXPECT_EQ(fut.get(), 200);
  EXPECT_EQ(odd.load(), 0);
  // The last values the strand applied.
  EXPECT_EQ(chan->read_format(), media::Format::slin(8000));
  EXPECT_EQ(chan->write_format(), media::Format::ulaw());
  EXPECT_FALSE(chan->dtmf_detection());
  chan->hangup();
}

}  // namespace
