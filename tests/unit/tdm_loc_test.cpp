// The TDM driver end to end on two `loc` spans wired back to back in memory: span 1 holds phone
// ports (fxoks, chan_dahdi fxo_ks) and span 2 exchange-line ports (fxsks, fxs_ks), so channel 1's
// wire is channel 3's. Calling DAHDI/1 rings the wire on the zone's cadence and sends caller ID;
// channel 3 detects both and its call runs the dialplan; calling DAHDI/3/<digits> seizes the wire
// and dials in band, and channel 1 collects the digits like a phone port.
#include <gtest/gtest.h>

#include <future>

#include "telephony/dialplan/functions.hpp"
#include "telephony/dialplan/loader.hpp"
#include "telephony/dialplan/module.hpp"
#include "telephony/engine.hpp"
#include "telephony/manager_event.hpp"
#include "telephony/originate.hpp"
#include "telephony/tdm/tdm_module.hpp"
#include "testkit/engine_kit.hpp"
#include "testkit/testkit.hpp"

using namespace telephony;
using namespace std::chrono_literals;

namespace {

constexpr const char* kSystemConf = R"(# two spans wired back to back
dynamic=loc,1:0,2,0
dynamic=loc,1:1,2,0
fxoks=1-2
fxsks=3-4
loadzone=fast
defaultzone=fast
)";

constexpr const char* kChanDahdi = R"([channels]
usecallerid=yes
context=phones
signalling=fxo_ks
callerid="Phone One" <201>
channel => 1
callerid="Phone Two" <202>
channel => 2
signalling=fxs_ks
context=from-line
callerid=asreceived
group=2
channel => 3-4
)";

// A zone with a short ring cadence keeps the test quick: caller ID goes in the first 1.5 s pause.
constexpr const char* kIndications = "[fast]\nringcadence=500,1500\ndial=350+440\nbusy=480+620/500,0/500\n"
                                     "ring=440+480/500,0/1500\ncongestion=480+620/250,0/250\ndialrecall=350+440\n";

struct TdmLoc : ::testing::Test {
  testkit::TempDir dir;
  std::unique_ptr<Engine> engine;
  std::shared_ptr<tdm::TdmModule> tdm;
  std::unique_ptr<testkit::EventLog> log;

  void SetUp() override {
    testkit::write_file(dir.path() / "system.conf", kSystemConf);
    testkit::write_file(dir.path() / "chan_dahdi.conf", kChanDahdi);
    testkit::write_file(dir.path() / "indications.conf", kIndications);
    EngineOptions opts{.threads = 2};
    opts.dirs.run = dir.path() / "run";
    engine = std::make_unique<Engine>(opts);
    engine->log().set_level(LogLevel::Error);
    auto pbx = dialplan::install_dialplan(*engine);
    dialplan::register_builtin_functions(*engine);  // CALLERID() … as telephonyd has them
    auto plan = dialplan::load_dialplan_string(
        "[from-line]\n"
        "exten => s,1,Set(GOT=${CALLERID(num)}/${CALLERID(name)})\n"
        " same => n,Answer()\n"
        " same => n,Wait(3)\n"
        "[phones]\n"
        "exten => 200,1,Set(DIALED=${EXTEN})\n"
        " same => n,Answer()\n"
        " same => n,Wait(3)\n",
        "extensions.conf");
    ASSERT_TRUE(plan) << plan.error().to_string();
    pbx->replace(*plan);
    engine->start();
    log = std::make_unique<testkit::EventLog>(engine->events());
    tdm = std::make_shared<tdm::TdmModule>(*engine);
    auto r = tdm->load(dir.path());
    ASSERT_TRUE(r) << r.error().to_string();
  }
  void TearDown() override {
    if (tdm) tdm->unload();
    engine->stop();
  }

  OriginateResult run(OriginateRequest req) {
    std::promise<OriginateResult> p;
    originate(*engine, std::move(req), [&](const OriginateResult& r) { p.set_value(r); });
    auto f = p.get_future();
    EXPECT_EQ(f.wait_for(10s), std::future_status::ready);
    return f.get();
  }

  bool var_set(std::string_view chan_prefix, std::string_view var, std::string_view value) {
    return log->wait_for_type(
        "ChannelVarSet",
        [&](const Event& e) {
          auto* v = e.as<ChannelVarSet>();
          return v->channel.name.rfind(chan_prefix, 0) == 0 && v->variable == var && v->value == value;
        },
        8s);
  }
};

}  // namespace

