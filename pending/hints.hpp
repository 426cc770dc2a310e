// Hints and extension states (internal): what ExtensionState (AMI), EXTENSION_STATE() and HINT()
// ask of the dialplan. A hint is "DEV1&DEV2[,name]"; its extension state aggregates the devices'
// states (DeviceStates) the way Asterisk's ast_extension_state does: busy wins, then ringing
// (with in-use: RINGINUSE), then hold, then in use; all devices unavailable or invalid make it
// UNAVAILABLE, anything else NOT_INUSE.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace telephony {
class Engine;
}

namespace telephony::dialplan {

class Dialplan;

// Asterisk's AST_EXTENSION_* values (ExtensionStatus/ExtensionState Status).
enum class ExtensionState : int {
  Removed = -2,
  Deactivated = -1,
  NotInUse = 0,
  InUse = 1,
  Busy = 2,
  Unavailable = 4,
  Ringing = 8,
  RingInUse = 9,
  OnHold = 16,
  HoldInUse = 17,
};

// "SIP/alice&Custom:lamp,Alice" -> {"SIP/alice", "Custom:lamp"}.
std::vector<std::string> hint_devices(std::string_view hint);
// The text after the devices ("Alice" above), empty without one.
std::string hint_name(std::string_view hint);
// The hint of exten@context: literal or pattern extensions, includes searched (ast_get_hint).
std::optional<std::string> find_hint(const Dialplan& plan, std::string_view context, std::string_view exten);
ExtensionState extension_state(Engine& engine, std::string_view hint);
// EXTENSION_STATE()'s words: NOT_INUSE, INUSE, BUSY, UNAVAILABLE, RINGING, RINGINUSE, HOLDINUSE,
// ONHOLD, UNKNOWN.
std::string_view extension_state_word(ExtensionState s);

}  // namespace telephony::dialplan
