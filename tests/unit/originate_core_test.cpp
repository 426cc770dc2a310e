// The originate core through a real Engine: Test devices that answer, ring, refuse; Local
// channels into a ScriptedPbx; Asterisk's reason codes, identity and variables on the new channel,
// channel ids, the single callback, hangup while ringing, the `failed` extension.
#include <utility>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <thread>

#include "originate_test_support.hpp"

using namespace telephony;
using namespace telephony::originate_test;
namespace asio = boost::asio;
using testkit::eventually;

TEST_F(OriginateFixture, AnsweredCallRunsTheDialplanWithIdentityAndVariables) {
  Seen seen;
  std::string written_userfield;
  dialplan::Function fn;
  fn.name = "CDR";
  fn.write = [&](const dialplan::FunctionCall& call, std::string_view value) -> Result<void> {
    written_userfield = std::string(call.args) + "=" + std::string(value) + "@" + call.channel->name();
    return {};
  };
  ASSERT_TRUE(engine.functions().add("CDR", std::make_shared<dialplan::Function>(fn)));
  pbx->add("100@ctx", [&](Channel::Ptr c) -> asio::awaitable<void> {
    auto cid = c->caller();
    seen.add(c->name() + "|" + cid.name + "|" + cid.number + "|" + c->accountcode() + "|" +
             c->variable("FOO").value_or("?") + "|" + c->variable("BAR").value_or("?") + "|" +
             std::to_string(c->location().priority));
    co_return;
  });
  auto req = to_dialplan("Test/alice", "100", "ctx");
  req.caller_id = CallerId{"2000", "Wake up"};
  req.account = "campaign7";
  req.variables = {{"FOO", "one"}, {"__BAR", "two"}, {"CDR(userfield)", "vip"}, {"FOO", "three"}};
  req.channel_id = "my-call-0001";
  auto r = run(req);
  ASSERT_EQ(r.reason, OriginateReason::Answered) << r.error;
  EXPECT_TRUE(r.answered());
  EXPECT_TRUE(r.error.empty());
  EXPECT_EQ(r.uniqueid(), "my-call-0001");
  ASSERT_TRUE(eventually([&] { return seen.size() == 1; }));
  EXPECT_EQ(seen.get()[0], r.channel_name() + "|Wake up|2000|campaign7|three|two|1");
  EXPECT_EQ(written_userfield, "userfield=vip@" + r.channel_name());
  EXPECT_EQ(test_driver->endpoint("alice")->calls, 1);
  // The script ended: the PBX hangs the channel up, nothing is left.
  EXPECT_TRUE(eventually([&] { return engine.channel_count() == 0; }));
}

TEST_F(OriginateFixture, BusyCongestionAndNoAnswerGiveAsteriskReasons) {
  test_driver->endpoint("busy")->on_call = [](Channel& c) { c.queue_frame(Frame::control(Control::Busy)); };
  test_driver->endpoint("congested")->on_call = [](Channel& c) {
    c.queue_frame(Frame::control(Control::Ringing));
    c.queue_frame(Frame::control(Control::Congestion));
  };
  test_driver->endpoint("ringer")->on_call = [](Channel& c) { c.queue_frame(Frame::control(Control::Ringing)); };
  pbx->add("100@ctx", [](Channel::Ptr) -> asio::awaitable<void> { co_return; });

  auto busy = run(to_dialplan("Test/busy", "100", "ctx"));
  EXPECT_EQ(busy.reason, OriginateReason::Busy);
  EXPECT_EQ(busy.cause, HangupCause::UserBusy);
  EXPECT_EQ(reason_text(busy.reason), "Remote end is Busy");

  auto cong = run(to_dialplan("Test/congested", "100", "ctx"));
  EXPECT_EQ(cong.reason, OriginateReason::Congestion);
  EXPECT_EQ(reason_text(cong.reason), "Congestion (circuits busy)");

  auto req = to_dialplan("Test/ringer", "100", "ctx");
  req.timeout = 300ms;
  const auto t0 = std::chrono::steady_clock::now();
  auto noanswer = run(req);
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(noanswer.reason, OriginateReason::NoAnswer);
  EXPECT_EQ(noanswer.cause, HangupCause::NoAnswer);
  EXPECT_GE(took, 290ms);
  EXPECT_LT(took, 2s);
  ASSERT_TRUE(noanswer.channel);
  EXPECT_EQ(noanswer.channel->state, ChannelState::Ringing);

  // Every refused call is hung up on the device and gone from the engine.
  for (const char* dev : {"busy", "congested", "ringer"})
    EXPECT_TRUE(eventually([&] { return test_driver->endpoint(dev)->hung_up; })) << dev;
  EXPECT_TRUE(eventually([&] { return engine.channel_count() == 0; }));
}

