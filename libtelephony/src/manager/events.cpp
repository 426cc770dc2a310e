// Engine events -> AMI events: names, privilege classes and field order as Asterisk 13+ sends
// them. Everything the manager publishes about channels and bridges is written here.
#include "engine_events.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "telephony/bridge.hpp"
#include "telephony/manager_event.hpp"
#include "telephony/device_state.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/local/local_driver.hpp"
#include "telephony/media/mixmonitor.hpp"
#include "telephony/cdr.hpp"
#include "telephony/parking.hpp"
#include "telephony/presence.hpp"

namespace telephony::manager {

namespace {

std::string_view or_unknown(const std::string& s) { return s.empty() ? std::string_view("<unknown>") : std::string_view(s); }

std::string key(std::string_view prefix, std::string_view name) {
  std::string k;
  k.reserve(prefix.size() + name.size());
  k.append(prefix).append(name);
  return k;
}

ami::Message named(std::string_view event) {
  ami::Message m;
  m.reserve(20, 512);
  m.add("Event", event);
  return m;
}

MappedEvent channel_event(std::string_view name, PrivilegeSet classes, const ChannelSnapshot& s,
                          const ChannelVarLookup& vars) {
  MappedEvent out{named(name), classes};
  add_channel_snapshot(out.message, s, {}, vars ? vars(s) : ChannelVars{});
  return out;
}

}  // namespace

void add_channel_snapshot(ami::Message& m, const ChannelSnapshot& s, std::string_view prefix, const ChannelVars& vars) {
  std::string escaped;  // names and values are C-escaped as Asterisk's channel state string does
  m.add(key(prefix, "Channel"), s.name);
  m.add(key(prefix, "ChannelState"), std::to_string(static_cast<int>(s.state)));
  m.add(key(prefix, "ChannelStateDesc"), to_string(s.state));
  m.add(key(prefix, "CallerIDNum"), or_unknown(s.caller.number));
  m.add(key(prefix, "CallerIDName"), ami::escape_c(or_unknown(s.caller.name), escaped));
  m.add(key(prefix, "ConnectedLineNum"), or_unknown(s.connected.number));
  m.add(key(prefix, "ConnectedLineName"), ami::escape_c(or_unknown(s.connected.name), escaped));
  m.add(key(prefix, "Language"), s.language);
  m.add(key(prefix, "AccountCode"), s.accountcode);
  m.add(key(prefix, "Context"), s.context);
  m.add(key(prefix, "Exten"), s.exten);
  m.add(key(prefix, "Priority"), std::to_string(s.priority));
  m.add(key(prefix, "Uniqueid"), s.uniqueid);
  m.add(key(prefix, "Linkedid"), s.linkedid);
  for (const auto& [name, value] : vars)
    m.add(key(prefix, "ChanVariable"), name + "=" + std::string(ami::escape_c(value, escaped)));
}

void add_bridge_snapshot(ami::Message& m, const BridgeSnapshot& b, std::string_view prefix) {
  const std::string p(prefix);
  m.add(p + "BridgeUniqueid", b.uniqueid);
  m.add(p + "BridgeType", b.type);
  m.add(p + "BridgeTechnology", b.technology);
  m.add(p + "BridgeCreator", or_unknown(b.creator));
  m.add(p + "BridgeName", or_unknown(b.name));
  m.add(p + "BridgeNumChannels", std::to_string(b.num_channels));
  m.add(p + "BridgeVideoSourceMode", b.video_source_mode);
}

std::string presentation_text(int pres) {
  // Asterisk's ast_describe_caller_presentation() words for the Q.931 presentation/screening octet.
  static const std::pair<int, const char*> kTexts[] = {
      {0x00, "Presentation Allowed, Not Screened"}, {0x01, "Presentation Allowed, Passed Screen"},
      {0x02, "Presentation Allowed, Failed Screen"}, {0x03, "Presentation Allowed, Network Number"},
      {0x20, "Presentation Prohibited, Not Screened"}, {0x21, "Presentation Prohibited, Passed Screen"},
      {0x22, "Presentation Prohibited, Failed Screen"}, {0x23, "Presentation Prohibited, Network Number"},
      {0x43, "Number Unavailable"}};
  const char* text = "Unknown";
  for (const auto& [v, t] : kTexts)
    if (v == pres) text = t;
  return std::to_string(pres) + " (" + text + ")";
}

void add_parked_call(ami::Message& m, const ParkedCallInfo& c) {
  add_channel_snapshot(m, c.parkee, "Parkee", {});
  if (c.parker) add_channel_snapshot(m, *c.parker, "Parker", {});
  const auto parked_for = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - c.since).count();
  m.add("ParkerDialString", c.parker_dial_string)
      .add("Parkinglot", c.lot)
      .add("ParkingSpace", std::to_string(c.space))
      .add("ParkingTimeout", std::to_string(std::max<long long>(0, c.timeout.count() - parked_for)))
      .add("ParkingDuration", std::to_string(parked_for));
}

