// Documentation of the AMI events the manager sends, as data: what `manager show events`,
// `manager show event <name>` and the generated reference (docs/ami-reference.md) print.
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

struct EventFieldDoc {
  std::string name;
  std::string description;
};

struct EventDoc {
  std::string name;       // "Hangup"
  std::string privilege;  // read class a user needs to receive it ("call", "dialplan" ...)
  std::string synopsis;
  std::string engine_type;  // the engine event it comes from ("ChannelHungUp"); empty if none
  std::vector<EventFieldDoc> fields;  // in wire order, after Event:
  std::vector<std::string> see_also;
};

// Every documented event, sorted by name.
const std::vector<EventDoc>& event_documentation();
const EventDoc* find_event_doc(std::string_view name);  // case-insensitive
// The `manager show event` text: [Synopsis] [Privilege] [Fields] [See Also].
std::string render_event_help(const EventDoc& doc);

// Description of a field name wherever it appears (the channel snapshot fields, Dest* variants);
// empty when the field is not documented.
std::string describe_field(std::string_view field);

}  // namespace telephony::manager
