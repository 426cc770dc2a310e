// Engine events -> AMI events: names, privilege classes and field order as Asterisk 13+ sends
// them. Everything the manager publishes about channels and bridges is written here.
#include "engine_events.hpp"

#include <algorithm>
#include <cstdio>

#include "telephony/bridge.hpp"

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
  m.add(key(prefix, "Channel"), s.name);
  m.add(key(prefix, "ChannelState"), std::to_string(static_cast<int>(s.state)));
  m.add(key(prefix, "ChannelStateDesc"), to_string(s.state));
  m.add(key(prefix, "CallerIDNum"), or_unknown(s.caller.number));
  m.add(key(prefix, "CallerIDName"), or_unknown(s.caller.name));
  m.add(key(prefix, "ConnectedLineNum"), or_unknown(s.connected.number));
  m.add(key(prefix, "ConnectedLineName"), or_unknown(s.connected.name));
  m.add(key(prefix, "Language"), s.language);
  m.add(key(prefix, "AccountCode"), s.accountcode);
  m.add(key(prefix, "Context"), s.context);
  m.add(key(prefix, "Exten"), s.exten);
  m.add(key(prefix, "Priority"), std::to_string(s.priority));
  m.add(key(prefix, "Uniqueid"), s.uniqueid);
  m.add(key(prefix, "Linkedid"), s.linkedid);
  for (const auto& [name, value] : vars) m.add(key(prefix, "ChanVariable"), name + "=" + value);
}

void add_bridge_snapshot(ami::Message& m, const BridgeSnapshot& b) {
  m.add("BridgeUniqueid", b.uniqueid);
  m.add("BridgeType", b.type);
  m.add("BridgeTechnology", b.technology);
  m.add("BridgeCreator", or_unknown(b.creator));
  m.add("BridgeName", or_unknown(b.name));
  m.add("BridgeNumChannels", std::to_string(b.num_channels));
  m.add("BridgeVideoSourceMode", b.video_source_mode);
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
    out.message.add("Variable", e->variable).add("Value", e->value);
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
  if (auto m = map_confbridge_event(ev, vars)) return m;
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
}

}  // namespace telephony::manager
