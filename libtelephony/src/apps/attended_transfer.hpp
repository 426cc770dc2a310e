// Attended transfer (AMI Atxfer): internal to the library. See docs/ami-actions.md.
//
// The transferee leaves its bridge and waits on music on hold; the transferrer dials
// Local/exten@context and talks to the target in a consultation bridge. When the transferrer
// hangs up (before or after the target answered) the transferee is bridged with the target; when
// the target hangs up or cannot be reached, the transferrer goes back to the transferee.
#pragma once

#include "telephony/channel.hpp"
#include "telephony/result.hpp"

namespace telephony {
class Engine;
}

namespace telephony::dialplan {

// Any thread. `target` must exist in the dialplan (the caller checks). Fails when the Local
// channel cannot be created.
Result<void> start_attended_transfer(Engine& engine, const Channel::Ptr& transferrer, const Channel::Ptr& transferee,
                                     const DialplanLocation& target);

}  // namespace telephony::dialplan
