// Internal: chan_dahdi's AMI events (DAHDIChannel, DNDState, Alarm/AlarmClear,
// SpanAlarm/SpanAlarmClear) as ManagerEventRaised, with Asterisk's field names and classes.
#pragma once

#include <cstdint>
#include <string>

#include "telephony/manager_event.hpp"

namespace telephony::tdm {

struct DahdiChannelCreated {
  ChannelSnapshot channel;
  std::uint64_t group = 0;
  int span = 0;
  int dahdi_channel = 0;
  ManagerEventRaised to_event() const {
    ManagerEventRaised e;
    e.name = "DAHDIChannel";
    e.privilege = "call";
    e.channel = channel;
    e.headers = {{"DAHDIGroup", std::to_string(group)},
                 {"DAHDISpan", std::to_string(span)},
                 {"DAHDIChannel", std::to_string(dahdi_channel)}};
    return e;
  }
};

struct DndStateChanged {
  int dahdi_channel = 0;
  bool enabled = false;
  ManagerEventRaised to_event() const {
    ManagerEventRaised e;
    e.name = "DNDState";
    e.headers = {{"DAHDIChannel", std::to_string(dahdi_channel)}, {"Status", enabled ? "enabled" : "disabled"}};
    return e;
  }
};

// "Red Alarm", "Yellow Alarm", "Blue Alarm" (the first that is set), "No Alarm".
inline std::string alarm_name(std::uint8_t bits) {
  if (bits & 1) return "Red Alarm";
  if (bits & 2) return "Yellow Alarm";
  if (bits & 4) return "Blue Alarm";
  return "No Alarm";
}

struct ChannelAlarm {
  int dahdi_channel = 0;
  std::uint8_t bits = 0;  // 0: cleared
  ManagerEventRaised to_event() const {
    ManagerEventRaised e;
    e.name = bits ? "Alarm" : "AlarmClear";
    e.headers = {{"DAHDIChannel", std::to_string(dahdi_channel)}};
    if (bits) e.headers.emplace_back("Alarm", alarm_name(bits));
    return e;
  }
};

struct SpanAlarm {
  int span = 0;
  std::uint8_t bits = 0;
  ManagerEventRaised to_event() const {
    ManagerEventRaised e;
    e.name = bits ? "SpanAlarm" : "SpanAlarmClear";
    e.headers = {{"Span", std::to_string(span)}};
    if (bits) e.headers.emplace_back("Alarm", alarm_name(bits));
    return e;
  }
};

}  // namespace telephony::tdm
