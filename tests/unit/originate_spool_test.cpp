// pbx_spool through the originate core, and the console's `channel originate`: call files dropped
// into a real spool directory reach the ScriptedPbx with their variables, failures run `failed`
// with ${REASON}, and the file ends where docs/callfiles.md says.
#include <utility>
#include <boost/asio/co_spawn.hpp>
#include <filesystem>

#include "originate_test_support.hpp"
#include "telephony/spool/module.hpp"
#include "testkit/testkit.hpp"

using namespace telephony;
using namespace telephony::originate_test;
namespace asio = boost::asio;
namespace fs = std::filesystem;
using testkit::eventually;

namespace {
void drop_call_file(const fs::path& outgoing, const std::string& name, const std::string& text) {
  auto tmp = outgoing / ("." + name + ".tmp");
  testkit::write_file(tmp, text);
  fs::rename(tmp, outgoing / name);
}
}  // namespace

TEST(OriginateSpoolMapping, CallFileBecomesTheOriginateRequest) {
  auto file = spool::parse_call_file(
      "Channel: Local/100@ctx\nCallerID: \"Desk\" <200>\nWaitTime: 7\nAccount: acc\nSet: A=1\nSetVar: CDR(x)=2\n"
      "Codecs: ulaw, bogus ,alaw\nEarlyMedia: yes\nContext: wake\nExtension: s\nPriority: 3\n",
      "t.call");
  ASSERT_TRUE(file) << file.error().to_string();
  std::vector<std::string> warnings;
  auto req = spool::originate_request_for(*file, &warnings);
  EXPECT_EQ(req.dial, "Local/100@ctx");
  EXPECT_EQ(req.timeout, std::chrono::seconds(7));
  ASSERT_TRUE(req.caller_id);
  EXPECT_EQ(req.caller_id->name, "Desk");
  EXPECT_EQ(req.caller_id->number, "200");
  EXPECT_EQ(req.account, "acc");
  ASSERT_EQ(req.variables.size(), 2u);
  EXPECT_EQ(req.variables[1].first, "CDR(x)");
  ASSERT_EQ(req.codecs.size(), 2u);
  EXPECT_EQ(req.codecs[1], media::Format::alaw());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("unknown codec 'bogus'"), std::string::npos);
  EXPECT_TRUE(req.early_media);
  EXPECT_EQ(req.context, "wake");
  EXPECT_EQ(req.exten, "s");
  EXPECT_EQ(req.priority, 3);
  EXPECT_FALSE(req.has_application());
  for (auto r : {OriginateReason::Failure, OriginateReason::Hangup, OriginateReason::NoAnswer, OriginateReason::Answered,
                 OriginateReason::Busy, OriginateReason::Congestion})
    EXPECT_EQ(static_cast<int>(spool::dial_reason_for(r)), static_cast<int>(r));
}

struct SpoolModuleFixture : OriginateFixture {
  testkit::TempDir dir{"originate-spool"};
  std::shared_ptr<spool::SpoolModule> module;
  fs::path outgoing() const { return dir.path() / "outgoing"; }
  void SetUp() override {
    OriginateFixture::SetUp();
    spool::SpoolerOptions opts;
    opts.spool_dir = dir.path();
    module = std::make_shared<spool::SpoolModule>(engine, opts);
    ASSERT_TRUE(module->load(dir.path()));
    ASSERT_TRUE(eventually([&] { return fs::exists(outgoing()); }));
  }
  void TearDown() override {
    module->unload();
    OriginateFixture::TearDown();
  }
};

TEST_F(SpoolModuleFixture, AnsweredFileRunsDialplanAndIsArchived) {
  Seen seen;
  pbx->add("100@wake", [&](Channel::Ptr c) -> asio::awaitable<void> {
    seen.add(c->variable("ROOM").value_or("?") + "|" + c->caller().number + "|" + c->accountcode());
    co_return;
  });
  drop_call_file(outgoing(), "wake.call",
                 "Channel: Test/room101\nCallerID: <7000>\nAccount: hotel\nContext: wake\nExtension: 100\n"
                 "Set: ROOM=101\nArchive: yes\n");
  ASSERT_TRUE(eventually([&] { return seen.size() == 1; }));
  EXPECT_EQ(seen.get()[0], "101|7000|hotel");
  ASSERT_TRUE(eventually([&] { return fs::exists(dir.path() / "outgoing_done" / "wake.call"); }));
  auto text = testkit::read_file(dir.path() / "outgoing_done" / "wake.call");
  EXPECT_NE(text.find("Status: Completed"), std::string::npos) << text;
  ASSERT_TRUE(module->stats());
  EXPECT_EQ(module->stats()->completed, 1u);
}

