// Call pickup between Pickup()/PickupChan() and the Dial() that rings the target (internal).
//
// Asterisk picks up by masquerading the picker into the ringing channel. Here the ringing leg is
// told it answered (so Dial stops ringing everybody else and reports ANSWER), and Dial hands its
// bridge to the picker instead of joining the leg, which is then hung up with cause 26 (answered
// elsewhere). Only legs that Dial marked as pickable can be picked up.
#pragma once

#include <memory>
#include <mutex>

#include "telephony/bridge.hpp"
#include "telephony/channel.hpp"

namespace telephony::dialplan {

struct PickupClaim {
  std::mutex mu;
  std::weak_ptr<Channel> picker;  // set once by the pickup that won
  Bridge::Ptr bridge;             // set by Dial when it hands the call over
  bool abandoned = false;         // Dial gave up (the caller left) before handing over
};

// Dial: `leg` may be picked up (while it rings).
void mark_pickable(Channel& leg);
bool is_pickable(const Channel& leg);
// Pickup: claims `target` for `picker`; null when it is not pickable or another pickup won.
std::shared_ptr<PickupClaim> claim_pickup(Channel& target, const Channel::Ptr& picker);
// Dial: the claim on `leg` when a pickup took it, else null.
std::shared_ptr<PickupClaim> pickup_claim_of(const Channel& leg);

}  // namespace telephony::dialplan
