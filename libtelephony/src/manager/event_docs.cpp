// The AMI events we send, documented as data (event_docs.hpp). Field orders are Asterisk 13+'s;
// manager/events.cpp builds the messages, this table describes them.
#include "telephony/manager/event_docs.hpp"

#include <algorithm>
#include <strings.h>

namespace telephony::manager {

namespace {

const std::string kDocChannel =
    "<channel snapshot> is: Channel ChannelState ChannelStateDesc CallerIDNum CallerIDName ConnectedLineNum "
    "ConnectedLineName Language AccountCode Context Exten Priority Uniqueid Linkedid, then one ChanVariable: NAME=value "
    "per manager.conf channelvars entry.";
const std::string kDocBridge =
    "<bridge snapshot> is: BridgeUniqueid BridgeType BridgeTechnology BridgeCreator BridgeName BridgeNumChannels "
    "BridgeVideoSourceMode.";
const std::string kDocBoth = kDocBridge + " " + kDocChannel;
const std::string kDocPlain = "The headers follow Event: (and Privilege:) in the order shown.";
const std::string kDocParked =
    "The Parkee (and Parker) snapshots are channel snapshots with those prefixes (ParkeeChannel, "
    "ParkeeChannelState, ...). " + kDocChannel;
const std::string kDocListItem = " Sent only to the session whose action asked for it, with that action's ActionID.";

std::vector<EventDoc> build() {
  std::vector<EventDoc> docs = {
      {"BridgeCreate", Privilege::Call, {"Raised when a bridge is created.", "Event: BridgeCreate <bridge snapshot>", kDocBridge, {}, {"BridgeDestroy", "BridgeEnter"}}},
      {"BridgeDestroy", Privilege::Call, {"Raised when a bridge is destroyed.", "Event: BridgeDestroy <bridge snapshot>", kDocBridge, {}, {"BridgeCreate"}}},
      {"BridgeEnter", Privilege::Call, {"Raised when a channel enters a bridge.", "Event: BridgeEnter <bridge snapshot> <channel snapshot> SwapUniqueid", kDocBoth, {{"SwapUniqueid", "the channel this one replaces, when it swaps in"}}, {"BridgeLeave"}}},
      {"BridgeInfoChannel", PrivilegeSet::none(), {"One channel of the BridgeInfo action's list.", "Event: BridgeInfoChannel <channel snapshot>", kDocChannel + kDocListItem, {}, {"BridgeInfoComplete"}}},
      {"BridgeInfoComplete", PrivilegeSet::none(), {"Ends the BridgeInfo list, with the bridge snapshot.", "Event: BridgeInfoComplete <bridge snapshot>", kDocBridge + kDocListItem, {}, {"BridgeInfoChannel"}}},
      {"BridgeLeave", Privilege::Call, {"Raised when a channel leaves a bridge.", "Event: BridgeLeave <bridge snapshot> <channel snapshot>", kDocBoth, {}, {"BridgeEnter"}}},
      {"BridgeListComplete", PrivilegeSet::none(), {"Ends the BridgeList list.", "Event: BridgeListComplete EventList ListItems", kDocPlain + kDocListItem, {}, {"BridgeListItem"}}},
      {"BridgeListItem", PrivilegeSet::none(), {"One bridge of the BridgeList action's list.", "Event: BridgeListItem <bridge snapshot>", kDocBridge + kDocListItem, {}, {"BridgeListComplete"}}},
      {"Cdr", Privilege::Cdr, {"Raised when a call detail record is written.", "Event: Cdr AccountCode Source Destination DestinationContext CallerID Channel DestinationChannel LastApplication LastData StartTime AnswerTime EndTime Duration BillableSeconds Disposition AMAFlags UniqueID UserField <variables>", kDocPlain + " Sent when the cdr module is loaded (cdr.conf), for every record posted to the backends; CDR variables follow as Name: value.", {{"Disposition", "ANSWERED, NO ANSWER, BUSY, FAILED or CONGESTION"}, {"Duration", "seconds from start to end"}, {"BillableSeconds", "seconds from answer to end"}}, {"CDR"}}},
      {"ChannelHungup", PrivilegeSet::none(), {"One channel hung up by a Hangup action with a /regex/.", "Event: ChannelHungup Channel", kDocPlain + kDocListItem, {}, {"ChannelsHungupListComplete"}}},
      {"ChannelTalkingStart", Privilege::Call, {"Raised when talking is detected on a channel (TALK_DETECT).", "Event: ChannelTalkingStart <channel snapshot>", kDocChannel, {}, {"ChannelTalkingStop", "TALK_DETECT"}}},
      {"ChannelTalkingStop", Privilege::Call, {"Raised when talking is no longer detected on a channel (TALK_DETECT).", "Event: ChannelTalkingStop <channel snapshot> Duration", kDocChannel, {{"Duration", "the length of the talking in milliseconds, the trailing silence excluded"}}, {"ChannelTalkingStart", "TALK_DETECT"}}},
      {"ChannelsHungupListComplete", PrivilegeSet::none(), {"Ends the list of a Hangup action with a /regex/.", "Event: ChannelsHungupListComplete EventList ListItems", kDocPlain + kDocListItem, {}, {"ChannelHungup"}}},
      {"ConfbridgeEnd", Privilege::Call, {"Raised when a conference ends.", "Event: ConfbridgeEnd Conference <bridge snapshot>", kDocBridge, {{"Conference", "the conference name"}}, {"ConfbridgeStart"}}},
      {"ConfbridgeJoin", Privilege::Call, {"Raised when a channel joins a conference.", "Event: ConfbridgeJoin Conference <bridge snapshot> <channel snapshot> Admin Muted", kDocBoth, {{"Admin", "Yes or No"}, {"Muted", "Yes or No"}}, {"ConfbridgeLeave"}}},
      {"ConfbridgeLeave", Privilege::Call, {"Raised when a channel leaves a conference.", "Event: ConfbridgeLeave Conference <bridge snapshot> <channel snapshot> Admin", kDocBoth, {{"Admin", "Yes or No"}}, {"ConfbridgeJoin"}}},
      {"ConfbridgeList", PrivilegeSet::none(), {"One participant of the ConfbridgeList action's list.", "Event: ConfbridgeList <channel snapshot> Conference Admin MarkedUser WaitMarked EndMarked Waiting Muted Talking AnsweredTime", kDocChannel + kDocListItem, {}, {"ConfbridgeListComplete"}}},
      {"ConfbridgeListComplete", PrivilegeSet::none(), {"Ends the ConfbridgeList list.", "Event: ConfbridgeListComplete EventList ListItems", kDocPlain + kDocListItem, {}, {"ConfbridgeList"}}},
      {"ConfbridgeListRooms", PrivilegeSet::none(), {"One conference of the ConfbridgeListRooms action's list.", "Event: ConfbridgeListRooms Conference Parties Marked Locked Muted", kDocPlain + kDocListItem, {}, {"ConfbridgeListRoomsComplete"}}},
      {"ConfbridgeListRoomsComplete", PrivilegeSet::none(), {"Ends the ConfbridgeListRooms list.", "Event: ConfbridgeListRoomsComplete EventList ListItems", kDocPlain + kDocListItem, {}, {"ConfbridgeListRooms"}}},
      {"ConfbridgeMute", Privilege::Call, {"Raised when a conference participant mutes.", "Event: ConfbridgeMute Conference <bridge snapshot> <channel snapshot> Admin", kDocBoth, {}, {"ConfbridgeUnmute"}}},
      {"ConfbridgeRecord", Privilege::Call, {"Raised when a conference starts recording.", "Event: ConfbridgeRecord Conference <bridge snapshot>", kDocBridge, {}, {"ConfbridgeStopRecord"}}},
      {"ConfbridgeStart", Privilege::Call, {"Raised when a conference starts.", "Event: ConfbridgeStart Conference <bridge snapshot>", kDocBridge, {{"Conference", "the conference name"}}, {"ConfbridgeEnd"}}},
      {"ConfbridgeStopRecord", Privilege::Call, {"Raised when a conference stops recording.", "Event: ConfbridgeStopRecord Conference <bridge snapshot>", kDocBridge, {}, {"ConfbridgeRecord"}}},
      {"ConfbridgeTalking", Privilege::Call, {"Raised when a conference participant starts or stops talking.", "Event: ConfbridgeTalking Conference <bridge snapshot> <channel snapshot> TalkingStatus Admin", kDocBoth, {{"TalkingStatus", "on or off"}}, {"ConfbridgeJoin"}}},
      {"ConfbridgeUnmute", Privilege::Call, {"Raised when a conference participant unmutes.", "Event: ConfbridgeUnmute Conference <bridge snapshot> <channel snapshot> Admin", kDocBoth, {}, {"ConfbridgeMute"}}},
      {"CoreShowChannel", PrivilegeSet::none(), {"One channel of the CoreShowChannels action's list.", "Event: CoreShowChannel <channel snapshot> BridgeId Application ApplicationData Duration", kDocChannel + kDocListItem, {}, {"CoreShowChannelsComplete"}}},
      {"CoreShowChannelsComplete", PrivilegeSet::none(), {"Ends the CoreShowChannels list.", "Event: CoreShowChannelsComplete EventList ListItems", kDocPlain + kDocListItem, {}, {"CoreShowChannel"}}},
      {"DBGetComplete", PrivilegeSet::none(), {"Ends the DBGet list.", "Event: DBGetComplete EventList ListItems", kDocPlain + kDocListItem, {}, {"DBGetResponse"}}},
      {"DBGetResponse", PrivilegeSet::none(), {"The answer of a DBGet action.", "Event: DBGetResponse Family Key Val", kDocPlain + kDocListItem, {}, {"DBGetComplete"}}},
      {"DBGetTreeComplete", PrivilegeSet::none(), {"Ends the DBGetTree list.", "Event: DBGetTreeComplete EventList ListItems", kDocPlain + kDocListItem, {}, {"DBGetTreeResponse"}}},
      {"DBGetTreeResponse", PrivilegeSet::none(), {"One entry of a DBGetTree action's list.", "Event: DBGetTreeResponse Key Val", kDocPlain + kDocListItem, {{"Key", "the entry's full path, /family/key"}}, {"DBGetTreeComplete"}}},
      {"DTMFBegin", Privilege::Dtmf, {"Raised when a DTMF digit has started on a channel.", "Event: DTMFBegin <channel snapshot> Digit Direction", kDocChannel, {{"Digit", "0-9, A-D, * or #"}, {"Direction", "Received or Sent"}}, {"DTMFEnd"}}},
      {"DTMFEnd", Privilege::Dtmf, {"Raised when a DTMF digit has ended on a channel.", "Event: DTMFEnd <channel snapshot> Digit DurationMs Direction", kDocChannel, {{"Digit", "the digit"}, {"DurationMs", "how long it was held"}, {"Direction", "Received or Sent"}}, {"DTMFBegin"}}},
      {"DeviceStateChange", Privilege::Call, {"Raised when a device state changes; also one item of DeviceStateList.", "Event: DeviceStateChange Device State", kDocPlain, {{"Device", "e.g. SIP/alice"}, {"State", "NOT_INUSE, INUSE, BUSY, INVALID, UNAVAILABLE, RINGING, RINGINUSE, ONHOLD"}}, {"DeviceStateListComplete"}}},
      {"DeviceStateListComplete", PrivilegeSet::none(), {"Ends the DeviceStateList list.", "Event: DeviceStateListComplete EventList ListItems", kDocPlain + kDocListItem, {}, {"DeviceStateChange"}}},
      {"DialBegin", Privilege::Call, {"Raised when a dial action has started.", "Event: DialBegin <channel snapshot> Dest<snapshot> DialString", kDocChannel, {{"Dest*", "the snapshot of the channel being dialed"}, {"DialString", "the device string dialed"}}, {"DialEnd"}}},
      {"DialEnd", Privilege::Call, {"Raised when a dial action has completed.", "Event: DialEnd <channel snapshot> Dest<snapshot> DialStatus", kDocChannel, {{"Dest*", "the snapshot of the dialed channel"}, {"DialStatus", "ANSWER, BUSY, NOANSWER, CANCEL, CONGESTION, CHANUNAVAIL"}}, {"DialBegin"}}},
      {"ExtensionStatus", Privilege::Call, {"Raised when the state of a hint changes (its devices changed state); also one item of the ExtensionStateList action's list.", "Event: ExtensionStatus Exten Context Hint Status StatusText", kDocPlain, {{"Status", "0 Idle, 1 InUse, 2 Busy, 4 Unavailable, 8 Ringing, 9 InUse&Ringing, 16 Hold, 17 InUse&Hold"}}, {"ExtensionStateListComplete"}}},
      {"ExtensionStateListComplete", PrivilegeSet::none(), {"Ends the ExtensionStateList list.", "Event: ExtensionStateListComplete EventList ListItems", kDocPlain + kDocListItem, {}, {"ExtensionStatus"}}},
      {"FullyBooted", Privilege::System, {"Raised when all modules are loaded; also sent to each session right after login.", "Event: FullyBooted Status Uptime LastReload", kDocPlain, {{"Status", "Fully Booted"}}, {"Shutdown"}}},
      {"Hangup", Privilege::Call, {"Raised when a channel is hung up.", "Event: Hangup <channel snapshot> Cause Cause-txt", kDocChannel, {{"Cause", "Q.850 cause code"}, {"Cause-txt", "its text"}}, {"Newchannel", "HangupRequest"}}},
      {"HangupRequest", Privilege::Call, {"Raised when a hangup is requested.", "Event: HangupRequest <channel snapshot> Cause", kDocChannel, {{"Cause", "Q.850 cause code"}}, {"SoftHangupRequest", "Hangup"}}},
      {"ListDialplan", PrivilegeSet::none(), {"One priority of the ShowDialPlan action's list.", "Event: ListDialplan Context Extension ExtensionLabel Priority Application AppData Registrar IncludeContext", kDocPlain + kDocListItem, {}, {"ShowDialPlanComplete"}}},
      {"NewCallerid", Privilege::Call, {"Raised when a channel receives new Caller ID information.", "Event: NewCallerid <channel snapshot> CID-CallingPres", kDocChannel, {{"CID-CallingPres", "presentation value and its description"}}, {"Newchannel"}}},
      {"Newchannel", Privilege::Call, {"Raised when a new channel is created.", "Event: Newchannel <channel snapshot>", kDocChannel, {}, {"Newstate", "Hangup"}}},
      {"Newexten", Privilege::Dialplan, {"Raised when a channel enters a new context, extension, priority.", "Event: Newexten <channel snapshot> Extension Application AppData", kDocChannel, {{"Extension", "deprecated copy of Exten"}, {"Application", "the application about to run"}, {"AppData", "its arguments after substitution"}}, {"VarSet"}}},
      {"Newstate", Privilege::Call, {"Raised when a channel's state changes.", "Event: Newstate <channel snapshot>", kDocChannel, {}, {"Newchannel"}}},
      {"OriginateResponse", Privilege::Call, {"Raised in response to an Originate command (Async), to the session that sent it.", "Event: OriginateResponse Response Channel Context Exten Application Data Reason Uniqueid CallerIDNum CallerIDName", kDocPlain, {{"Response", "Success or Failure"}, {"Reason", "the outcome code (4 answered, 5 busy, 8 congestion, 0 failed, 3 no answer)"}}, {"Originate"}}},
      {"Reload", Privilege::System, {"Raised when a module has been reloaded.", "Event: Reload Module Status", kDocPlain, {{"Module", "the module name"}, {"Status", "0 success, 2 not found, 3 error"}}, {"Reload"}}},
      {"ParkedCall", Privilege::Call, {"Raised when a channel is parked; also one item of ParkedCalls.", "Event: ParkedCall <Parkee snapshot> [<Parker snapshot>] ParkerDialString Parkinglot ParkingSpace ParkingTimeout ParkingDuration", kDocParked, {{"ParkingSpace", "the space"}, {"ParkingTimeout", "seconds left"}, {"ParkingDuration", "seconds parked"}}, {"Park", "ParkedCalls", "UnParkedCall"}}},
      {"UnParkedCall", Privilege::Call, {"Raised when a channel leaves a parking lot because it was retrieved.", "Event: UnParkedCall <Parkee snapshot> [<Parker snapshot>] ParkerDialString Parkinglot ParkingSpace ParkingTimeout ParkingDuration <Retriever snapshot>", kDocParked, {}, {"ParkedCall"}}},
      {"ParkedCallTimeOut", Privilege::Call, {"Raised when a channel leaves a parking lot because it reached the end of its timeout.", "Event: ParkedCallTimeOut <Parkee snapshot> [<Parker snapshot>] ParkerDialString Parkinglot ParkingSpace ParkingTimeout ParkingDuration", kDocParked, {}, {"ParkedCall"}}},
      {"ParkedCallGiveUp", Privilege::Call, {"Raised when a channel leaves a parking lot because it hung up without being answered.", "Event: ParkedCallGiveUp <Parkee snapshot> [<Parker snapshot>] ParkerDialString Parkinglot ParkingSpace ParkingTimeout ParkingDuration", kDocParked, {}, {"ParkedCall"}}},
      {"ParkedCallsComplete", PrivilegeSet::none(), {"Ends the ParkedCalls list.", "Event: ParkedCallsComplete Total", kDocPlain + kDocListItem, {}, {"ParkedCall"}}},
      {"Parkinglot", PrivilegeSet::none(), {"One lot of the Parkinglots list.", "Event: Parkinglot Name StartSpace StopSpace Timeout", kDocPlain + kDocListItem, {}, {"ParkinglotsComplete"}}},
      {"ParkinglotsComplete", PrivilegeSet::none(), {"Ends the Parkinglots list.", "Event: ParkinglotsComplete EventList ListItems", kDocPlain + kDocListItem, {}, {"Parkinglot"}}},
      {"PresenceStateChange", Privilege::Call, {"Raised when a presence state changes; also one item of PresenceStateList.", "Event: PresenceStateChange Presentity Status Subtype Message", kDocPlain, {{"Presentity", "CustomPresence:<name>"}, {"Status", "not_set, unavailable, available, away, xa, chat or dnd"}}, {"PresenceState", "PresenceStateList"}}},
      {"PresenceStateListComplete", PrivilegeSet::none(), {"Ends the PresenceStateList list.", "Event: PresenceStateListComplete EventList ListItems", kDocPlain + kDocListItem, {}, {"PresenceStateChange"}}},
      {"ShowDialPlanComplete", PrivilegeSet::none(), {"Ends the ShowDialPlan list.", "Event: ShowDialPlanComplete EventList ListItems ListExtensions ListPriorities ListContexts", kDocPlain + kDocListItem, {}, {"ListDialplan"}}},
      {"Shutdown", Privilege::System, {"Raised when telephonyd is shut down or restarted.", "Event: Shutdown Shutdown Restart", kDocPlain, {{"Shutdown", "Cleanly or Uncleanly"}, {"Restart", "True or False"}}, {"FullyBooted"}}},
      {"SoftHangupRequest", Privilege::Call, {"Raised when a soft hangup is requested (absolute timeout, redirect).", "Event: SoftHangupRequest <channel snapshot> Cause", kDocChannel, {{"Cause", "Q.850 cause code"}}, {"HangupRequest", "Hangup"}}},
      {"Status", PrivilegeSet::none(), {"One channel of the Status action's list.", "Event: Status <channel snapshot> Type DNID EffectiveConnectedLineNum EffectiveConnectedLineName TimeToHangup BridgeID Application Data Nativeformats Readformat Readtrans Writeformat Writetrans Callgroup Pickupgroup Seconds Variable", kDocChannel + kDocListItem, {}, {"StatusComplete"}}},
      {"StatusComplete", PrivilegeSet::none(), {"Ends the Status action's list.", "Event: StatusComplete EventList ListItems Items", kDocPlain + kDocListItem, {}, {"Status"}}},
      {"UserEvent", Privilege::User, {"A user defined event raised from the dialplan (UserEvent()) or AMI (UserEvent action).", "Event: UserEvent [<channel snapshot>] UserEvent <headers>", kDocChannel, {{"UserEvent", "the name given"}, {"<headers>", "every header given, in order"}}, {"UserEvent"}}},
      {"VarSet", Privilege::Dialplan, {"Raised when a variable is set to a particular value.", "Event: VarSet <channel snapshot> Variable Value", kDocChannel, {{"Variable", "the variable name"}, {"Value", "the new value"}}, {"Newexten"}}},
      {"LocalOptimizationBegin", Privilege::Call, {"Raised when two halves of a Local Channel begin to optimize themselves out of the media path.", "Event: LocalOptimizationBegin LocalOne<snapshot> LocalTwo<snapshot> Source<snapshot> DestUniqueId Id", kDocChannel, {{"Source*", "the channel that moves into the other bridge"}, {"DestUniqueId", "the bridge it moves into"}, {"Id", "identifies the operation (matches LocalOptimizationEnd)"}}, {"LocalOptimizationEnd", "LocalOptimizeAway"}}},
      {"LocalOptimizationEnd", Privilege::Call, {"Raised when two halves of a Local Channel have finished optimizing themselves out of the media path.", "Event: LocalOptimizationEnd LocalOne<snapshot> LocalTwo<snapshot> Success Id", kDocChannel, {{"Success", "Yes or No"}, {"Id", "as in LocalOptimizationBegin"}}, {"LocalOptimizationBegin", "LocalOptimizeAway"}}},
      {"MixMonitorStart", Privilege::Call, {"Raised when monitoring has started on a channel (its files are open).", "Event: MixMonitorStart <channel snapshot>", kDocChannel, {}, {"MixMonitorStop", "MixMonitor"}}},
      {"MixMonitorStop", Privilege::Call, {"Raised when monitoring has stopped on a channel (StopMixMonitor, the StopMixMonitor action; not at hangup, as Asterisk).", "Event: MixMonitorStop <channel snapshot>", kDocChannel, {}, {"MixMonitorStart", "StopMixMonitor"}}},
      {"MixMonitorMute", Privilege::Call, {"Raised when monitoring is muted or unmuted on a channel.", "Event: MixMonitorMute <channel snapshot> Direction State", kDocChannel, {{"Direction", "read, write or both"}, {"State", "1 when muted, 0 when unmuted"}}, {"MixMonitorMute"}}},
      {"MonitorStart", Privilege::Call, {"Raised when a Monitor (the MixMonitor alias) has started on a channel.", "Event: MonitorStart <channel snapshot>", kDocChannel, {}, {"MonitorStop", "Monitor"}}},
      {"MonitorStop", Privilege::Call, {"Raised when a Monitor has been stopped (StopMonitor).", "Event: MonitorStop <channel snapshot>", kDocChannel, {}, {"MonitorStart", "StopMonitor"}}},
      {"ChanSpyStart", Privilege::Call, {"Raised when one channel begins spying on another channel (ChanSpy, ExtenSpy).", "Event: ChanSpyStart <Spyer channel snapshot> <Spyee channel snapshot>", "The Spyer (the spy) and Spyee (the channel listened to) snapshots are channel snapshots with those prefixes (SpyerChannel, SpyerChannelState, ..., SpyeeChannel, ...). " + kDocChannel, {}, {"ChanSpyStop", "ChanSpy", "ExtenSpy"}}},
      {"ChanSpyStop", Privilege::Call, {"Raised when a channel has stopped spying (next channel, exit digit, hangup of either).", "Event: ChanSpyStop <Spyer channel snapshot> <Spyee channel snapshot>", "The Spyer and Spyee snapshots are channel snapshots with those prefixes. " + kDocChannel, {}, {"ChanSpyStart"}}},
      {"WaitEventComplete", PrivilegeSet::none(), {"Ends a WaitEvent action.", "Event: WaitEventComplete", kDocPlain + kDocListItem, {}, {"WaitEvent"}}},
  };
  std::sort(docs.begin(), docs.end(), [](const EventDoc& a, const EventDoc& b) { return a.name < b.name; });
  return docs;
}

}  // namespace

const std::vector<EventDoc>& event_documentation() {
  static const std::vector<EventDoc> docs = build();
  return docs;
}

const EventDoc* find_event_doc(std::string_view name) {
  for (const auto& d : event_documentation())
    if (d.name.size() == name.size() && ::strncasecmp(d.name.data(), name.data(), name.size()) == 0) return &d;
  return nullptr;
}

std::string render_event_help(const EventDoc& d) {
  std::string out = render_help("event", d.name, d.doc);
  out += "[Class]\n" + (d.classes.empty() ? std::string("(the requesting session only)") : d.classes.to_string()) + "\n";
  return out;
}

}  // namespace telephony::manager
