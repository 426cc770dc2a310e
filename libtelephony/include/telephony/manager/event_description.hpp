// Engine events as named field lists, in the shape AMI clients receive them. The manager uses one
// mapping from typed engine events to AMI events (names, field names and their order, as
// Asterisk 13+ sends them); describe_event() hands that same mapping to any other consumer that
// wants an event as text — the Python binding's `telephony.Event`, tools, logs — so a script
// reading events from an embedded engine sees the fields a script reading them over AMI sees.
//
// Events without an AMI form (EventsLost, PlaybackStarted, a module's own events) keep their
// engine type name and carry the channel snapshot fields when they are about a channel.
#pragma once

#include <string>

#include "telephony/events.hpp"
#include "telephony/manager/message.hpp"

namespace telephony::manager {

struct DescribedEvent {
  std::string name;     // AMI event name ("Hangup", "DialEnd", "BridgeEnter") or the engine type
  bool ami = false;     // true when `name` and `fields` are exactly what AMI sends
  ami::Message fields;  // "Event: <name>" first, then the fields in wire order
};

DescribedEvent describe_event(const Event& ev);

}  // namespace telephony::manager
