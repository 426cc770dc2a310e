// Internal to the AMI event reference (event_reference.hpp): the samples of engine events whose
// mapping gives the field lists (event_reference_samples.cpp), and the events actions send
// themselves (event_reference_lists.cpp). Not installed.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "telephony/events.hpp"
#include "telephony/manager/event_reference.hpp"

namespace telephony::manager {

// Field descriptions that differ from describe_field()'s for this one event ("Status" of Reload).
using FieldNotes = std::vector<std::pair<std::string, std::string>>;

struct EngineEventSample {
  std::string synopsis;
  std::function<std::shared_ptr<Event>()> make;
  std::vector<std::string> see_also;
  FieldNotes notes;
  std::string description;
};

std::vector<EngineEventSample> engine_event_samples();
// Events sent by actions (list items, their Complete events, OriginateResponse), complete.
std::vector<EventReference> action_event_reference();

ChannelSnapshot sample_channel();
BridgeSnapshot sample_bridge();

}  // namespace telephony::manager
