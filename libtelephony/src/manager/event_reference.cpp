// The AMI event reference (event_reference.hpp): the field descriptions shared by every event,
// the table built from the samples of engine events (event_reference_samples.cpp, field lists
// read off the mapping) and the events actions send (event_reference_lists.cpp), and its console
// rendering.
#include "telephony/manager/event_reference.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <memory>

#include "engine_events.hpp"
#include "event_reference_data.hpp"
#include "telephony/documentation.hpp"
#include "telephony/manager/message.hpp"

namespace telephony::manager {

namespace {

const std::map<std::string, std::string, std::less<>>& field_descriptions() {
  static const std::map<std::string, std::string, std::less<>> kFields = {
      {"Channel", "The channel's name (SIP/alice-00000001, Local/100@ctx-00000002;1)."},
      {"ChannelState",
       "The channel's state as a number (Asterisk's AST_STATE_*: 0 Down ... 6 Up)."},
      {"ChannelStateDesc",
       "The state as text: Down, Rsrvd, OffHook, Dialing, Ring, Ringing, Up, Busy."},
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
      {"ChanVariable",
       "NAME=value of each variable listed in manager.conf channelvars (repeated)."},
      {"BridgeUniqueid", "The bridge's unique id."},
      {"BridgeType", "basic or conference."},
      {"BridgeTechnology", "How media is mixed: simple_bridge (two parties) or softmix."},
      {"BridgeCreator", "Who made the bridge (Dial, Page, ConfBridge ...), or <unknown>."},
      {"BridgeName",
       "The bridge's name (ConfBridge room, page-<uniqueid> for Page), or <unknown>."},
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
      {"Reason",
       "Originate reason code: 0 failure, 1 hangup, 3 no answer, 4 answered, 5 busy, 8 "
       "congestion."},
      {"Data", "The application's arguments."},
      // Security events (res_security_log's fields).
      {"EventTV", "When it happened: ISO 8601 local time with microseconds and zone."},
      {"Severity", "Error for a failure, Informational for ChallengeSent and SuccessfulAuth."},
      {"Service", "Who raised it: PJSIP or AMI."},
      {"EventVersion", "Version of the event's field set (1)."},
      {"AccountID", "The account named by the request (endpoint, SIP user or AMI user)."},
      {"SessionID", "The SIP Call-ID, or the AMI session."},
      {"LocalAddress",
       "Our address: IPV4/UDP/127.0.0.1/5060 (protocol, transport, address, port)."},
      {"RemoteAddress", "The peer's address, in the same form."},
      {"ACLName", "The ACL that refused it."},
      {"Challenge", "The nonce (SIP) or challenge (AMI) sent."},
      {"ReceivedChallenge", "The nonce the credentials answered."},
      {"ReceivedHash", "The response hash received."},
      {"Response", "Success (answered) or Failure; for ChallengeResponseFailed the key received."},
      {"ExpectedResponse", "Left empty (the expected key is not disclosed)."},
      {"UsingPassword", "1 when a password was used."},
      // Device and presence states.
      {"Device", "The device: SIP/alice, Local/100@ctx, Custom:name ..."},
      {"State", "The device state."},
      {"Presentity", "CustomPresence:<name>."},
      {"Subtype", "The presence subtype, free text."},
      {"Message", "The presence message, free text."},
      // CDR (cdr_manager's field set).
      {"Source", "Caller ID number of the calling party."},
      {"Destination", "The destination extension."},
      {"DestinationContext", "The destination context."},
      {"CallerID", "Caller ID, \"name\" <number>."},
      {"DestinationChannel", "The channel called, if any."},
      {"LastApplication", "The last application run."},
      {"LastData", "Its arguments."},
      {"StartTime", "When the call started (YYYY-MM-DD HH:MM:SS)."},
      {"AnswerTime", "When it was answered (empty if not)."},
      {"EndTime", "When it ended."},
      {"Duration", "Seconds from start to end."},
      {"BillableSeconds", "Seconds from answer to end."},
      {"Disposition", "ANSWERED, NO ANSWER, BUSY, FAILED or CONGESTION."},
      {"AMAFlags", "DOCUMENTATION, BILLING or OMIT."},
      {"UniqueID", "The channel's unique id."},
      {"UserField", "The CDR's user field."},
      {"name", "A CDR variable (CDR(name)=value), one header each."},
      // Parking.
      {"ParkerDialString",
       "Dial string that reaches the parker (SIP/alice), where a timed-out call returns."},
      {"Parkinglot", "The parking lot."},
      {"ParkingSpace", "The space the call is parked in."},
      {"ParkingTimeout", "Seconds left before the call times out."},
      {"ParkingDuration", "Seconds the call has been parked."},
      // Local channel optimization.
      {"DestUniqueId", "The bridge the Source channel moves into."},
      {"Success", "Yes or No."},
      {"Id", "Identifies the operation (LocalOptimizationBegin and End carry the same Id)."},
      // AGI.
      {"CommandId", "Identifies the command (the AGI action's CommandID, or a counter)."},
      {"Command", "The AGI command line."},
      {"ResultCode",
       "The AGI result code (200 success, 510 invalid, 511 dead channel, 520 usage)."},
      {"Result",
       "The outcome: the AGI result text (AGIExecEnd), the response lines URL-encoded "
       "(AsyncAGIExec)."},
      {"Env", "The agi_* environment block, URL-encoded."},
      // RTCP (class reporting) and the RTP layer.
      {"To", "Where the report was sent (ip:port)."},
      {"From", "Where the report came from (ip:port)."},
      {"RTT", "Round-trip time in seconds."},
      {"SSRC", "The reporting stream's SSRC (0x...)."},
      {"PT", "200(SR) or 201(RR)."},
      {"ReportCount", "Report blocks in the packet."},
      {"SentNTP", "Sender report: NTP time, seconds.microseconds since 1970."},
      {"SentRTP", "Sender report: RTP timestamp."},
      {"SentPackets", "Sender report: packets sent."},
      {"SentOctets", "Sender report: octets sent."},
      {"Report0SourceSSRC", "Report block: the SSRC it is about."},
      {"Report0FractionLost", "Report block: fraction lost since the last report (/256)."},
      {"Report0CumulativeLost", "Report block: packets lost in all."},
      {"Report0HighestSequence", "Report block: highest sequence number received."},
      {"Report0SequenceNumberCycles", "Report block: sequence number cycles."},
      {"Report0IAJitter", "Report block: interarrival jitter (timestamp units)."},
      {"Report0LSR", "Report block: middle 32 bits of the last sender report's NTP time."},
      {"Report0DLSR", "Report block: seconds since that sender report."},
      {"Endpoint", "The SIP endpoint."},
      {"Offered", "The codecs the peer offered."},
      {"Allowed", "The codecs the endpoint allows."},
      {"Warning", "The Warning text of the 488."},
      {"Seconds", "Seconds without RTP."},
      {"OnHold", "Yes when the call was on hold (rtpholdtimeout)."},
      // SIP contacts and registrations.
      {"URI", "The contact URI."},
      {"ContactStatus", "What happened to the contact."},
      {"AOR", "The AOR the contact belongs to."},
      {"EndpointName", "The endpoint of that AOR."},
      {"RoundtripUsec", "Last qualify round trip in microseconds (0 if not qualified)."},
      {"UserAgent", "The User-Agent that registered the contact."},
      {"RegExpire", "When the registration expires (seconds since the epoch)."},
      {"ViaAddress", "The address the REGISTER came from (ip:port)."},
      {"CallID", "The REGISTER's Call-ID."},
      {"ChannelType", "PJSIP."},
      {"Username", "The registration's client_uri."},
      {"Domain", "The registration's server_uri."},
      // Pickup, BlindTransfer, CEL, lists.
      {"IsExternal", "Yes when the transfer came from outside (a SIP REFER)."},
      {"EventName", "The CEL event's name (the CELGenUserEvent name)."},
      {"CallerIDnum", "Caller ID number."},
      {"CallerIDname", "Caller ID name."},
      {"CallerIDani", "Caller ANI."},
      {"CallerIDrdnis", "Redirecting number."},
      {"CallerIDdnid", "Dialed number."},
      {"EventTime", "When the record was made (YYYY-MM-DD HH:MM:SS)."},
      {"LinkedID", "The call's linked id."},
      {"Userfield", "The channel's user field."},
      {"Peer", "The bridged peer channel, if any."},
      {"PeerAccount", "The peer's account code (empty)."},
      {"Extra", "The event's extra text, as JSON {\"extra\":\"...\"}."},
      {"EventList", "Complete."},
      {"ListItems", "How many items the list had."},
  };
  return kFields;
}

EventReference from_mapping(const EngineEventSample& s) {
  auto ev = s.make();
  // One channel variable, so that the ChanVariable lines (manager.conf channelvars) are listed.
  const ChannelVarLookup vars = [](const ChannelSnapshot&) {
    return ChannelVars{{"NAME", "value"}};
  };
  auto mapped = map_engine_event(*ev, vars);
  EventReference doc;
  doc.synopsis = s.synopsis;
  doc.description = s.description;
  doc.see_also = s.see_also;
  doc.engine_type = std::string(ev->type());
  if (!mapped) return doc;
  doc.name = std::string(mapped->message.event());
  doc.privilege = mapped->classes.to_string();
  for (std::size_t i = 1; i < mapped->message.size(); ++i) {
    const std::string field(mapped->message.at(i).key);
    if (std::any_of(doc.fields.begin(), doc.fields.end(),
                    [&](const auto& f) { return f.name == field; }))
      continue;
    std::string text = describe_field(field);
    for (const auto& [name, note] : s.notes)
      if (name == field) text = note;
    doc.fields.push_back({field, text});
  }
  return doc;
}

std::vector<EventReference> build() {
  std::vector<EventReference> docs;
  for (const auto& s : engine_event_samples()) {
    auto d = from_mapping(s);
    if (!d.name.empty()) docs.push_back(std::move(d));
  }
  for (auto& d : action_event_reference()) docs.push_back(std::move(d));
  std::sort(docs.begin(), docs.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return docs;
}

// The snapshot prefixes of the mapping ("DestChannelState" is the dialed channel's ChannelState).
const char* const kSnapshotPrefixes[] = {"Dest",       "Parkee",   "Parker", "Retriever",
                                         "LocalOne",   "LocalTwo", "Source", "Transferer",
                                         "Transferee", "Target",   "Spyer",  "Spyee",
                                         "OrigTransferer", "SecondTransferer", "TransferTarget", "Orig", "Second"};

std::string prefix_role(std::string_view prefix) {
  if (prefix == "Dest") return "the dialed channel";
  if (prefix == "LocalOne") return "the Local channel's ;1 half";
  if (prefix == "LocalTwo") return "the Local channel's ;2 half";
  if (prefix == "Source") return "the channel that moves";
  if (prefix == "Target") return "the channel picked up";
  if (prefix == "Spyer") return "the spy";
  if (prefix == "Spyee") return "the channel listened to";
  std::string role = "the " + std::string(prefix);
  for (auto& c : role) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return role;
}

}  // namespace

std::string describe_field(std::string_view field) {
  const auto& all = field_descriptions();
  if (auto it = all.find(field); it != all.end()) return it->second;
  for (std::string_view prefix : kSnapshotPrefixes) {
    if (field.size() <= prefix.size() || field.substr(0, prefix.size()) != prefix) continue;
    if (auto it = all.find(field.substr(prefix.size())); it != all.end())
      return "Of " + prefix_role(prefix) + ": " + it->second;
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
  Documentation help;
  help.synopsis = doc.synopsis;
  help.description =
      doc.description.empty()
          ? std::string("The fields follow Event: (and Privilege:) in the order shown.")
          : doc.description;
  help.syntax = "Event: " + doc.name;
  for (const auto& f : doc.fields) {
    help.syntax += "\n" + f.name + ": <value>";
    help.arguments.emplace_back(f.name, f.description);
  }
  help.see_also = doc.see_also;
  return render_help("event", doc.name, help) + "[Class]\n" +
         (doc.privilege.empty() ? std::string("(the requesting session only)") : doc.privilege) +
         "\n";
}

std::string render_event_list() {
  const auto& docs = event_reference();
  auto cell = [](const std::string& s) {
    return s.size() >= 27 ? s + " " : s + std::string(27 - s.size(), ' ');
  };
  std::string out = "Events:\n  " + cell(std::string(26, '-')) + cell(std::string(26, '-')) +
                    std::string(26, '-') + "\n";
  for (std::size_t i = 0; i < docs.size(); i += 3) {
    out += "  ";
    for (std::size_t j = i; j < std::min(i + 3, docs.size()); ++j) out += cell(docs[j].name);
    while (out.back() == ' ') out.pop_back();
    out += "\n";
  }
  return out + std::to_string(docs.size()) + " events documented.\n";
}

}  // namespace telephony::manager