TEST_F(OriginateFixture, NoSuchTechnologyOrExtensionIsReasonZero) {
  auto tech = run(to_dialplan("Nope/123", "100", "ctx"));
  EXPECT_EQ(tech.reason, OriginateReason::Failure);
  EXPECT_FALSE(tech.channel);
  EXPECT_NE(tech.error.find("No such channel technology 'Nope'"), std::string::npos) << tech.error;

  auto shape = run(to_dialplan("no-slash", "100", "ctx"));
  EXPECT_EQ(shape.reason, OriginateReason::Failure);
  EXPECT_NE(shape.error.find("is not Tech/resource"), std::string::npos) << shape.error;

  pbx->add("100@ctx", [](Channel::Ptr) -> asio::awaitable<void> { co_return; });
  auto exten = run(to_dialplan("Local/999@nowhere", "100", "ctx"));
  EXPECT_EQ(exten.reason, OriginateReason::Failure);
  ASSERT_TRUE(exten.channel);  // the Local pair existed; the call was refused
  EXPECT_NE(exten.error.find("No such extension/context 999@nowhere"), std::string::npos) << exten.error;
  EXPECT_TRUE(eventually([&] { return engine.channel_count() == 0; }));
}

TEST_F(OriginateFixture, LocalChannelCarriesVariablesToBothHalvesAndHonoursBothIds) {
  Seen seen;
  pbx->add("answer@ctx", [&](Channel::Ptr c) -> asio::awaitable<void> {
    seen.add("two:" + c->uniqueid() + ":" + c->variable("GREETING").value_or("?") + ":" + c->caller().number);
    c->answer();
    co_await c->sleep(300ms);
  });
  pbx->add("200@after", [&](Channel::Ptr c) -> asio::awaitable<void> {
    seen.add("one:" + c->uniqueid() + ":" + c->variable("GREETING").value_or("?"));
    co_return;
  });
  auto req = to_dialplan("Local/answer@ctx", "200", "after");
  req.variables = {{"GREETING", "hello"}};
  req.caller_id = CallerId{"555", ""};
  req.channel_id = "uid-one";
  req.other_channel_id = "uid-two";
  auto r = run(req);
  ASSERT_EQ(r.reason, OriginateReason::Answered) << r.error;
  EXPECT_EQ(r.uniqueid(), "uid-one");
  ASSERT_TRUE(eventually([&] { return seen.size() == 2; }));
  auto lines = seen.get();
  std::sort(lines.begin(), lines.end());
  EXPECT_EQ(lines[0], "one:uid-one:hello");
  EXPECT_EQ(lines[1], "two:uid-two:hello:555");
}

TEST_F(OriginateFixture, ChannelIdInUseIsRefusedBeforeDialing) {
  test_driver->endpoint("ringer")->on_call = [](Channel& c) { c.queue_frame(Frame::control(Control::Ringing)); };
  pbx->add("100@ctx", [](Channel::Ptr) -> asio::awaitable<void> { co_return; });
  auto first = to_dialplan("Test/ringer", "100", "ctx");
  first.channel_id = "dup";
  first.timeout = 1s;
  std::promise<OriginateResult> p1;
  originate(engine, first, [&](const OriginateResult& r) { p1.set_value(r); });
  ASSERT_TRUE(eventually([&] { return engine.find_channel("dup") != nullptr; }));
  auto second = run(first);
  EXPECT_EQ(second.reason, OriginateReason::Failure);
  EXPECT_NE(second.error.find("channel id 'dup' is already in use"), std::string::npos) << second.error;
  // The first originate's call() may still be on its way (the channel exists from request on);
  // the refused second one must never add a call.
  auto ringer = test_driver->endpoint("ringer");
  auto calls = [&] {
    std::lock_guard lock(ringer->mu);
    return ringer->calls;
  };
  EXPECT_TRUE(eventually([&] { return calls() == 1; }));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(calls(), 1);
  auto f1 = p1.get_future();
  ASSERT_EQ(f1.wait_for(3s), std::future_status::ready);
  EXPECT_EQ(f1.get().reason, OriginateReason::NoAnswer);
}

