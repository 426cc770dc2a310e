// Engine events raised by dialplan applications and functions beyond the core set in events.hpp:
// call pickup, transfers made by applications, and CEL user events. The manager turns each into the AMI event Asterisk sends (same name and
// fields, see src/manager/app_events.cpp); other subscribers (CDR, Python, tests) get them typed.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "telephony/events.hpp"

namespace telephony {

#define TELEPHONY_APP_EVENT(name) \
  static constexpr std::string_view kType = #name; \
  std::string_view type() const override { return kType; }

// Pickup/PickupChan answered a ringing channel on behalf of `channel` (AMI Pickup).
struct CallPickedUp : ChannelEvent {
  TELEPHONY_APP_EVENT(CallPickedUp)
  ChannelSnapshot target;
};

// A blind transfer by the BlindTransfer application (AMI BlindTransfer). `result` is Asterisk's
// word: Success, Fail, Invalid, Not Permitted.
struct BlindTransferDone : Event {
  TELEPHONY_APP_EVENT(BlindTransferDone)
  std::string result;
  ChannelSnapshot transferer;
  std::optional<ChannelSnapshot> transferee;
  std::optional<BridgeSnapshot> bridge;
  std::string context;
  std::string exten;
  bool external = false;
};

// An attended transfer completed (or failed) — from a SIP phone's REFER with Replaces, which joins
// the parties of its two calls (AMI AttendedTransfer). The "orig" side is the transferer's call
// with the transferee, the "second" its call with the target; `result` as for BlindTransferDone;
// `dest_type` Asterisk's word (Bridge, App, Link, Threeway, Fail) with `dest_bridge` for Bridge.
struct AttendedTransferDone : Event {
  TELEPHONY_APP_EVENT(AttendedTransferDone)
  std::string result;
  ChannelSnapshot orig_transferer;
  std::optional<BridgeSnapshot> orig_bridge;
  ChannelSnapshot second_transferer;
  std::optional<BridgeSnapshot> second_bridge;
  std::optional<ChannelSnapshot> transferee;
  std::optional<ChannelSnapshot> target;
  std::string dest_type;
  std::string dest_bridge;
  bool external = false;
};

// CELGenUserEvent: a user-defined Channel Event Logging record. With no CEL backend here, the
// manager sends it as Asterisk's cel_manager would (AMI CEL, EventName = the name).
struct CelUserEvent : ChannelEvent {
  TELEPHONY_APP_EVENT(CelUserEvent)
  std::string name;
  std::string extra;
  // Party fields CEL records that the snapshot lacks (CALLERID(ani/rdnis/dnid), CHANNEL(userfield))
  // and the bridged peer, if any.
  std::string ani, rdnis, dnid, userfield, peer;
};

// ChanSpy/ExtenSpy began (`start`) or stopped listening to a channel (AMI ChanSpyStart /
// ChanSpyStop): `channel` is the spy, `spyee` the channel listened to.
struct ChanSpyChanged : ChannelEvent {
  TELEPHONY_APP_EVENT(ChanSpyChanged)
  bool start = true;
  std::optional<ChannelSnapshot> spyee;
};

// TALK_DETECT: the audio read from the channel rose above the talking threshold (AMI
// ChannelTalkingStart) or stayed below it for the silence threshold (ChannelTalkingStop; the
// duration of the talking, the trailing silence excluded, as Asterisk).
struct ChannelTalkingStarted : ChannelEvent {
  TELEPHONY_APP_EVENT(ChannelTalkingStarted)
};
struct ChannelTalkingStopped : ChannelEvent {
  TELEPHONY_APP_EVENT(ChannelTalkingStopped)
  std::chrono::milliseconds duration{0};
};

#undef TELEPHONY_APP_EVENT

}  // namespace telephony
