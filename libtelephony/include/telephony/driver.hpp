// ChannelDriver: a channel technology (SIP, Local, DAHDI, Console …). The core knows no driver by
// name; drivers register into Engine::drivers() under their technology name and are asked for
// channels with a dial string's resource part ("alice" of "SIP/alice").
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "telephony/channel.hpp"
#include "telephony/result.hpp"

namespace telephony {

// Asterisk's AST_DEVICE_* values (ExtensionState/DeviceStateChange use them).
enum class DeviceState : int {
  Unknown = 0,
  NotInUse = 1,
  InUse = 2,
  Busy = 3,
  Invalid = 4,
  Unavailable = 5,
  Ringing = 6,
  RingInUse = 7,
  OnHold = 8,
};
std::string_view to_string(DeviceState s);  // "NOT_INUSE", "INUSE", …

struct ChannelRequest {
  std::string resource;              // text after "Tech/"
  const Channel* requestor = nullptr;  // for linkedid, variable inheritance, formats
  std::vector<media::Format> formats;  // wanted formats, may be empty
  // Uniqueids the new channel(s) must carry (AMI/Originate ChannelId, OtherChannelId); empty:
  // generated. `other_uniqueid` is for drivers that create a pair (Local's ;2).
  std::string uniqueid;
  std::string other_uniqueid;
};

class ChannelDriver {
 public:
  virtual ~ChannelDriver() = default;
  virtual std::string_view technology() const = 0;
  virtual std::string_view description() const = 0;
  // Creates an outbound channel in state Down (the caller then calls Channel::call()).
  // Errors carry the reason and a cause for DIALSTATUS (see cause_for()).
  virtual Result<Channel::Ptr> request(Engine& engine, const ChannelRequest& req) = 0;
  virtual DeviceState device_state(std::string_view resource) const { return DeviceState::Unknown; }
};

}  // namespace telephony
