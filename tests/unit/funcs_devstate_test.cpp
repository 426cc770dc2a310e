// DEVICE_STATE, EXTENSION_STATE and HINT on a running dialplan: a Custom: device set from the
// dialplan drives its hint's extension state, publishes DeviceStateChanged and is kept in AstDB
// (family CustomDevstate) as Asterisk keeps it.
#include "breadth_support.hpp"
#include "telephony/astdb.hpp"
#include "telephony/device_state.hpp"

using namespace breadth_test;

namespace {

using DeviceStateFunctions = Breadth;

}  // namespace

TEST_F(DeviceStateFunctions, CustomDeviceDrivesItsHintAndIsKept) {
  load("[a]\n"
       "exten => dev,1,Set(DEVICE_STATE(Custom:lamp)=inuse)\n"
       "same => n,NoOp(${DEVICE_STATE(Custom:lamp)}|${EXTENSION_STATE(100@hints)}|${HINT(100@hints)}|"
       "${HINT(100@hints,n)})\n"
       "same => n,Set(DEVICE_STATE(Custom:lamp)=NOT_INUSE)\n"
       "same => n,NoOp(${EXTENSION_STATE(100@hints)}|${EXTENSION_STATE(999@hints)})\n"
       "same => n,Set(DEVICE_STATE(Nope/x)=BUSY)\n"
       "same => n,NoOp(${DEVICE_STATE(Nope/x)})\n"
       "[hints]\nexten => 100,hint,Custom:lamp,CustomPresence:lamp\n");
  auto dev = call("a", "dev", "lamp-setter");
  ASSERT_TRUE(wait_gone(dev));
  // Only Custom: devices are written; a device of no driver stays INVALID.
  EXPECT_EQ(join(trace(dev)), "[INUSE|INUSE|Custom:lamp|CustomPresence:lamp][NOT_INUSE|UNKNOWN][INVALID]");
  bool changed = false;
  for (auto* e : events_of<DeviceStateChanged>()) changed |= e->device == "Custom:lamp" && e->state == DeviceState::InUse;
  EXPECT_TRUE(changed);
  auto kept = engine.astdb().get("CustomDevstate", "lamp");
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->value_or("<none>"), "NOT_INUSE");
}

TEST_F(DeviceStateFunctions, ChanIsAvailSkipsBusyDevicesAndReportsEachState) {
  load("[a]\n"
       "exten => avail,1,ChanIsAvail(Test/x&Test/y,s)\n"
       "same => n,NoOp(${AVAILORIGCHAN}|${AVAILSTATUS}|${CUT(AVAILCHAN,-,1)}|${AVAILCAUSECODE})\n"
       "same => n,ChanIsAvail(bogus&Test/x&Test/y,a)\n"
       "same => n,NoOp(${AVAILORIGCHAN}|${AVAILSTATUS})\n");
  engine.device_states().set("Test/x", DeviceState::Busy);
  const auto y_state = std::to_string(static_cast<int>(engine.device_states().get("Test/y")));
  auto chan = call("a", "avail", "checker");
  ASSERT_TRUE(wait_gone(chan));
  auto t = trace(chan);
  ASSERT_EQ(t.size(), 2u);
  // s: Test/x is busy (3) and skipped; Test/y is taken, its probe channel hung up at once.
  EXPECT_EQ(t[0], "Test/y|3&" + y_state + "|Test/y|0");
  // Without s every device a driver accepts counts; a name without a technology is INVALID (4).
  EXPECT_EQ(t[1], "Test/x&Test/y|4&0&0");
}
