// Events of dialplan applications and functions -> AMI events, with Asterisk's names, classes
// and field order: Pickup, BlindTransfer, AttendedTransfer, ChanSpyStart/ChanSpyStop,
// ChannelTalkingStart/Stop (class call) and CEL (class call, cel_manager's field set).
#include <chrono>
#include <ctime>

#include "engine_events.hpp"
#include "telephony/dialplan/app_events.hpp"

namespace telephony::manager {

namespace {

ChannelVars vars_of(const ChannelVarLookup& vars, const ChannelSnapshot& s) { return vars ? vars(s) : ChannelVars{}; }

MappedEvent named(std::string_view name, PrivilegeSet classes) {
  MappedEvent out{ami::Message{}, classes};
  out.message.add("Event", name);
  return out;
}

std::string local_time(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  localtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

// {"extra":"<text>"} the way jansson's compact dump writes it.
std::string extra_json(const std::string& text) {
  std::string out = "{\"extra\":\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(static_cast<unsigned char>(c)));
      out += buf;
      continue;
    }
    out += c;
  }
  return out + "\"}";
}

}  // namespace

std::optional<MappedEvent> map_app_event(const Event& ev, const ChannelVarLookup& vars) {
  const PrivilegeSet call = Privilege::Call;
  if (auto* e = ev.as<CallPickedUp>()) {
    auto out = named("Pickup", call);
    add_channel_snapshot(out.message, e->channel, {}, vars_of(vars, e->channel));
    add_channel_snapshot(out.message, e->target, "Target", vars_of(vars, e->target));
    return out;
  }
  if (auto* e = ev.as<ChanSpyChanged>()) {
    auto out = named(e->start ? "ChanSpyStart" : "ChanSpyStop", call);
    add_channel_snapshot(out.message, e->channel, "Spyer", vars_of(vars, e->channel));
    if (e->spyee) add_channel_snapshot(out.message, *e->spyee, "Spyee", vars_of(vars, *e->spyee));
    return out;
  }
  if (auto* e = ev.as<BlindTransferDone>()) {
    auto out = named("BlindTransfer", call);
    out.message.add("Result", e->result);
    add_channel_snapshot(out.message, e->transferer, "Transferer", vars_of(vars, e->transferer));
    if (e->transferee) add_channel_snapshot(out.message, *e->transferee, "Transferee", vars_of(vars, *e->transferee));
    if (e->bridge) add_bridge_snapshot(out.message, *e->bridge);
    out.message.add("IsExternal", e->external ? "Yes" : "No").add("Context", e->context).add("Extension", e->exten);
    return out;
  }
  if (auto* e = ev.as<ChannelTalkingStarted>()) {
    auto out = named("ChannelTalkingStart", call);
    add_channel_snapshot(out.message, e->channel, {}, vars_of(vars, e->channel));
    return out;
  }
  if (auto* e = ev.as<ChannelTalkingStopped>()) {
    auto out = named("ChannelTalkingStop", call);
    add_channel_snapshot(out.message, e->channel, {}, vars_of(vars, e->channel));
    out.message.add("Duration", std::to_string(e->duration.count()));
    return out;
  }
  if (auto* e = ev.as<AttendedTransferDone>()) {
    // Field order of Asterisk's attended_transfer_to_ami().
    auto out = named("AttendedTransfer", call);
    out.message.add("Result", e->result);
    add_channel_snapshot(out.message, e->orig_transferer, "OrigTransferer", vars_of(vars, e->orig_transferer));
    if (e->orig_bridge) add_bridge_snapshot(out.message, *e->orig_bridge, "Orig");
    add_channel_snapshot(out.message, e->second_transferer, "SecondTransferer", vars_of(vars, e->second_transferer));
    if (e->second_bridge) add_bridge_snapshot(out.message, *e->second_bridge, "Second");
    if (e->transferee) add_channel_snapshot(out.message, *e->transferee, "Transferee", vars_of(vars, *e->transferee));
    if (e->target) add_channel_snapshot(out.message, *e->target, "TransferTarget", vars_of(vars, *e->target));
    out.message.add("IsExternal", e->external ? "Yes" : "No").add("DestType", e->dest_type);
    if (e->dest_type == "Bridge") out.message.add("DestBridgeUniqueid", e->dest_bridge);
    return out;
  }
  if (auto* e = ev.as<CelUserEvent>()) {
    auto out = named("CEL", call);
    const auto& s = e->channel;
    out.message.add("EventName", e->name)
        .add("AccountCode", s.accountcode)
        .add("CallerIDnum", s.caller.number)
        .add("CallerIDname", s.caller.name)
        .add("CallerIDani", e->ani)
        .add("CallerIDrdnis", e->rdnis)
        .add("CallerIDdnid", e->dnid)
        .add("Exten", s.exten)
        .add("Context", s.context)
        .add("Channel", s.name)
        .add("Application", s.application)
        .add("AppData", s.data)
        .add("EventTime", local_time(e->time))
        .add("AMAFlags", "DOCUMENTATION")
        .add("UniqueID", s.uniqueid)
        .add("LinkedID", s.linkedid)
        .add("Userfield", e->userfield)
        .add("Peer", e->peer)
        .add("PeerAccount", "")
        .add("Extra", extra_json(e->extra));
    return out;
  }
  return std::nullopt;
}

}  // namespace telephony::manager
