// Hints and extension states: `exten => 100,hint,SIP/alice&Local/200@x[,CustomPresence:alice]`.
// A hint's devices aggregate into Asterisk's extension states (0 Idle, 1 InUse, 2 Busy,
// 4 Unavailable, 8 Ringing, 9 InUse&Ringing, 16 Hold, 17 InUse&Hold, -1 no hint). A device's
// state is its driver's ChannelDriver::device_state() when the driver knows it, else derived from
// the device's live channels; INVALID when no driver has the technology. Used by AMI
// ExtensionState/ExtensionStateList/DeviceStateList and `core show hints`.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/dialplan/dialplan.hpp"
#include "telephony/driver.hpp"

namespace telephony {
class Engine;
}

namespace telephony::dialplan {

// "SIP/alice-00000001" -> "SIP/alice"; "Local/100@ctx-0000000a;1" -> "Local/100@ctx".
std::string device_of(std::string_view channel_name);
DeviceState device_state(Engine& engine, std::string_view device);
// The devices of a hint (the part before a ',' presence provider), split on '&'.
std::vector<std::string> hint_devices(std::string_view hint);
// "CustomPresence:alice" after the ',' of a hint, or empty.
std::string hint_presence(std::string_view hint);
int extension_state(Engine& engine, std::string_view hint);
std::string_view extension_state_text(int state);
// The hint of exten@context (includes searched, as Asterisk's ast_get_hint).
std::optional<std::string> find_hint(const Dialplan& plan, std::string_view context, std::string_view exten,
                                     std::set<std::string>& visited);

struct HintEntry {
  std::string context;
  std::string exten;
  std::string hint;
};
// Every hint of the dialplan, in context order.
std::vector<HintEntry> list_hints(const Dialplan& plan);

// `core show hints` (registered by install_dialplan).
void register_hint_commands(Engine& engine);

}  // namespace telephony::dialplan
