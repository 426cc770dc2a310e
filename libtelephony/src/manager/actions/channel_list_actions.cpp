// Status and CoreShowChannels: the channel list actions. Each item carries the same channel
// snapshot fields as the events (add_channel_snapshot), so clients parse one shape.
#include <algorithm>
#include <cstdio>

#include "../engine_events.hpp"
#include "action_context.hpp"
#include "telephony/config/config.hpp"

namespace telephony::manager {

namespace {

std::vector<std::string> split_names(std::string_view v) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= v.size()) {
    const auto comma = v.find(',', pos);
    std::string w(v.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
    w.erase(0, w.find_first_not_of(" \t"));
    w.erase(w.find_last_not_of(" \t") + 1);
    if (!w.empty()) out.push_back(std::move(w));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return out;
}

long long age_seconds(const ChannelSnapshot& s) {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - s.created).count();
}

void status(const ActionContextPtr& ctx, const std::shared_ptr<ActionResponder>& r) {
  const auto wanted = header(*r, "Channel");
  std::vector<Channel::Ptr> chans;
  if (!wanted.empty()) {
    auto c = ctx->engine.find_channel(wanted);
    if (!c) {
      r->error("No such channel");
      return;
    }
    chans.push_back(std::move(c));
  } else {
    chans = ctx->engine.channels();
  }
  const bool all_vars = header_true(*r, "AllVariables");
  const auto var_names = split_names(header(*r, "Variables"));
  r->list_start("Channel status will follow");
  std::size_t items = 0;
  for (const auto& c : chans) {
    const auto s = c->snapshot();
    ami::Message ev;
    ev.add("Event", "Status");
    add_channel_snapshot(ev, s);
    ev.add("Type", c->tech_name())
        .add("DNID", "")
        .add("EffectiveConnectedLineNum", s.connected.number.empty() ? "<unknown>" : s.connected.number)
        .add("EffectiveConnectedLineName", s.connected.name.empty() ? "<unknown>" : s.connected.name)
        .add("TimeToHangup", "0")
        .add("BridgeID", s.bridge_id)
        .add("Application", s.application)
        .add("Data", s.data);
    std::string formats;
    for (const auto& f : c->tech().native_formats()) formats += (formats.empty() ? "" : "|") + std::string(f.name());
    ev.add("Nativeformats", "(" + formats + ")")
        .add("Readformat", "")
        .add("Readtrans", "")
        .add("Writeformat", "")
        .add("Writetrans", "")
        .add("Callgroup", "0")
        .add("Pickupgroup", "0")
        .add("Seconds", std::to_string(age_seconds(s)));
    if (all_vars) {
      for (const auto& v : c->variables()) ev.add("Variable", v.name + "=" + v.value);
    } else {
      for (const auto& n : var_names) ev.add("Variable", n + "=" + c->variable(n).value_or(""));
    }
    r->list_item(std::move(ev));
    ++items;
  }
  // Asterisk repeats the count as Items: for clients written before ListItems existed.
  ami::Message done;
  done.add("Event", "StatusComplete").add("EventList", "Complete").add("ListItems", std::to_string(items))
      .add("Items", std::to_string(items));
  r->send(std::move(done));
}

void core_show_channels(const ActionContextPtr& ctx, const std::shared_ptr<ActionResponder>& r) {
  r->list_start("Channels will follow");
  for (const auto& c : ctx->engine.channels()) {
    const auto s = c->snapshot();
    ami::Message ev;
    ev.add("Event", "CoreShowChannel");
    add_channel_snapshot(ev, s);
    ev.add("BridgeId", s.bridge_id)
        .add("Application", s.application)
        .add("ApplicationData", s.data)
        .add("Duration", hms(age_seconds(s)));
    r->list_item(std::move(ev));
  }
  r->list_complete("CoreShowChannelsComplete");
}

}  // namespace

std::string_view header(const ActionResponder& r, std::string_view name) { return r.request().get_or(name); }

bool header_true(const ActionResponder& r, std::string_view name) { return config::is_true_word(header(r, name)); }

std::string hms(long long seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", seconds / 3600, (seconds / 60) % 60, seconds % 60);
  return buf;
}

void register_channel_list_actions(Server& server, const ActionContextPtr& ctx) {
  server.register_action(
      "Status", Privilege::System | Privilege::Call | Privilege::Reporting,
      ActionDoc{"List channel status.",
                "Will return the status information of each channel along with the value for the specified "
                "channel variables. Answers with an EventList of Status events and StatusComplete.",
                {{"Channel", false, "The name of the channel to query for status; all channels when absent."},
                 {"Variables", false, "Comma ',' separated list of variable to include."},
                 {"AllVariables", false, "If set to \"true\", the Status event will include all channel variables."}},
                {"CoreShowChannels"}},
      [ctx](std::shared_ptr<ActionResponder> r) { status(ctx, r); });
  server.register_action(
      "CoreShowChannels", Privilege::System | Privilege::Reporting,
      ActionDoc{"List currently active channels.",
                "List currently defined channels and some information about them: an EventList of "
                "CoreShowChannel events and CoreShowChannelsComplete.",
                {},
                {"Status"}},
      [ctx](std::shared_ptr<ActionResponder> r) { core_show_channels(ctx, r); });
}

}  // namespace telephony::manager