std::optional<MappedEvent> map_engine_event(const Event& ev, const ChannelVarLookup& vars) {
  const PrivilegeSet call = Privilege::Call;
  const PrivilegeSet dialplan = Privilege::Dialplan;
  const PrivilegeSet system = Privilege::System;

  if (auto* e = ev.as<ChannelCreated>()) return channel_event("Newchannel", call, e->channel, vars);
  if (auto* e = ev.as<ChannelStateChanged>()) return channel_event("Newstate", call, e->channel, vars);
  if (auto* e = ev.as<ChannelCallerIdChanged>()) {
    auto out = channel_event("NewCallerid", call, e->channel, vars);
    out.message.add("CID-CallingPres", presentation_text(e->channel.caller.presentation));
    return out;
  }
  if (auto* e = ev.as<DialplanStep>()) {
    auto out = channel_event("Newexten", dialplan, e->channel, vars);
    out.message.add("Extension", e->channel.exten).add("Application", e->application).add("AppData", e->data);
    return out;
  }
  if (auto* e = ev.as<ChannelVarSet>()) {
    auto out = channel_event("VarSet", dialplan, e->channel, vars);
    std::string escaped;
    out.message.add("Variable", e->variable).add("Value", ami::escape_c(e->value, escaped));
    return out;
  }
  if (auto* e = ev.as<telephony::dialplan::GlobalVarSet>()) {
    // Asterisk's VarSet for a global variable names no channel.
    MappedEvent out{named("VarSet"), dialplan};
    std::string escaped;
    out.message.add("Channel", "none").add("Uniqueid", "none").add("Variable", e->variable);
    out.message.add("Value", ami::escape_c(e->value, escaped));
    return out;
  }
  if (auto* e = ev.as<ChannelHangupRequest>()) {
    auto out = channel_event(e->soft ? "SoftHangupRequest" : "HangupRequest", call, e->channel, vars);
    out.message.add("Cause", std::to_string(static_cast<int>(e->cause)));
    return out;
  }
  if (auto* e = ev.as<ChannelHungUp>()) {
    auto out = channel_event("Hangup", call, e->channel, vars);
    out.message.add("Cause", std::to_string(static_cast<int>(e->cause))).add("Cause-txt", cause_text(e->cause));
    return out;
  }
  if (auto* e = ev.as<DialBegin>()) {
    MappedEvent out{named("DialBegin"), call};
    if (e->caller) add_channel_snapshot(out.message, *e->caller, {}, vars ? vars(*e->caller) : ChannelVars{});
    add_channel_snapshot(out.message, e->dest, "Dest", vars ? vars(e->dest) : ChannelVars{});
    out.message.add("DialString", e->dialstring);
    return out;
  }
  if (auto* e = ev.as<DialEnd>()) {
    MappedEvent out{named("DialEnd"), call};
    if (e->caller) add_channel_snapshot(out.message, *e->caller, {}, vars ? vars(*e->caller) : ChannelVars{});
    add_channel_snapshot(out.message, e->dest, "Dest", vars ? vars(e->dest) : ChannelVars{});
    out.message.add("DialStatus", e->dialstatus);
    return out;
  }
  if (auto* e = ev.as<DtmfBegin>()) {
    auto out = channel_event("DTMFBegin", Privilege::Dtmf, e->channel, vars);
    out.message.add("Digit", std::string(1, e->digit)).add("Direction", e->received ? "Received" : "Sent");
    return out;
  }
  if (auto* e = ev.as<DtmfEnd>()) {
    auto out = channel_event("DTMFEnd", Privilege::Dtmf, e->channel, vars);
    out.message.add("Digit", std::string(1, e->digit))
        .add("DurationMs", std::to_string(e->duration.count()))
        .add("Direction", e->received ? "Received" : "Sent");
    return out;
  }
  if (auto* e = ev.as<BridgeCreated>()) {
    MappedEvent out{named("BridgeCreate"), call};
    add_bridge_snapshot(out.message, e->bridge);
    return out;
  }
  if (auto* e = ev.as<BridgeDestroyed>()) {
    MappedEvent out{named("BridgeDestroy"), call};
    add_bridge_snapshot(out.message, e->bridge);
    return out;
  }
  if (auto* e = ev.as<BridgeEntered>()) {
    MappedEvent out{named("BridgeEnter"), call};
    add_bridge_snapshot(out.message, e->bridge);
    add_channel_snapshot(out.message, e->channel, {}, vars ? vars(e->channel) : ChannelVars{});
    if (!e->swap_uniqueid.empty()) out.message.add("SwapUniqueid", e->swap_uniqueid);
    return out;
  }
  if (auto* e = ev.as<BridgeLeft>()) {
    MappedEvent out{named("BridgeLeave"), call};
    add_bridge_snapshot(out.message, e->bridge);
    add_channel_snapshot(out.message, e->channel, {}, vars ? vars(e->channel) : ChannelVars{});
    return out;
  }
  if (auto* e = ev.as<UserEventRaised>()) {
    MappedEvent out{named("UserEvent"), Privilege::User};
    if (e->channel) add_channel_snapshot(out.message, *e->channel, {}, vars ? vars(*e->channel) : ChannelVars{});
    out.message.add("UserEvent", e->name);
    for (const auto& [k, v] : e->headers) out.message.add(k, v);
    return out;
  }
  if (auto* e = ev.as<ManagerEventRaised>()) {
    auto classes = PrivilegeSet::parse(e->privilege);
    MappedEvent out{named(e->name), classes ? *classes : system};
    if (e->channel) add_channel_snapshot(out.message, *e->channel, {}, vars ? vars(*e->channel) : ChannelVars{});
    for (const auto& [k, v] : e->headers) out.message.add(k, v);
    return out;
  }
  if (auto* e = ev.as<SecurityEvent>()) {
    MappedEvent out{named(e->name), Privilege::Security};
    char tv[64];
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(e->time.time_since_epoch()).count();
    std::time_t secs = static_cast<std::time_t>(us / 1000000);
    std::tm tm{};
    ::localtime_r(&secs, &tm);
    char zone[8];
    std::strftime(tv, sizeof tv, "%Y-%m-%dT%H:%M:%S", &tm);
    std::strftime(zone, sizeof zone, "%z", &tm);
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%06lld", static_cast<long long>(us % 1000000));
    out.message.add("EventTV", std::string(tv) + frac + zone)
        .add("Severity", e->severity)
        .add("Service", e->service)
        .add("EventVersion", "1")
        .add("AccountID", e->account_id)
        .add("SessionID", e->session_id)
        .add("LocalAddress", e->local_address)
        .add("RemoteAddress", e->remote_address);
    for (const auto& [k, v] : e->fields) out.message.add(k, v);
    return out;
  }
  if (auto* e = ev.as<DeviceStateChanged>()) {
    MappedEvent out{named("DeviceStateChange"), call};
    out.message.add("Device", e->device).add("State", to_string(e->state));
    return out;
  }
  if (ev.as<EngineFullyBooted>()) {
    MappedEvent out{named("FullyBooted"), system};
    out.message.add("Status", "Fully Booted");
    return out;
  }
  if (auto* e = ev.as<EngineShutdown>()) {
    MappedEvent out{named("Shutdown"), system};
    out.message.add("Shutdown", e->graceful ? "Cleanly" : "Uncleanly").add("Restart", e->restart ? "True" : "False");
    return out;
  }
  if (auto* e = ev.as<ModuleReloaded>()) {
    // Asterisk's numeric reload codes: 0 success, 2 module not found, 3 error.
    MappedEvent out{named("Reload"), system};
    const char* status = e->status == "Success" ? "0" : e->status == "NotFound" ? "2" : "3";
    out.message.add("Module", e->module.empty() ? std::string("All") : e->module).add("Status", status);
    return out;
  }
  if (auto* e = dynamic_cast<const ParkingEvent*>(&ev)) {
    MappedEvent out{named(e->kind), call};
    add_parked_call(out.message, e->call);
    if (e->retriever) add_channel_snapshot(out.message, *e->retriever, "Retriever", vars ? vars(*e->retriever) : ChannelVars{});
    return out;
  }
  if (auto* e = ev.as<PresenceStateChanged>()) {
    MappedEvent out{named("PresenceStateChange"), Privilege::Call};
    out.message.add("Presentity", e->presentity)
        .add("Status", e->info.state)
        .add("Subtype", e->info.subtype)
        .add("Message", e->info.message);
    return out;
  }
  if (auto* e = ev.as<CdrPosted>()) {
    // cdr_manager's field set and order.
    const auto& r = e->record;
    MappedEvent out{named("Cdr"), Privilege::Cdr};
    out.message.add("AccountCode", r.accountcode)
        .add("Source", r.src)
        .add("Destination", r.dst)
        .add("DestinationContext", r.dcontext)
        .add("CallerID", r.clid)
        .add("Channel", r.channel)
        .add("DestinationChannel", r.dstchannel)
        .add("LastApplication", r.lastapp)
        .add("LastData", r.lastdata)
        .add("StartTime", cdr_time(r.start))
        .add("AnswerTime", cdr_time(r.answer))
        .add("EndTime", cdr_time(r.end))
        .add("Duration", std::to_string(r.duration))
        .add("BillableSeconds", std::to_string(r.billsec))
        .add("Disposition", to_string(r.disposition))
        .add("AMAFlags", r.amaflags)
        .add("UniqueID", r.uniqueid)
        .add("UserField", r.userfield);
    for (const auto& [k, v] : r.variables) out.message.add(k, v);
    return out;
  }
  if (auto* e = ev.as<LocalOptimizationEvent>()) {
    MappedEvent out{named(e->begin ? "LocalOptimizationBegin" : "LocalOptimizationEnd"), call};
    add_channel_snapshot(out.message, e->one, "LocalOne", vars ? vars(e->one) : ChannelVars{});
    add_channel_snapshot(out.message, e->two, "LocalTwo", vars ? vars(e->two) : ChannelVars{});
    if (e->begin) {
      if (e->source) add_channel_snapshot(out.message, *e->source, "Source", vars ? vars(*e->source) : ChannelVars{});
      out.message.add("DestUniqueId", e->dest_bridge);
    } else {
      out.message.add("Success", e->success ? "Yes" : "No");
    }
    out.message.add("Id", std::to_string(e->id));
    return out;
  }
  if (auto* e = ev.as<media::MixMonitorEvent>()) {
    auto out = channel_event(e->name, call, e->channel, vars);
    for (const auto& [k, v] : e->fields) out.message.add(k, v);
    return out;
  }
  if (auto sip = map_sip_event(ev)) return sip;
  if (auto m = map_rtp_event(ev, vars)) return m;
  if (auto conf = map_confbridge_event(ev, vars)) return conf;
  if (auto agi = map_agi_event(ev, vars)) return agi;
  return map_app_event(ev, vars);
}

