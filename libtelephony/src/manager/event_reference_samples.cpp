// Samples of the engine events the manager maps to AMI events (event_reference_data.hpp): each
// sample is run through the mapping, and the AMI message it gives is where the event's name,
// class and field list in the reference come from. An event added to the mapping gets a sample
// (and its synopsis) here.
#include <memory>

#include "event_reference_data.hpp"
#include "telephony/agi/agi.hpp"
#include "telephony/bridge.hpp"
#include "telephony/cdr.hpp"
#include "telephony/confbridge.hpp"
#include "telephony/device_state.hpp"
#include "telephony/dialplan/app_events.hpp"
#include "telephony/local/local_driver.hpp"
#include "telephony/media/mixmonitor.hpp"
#include "telephony/parking.hpp"
#include "telephony/presence.hpp"
#include "telephony/rtp/events.hpp"
#include "telephony/sip/events.hpp"

namespace telephony::manager {

ChannelSnapshot sample_channel() {
  ChannelSnapshot s;
  s.name = "SIP/alice-00000001";
  s.uniqueid = s.linkedid = "1700000000.1";
  return s;
}

BridgeSnapshot sample_bridge() {
  BridgeSnapshot b;
  b.uniqueid = "b1";
  return b;
}

namespace {

using EventPtrMaker = std::function<std::shared_ptr<Event>()>;

template <class E>
std::shared_ptr<Event> channel_sample() {
  auto e = std::make_shared<E>();
  e->channel = sample_channel();
  return e;
}

template <class E>
std::shared_ptr<Event> conf_sample() {
  auto e = std::make_shared<E>();
  e->bridge = sample_bridge();
  if constexpr (std::is_base_of_v<confbridge::ConfbridgeUserEvent, E>)
    e->channel = sample_channel();
  return e;
}

template <class E, class Fill>
EventPtrMaker make(Fill fill) {
  return [fill] {
    auto e = std::make_shared<E>();
    fill(*e);
    return std::shared_ptr<Event>(e);
  };
}

EventPtrMaker security(std::string name, std::vector<std::pair<std::string, std::string>> fields) {
  return make<SecurityEvent>([name, fields](SecurityEvent& e) {
    e.name = name;
    e.fields = fields;
  });
}

EventPtrMaker parking(std::string_view kind) {
  return make<ParkingEvent>([kind](ParkingEvent& e) {
    e.kind = kind;
    e.call.parkee = sample_channel();
    e.call.parker = sample_channel();
    if (kind == "UnParkedCall") e.retriever = sample_channel();
  });
}

template <class E>
EventPtrMaker rtcp() {
  return make<E>([](E& e) {
    e.channel = sample_channel();
    e.sender = rtp::RtcpSenderInfo{};
    e.blocks.resize(1);
    if constexpr (std::is_same_v<E, rtp::RtcpReceived>) e.rtt_seconds = 0.01;
  });
}

EventPtrMaker mixmonitor(std::string name,
                         std::vector<std::pair<std::string, std::string>> fields = {}) {
  return make<media::MixMonitorEvent>([name, fields](media::MixMonitorEvent& e) {
    e.name = name;
    e.channel = sample_channel();
    e.fields = fields;
  });
}

const char* const kSecurity =
    "A security event (res_security_log's set): Service is PJSIP or AMI. The SIP driver raises "
    "InvalidAccountID, FailedACL, ChallengeSent, InvalidPassword and SuccessfulAuth; the manager "
    "InvalidAccountID, FailedACL, ChallengeResponseFailed, InvalidPassword, SessionLimit and "
    "SuccessfulAuth.";

}  // namespace

std::vector<EngineEventSample> engine_event_samples() {
  const std::vector<std::string> sec = {"SecurityEvent"};
  return {
      {"Raised when a new channel is created.",
       channel_sample<ChannelCreated>,
       {"Newstate", "Hangup"}},
      {"Raised when a channel's state changes (ringing, up ...).",
       channel_sample<ChannelStateChanged>,
       {"Newchannel"}},
      {"Raised when a channel receives new Caller ID information.",
       channel_sample<ChannelCallerIdChanged>,
       {"Newchannel"}},
      {"Raised when a channel enters a new context, extension, priority.",
       channel_sample<DialplanStep>,
       {"VarSet"}},
      {"Raised when a variable is set to a particular value.",
       channel_sample<ChannelVarSet>,
       {"Newexten"},
       {},
       "Also for a global variable (Set(GLOBAL(x)=...)): then Channel and Uniqueid are `none` and "
       "no other "
       "channel field is sent."},
      {"Raised when a soft hangup is requested (absolute timeout, redirect, a Hangup from "
       "elsewhere).",
       make<ChannelHangupRequest>([](ChannelHangupRequest& e) {
         e.channel = sample_channel();
         e.soft = true;
       }),
       {"HangupRequest", "Hangup"}},
      {"Raised when a hangup is requested.",
       make<ChannelHangupRequest>([](ChannelHangupRequest& e) {
         e.channel = sample_channel();
         e.soft = false;
       }),
       {"SoftHangupRequest", "Hangup"}},
      {"Raised when a channel is hung up.",
       channel_sample<ChannelHungUp>,
       {"Newchannel", "HangupRequest"}},
      {"Raised when a dial action has started (Dial, Page, Originate).",
       make<DialBegin>([](DialBegin& e) {
         e.caller = sample_channel();
         e.dest = sample_channel();
       }),
       {"DialEnd"},
       {},
       "The caller's fields first (absent for an Originate), then the dialed channel's as Dest*."},
      {"Raised when a dial action has completed.",
       make<DialEnd>([](DialEnd& e) {
         e.caller = sample_channel();
         e.dest = sample_channel();
       }),
       {"DialBegin"}},
      {"Raised when a DTMF digit has started on a channel.",
       channel_sample<DtmfBegin>,
       {"DTMFEnd"}},
      {"Raised when a DTMF digit has ended on a channel.", channel_sample<DtmfEnd>, {"DTMFBegin"}},
      {"Raised when a bridge is created.",
       make<BridgeCreated>([](BridgeCreated& e) { e.bridge = sample_bridge(); }),
       {"BridgeDestroy", "BridgeEnter"}},
      {"Raised when a bridge is destroyed.",
       make<BridgeDestroyed>([](BridgeDestroyed& e) { e.bridge = sample_bridge(); }),
       {"BridgeCreate"}},
      {"Raised when a channel enters a bridge.",
       make<BridgeEntered>([](BridgeEntered& e) {
         e.bridge = sample_bridge();
         e.channel = sample_channel();
         e.swap_uniqueid = "1700000000.2";
       }),
       {"BridgeLeave"},
       {},
       "SwapUniqueid is sent only when the channel replaces another one (transfers)."},
      {"Raised when a channel leaves a bridge.",
       make<BridgeLeft>([](BridgeLeft& e) {
         e.bridge = sample_bridge();
         e.channel = sample_channel();
       }),
       {"BridgeEnter"}},
      {"A user defined event raised from the dialplan (UserEvent()) or AMI (the UserEvent action).",
       make<UserEventRaised>([](UserEventRaised& e) {
         e.channel = sample_channel();
         e.name = "Example";
       }),
       {"UserEvent"},
       {},
       "The channel's fields are absent for the UserEvent action; every header given follows."},
      {"Raised when all modules are loaded; also sent to each session right after login.",
       [] { return std::shared_ptr<Event>(std::make_shared<EngineFullyBooted>()); },
       {"Shutdown"},
       {{"Status", "Fully Booted."}}},
      {"Raised when telephonyd is shut down or restarted.",
       [] { return std::shared_ptr<Event>(std::make_shared<EngineShutdown>()); },
       {"FullyBooted"}},
      {"Raised when a module has been reloaded.",
       make<ModuleReloaded>([](ModuleReloaded& e) { e.status = "Success"; }),
       {"Reload"},
       {{"Status", "0 success, 2 not found, 3 error."}}},
      {"Raised when a conference starts.",
       conf_sample<confbridge::ConfbridgeStart>,
       {"ConfbridgeEnd"}},
      {"Raised when a conference ends.",
       conf_sample<confbridge::ConfbridgeEnd>,
       {"ConfbridgeStart"}},
      {"Raised when a conference starts recording.",
       conf_sample<confbridge::ConfbridgeRecord>,
       {"ConfbridgeStopRecord"}},
      {"Raised when a conference stops recording.",
       conf_sample<confbridge::ConfbridgeStopRecord>,
       {"ConfbridgeRecord"}},
      {"Raised when a channel joins a conference.",
       conf_sample<confbridge::ConfbridgeJoin>,
       {"ConfbridgeLeave"}},
      {"Raised when a channel leaves a conference.",
       conf_sample<confbridge::ConfbridgeLeave>,
       {"ConfbridgeJoin"}},
      {"Raised when a conference participant mutes.",
       conf_sample<confbridge::ConfbridgeMute>,
       {"ConfbridgeUnmute"}},
      {"Raised when a conference participant unmutes.",
       conf_sample<confbridge::ConfbridgeUnmute>,
       {"ConfbridgeMute"}},
      {"Raised when a conference participant starts or stops talking (user profile "
       "talk_detection_events).",
       conf_sample<confbridge::ConfbridgeTalking>,
       {"ConfbridgeJoin"}},
      // Security events (class security), as res_security_log names them.
      {"Raised when a request names an account that does not exist.",
       security("InvalidAccountID", {}),
       sec,
       {},
       kSecurity},
      {"Raised when a request is refused by an ACL (permit/deny, acl=).",
       security("FailedACL", {{"ACLName", "x"}}),
       sec,
       {},
       kSecurity},
      {"Raised when a request was challenged for credentials (SIP 401/407).",
       security("ChallengeSent", {{"Challenge", "n"}}),
       sec,
       {},
       kSecurity},
      {"Raised when the password (or digest) given was wrong.",
       security("InvalidPassword",
                {{"Challenge", ""}, {"ReceivedChallenge", ""}, {"ReceivedHash", ""}}),
       sec,
       {},
       kSecurity},
      {"Raised when an AMI MD5 challenge login gave a wrong key.",
       security("ChallengeResponseFailed",
                {{"Challenge", ""}, {"Response", ""}, {"ExpectedResponse", ""}}),
       sec,
       {},
       kSecurity},
      {"Raised when a login is refused because the user is already logged in "
       "(allowmultiplelogin=no).",
       security("SessionLimit", {}),
       sec,
       {},
       kSecurity},
      {"Raised when authentication succeeded.",
       security("SuccessfulAuth", {{"UsingPassword", "1"}}),
       sec,
       {},
       kSecurity},
      {"Raised when a device state changes; also one item of DeviceStateList.",
       make<DeviceStateChanged>([](DeviceStateChanged& e) { e.device = "SIP/alice"; }),
       {"DeviceStateListComplete", "ExtensionStatus"},
       {{"State",
         "NOT_INUSE, INUSE, BUSY, INVALID, UNAVAILABLE, RINGING, RINGINUSE, ONHOLD or UNKNOWN."}}},
      {"Raised when a presence state changes; also one item of PresenceStateList.",
       make<PresenceStateChanged>(
           [](PresenceStateChanged& e) { e.presentity = "CustomPresence:bob"; }),
       {"PresenceStateListComplete"},
       {{"Status", "not_set, unavailable, available, away, xa, chat or dnd."}}},
      {"Raised when a call detail record is written (cdr.conf loaded; cdr_manager's field set).",
       make<CdrPosted>([](CdrPosted& e) {
         e.record.variables = {{"name", "value"}};
       }),
       {"CDR"},
       {},
       "The record's CDR variables (CDR(name)=value) follow UserField as `name: value` headers."},
      {"Raised when a channel is parked; also one item of ParkedCalls.",
       parking("ParkedCall"),
       {"Park", "ParkedCalls", "UnParkedCall"}},
      {"Raised when a parked channel is retrieved.", parking("UnParkedCall"), {"ParkedCall"}},
      {"Raised when a parked channel reached the end of its timeout.",
       parking("ParkedCallTimeOut"),
       {"ParkedCall"}},
      {"Raised when a parked channel hung up before being retrieved.",
       parking("ParkedCallGiveUp"),
       {"ParkedCall"}},
      {"Raised when two halves of a Local channel begin to optimize themselves out of the media "
       "path.",
       make<LocalOptimizationEvent>([](LocalOptimizationEvent& e) {
         e.begin = true;
         e.one = e.two = sample_channel();
         e.source = sample_channel();
       }),
       {"LocalOptimizationEnd", "LocalOptimizeAway"}},
      {"Raised when two halves of a Local channel have finished optimizing themselves out of the "
       "media path.",
       make<LocalOptimizationEvent>([](LocalOptimizationEvent& e) {
         e.begin = false;
         e.one = e.two = sample_channel();
       }),
       {"LocalOptimizationBegin", "LocalOptimizeAway"}},
      {"Raised when monitoring has started on a channel (its files are open).",
       mixmonitor("MixMonitorStart"),
       {"MixMonitorStop", "MixMonitor"}},
      {"Raised when monitoring has stopped on a channel (StopMixMonitor; not at hangup, as "
       "Asterisk).",
       mixmonitor("MixMonitorStop"),
       {"MixMonitorStart", "StopMixMonitor"}},
      {"Raised when monitoring is muted or unmuted on a channel.",
       mixmonitor("MixMonitorMute", {{"Direction", "both"}, {"State", "1"}}),
       {"MixMonitorMute"},
       {{"Direction", "read, write or both."}, {"State", "1 when muted, 0 when unmuted."}}},
      {"Raised when a Monitor (the MixMonitor alias) has started on a channel.",
       mixmonitor("MonitorStart"),
       {"MonitorStop", "Monitor"}},
      {"Raised when a Monitor has been stopped (StopMonitor).",
       mixmonitor("MonitorStop"),
       {"MonitorStart", "StopMonitor"}},
      {"Raised when an AGI command starts.",
       make<agi::AgiExecStarted>([](agi::AgiExecStarted& e) { e.channel = sample_channel(); }),
       {"AGIExecEnd", "AGI"}},
      {"Raised when an AGI command ends.",
       make<agi::AgiExecEnded>([](agi::AgiExecEnded& e) { e.channel = sample_channel(); }),
       {"AGIExecStart", "AGI"}},
      {"Raised when a channel starts AsyncAGI (AGI(agi:async)).",
       channel_sample<agi::AsyncAgiStarted>,
       {"AsyncAGIExec", "AsyncAGIEnd", "AGI"}},
      {"Raised when an AsyncAGI command (the AGI action) has run.",
       make<agi::AsyncAgiExecuted>([](agi::AsyncAgiExecuted& e) {
         e.channel = sample_channel();
         e.command_id = "1";
       }),
       {"AsyncAGIStart", "AGI"},
       {},
       "CommandId is sent when the AGI action gave one."},
      {"Raised when a channel stops AsyncAGI.",
       channel_sample<agi::AsyncAgiEnded>,
       {"AsyncAGIStart"}},
      {"Raised when an RTCP report is sent.",
       rtcp<rtp::RtcpSent>(),
       {"RTCPReceived"},
       {},
       "SentNTP ... SentOctets only in a sender report; one Report<N>... set per report block "
       "(Report0 first)."},
      {"Raised when an RTCP report is received.",
       rtcp<rtp::RtcpReceived>(),
       {"RTCPSent"},
       {},
       "RTT when a block about our stream carried LSR/DLSR; SentNTP ... SentOctets only in a "
       "sender report; one "
       "Report<N>... set per report block (Report0 first)."},
      {"Raised when SDP negotiation failed (our addition: the structured reason of a 488).",
       make<rtp::MediaNegotiationFailed>(
           [](rtp::MediaNegotiationFailed& e) { e.channel = sample_channel(); }),
       {}},
      {"Raised when a call was hung up because no RTP arrived (rtptimeout / rtpholdtimeout).",
       make<rtp::RtpTimedOut>([](rtp::RtpTimedOut& e) { e.channel = sample_channel(); }),
       {}},
      {"Raised when a SIP contact is created, removed, updated or changes reachability (qualify).",
       [] { return std::shared_ptr<Event>(std::make_shared<sip::ContactStatusChanged>()); },
       {"PJSIPShowContacts"},
       {{"ContactStatus", "Created, Removed, Updated, Reachable, Unreachable or Unknown."}}},
      {"Raised when an outbound registration changes state.",
       make<sip::RegistryStateChanged>([](sip::RegistryStateChanged& e) { e.cause = "x"; }),
       {"PJSIPShowRegistrationsOutbound"},
       {{"Status", "Registered, Unregistered, Rejected or Failed."}},
       "Cause is sent only when the registration failed."},
      {"Raised when a call is picked up (Pickup, PickupChan).",
       make<CallPickedUp>([](CallPickedUp& e) { e.channel = e.target = sample_channel(); }),
       {"Pickup"}},
      {"Raised when a blind transfer is complete (BlindTransfer).",
       make<BlindTransferDone>([](BlindTransferDone& e) {
         e.transferer = sample_channel();
         e.transferee = sample_channel();
         e.bridge = sample_bridge();
       }),
       {"BlindTransfer"},
       {{"Result", "Success, Fail, Invalid or Not Permitted."},
        {"Context", "Where the transfer went."},
        {"Extension", "The extension transferred to."}}},
      {"Raised when an attended transfer is complete (a phone's REFER with Replaces).",
       make<AttendedTransferDone>([](AttendedTransferDone& e) {
         e.result = "Success";
         e.orig_transferer = e.second_transferer = sample_channel();
         e.orig_bridge = e.second_bridge = sample_bridge();
         e.transferee = e.target = sample_channel();
         e.dest_type = "Bridge";
         e.dest_bridge = "b1";
         e.external = true;
       }),
       {"BlindTransfer"},
       {{"Result", "Success, Fail, Invalid or Not Permitted."},
        {"DestType", "Bridge: the transferee joined the target's bridge."},
        {"DestBridgeUniqueid", "The bridge the parties are now in."}}},
      {"Raised when talking is detected on a channel (TALK_DETECT(set)).",
       channel_sample<ChannelTalkingStarted>,
       {"ChannelTalkingStop", "TALK_DETECT"}},
      {"Raised when talking is no longer detected on a channel (TALK_DETECT(set)), after the "
       "silence threshold.",
       make<ChannelTalkingStopped>([](ChannelTalkingStopped& e) {
         e.channel = sample_channel();
         e.duration = std::chrono::milliseconds(1500);
       }),
       {"ChannelTalkingStart", "TALK_DETECT"},
       {{"Duration", "How long the channel talked, in milliseconds, the trailing silence excluded."}}},
      {"Raised when one channel begins spying on another (ChanSpy, ExtenSpy): the Spyer (the spy) "
       "and Spyee (the channel listened to) snapshots.",
       make<ChanSpyChanged>([](ChanSpyChanged& e) {
         e.channel = sample_channel();
         e.spyee = sample_channel();
         e.start = true;
       }),
       {"ChanSpyStop", "ChanSpy", "ExtenSpy"}},
      {"Raised when a channel has stopped spying (next channel, exit digit, hangup of either).",
       make<ChanSpyChanged>([](ChanSpyChanged& e) {
         e.channel = sample_channel();
         e.spyee = sample_channel();
         e.start = false;
       }),
       {"ChanSpyStart"}},
      {"A channel event logging record (CELGenUserEvent), as cel_manager sends it.",
       make<CelUserEvent>([](CelUserEvent& e) { e.channel = sample_channel(); }),
       {"CELGenUserEvent"}},
  };
}

}  // namespace telephony::manager
