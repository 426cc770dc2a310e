// Operations events: the security log writes every service's SecurityEvent in res_security_log's
// form from the bus; the hint tracker reports each hint whose extension state a device change
// moved (AMI ExtensionStatus), once per change.
#include <gtest/gtest.h>

#include <mutex>

#include "telephony/dialplan/hints.hpp"
#include "telephony/dialplan/loader.hpp"
#include "telephony/engine.hpp"
#include "telephony/security_log.hpp"
#include "testkit/engine_kit.hpp"

using namespace telephony;
using namespace std::chrono_literals;

namespace {
SecurityEvent security(std::string name, std::string service, std::string account) {
  SecurityEvent ev;
  ev.name = std::move(name);
  ev.service = std::move(service);
  ev.account_id = std::move(account);
  ev.session_id = "0x1";
  ev.local_address = "IPV4/UDP/127.0.0.1/5060";
  ev.remote_address = "IPV4/UDP/127.0.0.1/5062";
  return ev;
}
}  // namespace

TEST(SecurityLogWriter, WritesEveryServicesEventsAtTheSecurityLevel) {
  Engine engine(EngineOptions{.threads = 1});
  std::mutex mu;
  std::vector<std::string> lines;
  engine.log().clear_sinks();
  engine.log().add_sink([&](LogLevel l, std::string_view line) {
    std::lock_guard lock(mu);
    if (l == LogLevel::Security) lines.emplace_back(line);
  });
  engine.log().set_wanted(log_bit(LogLevel::Security));
  engine.start();
  SecurityLogWriter writer(engine);
  auto sip = security("InvalidPassword", "PJSIP", "alice");
  sip.fields = {{"Challenge", "abc"}, {"ReceivedChallenge", "a\"b"}};
  engine.events().emit(std::move(sip));
  auto ami = security("SuccessfulAuth", "AMI", "admin");
  ami.severity = "Informational";
  engine.events().emit(std::move(ami));
  ASSERT_TRUE(testkit::eventually([&] {
    std::lock_guard lock(mu);
    return lines.size() == 2;
  }));
  EXPECT_EQ(writer.written(), 2u);
  EXPECT_NE(lines[0].find("SECURITY["), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find(" security: SecurityEvent=\"InvalidPassword\",EventTV=\""),
            std::string::npos)
      << lines[0];
  EXPECT_NE(
      lines[0].find(
          "\",Severity=\"Error\",Service=\"PJSIP\",EventVersion=\"1\",AccountID=\"alice\","
          "SessionID=\"0x1\","
          "LocalAddress=\"IPV4/UDP/127.0.0.1/5060\",RemoteAddress=\"IPV4/UDP/127.0.0.1/5062\","
          "Challenge=\"abc\",ReceivedChallenge=\"a'b\""),
      std::string::npos)
      << lines[0];
  EXPECT_NE(lines[1].find("SecurityEvent=\"SuccessfulAuth\""), std::string::npos);
  EXPECT_NE(lines[1].find("Severity=\"Informational\",Service=\"AMI\""), std::string::npos);
  // Nobody wants SECURITY: nothing is formatted or written.
  engine.log().set_wanted(log_bit(LogLevel::Error));
  engine.events().emit(security("FailedACL", "AMI", "x"));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(writer.written(), 2u);
  engine.stop();
}

TEST(HintStateTracker, ReportsEachHintWhoseStateADeviceChangeMoved) {
  Engine engine(EngineOptions{.threads = 1});
  engine.start();
  auto plan = dialplan::load_dialplan_string(
      "[phones]\nexten => 100,hint,Custom:lamp&Custom:desk\nexten => 101,hint,Custom:desk\n"
      "exten => 102,hint,Custom:other\n",
      "hints.conf");
  ASSERT_TRUE(plan) << plan.error().to_string();
  std::shared_ptr<const dialplan::Dialplan> snapshot = *plan;
  dialplan::HintStateTracker tracker;
  engine.device_states().set("Custom:lamp", DeviceState::NotInUse);
  engine.device_states().set("Custom:desk", DeviceState::NotInUse);
  tracker.sync(engine, snapshot);
  engine.device_states().set("Custom:desk", DeviceState::InUse);
  auto changes = tracker.device_changed(engine, snapshot, "Custom:desk");
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].hint.exten, "100");
  EXPECT_EQ(changes[0].state, 1);
  EXPECT_EQ(changes[1].hint.exten, "101");
  EXPECT_EQ(changes[1].hint.hint, "Custom:desk");
  // The same state again, or a device no hint names: nothing.
  EXPECT_TRUE(tracker.device_changed(engine, snapshot, "Custom:desk").empty());
  EXPECT_TRUE(tracker.device_changed(engine, snapshot, "Custom:nowhere").empty());
  engine.device_states().set("Custom:lamp", DeviceState::Ringing);
  changes = tracker.device_changed(engine, snapshot, "Custom:lamp");
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].state, 9);  // InUse&Ringing
  EXPECT_EQ(dialplan::extension_state_text(changes[0].state), "InUse&Ringing");
  engine.stop();
}
