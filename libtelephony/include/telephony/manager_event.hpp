// ManagerEventRaised: an engine event a module raises for AMI in its final shape — `Event: <name>`,
// then the channel snapshot (when set), then `headers` in order, under the privilege classes
// `privilege` ("system", "call,system" ...). For module-specific AMI events (chan_dahdi's
// Alarm/SpanAlarm/DNDState/DAHDIChannel, a driver's registry events) so the manager needs no code
// per module: manager/events.cpp maps it one to one.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "telephony/events.hpp"

namespace telephony {

struct ManagerEventRaised : Event {
  static constexpr std::string_view kType = "ManagerEventRaised";
  std::string_view type() const override { return kType; }
  std::string name;
  std::string privilege = "system";
  std::optional<ChannelSnapshot> channel;
  std::vector<std::pair<std::string, std::string>> headers;
};

}  // namespace telephony
