// ConfbridgeList, ConfbridgeListRooms, ConfbridgeMute/Unmute, ConfbridgeKick, ConfbridgeLock/
// Unlock, ConfbridgeStartRecord/StopRecord over the engine's ConferenceRegistry, with Asterisk's
// replies word for word.
#include "../engine_events.hpp"
#include "action_context.hpp"
#include "telephony/confbridge.hpp"

namespace telephony::manager {

namespace {

using ResponderPtr = std::shared_ptr<ActionResponder>;
using confbridge::ControlResult;

const char* yes_no(bool b) { return b ? "Yes" : "No"; }

// The registry when the action may go on, after the checks every Confbridge action makes first
// (in Asterisk's order): conference given, any conference live, then (caller) this conference.
std::shared_ptr<confbridge::ConferenceRegistry> registry_for(const ActionContextPtr& ctx, const ResponderPtr& r,
                                                             bool need_conference) {
  if (need_conference && header(*r, "Conference").empty()) {
    r->error("No Conference name provided.");
    return nullptr;
  }
  auto reg = confbridge::conference_registry(ctx->engine);
  if (!reg || reg->rooms().empty()) {
    r->error("No active conferences.");
    return nullptr;
  }
  return reg;
}

void list(const ActionContextPtr& ctx, const ResponderPtr& r) {
  auto reg = registry_for(ctx, r, true);
  if (!reg) return;
  const std::string conf(header(*r, "Conference"));
  auto members = reg->members(conf);
  if (!members) {
    r->error("No Conference by that name found.");
    return;
  }
  r->list_start("Confbridge user list will follow");
  const auto now = std::chrono::system_clock::now();
  for (const auto& m : *members) {
    ami::Message ev;
    ev.add("Event", "ConfbridgeList");
    ev.add("Conference", conf);
    ev.add("Admin", yes_no(m.admin));
    ev.add("MarkedUser", yes_no(m.marked));
    ev.add("WaitMarked", yes_no(m.wait_marked));
    ev.add("EndMarked", yes_no(m.end_marked));
    ev.add("Waiting", yes_no(m.waiting));
    ev.add("Muted", yes_no(m.muted));
    ev.add("Talking", yes_no(m.talking));
    ev.add("AnsweredTime", std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now - m.joined).count()));
    add_channel_snapshot(ev, m.channel);
    r->list_item(std::move(ev));
  }
  r->list_complete("ConfbridgeListComplete");
}

void list_rooms(const ActionContextPtr& ctx, const ResponderPtr& r) {
  auto reg = registry_for(ctx, r, false);
  if (!reg) return;
  r->list_start("Confbridge conferences will follow");
  for (const auto& room : reg->rooms()) {
    ami::Message ev;
    ev.add("Event", "ConfbridgeListRooms");
    ev.add("Conference", room.name);
    ev.add("Parties", std::to_string(room.parties));
    ev.add("Marked", std::to_string(room.marked));
    ev.add("Locked", yes_no(room.locked));
    ev.add("Muted", yes_no(room.muted));
    r->list_item(std::move(ev));
  }
  r->list_complete("ConfbridgeListRoomsComplete");
}

// Mute/Unmute/Kick: Conference and Channel ("all", "participants" or a channel name).
void member_action(const ActionContextPtr& ctx, const ResponderPtr& r, std::string_view what) {
  if (header(*r, "Conference").empty()) {
    r->error("No Conference name provided.");
    return;
  }
  if (header(*r, "Channel").empty()) {
    r->error("No channel name provided.");
    return;
  }
  auto reg = registry_for(ctx, r, true);
  if (!reg) return;
  const auto conf = header(*r, "Conference");
  const auto who = header(*r, "Channel");
  ControlResult res = what == "kick" ? reg->kick(conf, who) : reg->set_muted(conf, who, what == "mute");
  if (res == ControlResult::NoConference) return r->error("No Conference by that name found.");
  if (res != ControlResult::Ok) return r->error("No Channel by that name found in Conference.");
  if (what == "kick") return r->success(who == "all" ? "All participants kicked" : "User kicked");
  r->success(what == "mute" ? "User muted" : "User unmuted");
}

void lock_action(const ActionContextPtr& ctx, const ResponderPtr& r, bool lock) {
  auto reg = registry_for(ctx, r, true);
  if (!reg) return;
  if (reg->set_locked(header(*r, "Conference"), lock) != ControlResult::Ok)
    return r->error("No Conference by that name found.");
  r->success(lock ? "Conference locked" : "Conference unlocked");
}

void start_record(const ActionContextPtr& ctx, const ResponderPtr& r) {
  auto reg = registry_for(ctx, r, true);
  if (!reg) return;
  switch (reg->start_recording(header(*r, "Conference"), std::string(header(*r, "RecordFile")))) {
    case ControlResult::Ok: return r->success("Conference Recording Started.");
    case ControlResult::NoConference: return r->error("No Conference by that name found.");
    case ControlResult::AlreadyRecording: return r->error("Conference is already being recorded.");
    default: return r->error("Internal error starting conference recording.");
  }
}