// ---- publisher ---------------------------------------------------------------------------------

EngineEventPublisher::EngineEventPublisher(Engine& engine, std::shared_ptr<Server> server)
    : engine_(engine), server_(std::move(server)) {}

void EngineEventPublisher::start() {
  EventBus::SubscriberOptions opts;
  opts.name = "manager";
  // Large, and DropOldest: a burst while AMI is slow costs AMI events (counted, logged), never a
  // stalled call.
  opts.capacity = 1u << 18;
  opts.overflow = EventBus::Overflow::DropOldest;
  // The hints' states before any change this subscription will see (ExtensionStatus on change).
  if (auto pbx = std::dynamic_pointer_cast<dialplan::DialplanPbx>(engine_.pbx())) hints_.sync(engine_, pbx->snapshot());
  std::weak_ptr<EngineEventPublisher> weak = weak_from_this();
  sub_ = engine_.events().subscribe(std::move(opts), [weak](const EventPtr& ev) {
    if (auto self = weak.lock()) self->on_event(ev);
  });
}

void EngineEventPublisher::stop() { sub_.close(); }

void EngineEventPublisher::set_channelvars(std::vector<std::string> names) {
  std::lock_guard lock(mu_);
  channelvars_ = std::move(names);
}

EventMappingStats EngineEventPublisher::stats() const {
  return {received_.load(), published_.load(), lost_.load()};
}

