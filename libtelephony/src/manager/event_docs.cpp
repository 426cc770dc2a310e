// The AMI events we send, documented as data (event_docs.hpp). Field orders are Asterisk 13+'s;
// manager/events.cpp builds the messages, this table describes them.
#include "telephony/manager/event_docs.hpp"

#include <algorithm>
#include <strings.h>

namespace telephony::manager {

namespace {

const std::string kChannel =
    "<channel snapshot> is: Channel ChannelState ChannelStateDesc CallerIDNum CallerIDName ConnectedLineNum "
    "ConnectedLineName Language AccountCode Context Exten Priority Uniqueid Linkedid, then one ChanVariable: NAME=value "
    "per manager.conf channelvars entry.";
const std::string kBridge =
    "<bridge snapshot> is: BridgeUniqueid BridgeType BridgeTechnology BridgeCreator BridgeName BridgeNumChannels "
    "BridgeVideoSourceMode.";
const std::string kBoth = kBridge + " " + kChannel;
const std::string kPlain = "The headers follow Event: (and Privilege:) in the order shown.";
const std::string kParked =
    "The Parkee (and Parker) snapshots are channel snapshots with those prefixes (ParkeeChannel, "
    "ParkeeChannelState, ...). " + kChannel;
const std::string kListItem = " Sent only to the session whose action asked for it, with that action's ActionID.";

std::vector<EventDoc> build() {
  std::vector<EventDoc> docs = {
      {"BridgeCreate", Privilege::Call, {"Raised when a bridge is created.", "Event: BridgeCreate <bridge snapshot>", kBridge, {}, {"BridgeDestroy", "BridgeEnter"}}},
      {"BridgeDestroy", Privilege::Call, {"Raised when a bridge is destroyed.", "Event: BridgeDestroy <bridge snapshot>", kBridge, {}, {"BridgeCreate"}}},
      {"BridgeEnter", Privilege::Call, {"Raised when a channel enters a bridge.", "Event: BridgeEnter <bridge snapshot> <channel snapshot> SwapUniqueid", kBoth, {{"SwapUniqueid", "the channel this one replaces, when it swaps in"}}, {"BridgeLeave"}}},
      {"BridgeInfoChannel", PrivilegeSet::none(), {"One channel of the BridgeInfo action's list.", "Event: BridgeInfoChannel <channel snapshot>", kChannel + kListItem, {}, {"BridgeInfoComplete"}}},
      {"BridgeInfoComplete", PrivilegeSet::none(), {"Ends the BridgeInfo list, with the bridge snapshot.", "Event: BridgeInfoComplete <bridge snapshot>", kBridge + kListItem, {}, {"BridgeInfoChannel"}}},
      {"BridgeLeave", Privilege::Call, {"Raised when a channel leaves a bridge.", "Event: BridgeLeave <bridge snapshot> <channel snapshot>", kBoth, {}, {"BridgeEnter"}}},
      {"BridgeListComplete", PrivilegeSet::none(), {"Ends the BridgeList list.", "Event: BridgeListComplete EventList ListItems", kPlain + kListItem, {}, {"BridgeListItem"}}},
      {"BridgeListItem", PrivilegeSet::none(), {"One bridge of the BridgeList action's list.", "Event: BridgeListItem <bridge snapshot>", kBridge + kListItem, {}, {"BridgeListComplete"}}},
      {"Cdr", Privilege::Cdr, {"Raised when a call detail record is written.", "Event: Cdr AccountCode Source Destination DestinationContext CallerID Channel DestinationChannel LastApplication LastData StartTime AnswerTime EndTime Duration BillableSeconds Disposition AMAFlags UniqueID UserField <variables>", kPlain + " Sent when the cdr module is loaded (cdr.conf), for every record posted to the backends; CDR variables follow as Name: value.", {{"Disposition", "ANSWERED, NO ANSWER, BUSY, FAILED or CONGESTION"}, {"Duration", "seconds from start to end"}, {"BillableSeconds", "seconds from answer to end"}}, {"CDR"}}},
      {"ChannelHungup", PrivilegeSet::none(), {"One channel hung up by a Hangup action with a /regex/.", "Event: ChannelHungup Channel", kPlain + kListItem, {}, {"ChannelsHungupListComplete"}}},
      {"ChannelsHungupListComplete", PrivilegeSet::none(), {"Ends the list of a Hangup action with a /regex/.", "Event: ChannelsHungupListComplete EventList ListItems", kPlain + kListItem, {}, {"ChannelHungup"}}},
      {"ConfbridgeEnd", Privilege::Call, {"Raised when a conference ends.", "Event: ConfbridgeEnd Conference <bridge snapshot>", kBridge, {{"Conference", "the conference name"}}, {"ConfbridgeStart"}}},
      {"ConfbridgeJoin", Privilege::Call, {"Raised when a channel joins a conference.", "Event: ConfbridgeJoin Conference <bridge snapshot> <channel snapshot> Admin Muted", kBoth, {{"Admin", "Yes or No"}, {"Muted", "Yes or No"}}, {"ConfbridgeLeave"}}},
      {"ConfbridgeLeave", Privilege::Call, {"Raised when a channel leaves a conference.", "Event: ConfbridgeLeave Conference <bridge snapshot> <channel snapshot> Admin", kBoth, {{"Admin", "Yes or No"}}, {"ConfbridgeJoin"}}},
      {"ConfbridgeList", PrivilegeSet::none(), {"One participant of the ConfbridgeList action's list.", "Event: ConfbridgeList <channel snapshot> Conference Admin MarkedUser WaitMarked EndMarked Waiting Muted Talking AnsweredTime", kChannel + kListItem, {}, {"ConfbridgeListComplete"}}},
      {"ConfbridgeListComplete", PrivilegeSet::none(), {"Ends the ConfbridgeList list.", "Event: ConfbridgeListComplete EventList ListItems", kPlain + kListItem, {}, {"ConfbridgeList"}}},
      {"ConfbridgeListRooms", PrivilegeSet::none(), {"One conference of the ConfbridgeListRooms action's list.", "Event: ConfbridgeListRooms Conference Parties Marked Locked Muted", kPlain + kListItem, {}, {"ConfbridgeListRoomsComplete"}}},
      {"ConfbridgeListRoomsComplete", PrivilegeSet::none(), {"Ends the ConfbridgeListRooms list.", "Event: ConfbridgeListRoomsComplete EventList ListItems", kPlain + kListItem, {}, {"ConfbridgeListRooms"}}},
      {"ConfbridgeMute", Privilege::Call, {"Raised when a conference participant mutes.", "Event: ConfbridgeMute Conference <bridge snapshot> <channel snapshot> Admin", kBoth, {}, {"ConfbridgeUnmute"}}},
      {"ConfbridgeRecord", Privilege::Call, {"Raised when a conference starts recording.", "Event: ConfbridgeRecord Conference <bridge snapshot>", kBridge, {}, {"ConfbridgeStopRecord"}}},
      {"ConfbridgeStart", Privilege::Call, {"Raised when a conference starts.", "Event: ConfbridgeStart Conference <bridge snapshot>", kBridge, {{"Conference", "the conference name"}}, {"ConfbridgeEnd"}}},
      {"ConfbridgeStopRecord", Privilege::Call, {"Raised when a conference stops recording.", "Event: ConfbridgeStopRecord Conference <bridge snapshot>", kBridge, {}, {"ConfbridgeRecord"}}},
      {"ConfbridgeTalking", Privilege::Call, {"Raised when a conference participant starts or stops talking.", "Event: ConfbridgeTalking Conference <bridge snapshot> <channel snapshot> TalkingStatus Admin", kBoth, {{"TalkingStatus", "on or off"}}, {"ConfbridgeJoin"}}},
      {"ConfbridgeUnmute", Privilege::Call, {"Raised when a conference participant unmutes.", "Event: ConfbridgeUnmute Conference <bridge snapshot> <channel snapshot> Admin", kBoth, {}, {"ConfbridgeMute"}}},
      {"CoreShowChannel", PrivilegeSet::none(), {"One channel of the CoreShowChannels action's list.", "Event: CoreShowChannel <channel snapshot> BridgeId Application ApplicationData Duration", kChannel + kListItem, {}, {"CoreShowChannelsComplete"}}},
      {"CoreShowChannelsComplete", PrivilegeSet::none(), {"Ends the CoreShowChannels list.", "Event: CoreShowChannelsComplete EventList ListItems", kPlain + kListItem, {}, {"CoreShowChannel"}}},
      {"DBGetComplete", PrivilegeSet::none(), {"Ends the DBGet list.", "Event: DBGetComplete EventList ListItems", kPlain + kListItem, {}, {"DBGetResponse"}}},
      {"DBGetResponse", PrivilegeSet::none(), {"The answer of a DBGet action.", "Event: DBGetResponse Family Key Val", kPlain + kListItem, {}, {"DBGetComplete"}}},
      {"DTMFBegin", Privilege::Dtmf, {"Raised when a DTMF digit has started on a channel.", "Event: DTMFBegin <channel snapshot> Digit Direction", kChannel, {{"Digit", "0-9, A-D, * or #"}, {"Direction", "Received or Sent"}}, {"DTMFEnd"}}},
      {"DTMFEnd", Privilege::Dtmf, {"Raised when a DTMF digit has ended on a channel.", "Event: DTMFEnd <channel snapshot> Digit DurationMs Direction", kChannel, {{"Digit", "the digit"}, {"DurationMs", "how long it was held"}, {"Direction", "Received or Sent"}}, {"DTMFBegin"}}},
      {"DeviceStateChange", Privilege::Call, {"Raised when a device state changes; also one item of DeviceStateList.", "Event: DeviceStateChange Device State", kPlain, {{"Device", "e.g. SIP/alice"}, {"State", "NOT_INUSE, INUSE, BUSY, INVALID, UNAVAILABLE, RINGING, RINGINUSE, ONHOLD"}}, {"DeviceStateListComplete"}}},
      {"DeviceStateListComplete", PrivilegeSet::none(), {"Ends the DeviceStateList list.", "Event: DeviceStateListComplete EventList ListItems", kPlain + kListItem, {}, {"DeviceStateChange"}}},
      {"DialBegin", Privilege::Call, {"Raised when a dial action has started.", "Event: DialBegin <channel snapshot> Dest<snapshot> DialString", kChannel, {{"Dest*", "the snapshot of the channel being dialed"}, {"DialString", "the device string dialed"}}, {"DialEnd"}}},
      {"DialEnd", Privilege::Call, {"Raised when a dial action has completed.", "Event: DialEnd <channel snapshot> Dest<snapshot> DialStatus", kChannel, {{"Dest*", "the snapshot of the dialed channel"}, {"DialStatus", "ANSWER, BUSY, NOANSWER, CANCEL, CONGESTION, CHANUNAVAIL"}}, {"DialBegin"}}},
      {"FullyBooted", Privilege::System, {"Raised when all modules are loaded; also sent to each session right after login.", "Event: FullyBooted Status Uptime LastReload", kPlain, {{"Status", "Fully Booted"}}, {"Shutdown"}}},
      {"Hangup", Privilege::Call, {"Raised when a channel is hung up.", "Event: Hangup <channel snapshot> Cause Cause-txt", kChannel, {{"Cause", "Q.850 cause code"}, {"Cause-txt", "its text"}}, {"Newchannel", "HangupRequest"}}},
      {"HangupRequest", Privilege::Call, {"Raised when a hangup is requested.", "Event: HangupRequest <channel snapshot> Cause", kChannel, {{"Cause", "Q.850 cause code"}}, {"SoftHangupRequest", "Hangup"}}},
      {"ListDialplan", PrivilegeSet::none(), {"One priority of the ShowDialPlan action's list.", "Event: ListDialplan Context Extension ExtensionLabel Priority Application AppData Registrar IncludeContext", kPlain + kListItem, {}, {"ShowDialPlanComplete"}}},
      {"NewCallerid", Privilege::Call, {"Raised when a channel receives new Caller ID information.", "Event: NewCallerid <channel snapshot> CID-CallingPres", kChannel, {{"CID-CallingPres", "presentation value and its description"}}, {"Newchannel"}}},
      {"Newchannel", Privilege::Call, {"Raised when a new channel is created.", "Event: Newchannel <channel snapshot>", kChannel, {}, {"Newstate", "Hangup"}}},
      {"Newexten", Privilege::Dialplan, {"Raised when a channel enters a new context, extension, priority.", "Event: Newexten <channel snapshot> Extension Application AppData", kChannel, {{"Extension", "deprecated copy of Exten"}, {"Application", "the application about to run"}, {"AppData", "its arguments after substitution"}}, {"VarSet"}}},
      {"Newstate", Privilege::Call, {"Raised when a channel's state changes.", "Event: Newstate <channel snapshot>", kChannel, {}, {"Newchannel"}}},
      {"OriginateResponse", Privilege::Call, {"Raised in response to an Originate command (Async), to the session that sent it.", "Event: OriginateResponse Response Channel Context Exten Application Data Reason Uniqueid CallerIDNum CallerIDName", kPlain, {{"Response", "Success or Failure"}, {"Reason", "the outcome code (4 answered, 5 busy, 8 congestion, 0 failed, 3 no answer)"}}, {"Originate"}}},
      {"Reload", Privilege::System, {"Raised when a module has been reloaded.", "Event: Reload Module Status", kPlain, {{"Module", "the module name"}, {"Status", "0 success, 2 not found, 3 error"}}, {"Reload"}}},
      {"ParkedCall", Privilege::Call, {"Raised when a channel is parked; also one item of ParkedCalls.", "Event: ParkedCall <Parkee snapshot> [<Parker snapshot>] ParkerDialString Parkinglot ParkingSpace ParkingTimeout ParkingDuration", kParked, {{"ParkingSpace", "the space"}, {"ParkingTimeout", "seconds left"}, {"ParkingDuration", "seconds parked"}}, {"Park", "ParkedCalls", "UnParkedCall"}}},
      {"UnParkedCall", Privilege::Call, {"Raised when a channel leaves a parking lot because it was retrieved.", "Event: UnParkedCall <Parkee snapshot> [<Parker snapshot>] ParkerDialString Parkinglot ParkingSpace ParkingTimeout ParkingDuration <Retriever snapshot>", kParked, {}, {"ParkedCall"}}},
      {"ParkedCallTimeOut", Privilege::Call, {"Raised when a channel leaves a parking lot because it reached the end of its timeout.", "Event: ParkedCallTimeOut <Parkee snapshot> [<Parker snapshot>] ParkerDialString Parkinglot ParkingSpace ParkingTimeout ParkingDuration", kParked, {}, {"ParkedCall"}}},
      {"ParkedCallGiveUp", Privilege::Call, {"Raised when a channel leaves a parking lot because it hung up without being answered.", "Event: ParkedCallGiveUp <Parkee snapshot> [<Parker snapshot>] ParkerDialString Parkinglot ParkingSpace ParkingTimeout ParkingDuration", kParked, {}, {"ParkedCall"}}},
      {"ParkedCallsComplete", PrivilegeSet::none(), {"Ends the ParkedCalls list.", "Event: ParkedCallsComplete Total", kPlain + kListItem, {}, {"ParkedCall"}}},
      {"Parkinglot", PrivilegeSet::none(), {"One lot of the Parkinglots list.", "Event: Parkinglot Name StartSpace StopSpace Timeout", kPlain + kListItem, {}, {"ParkinglotsComplete"}}},
      {"ParkinglotsComplete", PrivilegeSet::none(), {"Ends the Parkinglots list.", "Event: ParkinglotsComplete EventList ListItems", kPlain + kListItem, {}, {"Parkinglot"}}},
      {"PresenceStateChange", Privilege::Call, {"Raised when a presence state changes; also one item of PresenceStateList.", "Event: PresenceStateChange Presentity Status Subtype Message", kPlain, {{"Presentity", "CustomPresence:<name>"}, {"Status", "not_set, unavailable, available, away, xa, chat or dnd"}}, {"PresenceState", "PresenceStateList"}}},
      {"PresenceStateListComplete", PrivilegeSet::none(), {"Ends the PresenceStateList list.", "Event: PresenceStateListComplete EventList ListItems", kPlain + kListItem, {}, {"PresenceStateChange"}}},
      {"ShowDialPlanComplete", PrivilegeSet::none(), {"Ends the ShowDialPlan list.", "Event: ShowDialPlanComplete EventList ListItems ListExtensions ListPriorities ListContexts", kPlain + kListItem, {}, {"ListDialplan"}}},
      {"Shutdown", Privilege::System, {"Raised when telephonyd is shut down or restarted.", "Event: Shutdown Shutdown Restart", kPlain, {{"Shutdown", "Cleanly or Uncleanly"}, {"Restart", "True or False"}}, {"FullyBooted"}}},
      {"SoftHangupRequest", Privilege::Call, {"Raised when a soft hangup is requested (absolute timeout, redirect).", "Event: SoftHangupRequest <channel snapshot> Cause", kChannel, {{"Cause", "Q.850 cause code"}}, {"HangupRequest", "Hangup"}}},
      {"Status", PrivilegeSet::none(), {"One channel of the Status action's list.", "Event: Status <channel snapshot> Type DNID EffectiveConnectedLineNum EffectiveConnectedLineName TimeToHangup BridgeID Application Data Nativeformats Readformat Readtrans Writeformat Writetrans Callgroup Pickupgroup Seconds Variable", kChannel + kListItem, {}, {"StatusComplete"}}},
      {"StatusComplete", PrivilegeSet::none(), {"Ends the Status action's list.", "Event: StatusComplete EventList ListItems Items", kPlain + kListItem, {}, {"Status"}}},
      {"UserEvent", Privilege::User, {"A user defined event raised from the dialplan (UserEvent()) or AMI (UserEvent action).", "Event: UserEvent [<channel snapshot>] UserEvent <headers>", kChannel, {{"UserEvent", "the name given"}, {"<headers>", "every header given, in order"}}, {"UserEvent"}}},
      {"VarSet", Privilege::Dialplan, {"Raised when a variable is set to a particular value.", "Event: VarSet <channel snapshot> Variable Value", kChannel, {{"Variable", "the variable name"}, {"Value", "the new value"}}, {"Newexten"}}},
      {"WaitEventComplete", PrivilegeSet::none(), {"Ends a WaitEvent action.", "Event: WaitEventComplete", kPlain + kListItem, {}, {"WaitEvent"}}},
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