TEST_F(OriginateFixture, CallbackFiresExactlyOnceOffTheCallersStack) {
  pbx->add("100@ctx", [](Channel::Ptr) -> asio::awaitable<void> { co_return; });
  test_driver->endpoint("busy")->on_call = [](Channel& c) {
    // A driver that reports twice must not produce two results.
    c.queue_frame(Frame::control(Control::Busy));
    c.queue_frame(Frame::control(Control::Busy));
    c.request_hangup(HangupCause::UserBusy);
  };
  std::atomic<int> calls{0};
  // Run inside originate() it would be on this thread; off the caller's stack it runs on the
  // engine's pool. (A flag set after originate() returns would race with a fast pool thread.)
  const auto caller = std::this_thread::get_id();
  for (const char* dial : {"Test/alice", "Test/busy", "Nope/x"}) {
    originate(engine, to_dialplan(dial, "100", "ctx"), [&](const OriginateResult&) {
      if (std::this_thread::get_id() == caller) ADD_FAILURE() << "callback ran inside originate()";
      ++calls;
    });
  }
  ASSERT_TRUE(eventually([&] { return calls.load() == 3; }));
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(calls.load(), 3);
}

TEST_F(OriginateFixture, HangupWhileRingingIsReasonOne) {
  test_driver->endpoint("ringer")->on_call = [](Channel& c) { c.queue_frame(Frame::control(Control::Ringing)); };
  pbx->add("100@ctx", [](Channel::Ptr) -> asio::awaitable<void> { co_return; });
  auto req = to_dialplan("Test/ringer", "100", "ctx");
  req.timeout = 5s;
  req.channel_id = "ring-1";
  std::promise<OriginateResult> p;
  originate(engine, req, [&](const OriginateResult& r) { p.set_value(r); });
  ASSERT_TRUE(eventually([&] {
    auto c = engine.find_channel("ring-1");
    return c && c->state() == ChannelState::Ringing;
  }));
  auto name = engine.find_channel("ring-1")->name();
  auto out = engine.commands().execute("channel request hangup " + name);
  EXPECT_EQ(out.status, 0);
  EXPECT_EQ(out.output, "Requested Hangup on channel '" + name + "'\n");
  auto f = p.get_future();
  ASSERT_EQ(f.wait_for(2s), std::future_status::ready);
  auto r = f.get();
  EXPECT_EQ(r.reason, OriginateReason::Hangup);
  EXPECT_EQ(reason_text(r.reason), "Hangup");
  EXPECT_TRUE(eventually([&] { return engine.channel_count() == 0; }));
}

TEST_F(OriginateFixture, FailedExtensionRunsWithReasonAndVariables) {
  Seen seen;
  pbx->add("100@ctx", [](Channel::Ptr) -> asio::awaitable<void> { co_return; });
  pbx->add("failed@ctx", [&](Channel::Ptr c) -> asio::awaitable<void> {
    seen.add(std::string(c->tech_name()) + "|" + c->variable("REASON").value_or("?") + "|" +
             c->variable("TICKET").value_or("?") + "|" + c->caller().number);
    co_return;
  });
  test_driver->endpoint("busy")->on_call = [](Channel& c) { c.queue_frame(Frame::control(Control::Busy)); };
  auto req = to_dialplan("Test/busy", "100", "ctx");
  req.variables = {{"TICKET", "42"}};
  req.caller_id = CallerId{"300", ""};
  auto r = run(req);
  EXPECT_EQ(r.reason, OriginateReason::Busy);
  EXPECT_EQ(r.failed_channel.rfind("OutgoingSpoolFailed/ctx-", 0), 0u) << r.failed_channel;
  ASSERT_TRUE(eventually([&] { return seen.size() == 1; }));
  EXPECT_EQ(seen.get()[0], "OutgoingSpoolFailed|5|42|300");

  // No technology at all: still the failed extension, REASON=0.
  auto nt = run(to_dialplan("Nope/1", "100", "ctx"));
  EXPECT_FALSE(nt.failed_channel.empty());
  ASSERT_TRUE(eventually([&] { return seen.size() == 2; }));
  EXPECT_EQ(seen.get()[1], "OutgoingSpoolFailed|0|?|");

  // A context without `failed`, and the application form, start nothing.
  auto other = run(to_dialplan("Test/busy", "100", "elsewhere"));
  EXPECT_TRUE(other.failed_channel.empty());
  auto no_run = to_dialplan("Test/busy", "100", "ctx");
  no_run.run_failed_extension = false;
  EXPECT_TRUE(run(no_run).failed_channel.empty());
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(seen.size(), 2u);
}

