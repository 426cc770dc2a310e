// Reference of the AMI events the manager sends, as data: what the generated reference
// (docs/ami-reference.md, telephony-docgen) prints. The console's `manager show events|event`
// print the hand-written table of manager/event_docs.hpp (issue 14); merging the two into one
// table is an open item (docs/python.md).
//
// The field lists are not written by hand: they come from the one mapping of engine events to
// AMI events (describe_event over a sample of each event), so a field added to the mapping shows
// up in the help at once; only the descriptions live here, and a unit test checks that every
// field the mapping sends has one. Events an action sends itself (OriginateResponse) list their
// fields here with the action.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace telephony::manager {

struct EventFieldReference {
  std::string name;
  std::string description;
};

struct EventReference {
  std::string name;       // "Hangup"
  std::string privilege;  // read class a user needs to receive it ("call", "dialplan" ...)
  std::string synopsis;
  std::string engine_type;  // the engine event it comes from ("ChannelHungUp"); empty if none
  std::vector<EventFieldReference> fields;  // in wire order, after Event:
  std::vector<std::string> see_also;
};

// Every documented event, sorted by name.
const std::vector<EventReference>& event_reference();
const EventReference* find_event_reference(std::string_view name);  // case-insensitive
// The `manager show event` text: [Synopsis] [Privilege] [Fields] [See Also].
std::string render_event_reference(const EventReference& doc);

// Description of a field name wherever it appears (the channel snapshot fields, Dest* variants);
// empty when the field is not documented.
std::string describe_field(std::string_view field);

}  // namespace telephony::manager
