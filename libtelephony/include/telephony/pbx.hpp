// Pbx: the seam between the core and whatever runs a channel's call logic. The dialplan module
// implements it; the core (Local channels, originate, call files) only asks it to start a channel
// at its dialplan location and whether a location exists.
#pragma once

#include <string_view>

#include "telephony/channel.hpp"

namespace telephony {

class Pbx {
 public:
  virtual ~Pbx() = default;
  // Runs the channel from its current location until the dialplan ends, then hangs it up.
  virtual void start(Channel::Ptr chan) = 0;
  // Whether context/exten/priority exists (caller id for /cid matches).
  virtual bool exists(std::string_view context, std::string_view exten, int priority,
                      std::string_view caller_number) const = 0;
};

}  // namespace telephony
