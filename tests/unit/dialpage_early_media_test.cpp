// Early media through Dial(): the leg that sends Progress is heard by the caller before anyone
// answers (and hears the caller), with one leg or several; r/m keep the caller entertained
// instead, as Asterisk's Dial does.
#include <algorithm>
#include "dialpage_support.hpp"

using namespace dialpage_test;

namespace {
bool saw(testkit::TestEndpoint& ep, Control c) {
  std::lock_guard lock(ep.mu);
  return std::find(ep.indications.begin(), ep.indications.end(), c) != ep.indications.end();
}
}  // namespace

TEST_F(DialPageFixture, DialPassesTheCalleesEarlyMediaBeforeAnswer) {
  set_on_call("carrier", [](Channel& c) { c.queue_frame(Frame::control(Control::Progress)); });
  load("[c]\nexten => s,1,Dial(Test/carrier,10)\nsame => n,NoOp(${DIALSTATUS})\nsame => n,Hangup()\n");
  auto alice = call("c", "s", "alice");
  auto carrier = wait_channel("Test/carrier-");
  ASSERT_TRUE(carrier);
  auto ep = driver->endpoint("alice");
  ASSERT_TRUE(eventually([&] { return saw(*ep, Control::Progress); }));
  // The carrier's announcement (1000 Hz) reaches the caller; the caller's voice the carrier.
  feed({{carrier, 1000}, {alice, 440}}, 15);
  ASSERT_TRUE(eventually([&] { return heard("alice").size() >= 800 && heard("carrier").size() >= 800; }));
  EXPECT_NEAR(media::dominant_frequency(heard("alice"), 8000), 1000, 10);
  EXPECT_NEAR(media::dominant_frequency(heard("carrier"), 8000), 440, 10);
  {
    std::lock_guard lock(ep->mu);
    EXPECT_FALSE(ep->answered) << "early media must not answer the caller";
  }
  EXPECT_NE(alice->state(), ChannelState::Up);
  // Then it refuses: the caller gets DIALSTATUS=BUSY as with no early media.
  carrier->queue_frame(Frame::control(Control::Busy));
  ASSERT_TRUE(wait_gone(alice->name()));
  EXPECT_EQ(join(trace(alice->name())), "[BUSY]");
}

TEST_F(DialPageFixture, DialWithSeveralForksPassesTheFirstToSendProgress) {
  set_on_call("ringer", [](Channel& c) { c.queue_frame(Frame::control(Control::Ringing)); });
  set_on_call("announcer", [](Channel& c) { c.queue_frame(Frame::control(Control::Progress)); });
  load("[c]\nexten => s,1,Dial(Test/ringer&Test/announcer,10)\n");
  auto alice = call("c", "s", "alice");
  auto ringer = wait_channel("Test/ringer-");
  auto announcer = wait_channel("Test/announcer-");
  ASSERT_TRUE(ringer && announcer);
  auto ep = driver->endpoint("alice");
  ASSERT_TRUE(eventually([&] { return saw(*ep, Control::Progress); }));
  // Both legs send audio; only the one that sent Progress is heard.
  feed({{ringer, 600}, {announcer, 1000}}, 15);
  ASSERT_TRUE(eventually([&] { return heard("alice").size() >= 800; }));
  std::this_thread::sleep_for(100ms);
  const auto pcm = heard("alice");
  EXPECT_GT(level_at(pcm, 1000), level_at(pcm, 600) + 30);
  // The ringing leg answers: the bridge takes over from early media.
  ringer->queue_frame(Frame::control(Control::Answer));
  ASSERT_TRUE(wait_gone(announcer->name()));
  EXPECT_EQ(dial_ends()["Test/ringer"], "ANSWER");
  alice->request_hangup();
  ASSERT_TRUE(wait_gone(ringer->name()));
}

TEST_F(DialPageFixture, DialWithRingingOptionPassesNoEarlyMedia) {
  set_on_call("carrier", [](Channel& c) { c.queue_frame(Frame::control(Control::Progress)); });
  load("[c]\nexten => s,1,Dial(Test/carrier,10,r)\n");
  auto alice = call("c", "s", "alice");
  auto carrier = wait_channel("Test/carrier-");
  ASSERT_TRUE(carrier);
  auto ep = driver->endpoint("alice");
  ASSERT_TRUE(eventually([&] { return saw(*ep, Control::Ringing); }));
  feed({{carrier, 1000}}, 10);
  std::this_thread::sleep_for(100ms);
  EXPECT_TRUE(heard("alice").empty());
  EXPECT_FALSE(saw(*ep, Control::Progress));
  alice->request_hangup();
  ASSERT_TRUE(wait_gone(carrier->name()));
}