ChannelVars EngineEventPublisher::lookup(const ChannelSnapshot& s) {
  auto it = var_cache_.find(s.uniqueid);
  return it == var_cache_.end() ? ChannelVars{} : it->second;
}

void EngineEventPublisher::on_event(const EventPtr& ev) {
  if (auto* lost = ev->as<EventsLost>()) {
    lost_ += lost->count;
    engine_.log().warning("manager", "EventsLost: " + std::to_string(lost->count) +
                                         " engine events were dropped before reaching AMI (queue full); "
                                         "AMI clients missed them");
    return;
  }
  ++received_;
  std::vector<std::string> names;
  {
    std::lock_guard lock(mu_);
    names = channelvars_;
  }
  ChannelVarLookup vars;
  if (!names.empty()) {
    // Keep the cache in event order: seed at creation (inherited variables are there already),
    // then follow VarSet.
    if (auto* c = ev->as<ChannelCreated>()) {
      ChannelVars values;
      auto live = engine_.find_channel(c->channel.name);
      for (const auto& n : names) values.emplace_back(n, live ? live->variable(n).value_or("") : "");
      var_cache_[c->channel.uniqueid] = std::move(values);
    } else if (auto* v = ev->as<ChannelVarSet>()) {
      auto& values = var_cache_[v->channel.uniqueid];
      if (values.empty())
        for (const auto& n : names) values.emplace_back(n, "");
      std::string_view bare = v->variable;
      while (!bare.empty() && bare.front() == '_') bare.remove_prefix(1);
      for (auto& [n, value] : values)
        if (n == bare) value = v->value;
    }
    vars = [this](const ChannelSnapshot& s) { return lookup(s); };
  }
  if (auto mapped = map_engine_event(*ev, vars)) {
    server_->publish(mapped->message, mapped->classes);
    ++published_;
  }
  if (auto* h = ev->as<ChannelHungUp>()) var_cache_.erase(h->channel.uniqueid);
  if (auto* d = ev->as<DeviceStateChanged>()) publish_hint_changes(d->device);
}

void EngineEventPublisher::publish_hint_changes(const std::string& device) {
  auto pbx = std::dynamic_pointer_cast<dialplan::DialplanPbx>(engine_.pbx());
  if (!pbx) return;
  for (const auto& c : hints_.device_changed(engine_, pbx->snapshot(), device)) {
    ami::Message m;
    m.add("Event", "ExtensionStatus")
        .add("Exten", c.hint.exten)
        .add("Context", c.hint.context)
        .add("Hint", c.hint.hint)
        .add("Status", std::to_string(c.state))
        .add("StatusText", dialplan::extension_state_text(c.state));
    server_->publish(m, Privilege::Call);
    ++published_;
  }
}

}  // namespace telephony::manager
