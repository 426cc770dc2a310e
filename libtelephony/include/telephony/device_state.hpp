// DeviceStates: the engine's one answer to "what is device X doing?" — for hints and
// ExtensionState, DeviceStateList, Page()'s `s` option, DEVICE_STATE(), queues and BLF.
//
// A device is a dial string without its call-specific part: "SIP/alice", "DAHDI/3",
// "Local/100@ctx", or a custom name such as "Custom:lamp1". Its state has two sources:
//   - pushed: a driver (or DEVICE_STATE(Custom:x)=…) states what it knows — a SIP endpoint with no
//     reachable contact is UNAVAILABLE, an analog line in DND is BUSY — with set()/clear();
//   - derived: the device's live channels ("SIP/alice-00000001" belongs to "SIP/alice"), kept
//     incrementally as channels are created, change state and go: RINGING, INUSE, RINGINUSE.
// get() combines them: a pushed state other than NOT_INUSE/UNKNOWN wins (unavailable, busy,
// invalid, on hold …); otherwise live channels decide; otherwise the pushed state, the driver's
// ChannelDriver::device_state() answer, or NOT_INUSE; INVALID when no driver has the technology
// (Custom: devices excepted, which are UNKNOWN until set).
//
// Every change of get(device) publishes one DeviceStateChanged event (AMI DeviceStateChange) in
// the order the changes happened. Any thread; one small mutex, taken on channel state changes and
// pushes, never per frame.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "telephony/channel.hpp"
#include "telephony/driver.hpp"
#include "telephony/events.hpp"

namespace telephony {

class Engine;

struct DeviceStateChanged : Event {
  static constexpr std::string_view kType = "DeviceStateChanged";
  std::string_view type() const override { return kType; }
  std::string device;
  DeviceState state = DeviceState::Unknown;
};

class DeviceStates {
 public:
  explicit DeviceStates(Engine& engine);

  // A driver's (or a custom device's) state. Publishes DeviceStateChanged when get() changes.
  void set(std::string_view device, DeviceState state);
  // Forgets the pushed state; the device is derived from its channels (and driver) again.
  void clear(std::string_view device);
  DeviceState get(std::string_view device) const;
  // Every device with a pushed state or a live channel, with get()'s answer, sorted by name.
  std::vector<std::pair<std::string, DeviceState>> list() const;

  // "SIP/alice-00000001" -> "SIP/alice"; "Local/100@ctx-0000000a;1" -> "Local/100@ctx".
  static std::string device_of(std::string_view channel_name);

  // Called by the engine and Channel: a channel appeared (state Down), changed state, or went.
  void channel_state(std::string_view channel_name, std::optional<ChannelState> before,
                     std::optional<ChannelState> after);

 private:
  struct Entry {
    std::optional<DeviceState> pushed;
    int ringing = 0;  // channels in Ring/Ringing
    int in_use = 0;   // other live channels (Down counts once dialling started? see .cpp)
    DeviceState last = DeviceState::Unknown;
    bool announced = false;
  };
  DeviceState compute(std::string_view device, const Entry& e) const;
  // Recomputes `device` under mu_ and returns the event to publish, if any.
  std::optional<DeviceStateChanged> refresh(const std::string& device, Entry& e);

  Engine& engine_;
  mutable std::mutex mu_;
  std::map<std::string, Entry, std::less<>> devices_;
};

}  // namespace telephony
