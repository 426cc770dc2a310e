// The events actions send themselves, to the session that asked (list items and their Complete
// events, OriginateResponse): their field lists name `<channel>` and `<bridge>` where the action
// writes a snapshot, expanded here by the same writers the actions use (engine_events.hpp), so a
// snapshot field added there shows up in every list item's help.
#include <sstream>

#include "engine_events.hpp"
#include "event_reference_data.hpp"

namespace telephony::manager {

namespace {

struct ListEvent {
  const char* name;
  const char* synopsis;
  const char* fields;  // space separated, in wire order; <channel>, <bridge> expand to a snapshot
  std::vector<std::string> see_also;
  FieldNotes notes;
  const char* privilege = "";  // empty: only to the session whose action asked
};

const char* const kListItem =
    "Sent only to the session whose action asked for it, with that action's ActionID.";

std::vector<ListEvent> list_events() {
  const FieldNotes complete = {{"EventList", "Complete."},
                               {"ListItems", "How many items the list had."}};
  return {
      {"BridgeInfoChannel",
       "One channel of the BridgeInfo action's list.",
       "<channel>",
       {"BridgeInfoComplete"}},
      {"BridgeInfoComplete",
       "Ends the BridgeInfo list, with the bridge snapshot.",
       "<bridge>",
       {"BridgeInfoChannel"}},
      {"BridgeListComplete",
       "Ends the BridgeList list.",
       "EventList ListItems",
       {"BridgeListItem"},
       complete},
      {"BridgeListItem",
       "One bridge of the BridgeList action's list.",
       "<bridge>",
       {"BridgeListComplete"}},
      {"ChannelHungup",
       "One channel hung up by a Hangup action with a /regex/.",
       "Channel",
       {"ChannelsHungupListComplete"}},
      {"ChannelsHungupListComplete",
       "Ends the list of a Hangup action with a /regex/.",
       "EventList ListItems",
       {"ChannelHungup"},
       complete},
      {"ConfbridgeList",
       "One participant of the ConfbridgeList action's list.",
       "<channel> Conference Admin MarkedUser WaitMarked EndMarked Waiting Muted Talking "
       "AnsweredTime",
       {"ConfbridgeListComplete"},
       {{"MarkedUser", "Yes when the user has the marked profile flag."},
        {"WaitMarked", "Yes when the user waits for a marked user."},
        {"EndMarked", "Yes when the user leaves with the last marked user."},
        {"Waiting", "Yes while the user waits for a marked user."},
        {"Talking", "Yes while the user talks (talk detection)."},
        {"AnsweredTime", "Seconds since the channel answered."}}},
      {"ConfbridgeListComplete",
       "Ends the ConfbridgeList list.",
       "EventList ListItems",
       {"ConfbridgeList"},
       complete},
      {"ConfbridgeListRooms",
       "One conference of the ConfbridgeListRooms action's list.",
       "Conference Parties Marked Locked Muted",
       {"ConfbridgeListRoomsComplete"},
       {{"Parties", "Users in the conference."},
        {"Marked", "Marked users in it."},
        {"Locked", "Yes or No."},
        {"Muted", "Yes when the conference is muted."}}},
      {"ConfbridgeListRoomsComplete",
       "Ends the ConfbridgeListRooms list.",
       "EventList ListItems",
       {"ConfbridgeListRooms"},
       complete},
      {"CoreShowChannel",
       "One channel of the CoreShowChannels action's list.",
       "<channel> BridgeId Application ApplicationData Duration",
       {"CoreShowChannelsComplete"},
       {{"BridgeId", "The bridge the channel is in, if any."},
        {"ApplicationData", "The application's arguments."},
        {"Duration", "How long the channel has existed, HH:MM:SS."}}},
      {"CoreShowChannelsComplete",
       "Ends the CoreShowChannels list.",
       "EventList ListItems",
       {"CoreShowChannel"},
       complete},
      {"DBGetComplete", "Ends the DBGet list.", "EventList ListItems", {"DBGetResponse"}, complete},
      {"DBGetResponse",
       "The answer of a DBGet action.",
       "Family Key Val",
       {"DBGetComplete"},
       {{"Family", "The database family."}, {"Key", "The key."}, {"Val", "Its value."}}},
      {"DBGetTreeComplete",
       "Ends the DBGetTree list.",
       "EventList ListItems",
       {"DBGetTreeResponse"},
       complete},
      {"DBGetTreeResponse",
       "One entry of a DBGetTree action's list.",
       "Key Val",
       {"DBGetTreeComplete"},
       {{"Key", "The entry's full path, /family/key."}, {"Val", "Its value."}}},
      {"DeviceStateListComplete",
       "Ends the DeviceStateList list.",
       "EventList ListItems",
       {"DeviceStateChange"},
       complete},
      {"ExtensionStatus",
       "Raised when the state of a hint changes (its devices changed state); also one item of the "
       "ExtensionStateList action's list.",
       "Exten Context Hint Status StatusText",
       {"ExtensionStateListComplete"},
       {{"Hint", "The hint's devices."},
        {"Status",
         "0 Idle, 1 InUse, 2 Busy, 4 Unavailable, 8 Ringing, 9 InUse&Ringing, 16 Hold, 17 "
         "InUse&Hold."},
        {"StatusText", "The status as text."}},
       "call"},
      {"ExtensionStateListComplete",
       "Ends the ExtensionStateList list.",
       "EventList ListItems",
       {"ExtensionStatus"},
       complete},
      {"ListDialplan",
       "One priority of the ShowDialPlan action's list.",
       "Context Extension ExtensionLabel Priority Application AppData Registrar IncludeContext",
       {"ShowDialPlanComplete"},
       {{"ExtensionLabel", "The priority's label, if any."},
        {"Registrar", "Who added it (pbx_config for extensions.conf)."},
        {"IncludeContext", "A context this one includes (in an item of its own)."}}},
      {"OriginateResponse",
       "Raised in response to an Originate command (Async), to the session that sent it.",
       "Response Channel Context Exten Application Data Reason Uniqueid CallerIDNum CallerIDName",
       {"Originate"},
       {},
       "call"},
      {"ParkedCallsComplete",
       "Ends the ParkedCalls list.",
       "Total",
       {"ParkedCall"},
       {{"Total", "How many parked calls were listed."}}},
      {"Parkinglot",
       "One lot of the Parkinglots list.",
       "Name StartSpace StopSpace Timeout",
       {"ParkinglotsComplete"},
       {{"Name", "The lot's name."},
        {"StartSpace", "Its first space."},
        {"StopSpace", "Its last space."},
        {"Timeout", "Seconds a call stays parked."}}},
      {"ParkinglotsComplete",
       "Ends the Parkinglots list.",
       "EventList ListItems",
       {"Parkinglot"},
       complete},
      {"PresenceStateListComplete",
       "Ends the PresenceStateList list.",
       "EventList ListItems",
       {"PresenceStateChange"},
       complete},
      {"ShowDialPlanComplete",
       "Ends the ShowDialPlan list.",
       "EventList ListItems ListExtensions ListPriorities ListContexts",
       {"ListDialplan"},
       {{"EventList", "Complete."},
        {"ListItems", "How many items the list had."},
        {"ListExtensions", "Extensions listed."},
        {"ListPriorities", "Priorities listed."},
        {"ListContexts", "Contexts listed."}}},
      {"Status",
       "One channel of the Status action's list.",
       "<channel> Type DNID EffectiveConnectedLineNum EffectiveConnectedLineName TimeToHangup "
       "BridgeID Application Data "
       "Nativeformats Readformat Readtrans Writeformat Writetrans Callgroup Pickupgroup Seconds",
       {"StatusComplete"},
       {{"Type", "The channel technology (SIP, Local ...)."},
        {"DNID", "The dialed number."},
        {"EffectiveConnectedLineNum", "Connected line number after redirections."},
        {"EffectiveConnectedLineName", "Connected line name after redirections."},
        {"TimeToHangup", "Absolute timeout (seconds since the epoch), 0 if none."},
        {"BridgeID", "The bridge the channel is in, if any."},
        {"Nativeformats", "Codecs of the channel."},
        {"Readformat", "Format read."},
        {"Readtrans", "Read translation path."},
        {"Writeformat", "Format written."},
        {"Writetrans", "Write translation path."},
        {"Callgroup", "Call groups."},
        {"Pickupgroup", "Pickup groups."},
        {"Seconds", "Seconds since the channel was created."}}},
      {"StatusComplete",
       "Ends the Status action's list.",
       "EventList ListItems Items",
       {"Status"},
       {{"EventList", "Complete."},
        {"ListItems", "How many items the list had."},
        {"Items", "The same (older name)."}}},
      {"WaitEventComplete", "Ends a WaitEvent action.", "", {"WaitEvent"}},
  };
}

}  // namespace

std::vector<EventReference> action_event_reference() {
  std::vector<EventReference> out;
  for (const auto& l : list_events()) {
    EventReference d;
    d.name = l.name;
    d.privilege = l.privilege;
    d.synopsis = l.synopsis;
    d.see_also = l.see_also;
    if (d.privilege.empty()) d.description = kListItem;
    ami::Message m;
    std::istringstream words{std::string(l.fields)};
    for (std::string w; words >> w;) {
      if (w == "<channel>")
        add_channel_snapshot(m, sample_channel(), {}, {{"NAME", "value"}});
      else if (w == "<bridge>")
        add_bridge_snapshot(m, sample_bridge());
      else
        m.add(w, "");
    }
    for (std::size_t i = 0; i < m.size(); ++i) {
      const std::string field(m.at(i).key);
      std::string text = describe_field(field);
      for (const auto& [n, t] : l.notes)
        if (n == field) text = t;
      bool seen = false;
      for (const auto& f : d.fields) seen = seen || f.name == field;
      if (!seen) d.fields.push_back({field, text});
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace telephony::manager
