// The AMI event reference (event_reference.hpp): synopses and field descriptions; the field
// names and their order are read off the mapping (events.cpp) by describing a sample of each
// engine event. An event added to the mapping gets its sample and synopsis here.
#include "telephony/manager/event_reference.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>

#include "engine_events.hpp"
#include "telephony/confbridge.hpp"
#include "telephony/dialplan/app_events.hpp"
#include "telephony/manager/message.hpp"

namespace telephony::manager {

namespace {

const std::map<std::string, std::string, std::less<>>& field_descriptions() {
  static const std::map<std::string, std::string, std::less<>> kFields = {
      {"Channel", "The channel's name (SIP/alice-00000001, Local/100@ctx-00000002;1)."},
      {"ChannelState", "The channel's state as a number (Asterisk's AST_STATE_*: 0 Down ... 6 Up)."},
      {"ChannelStateDesc", "The state as text: Down, Rsrvd, OffHook, Dialing, Ring, Ringing, Up, Busy."},
      {"CallerIDNum", "Caller ID number, or <unknown>."},
      {"CallerIDName", "Caller ID name, or <unknown>."},
      {"ConnectedLineNum", "Connected line number, or <unknown>."},
      {"ConnectedLineName", "Connected line name, or <unknown>."},
      {"Language", "The channel's language (prompts are searched in it)."},
      {"AccountCode", "The channel's account code."},
      {"Context", "Dialplan context the channel is in."},
      {"Exten", "Dialplan extension the channel is in."},
      {"Priority", "Dialplan priority the channel is at."},
      {"Uniqueid", "The channel's unique id."},
      {"Linkedid", "The unique id of the call's first channel (shared by every leg of one call)."},
      {"ChanVariable", "NAME=value of each variable listed in manager.conf channelvars (repeated)."},
      {"BridgeUniqueid", "The bridge's unique id."},
      {"BridgeType", "basic or conference."},
      {"BridgeTechnology", "How media is mixed: simple_bridge (two parties) or softmix."},
      {"BridgeCreator", "Who made the bridge (Dial, Page, ConfBridge ...), or <unknown>."},
      {"BridgeName", "The bridge's name (ConfBridge room, page-<uniqueid> for Page), or <unknown>."},
      {"BridgeNumChannels", "Channels in the bridge."},
      {"BridgeVideoSourceMode", "Always none (no video)."},
      {"Cause", "Q.850 hangup cause number (16 normal clearing, 17 busy, 19 no answer ...)."},
      {"Cause-txt", "The cause as text (Normal Clearing, User busy ...)."},
      {"CID-CallingPres", "Caller ID presentation: number (text)."},
      {"Extension", "The extension being executed (same as Exten)."},
      {"Application", "The dialplan application."},
      {"AppData", "Its arguments, after variable substitution."},
      {"Variable", "Variable name."},
      {"Value", "Its new value."},
      {"DialString", "What was dialed (the resource part of the dial string)."},
      {"DialStatus", "ANSWER, BUSY, NOANSWER, CANCEL, CONGESTION, CHANUNAVAIL ..."},
      {"Digit", "The DTMF digit."},
      {"Direction", "Received (from the device) or Sent (to it)."},
      {"DurationMs", "How long the digit was held, in milliseconds."},
      {"Duration", "ChannelTalkingStop: how long the channel talked, in milliseconds, the trailing silence excluded."},
      {"SwapUniqueid", "Unique id of the channel this one replaced in the bridge (transfers)."},
      {"UserEvent", "The name given to UserEvent() (its other arguments follow as headers)."},
      {"Status", "The outcome."},
      {"Shutdown", "Cleanly or Uncleanly."},
      {"Restart", "True when a restart follows."},
      {"Module", "The reloaded module (All for everything)."},
      {"Conference", "The ConfBridge room name."},
      {"Admin", "Yes when the user has the admin profile flag."},
      {"Muted", "Yes when the user joined muted."},
      {"TalkingStatus", "on or off."},
      {"Response", "Success (answered) or Failure."},
      {"Reason", "Originate reason code: 0 failure, 1 hangup, 3 no answer, 4 answered, 5 busy, 8 congestion."},
      {"Data", "The application's arguments."},
  };
  return kFields;
}

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
  if constexpr (std::is_base_of_v<confbridge::ConfbridgeUserEvent, E>) e->channel = sample_channel();
  return e;
}

struct Sample {
  const char* synopsis;
  std::function<std::shared_ptr<Event>()> make;
  std::vector<std::string> see_also;
};

std::vector<Sample> samples() {
  return {
      {"A channel was created.", channel_sample<ChannelCreated>, {"Newstate", "Hangup"}},
      {"A channel changed state (ringing, up ...).", channel_sample<ChannelStateChanged>, {"Newchannel"}},
      {"A channel's caller ID changed.", channel_sample<ChannelCallerIdChanged>, {}},
      {"A channel executes a dialplan priority.", channel_sample<DialplanStep>, {"VarSet"}},
      {"A channel variable was set.", channel_sample<ChannelVarSet>, {"Newexten"}},
      {"Someone asked for a channel's hangup (a soft request the channel's owner acts on).",
       [] {
         auto e = std::make_shared<ChannelHangupRequest>();
         e->channel = sample_channel();
         e->soft = true;
         return e;
       },
       {"HangupRequest", "Hangup"}},
      {"A hangup of the channel was requested outright.",
       [] {
         auto e = std::make_shared<ChannelHangupRequest>();
         e->channel = sample_channel();
         e->soft = false;
         return e;
       },
       {"SoftHangupRequest", "Hangup"}},
      {"A channel was hung up; it is gone.", channel_sample<ChannelHungUp>, {"Newchannel"}},
      {"A dial began (Dial, Page, Originate): the caller's fields, then the dialed channel's as Dest*.",
       [] {
         auto e = std::make_shared<DialBegin>();
         e->caller = sample_channel();
         e->dest = sample_channel();
         return e;
       },
       {"DialEnd"}},
      {"A dial ended with a DialStatus.",
       [] {
         auto e = std::make_shared<DialEnd>();
         e->caller = sample_channel();
         e->dest = sample_channel();
         return e;
       },
       {"DialBegin"}},
      {"A DTMF digit began.", channel_sample<DtmfBegin>, {"DTMFEnd"}},
      {"A DTMF digit ended.", channel_sample<DtmfEnd>, {"DTMFBegin"}},
      {"Talking started on a channel with TALK_DETECT(set).", channel_sample<ChannelTalkingStarted>,
       {"ChannelTalkingStop"}},
      {"Talking stopped on a channel with TALK_DETECT(set), after the silence threshold.",
       [] {
         auto e = std::make_shared<ChannelTalkingStopped>();
         e->channel = sample_channel();
         e->duration = std::chrono::milliseconds(1500);
         return std::shared_ptr<Event>(e);
       },
       {"ChannelTalkingStart"}},
      {"A bridge was created.", [] { auto e = std::make_shared<BridgeCreated>(); e->bridge = sample_bridge(); return std::shared_ptr<Event>(e); }, {"BridgeDestroy"}},
      {"A bridge was destroyed.", [] { auto e = std::make_shared<BridgeDestroyed>(); e->bridge = sample_bridge(); return std::shared_ptr<Event>(e); }, {"BridgeCreate"}},
      {"A channel entered a bridge.",
       [] {
         auto e = std::make_shared<BridgeEntered>();
         e->bridge = sample_bridge();
         e->channel = sample_channel();
         e->swap_uniqueid = "1700000000.2";
         return e;
       },
       {"BridgeLeave"}},
      {"A channel left a bridge.",
       [] {
         auto e = std::make_shared<BridgeLeft>();
         e->bridge = sample_bridge();
         e->channel = sample_channel();
         return e;
       },
       {"BridgeEnter"}},
      {"UserEvent() ran (or the UserEvent action): the channel's fields, UserEvent, then its own headers.",
       [] {
         auto e = std::make_shared<UserEventRaised>();
         e->channel = sample_channel();
         e->name = "Example";
         return e;
       },
       {}},
      {"The engine finished starting.", [] { return std::shared_ptr<Event>(std::make_shared<EngineFullyBooted>()); }, {"Shutdown"}},
      {"The engine is shutting down.", [] { return std::shared_ptr<Event>(std::make_shared<EngineShutdown>()); }, {"FullyBooted"}},
      {"A module was reloaded (Status 0 success, 2 not found, 3 error).",
       [] {
         auto e = std::make_shared<ModuleReloaded>();
         e->status = "Success";
         return e;
       },
       {}},
      {"A conference room started.", conf_sample<confbridge::ConfbridgeStart>, {"ConfbridgeEnd"}},
      {"A conference room ended.", conf_sample<confbridge::ConfbridgeEnd>, {"ConfbridgeStart"}},
      {"A conference recording started.", conf_sample<confbridge::ConfbridgeRecord>, {"ConfbridgeStopRecord"}},
      {"A conference recording stopped.", conf_sample<confbridge::ConfbridgeStopRecord>, {"ConfbridgeRecord"}},
      {"A user joined a conference.", conf_sample<confbridge::ConfbridgeJoin>, {"ConfbridgeLeave"}},
      {"A user left a conference.", conf_sample<confbridge::ConfbridgeLeave>, {"ConfbridgeJoin"}},
      {"A conference user was muted.", conf_sample<confbridge::ConfbridgeMute>, {"ConfbridgeUnmute"}},
      {"A conference user was unmuted.", conf_sample<confbridge::ConfbridgeUnmute>, {"ConfbridgeMute"}},
      {"A conference user started or stopped talking (user profile talk_detection_events).",
       conf_sample<confbridge::ConfbridgeTalking>, {}},
  };
}

EventReference from_mapping(const Sample& s) {
  auto ev = s.make();
  auto mapped = map_engine_event(*ev);
  EventReference doc;
  doc.synopsis = s.synopsis;
  doc.see_also = s.see_also;
  doc.engine_type = std::string(ev->type());
  if (!mapped) return doc;
  doc.name = std::string(mapped->message.event());
  doc.privilege = mapped->classes.to_string();
  for (std::size_t i = 1; i < mapped->message.size(); ++i) {
    const std::string field(mapped->message.at(i).key);
    if (std::any_of(doc.fields.begin(), doc.fields.end(), [&](const auto& f) { return f.name == field; })) continue;
    doc.fields.push_back({field, describe_field(field)});
  }
  return doc;
}

std::vector<EventReference> build() {
  std::vector<EventReference> docs;
  for (const auto& s : samples()) {
    auto d = from_mapping(s);
    if (!d.name.empty()) docs.push_back(std::move(d));
  }
  // Sent by actions rather than mapped from engine events.
  EventReference orig;
  orig.name = "OriginateResponse";
  orig.privilege = "call";
  orig.synopsis = "The outcome of an Originate with Async: true (carries the action's ActionID).";
  for (const char* f : {"Response", "Channel", "Context", "Exten", "Application", "Data", "Reason", "Uniqueid",
                        "CallerIDNum", "CallerIDName"})
    orig.fields.push_back({f, describe_field(f)});
  orig.see_also = {"Originate"};
  docs.push_back(std::move(orig));
  std::sort(docs.begin(), docs.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return docs;
}

}  // namespace

std::string describe_field(std::string_view field) {
  const auto& all = field_descriptions();
  if (auto it = all.find(field); it != all.end()) return it->second;
  if (field.substr(0, 4) == "Dest") {
    if (auto it = all.find(field.substr(4)); it != all.end()) return "Of the dialed channel: " + it->second;
  }
  return {};
}

const std::vector<EventReference>& event_reference() {
  static const std::vector<EventReference> kDocs = build();
  return kDocs;
}

const EventReference* find_event_reference(std::string_view name) {
  for (const auto& d : event_reference())
    if (ami::iequals(d.name, name)) return &d;
  return nullptr;
}

std::string render_event_reference(const EventReference& doc) {
  std::string out = "Event: " + doc.name + "\n\n[Synopsis]\n" + doc.synopsis + "\n\n[Privilege]\n" + doc.privilege +
                    "\n\n[Fields]\n";
  for (const auto& f : doc.fields) out += "  " + f.name + ": " + f.description + "\n";
  if (!doc.see_also.empty()) {
    out += "\n[See Also]\n";
    for (std::size_t i = 0; i < doc.see_also.size(); ++i) out += (i ? ", " : "") + doc.see_also[i];
    out += "\n";
  }
  return out;
}

}  // namespace telephony::manager