void stop_record(const ActionContextPtr& ctx, const ResponderPtr& r) {
  auto reg = registry_for(ctx, r, true);
  if (!reg) return;
  switch (reg->stop_recording(header(*r, "Conference"))) {
    case ControlResult::Ok: return r->success("Conference Recording Stopped.");
    case ControlResult::NoConference: return r->error("No Conference by that name found.");
    default: return r->error("Internal error while stopping recording.");
  }
}

const ActionArgument kConference{"Conference", true, "Conference number."};
const ActionArgument kChannel{"Channel", true,
                              "The channel's name. If this parameter is \"all\", all channels will be muted. If this "
                              "parameter is \"participants\", all non-admin channels will be muted."};

}  // namespace

void register_confbridge_actions(Server& server, const ActionContextPtr& ctx) {
  const std::vector<std::string> all = {"ConfbridgeList", "ConfbridgeListRooms", "ConfbridgeMute", "ConfbridgeUnmute",
                                        "ConfbridgeKick", "ConfbridgeLock", "ConfbridgeUnlock",
                                        "ConfbridgeStartRecord", "ConfbridgeStopRecord"};
  auto see = [&](std::string_view self) {
    std::vector<std::string> out;
    for (auto& a : all)
      if (a != self) out.push_back(a);
    return out;
  };
  server.register_action("ConfbridgeList", Privilege::Reporting,
                         ActionDoc{"List participants in a conference.",
                                   "Lists all users in a particular ConfBridge conference. ConfbridgeList will follow as "
                                   "separate events, followed by a final event called ConfbridgeListComplete.",
                                   {kConference}, see("ConfbridgeList")},
                         [ctx](ResponderPtr r) { list(ctx, r); });
  server.register_action("ConfbridgeListRooms", Privilege::Reporting,
                         ActionDoc{"List active conferences.",
                                   "Lists data about all active conferences. ConfbridgeListRooms will follow as separate "
                                   "events, followed by a final event called ConfbridgeListRoomsComplete.",
                                   {}, see("ConfbridgeListRooms")},
                         [ctx](ResponderPtr r) { list_rooms(ctx, r); });
  server.register_action("ConfbridgeMute", Privilege::Call,
                         ActionDoc{"Mute a Confbridge user.", "Mutes a user (or all users) in a conference.",
                                   {kConference, kChannel}, see("ConfbridgeMute")},
                         [ctx](ResponderPtr r) { member_action(ctx, r, "mute"); });
  server.register_action("ConfbridgeUnmute", Privilege::Call,
                         ActionDoc{"Unmute a Confbridge user.", "Unmutes a user (or all users) in a conference.",
                                   {kConference, kChannel}, see("ConfbridgeUnmute")},
                         [ctx](ResponderPtr r) { member_action(ctx, r, "unmute"); });
  server.register_action("ConfbridgeKick", Privilege::Call,
                         ActionDoc{"Kick a Confbridge user.",
                                   "Removes a user (\"all\": every user) from a conference; they continue in the "
                                   "dialplan with CONFBRIDGE_RESULT=KICKED.",
                                   {kConference, {"Channel", true, "If this parameter is \"all\", all channels will be kicked from the conference."}},
                                   see("ConfbridgeKick")},
                         [ctx](ResponderPtr r) { member_action(ctx, r, "kick"); });
  server.register_action("ConfbridgeLock", Privilege::Call,
                         ActionDoc{"Lock a Confbridge conference.", "Only admin users may join a locked conference.",
                                   {kConference}, see("ConfbridgeLock")},
                         [ctx](ResponderPtr r) { lock_action(ctx, r, true); });
  server.register_action("ConfbridgeUnlock", Privilege::Call,
                         ActionDoc{"Unlock a Confbridge conference.", "Unlocks a previously locked conference.",
                                   {kConference}, see("ConfbridgeUnlock")},
                         [ctx](ResponderPtr r) { lock_action(ctx, r, false); });
  server.register_action("ConfbridgeStartRecord", Privilege::System,
                         ActionDoc{"Start recording a Confbridge conference.",
                                   "Start recording a conference. If recording is already present an error will be "
                                   "returned. If RecordFile is not provided, the default record file specified in the "
                                   "conference's bridge profile will be used, if that is not present either a file "
                                   "will automatically be generated in the recordings directory.",
                                   {kConference, {"RecordFile", false, "Path to the file to record to."}},
                                   see("ConfbridgeStartRecord")},
                         [ctx](ResponderPtr r) { start_record(ctx, r); });
  server.register_action("ConfbridgeStopRecord", Privilege::System,
                         ActionDoc{"Stop recording a Confbridge conference.", "Stop recording a conference.",
                                   {kConference}, see("ConfbridgeStopRecord")},
                         [ctx](ResponderPtr r) { stop_record(ctx, r); });
}

}  // namespace telephony::manager
