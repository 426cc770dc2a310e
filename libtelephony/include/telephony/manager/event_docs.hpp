// manager::event_documentation(): every AMI event we send, with its class and its documentation
// as data (the same telephony::Documentation that applications and functions carry), so
// `manager show events`, `manager show event <Event>` and the reference in docs/ami-events.md
// come from one table. A test checks that every event name the manager can emit is in it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "telephony/documentation.hpp"
#include "telephony/manager/privilege.hpp"

namespace telephony::manager {

struct EventDoc {
  std::string name;
  PrivilegeSet classes;  // empty: sent only to the session that asked (list items, responses)
  Documentation doc;     // synopsis, syntax = the headers in order, description, see_also
};

// Sorted by name.
const std::vector<EventDoc>& event_documentation();
const EventDoc* find_event_doc(std::string_view name);  // case-insensitive
// `manager show event X`: [Synopsis] [Description] [Syntax] [Arguments] [See Also] plus [Class].
std::string render_event_help(const EventDoc& doc);

}  // namespace telephony::manager