TEST_F(TdmLoc, RingingAPhonePortSendsCallerIdTheLinePortDetects) {
  OriginateRequest req;
  req.dial = "DAHDI/1";
  req.caller_id = CallerId{"5550100", "Bob Smith"};
  req.application = "Wait";
  req.data = "1";
  auto r = run(req);
  ASSERT_EQ(r.reason, OriginateReason::Answered) << r.error;
  EXPECT_EQ(r.channel_name(), "DAHDI/1-1");
  // Channel 3 saw the ring, decoded the Bell 202 caller ID in the first pause, then answered.
  EXPECT_TRUE(var_set("DAHDI/3-", "GOT", "5550100/Bob Smith"));
  EXPECT_TRUE(log->wait_for_type("ManagerEventRaised", [](const Event& e) {
    auto* m = e.as<ManagerEventRaised>();
    return m->name == "DAHDIChannel" && m->channel && m->channel->name == "DAHDI/3-1";
  }));
}

TEST_F(TdmLoc, SeizingALinePortDialsDigitsThePhonePortCollects) {
  OriginateRequest req;
  req.dial = "DAHDI/g2/200";
  req.application = "Wait";
  req.data = "1";
  auto r = run(req);
  ASSERT_EQ(r.reason, OriginateReason::Answered) << r.error;
  EXPECT_EQ(r.channel_name(), "DAHDI/3-1") << "g2 picks the first free channel of group 2";
  EXPECT_TRUE(var_set("DAHDI/1-", "DIALED", "200"));
}

TEST_F(TdmLoc, BusyLineGivesBusyAndUnknownChannelFails) {
  auto first = engine->request("DAHDI/3");
  ASSERT_TRUE(first);
  auto second = engine->request("DAHDI/3");
  ASSERT_TRUE(second) << "a busy line still yields a channel that reports busy";
  ASSERT_TRUE((*second)->call("", 1s));
  EXPECT_TRUE(testkit::eventually([&] { return (*second)->hangup_cause() == HangupCause::UserBusy; }));
  // Group 2 has channels 3 and 4: the next request gets 4, the one after that congestion.
  auto g = engine->request("DAHDI/g2");
  ASSERT_TRUE(g);
  EXPECT_EQ((*g)->name(), "DAHDI/4-1");
  auto none = engine->request("DAHDI/g2");
  ASSERT_TRUE(none);
  ASSERT_TRUE((*none)->call("", 1s));
  EXPECT_TRUE(testkit::eventually([&] { return (*none)->hangup_cause() == HangupCause::NormalCircuitCongestion; }));
  EXPECT_FALSE(engine->request("DAHDI/9"));
  EXPECT_FALSE(engine->request("DAHDI/g7"));
  for (auto* c : {&*first, &*g}) (*c)->hangup();
}

TEST_F(TdmLoc, ConsoleCommandsShowChannelsAndStatus) {
  auto channels = engine->commands().execute("dahdi show channels");
  ASSERT_EQ(channels.status, 0);
  EXPECT_NE(channels.output.find("FXO Kewlstart"), std::string::npos) << channels.output;
  EXPECT_NE(channels.output.find("from-line"), std::string::npos) << channels.output;
  auto group = engine->commands().execute("dahdi show channels group 2");
  EXPECT_EQ(group.output.find("phones"), std::string::npos) << group.output;
  auto one = engine->commands().execute("dahdi show channel 3");
  EXPECT_NE(one.output.find("Signalling Type: FXS Kewlstart"), std::string::npos) << one.output;
  EXPECT_NE(one.output.find("Tone zone: fast"), std::string::npos) << one.output;
  auto status = engine->commands().execute("dahdi show status");
  EXPECT_NE(status.output.find("DAHDI_DYNAMIC/loc/1:0"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("OK"), std::string::npos) << status.output;
  auto dnd = engine->commands().execute("dahdi set dnd 1 on");
  EXPECT_EQ(dnd.status, 0);
  EXPECT_EQ(engine->drivers().find("DAHDI")->device_state("1"), DeviceState::Busy);
  EXPECT_TRUE(log->wait_for_type("ManagerEventRaised", [](const Event& e) {
    auto* m = e.as<ManagerEventRaised>();
    return m->name == "DNDState";
  }));
  EXPECT_EQ(engine->drivers().find("Zap"), engine->drivers().find("DAHDI"));
}

TEST(TdmModuleCheck, ReportsEveryProblemAcrossBothFiles) {
  testkit::TempDir dir;
  testkit::write_file(dir.path() / "system.conf", "dynamic=loc,1:0,2,0\nfxoks=1\nbchan=2\n");
  testkit::write_file(dir.path() / "chan_dahdi.conf",
                      "[channels]\nsignalling=fxs_ks\nchannel => 1\nsignalling=auto\nchannel => 2\nchannel => 5\n");
  Engine engine;
  tdm::TdmModule m(engine);
  auto r = m.check(dir.path());
  ASSERT_FALSE(r);
  const auto text = r.error().to_string();
  EXPECT_NE(text.find("chan_dahdi.conf:3: signalling requested on channel 1 is FXS Kewlstart but line is in FXO Kewlstart"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("chan_dahdi.conf:5: channel 2 is a Clear channel"), std::string::npos) << text;
  EXPECT_NE(text.find("chan_dahdi.conf:6: channel 5 does not exist"), std::string::npos) << text;
}