namespace {
// A PBX that can run one application, as the dialplan module's will.
class AppPbx : public testkit::ScriptedPbx {
 public:
  std::shared_ptr<Seen> seen = std::make_shared<Seen>();
  Result<void> start_application(Channel::Ptr chan, std::string app, std::string data) override {
    seen->add(chan->name() + "|" + app + "|" + data);
    chan->hangup();
    return {};
  }
};
}  // namespace

TEST_F(OriginateFixture, ApplicationFormNeedsAnExecutor) {
  dialplan::Application playback;
  playback.name = "Playback";
  playback.run = [](dialplan::Execution&, std::string_view) -> asio::awaitable<dialplan::AppResult> {
    co_return dialplan::AppResult::Continue;
  };
  ASSERT_TRUE(engine.applications().add("Playback", std::make_shared<dialplan::Application>(playback)));
  OriginateRequest req;
  req.dial = "Test/alice";
  req.application = "Playback";
  req.data = "hello-world";
  auto r = run(req);
  EXPECT_EQ(r.reason, OriginateReason::Failure);
  EXPECT_NE(r.error.find("application originate needs the dialplan module"), std::string::npos) << r.error;
  EXPECT_TRUE(eventually([&] { return engine.channel_count() == 0; }));

  req.application = "NoSuchApp";
  auto unknown = run(req);
  EXPECT_NE(unknown.error.find("No such application 'NoSuchApp'"), std::string::npos) << unknown.error;
  EXPECT_EQ(test_driver->endpoint("alice")->calls, 1);  // refused before dialing

  auto app_pbx = std::make_shared<AppPbx>();
  engine.set_pbx(app_pbx);
  req.application = "playback";
  auto ok = run(req);
  ASSERT_EQ(ok.reason, OriginateReason::Answered) << ok.error;
  ASSERT_EQ(app_pbx->seen->size(), 1u);
  EXPECT_EQ(app_pbx->seen->get()[0], ok.channel_name() + "|playback|hello-world");
}

TEST_F(OriginateFixture, EarlyMediaCountsAsAnswerOnlyWhenAsked) {
  test_driver->endpoint("progress")->on_call = [](Channel& c) { c.queue_frame(Frame::control(Control::Progress)); };
  pbx->add("100@ctx", [](Channel::Ptr) -> asio::awaitable<void> { co_return; });
  auto req = to_dialplan("Test/progress", "100", "ctx");
  req.timeout = 300ms;
  EXPECT_EQ(run(req).reason, OriginateReason::NoAnswer);
  req.early_media = true;
  EXPECT_EQ(run(req).reason, OriginateReason::Answered);
}

TEST_F(OriginateFixture, AwaitableFormResumesWithTheResult) {
  pbx->add("100@ctx", [](Channel::Ptr) -> asio::awaitable<void> { co_return; });
  auto fut = asio::co_spawn(
      engine.io(),
      [this]() -> asio::awaitable<std::string> {
        auto a = co_await originate(engine, to_dialplan("Test/alice", "100", "ctx"));
        auto b = co_await originate(engine, to_dialplan("Nope/x", "100", "ctx"));
        co_return std::to_string(static_cast<int>(a.reason)) + "," + std::to_string(static_cast<int>(b.reason));
      },
      asio::use_future);
  ASSERT_EQ(fut.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(fut.get(), "4,0");
}

TEST_F(OriginateFixture, PredialGosubWithoutExecutorWarnsAndStillDials) {
  std::vector<std::string> lines;
  std::mutex mu;
  engine.log().add_sink([&](LogLevel, std::string_view line) {
    std::lock_guard lock(mu);
    lines.emplace_back(line);
  });
  pbx->add("100@ctx", [](Channel::Ptr) -> asio::awaitable<void> { co_return; });
  auto req = to_dialplan("Test/alice", "100", "ctx");
  req.predial_gosub = "predial,s,1";
  EXPECT_EQ(run(req).reason, OriginateReason::Answered);
  std::lock_guard lock(mu);
  bool warned = std::any_of(lines.begin(), lines.end(), [](const std::string& l) {
    return l.find("Predial Gosub(predial,s,1)") != std::string::npos &&
           l.find("needs the dialplan module") != std::string::npos;
  });
  EXPECT_TRUE(warned);
}
