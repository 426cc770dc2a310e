// Internal: how engine events become AMI events (src/manager/events.cpp). Not installed.
//
// map_engine_event() is the one place that knows each AMI event's name, privilege class and field
// order; the snapshot writers are shared with the list actions (Status, CoreShowChannels,
// BridgeInfo) so a channel looks the same in an event and in a list item.
// EngineEventPublisher is the single subscription of the manager to engine.events(): a large
// DropOldest queue (calls are never slowed by AMI), losses counted and logged.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "telephony/dialplan/hints.hpp"
#include "telephony/engine.hpp"
#include "telephony/events.hpp"
#include "telephony/manager/message.hpp"
#include "telephony/manager/module.hpp"
#include "telephony/manager/privilege.hpp"
#include "telephony/manager/server.hpp"

namespace telephony {
struct ParkedCallInfo;
}

namespace telephony::manager {

using ChannelVars = std::vector<std::pair<std::string, std::string>>;
// Values of the configured channelvars for a snapshot (ChanVariable: lines).
using ChannelVarLookup = std::function<ChannelVars(const ChannelSnapshot&)>;

struct MappedEvent {
  ami::Message message;
  PrivilegeSet classes;
};

// Channel, ChannelState, ..., Linkedid (each key prefixed, e.g. "Dest"), then ChanVariable lines.
void add_channel_snapshot(ami::Message& m, const ChannelSnapshot& s, std::string_view prefix = {},
                          const ChannelVars& vars = {});
// A parked call's fields: Parkee/Parker snapshots, ParkerDialString, Parkinglot, ParkingSpace,
// ParkingTimeout (seconds left), ParkingDuration (ParkedCall events and the ParkedCalls list).
void add_parked_call(ami::Message& m, const ParkedCallInfo& c);
// BridgeUniqueid, BridgeType, BridgeTechnology, BridgeCreator, BridgeName, BridgeNumChannels,
// BridgeVideoSourceMode.
void add_bridge_snapshot(ami::Message& m, const BridgeSnapshot& b, std::string_view prefix = {});
// "0 (Presentation Allowed, Not Screened)" as CID-CallingPres shows it.
std::string presentation_text(int pres);

// nullopt for engine events that have no AMI counterpart.
std::optional<MappedEvent> map_engine_event(const Event& ev, const ChannelVarLookup& vars = {});
// The Confbridge* events (manager/confbridge_events.cpp); map_engine_event() falls back to it.
std::optional<MappedEvent> map_confbridge_event(const Event& ev, const ChannelVarLookup& vars);
// RTCPSent/RTCPReceived, RtpTimedOut, MediaNegotiationFailed (manager/rtp_events.cpp).
std::optional<MappedEvent> map_rtp_event(const Event& ev, const ChannelVarLookup& vars);
// The AGI events (manager/agi_events.cpp).
std::optional<MappedEvent> map_agi_event(const Event& ev, const ChannelVarLookup& vars);
// The SIP driver's events (manager/sip_events.cpp): ContactStatus, Registry, security events.
std::optional<MappedEvent> map_sip_event(const Event& ev);
// The events of dialplan applications and functions (telephony/dialplan/app_events.hpp:
// ChannelTalkingStart/Stop, ChanSpyStart/Stop, Pickup, BlindTransfer, CEL); manager/app_events.cpp.
std::optional<MappedEvent> map_app_event(const Event& ev, const ChannelVarLookup& vars);

class EngineEventPublisher : public std::enable_shared_from_this<EngineEventPublisher> {
 public:
  EngineEventPublisher(Engine& engine, std::shared_ptr<Server> server);
  // Subscribes; call once after construction (the handler holds a weak_ptr to this).
  void start();
  void stop();
  void set_channelvars(std::vector<std::string> names);
  EventMappingStats stats() const;

 private:
  void on_event(const EventPtr& ev);
  ChannelVars lookup(const ChannelSnapshot& s);
  // ExtensionStatus for every hint whose state the device change moved (subscriber strand).
  void publish_hint_changes(const std::string& device);

  Engine& engine_;
  std::shared_ptr<Server> server_;
  EventBus::Subscription sub_;
  mutable std::mutex mu_;
  std::vector<std::string> channelvars_;
  // Subscriber strand only: last known values of channelvars per uniqueid, kept from VarSet
  // events so that ChanVariable lines follow the event order (and survive the channel's removal
  // for its Hangup event).
  std::map<std::string, ChannelVars, std::less<>> var_cache_;
  dialplan::HintStateTracker hints_;  // subscriber strand only
  std::atomic<std::uint64_t> received_{0}, published_{0}, lost_{0};
};

}  // namespace telephony::manager
