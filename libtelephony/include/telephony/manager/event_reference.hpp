// The one table of the AMI events the manager sends, as data: the console's `manager show events`
// and `manager show event <Event>` print it (in Asterisk's layout), and docs/ami-reference.md is
// generated from it (telephony-docgen).
//
// The field lists are not written by hand: for an event mapped from an engine event they come from
// the one mapping of engine events to AMI events (manager/events.cpp and its siblings), read off
// a sample of each event, so a field added to the mapping shows up in the help at once; for an
// event an action sends itself (list items, OriginateResponse) they come from the same snapshot
// writers the action uses. Only synopses and field descriptions are written here, and a unit test
// checks that every field has one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace telephony::manager {

struct EventFieldReference {
  std::string name;
  std::string description;
};

struct EventReference {
  std::string name;       // "Hangup"
  std::string privilege;  // read class a user needs to receive it ("call" ...); empty: list item
  std::string synopsis;
  std::string
      description;  // what the synopsis does not say (when it is sent, quirks); may be empty
  std::string engine_type;  // the engine event it comes from ("ChannelHungUp"); empty if none
  std::vector<EventFieldReference> fields;  // in wire order, after Event:
  std::vector<std::string> see_also;
};

// Every documented event, sorted by name.
const std::vector<EventReference>& event_reference();
const EventReference* find_event_reference(std::string_view name);  // case-insensitive
// The `manager show event` text, Asterisk's console layout: -= Info about event 'X' =-, then
// [Synopsis] [Description] [Syntax] (Event: X, one `Field: <value>` line each) [Arguments]
// [See Also], and our [Class] (the read class, or "(the requesting session only)").
std::string render_event_reference(const EventReference& doc);
// The `manager show events` text: the names in three columns, then "N events documented."
std::string render_event_list();

// Description of a field name wherever it appears (the channel snapshot fields, and their
// Dest*/Parkee*/... variants); empty when the field is not documented.
std::string describe_field(std::string_view field);

}  // namespace telephony::manager