TEST_F(SpoolModuleFixture, BusyFileRunsFailedWithReasonAndExpires) {
  Seen seen;
  pbx->add("100@wake", [](Channel::Ptr) -> asio::awaitable<void> { co_return; });
  pbx->add("failed@wake", [&](Channel::Ptr c) -> asio::awaitable<void> {
    seen.add(c->variable("REASON").value_or("?") + "|" + c->variable("ROOM").value_or("?"));
    co_return;
  });
  test_driver->endpoint("busyroom")->on_call = [](Channel& c) { c.queue_frame(Frame::control(Control::Busy)); };
  std::vector<std::string> log;
  std::mutex mu;
  engine.log().add_sink([&](LogLevel, std::string_view line) {
    std::lock_guard lock(mu);
    log.emplace_back(line);
  });
  drop_call_file(outgoing(), "busy.call",
                 "Channel: Test/busyroom\nContext: wake\nExtension: 100\nSet: ROOM=102\nArchive: yes\n");
  ASSERT_TRUE(eventually([&] { return seen.size() == 1; }));
  EXPECT_EQ(seen.get()[0], "5|102");
  ASSERT_TRUE(eventually([&] { return fs::exists(dir.path() / "outgoing_done" / "busy.call"); }));
  EXPECT_NE(testkit::read_file(dir.path() / "outgoing_done" / "busy.call").find("Status: Expired"), std::string::npos);
  std::lock_guard lock(mu);
  EXPECT_TRUE(std::any_of(log.begin(), log.end(), [](const std::string& l) {
    return l.find("pbx_spool: Call failed to go through, reason (5) Remote end is Busy") != std::string::npos;
  }));
}

TEST_F(OriginateFixture, ConsoleOriginateExtensionAndUsage) {
  Seen seen;
  pbx->add("100@ctx", [&](Channel::Ptr c) -> asio::awaitable<void> {
    seen.add(c->name());
    co_return;
  });
  pbx->add("s@default", [&](Channel::Ptr c) -> asio::awaitable<void> {
    seen.add("s@default");
    co_return;
  });
  auto r = engine.commands().execute("channel originate Test/bob extension 100@ctx");
  EXPECT_EQ(r.status, 0) << r.output;
  ASSERT_TRUE(eventually([&] { return seen.size() == 1; }));
  EXPECT_EQ(seen.get()[0].rfind("Test/bob-", 0), 0u);
  EXPECT_EQ(engine.commands().execute("channel originate Test/bob extension @").status, 0);
  ASSERT_TRUE(eventually([&] { return seen.size() == 2; }));
  EXPECT_EQ(seen.get()[1], "s@default");

  EXPECT_EQ(engine.commands().execute("channel originate Test/bob").status, 2);
  EXPECT_EQ(engine.commands().execute("channel originate Test/bob sideways 100").status, 2);
  auto bad = engine.commands().execute("channel originate Nope/1 extension 100@ctx");
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.output.find("No such channel technology 'Nope'"), std::string::npos) << bad.output;
  auto app = engine.commands().execute("channel originate Test/bob application Nothing here");
  EXPECT_EQ(app.status, 1);
  EXPECT_NE(app.output.find("No such application 'Nothing'"), std::string::npos) << app.output;

  auto gone = engine.commands().execute("channel request hangup Test/nobody-1");
  EXPECT_EQ(gone.status, 1);
  EXPECT_EQ(gone.output, "Test/nobody-1 is not a known channel\n");
  auto help = engine.commands().find({"channel", "originate"});
  ASSERT_TRUE(help);
  EXPECT_NE(help->doc.syntax.find("extension [exten@][context]"), std::string::npos);
}

TEST_F(OriginateFixture, ConsoleHangupAllEndsRingingCalls) {
  test_driver->endpoint("ringer")->on_call = [](Channel& c) { c.queue_frame(Frame::control(Control::Ringing)); };
  pbx->add("100@ctx", [](Channel::Ptr) -> asio::awaitable<void> { co_return; });
  std::atomic<int> hangups{0};
  for (int i = 0; i < 3; ++i)
    originate(engine, to_dialplan("Test/ringer", "100", "ctx"), [&](const OriginateResult& r) {
      if (r.reason == OriginateReason::Hangup) ++hangups;
    });
  ASSERT_TRUE(eventually([&] { return engine.channel_count() == 3; }));
  ASSERT_TRUE(eventually([&] {
    auto cs = engine.channels();
    return std::all_of(cs.begin(), cs.end(), [](auto& c) { return c->state() == ChannelState::Ringing; });
  }));
  auto r = engine.commands().execute("channel request hangup all");
  EXPECT_EQ(r.output, "Requested Hangup on all channels\n");
  EXPECT_TRUE(eventually([&] { return hangups.load() == 3; }));
  EXPECT_TRUE(eventually([&] { return engine.channel_count() == 0; }));
}
