// Channel introspection and per-channel stores: CHANNEL, SHARED, HANGUPCAUSE, HANGUPCAUSE_KEYS.
#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>

#include "funcs/function_support.hpp"
#include "telephony/dialplan/functions.hpp"
#include "telephony/rtp/channel_items.hpp"

namespace telephony::funcs {

namespace {

// CHANNEL() items the Channel has no member for.
struct ChannelItems {
  std::mutex mu;
  std::string callgroup, pickupgroup, namedcallgroup, namedpickupgroup, musicclass, userfield;
};

// SHARED() variables: kept on the channel they belong to, readable and writable from any channel
// that names it.
struct SharedVariables {
  std::mutex mu;
  std::map<std::string, std::string> values;
};

// HANGUPCAUSE() records, in the order the legs reported.
struct HangupCauseRecords {
  struct Record {
    std::string channel;
    HangupCause cause;
    std::string tech;
  };
  std::mutex mu;
  std::vector<Record> records;
};

Result<std::string> channel_read(const FunctionCall& call) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  Channel& c = **chan;
  const std::string item = to_lower(trim(call.args));
  if (item.empty()) return func_error(call, "missing item");
  if (item == "name") return c.name();
  if (item == "state") return std::string(to_string(c.state()));
  if (item == "language") return c.language();
  if (item == "accountcode") return c.accountcode();
  if (item == "uniqueid") return c.uniqueid();
  if (item == "linkedid") return c.linkedid();
  if (item == "channeltype") return std::string(c.tech_name());
  if (item == "context") return c.location().context;
  if (item == "exten") return c.location().exten;
  if (item == "priority") return std::to_string(c.location().priority);
  if (item == "hangupcause") return std::to_string(static_cast<int>(c.hangup_cause()));
  if (auto media = rtp::media_channel_item(c, item)) return *media;  // rtpqos, rtp,…, rtcp,…
  auto items = channel_store<ChannelItems>(c, "channel-items");
  std::lock_guard lock(items->mu);
  if (item == "callgroup") return items->callgroup;
  if (item == "pickupgroup") return items->pickupgroup;
  if (item == "namedcallgroup") return items->namedcallgroup;
  if (item == "namedpickupgroup") return items->namedpickupgroup;
  if (item == "musicclass") return items->musicclass;
  if (item == "userfield") return items->userfield;
  return func_error(call, "unknown item '" + std::string(trim(call.args)) + "'");
}

// Call/pickup groups are "1,3-5" lists of 0..63.
bool valid_groups(std::string_view text) {
  for (auto& part : split_at_most(text, 0)) {
    auto p = trim(part);
    if (p.empty()) continue;
    auto dash = p.find('-');
    auto ok = [](std::string_view n) {
      n = trim(n);
      if (n.empty() || n.size() > 2) return false;
      for (char ch : n)
        if (ch < '0' || ch > '9') return false;
      return std::stoi(std::string(n)) <= 63;
    };
    if (dash == std::string_view::npos ? !ok(p) : !(ok(p.substr(0, dash)) && ok(p.substr(dash + 1)))) return false;
  }
  return true;
}

Result<void> channel_write(const FunctionCall& call, std::string_view value) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  Channel& c = **chan;
  const std::string item = to_lower(trim(call.args));
  if (item == "language") {
    c.set_language(std::string(value));
    return {};
  }
  if (item == "accountcode") {
    c.set_accountcode(std::string(value));
    return {};
  }
  if (item == "callgroup" || item == "pickupgroup") {
    if (!valid_groups(value)) return func_error(call, "bad group list '" + std::string(value) + "' (numbers 0-63)");
  }
  auto items = channel_store<ChannelItems>(c, "channel-items");
  std::lock_guard lock(items->mu);
  if (item == "callgroup") items->callgroup = value;
  else if (item == "pickupgroup") items->pickupgroup = value;
  else if (item == "namedcallgroup") items->namedcallgroup = value;
  else if (item == "namedpickupgroup") items->namedpickupgroup = value;
  else if (item == "musicclass") items->musicclass = value;
  else if (item == "userfield") items->userfield = value;
  else return func_error(call, "item '" + std::string(trim(call.args)) + "' cannot be written");
  return {};
}

// "1,3-5" -> bits 1, 3, 4, 5 (validated on write).
std::uint64_t group_bits(std::string_view text) {
  std::uint64_t bits = 0;
  for (auto& part : split_at_most(text, 0)) {
    auto p = trim(part);
    if (p.empty()) continue;
    auto dash = p.find('-');
    int lo = std::atoi(std::string(p.substr(0, dash)).c_str());
    int hi = dash == std::string_view::npos ? lo : std::atoi(std::string(p.substr(dash + 1)).c_str());
    for (int g = std::max(0, lo); g <= std::min(63, hi); ++g) bits |= std::uint64_t{1} << g;
  }
  return bits;
}

std::set<std::string> group_names(std::string_view text) {
  std::set<std::string> out;
  for (auto& part : split_at_most(text, 0))
    if (auto p = trim(part); !p.empty()) out.emplace(p);
  return out;
}

}  // namespace

PickupGroups pickup_groups(Channel& chan) {
  auto items = channel_store<ChannelItems>(chan, "channel-items");
  std::lock_guard lock(items->mu);
  return PickupGroups{group_bits(items->callgroup), group_bits(items->pickupgroup), group_names(items->namedcallgroup),
                      group_names(items->namedpickupgroup)};
}

namespace {

Result<Channel::Ptr> shared_target(const FunctionCall& call, const std::vector<std::string>& a) {
  if (a.size() > 1 && !trim(a[1]).empty()) {
    auto c = find_channel_by_prefix(call.engine, trim(a[1]));
    if (!c) return func_error(call, "channel '" + std::string(trim(a[1])) + "' not found");
    return c;
  }
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  return (*chan)->shared_from_this();
}

Result<std::string> shared_read(const FunctionCall& call) {
  auto a = split_at_most(call.args, 2);
  if (a.empty() || trim(a[0]).empty()) return func_error(call, "missing variable name");
  auto target = shared_target(call, a);
  if (!target) return Unexpected<Error>{target.error()};
  auto store = std::static_pointer_cast<SharedVariables>((*target)->datastore("shared-variables"));
  if (!store) return std::string();
  std::lock_guard lock(store->mu);
  auto it = store->values.find(std::string(trim(a[0])));
  return it == store->values.end() ? std::string() : it->second;
}

Result<void> shared_write(const FunctionCall& call, std::string_view value) {
  auto a = split_at_most(call.args, 2);
  if (a.empty() || trim(a[0]).empty()) return func_error(call, "missing variable name");
  auto target = shared_target(call, a);
  if (!target) return Unexpected<Error>{target.error()};
  auto store = channel_store<SharedVariables>(**target, "shared-variables");
  std::lock_guard lock(store->mu);
  if (value.empty())
    store->values.erase(std::string(trim(a[0])));
  else
    store->values[std::string(trim(a[0]))] = std::string(value);
  return {};
}

Result<std::string> hangupcause_read(const FunctionCall& call) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  auto a = split_at_most(call.args, 2);
  if (a.empty() || trim(a[0]).empty()) return func_error(call, "missing channel name");
  if (a.size() < 2 || trim(a[1]).empty()) return func_error(call, "missing type (tech or ast)");
  const std::string type = to_lower(trim(a[1]));
  if (type != "tech" && type != "ast") return func_error(call, "unknown type '" + a[1] + "' (tech or ast)");
  auto store = std::static_pointer_cast<HangupCauseRecords>((*chan)->datastore("hangupcause"));
  if (store) {
    std::lock_guard lock(store->mu);
    for (auto it = store->records.rbegin(); it != store->records.rend(); ++it) {
      if (it->channel != trim(a[0])) continue;
      if (type == "tech") return it->tech;
      return std::to_string(static_cast<int>(it->cause));
    }
  }
  return func_error(call, "no hangup cause recorded for channel '" + std::string(trim(a[0])) + "'");
}

Result<std::string> hangupcause_keys_read(const FunctionCall& call) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  auto store = std::static_pointer_cast<HangupCauseRecords>((*chan)->datastore("hangupcause"));
  if (!store) return std::string();
  std::lock_guard lock(store->mu);
  std::vector<std::string> seen;
  std::string out;
  for (const auto& r : store->records) {
    if (std::find(seen.begin(), seen.end(), r.channel) != seen.end()) continue;
    seen.push_back(r.channel);
    out += (out.empty() ? "" : ",") + r.channel;
  }
  return out;
}

}  // namespace

void register_channel_functions(Engine& engine) {
  add_function(engine, "CHANNEL",
               {"Gets/sets various pieces of information about the channel.", "CHANNEL(item)",
                "Gets or sets various pieces of information about the channel. Readable: name, state (Up, "
                "Ringing, …), language, accountcode, uniqueid, linkedid, channeltype, context, exten, priority, "
                "hangupcause, callgroup, pickupgroup, namedcallgroup, namedpickupgroup, musicclass, userfield. "
                "Writable: language, accountcode, callgroup, pickupgroup (lists of 0-63 such as 1,3-5), "
                "namedcallgroup, namedpickupgroup (comma-separated names), musicclass, userfield. The groups decide "
                "which ringing channels Pickup() may answer. SIP channels also read rtpqos, rtcp,<field> and "
                "rtp,<src|dest|direct|secure|hold|native|relayed|delivered> (native: 1 while the call's RTP is "
                "relayed without decoding; relayed/delivered: packets relayed, frames decoded; docs/rtp.md).",
                {{"item", "standard item to get or set"}},
                {"CALLERID", "CONNECTEDLINE"}},
               channel_read, channel_write);
  add_function(engine, "SHARED",
               {"Gets or sets the shared variable specified.", "SHARED(varname[,channel])",
                "Implements a shared variable area, in which you may share variables between channels. The "
                "variables live on the named channel (default: the current one) and die with it; unlike channel "
                "variables they are not inherited and not copied. Writing an empty value removes the variable.",
                {{"varname", "variable name"},
                 {"channel", "if not specified will default to the current channel; the complete channel name "
                             "(SIP/12-abcd1234) or its prefix (SIP/12)"}},
                {}},
               shared_read, shared_write);
  add_function(engine, "HANGUPCAUSE",
               {"Gets per-channel hangupcause information from the channel.", "HANGUPCAUSE(channel,type)",
                "Gets technology-specific or translated Asterisk cause code information from the channel for "
                "the specified channel that resulted from a dial (the callee legs of Dial). Use "
                "HANGUPCAUSE_KEYS() to find the channel names. The ${HANGUPCAUSE} variable (this channel's own "
                "cause) is provided by the dialplan executor.",
                {{"channel", "the name of the channel for which to retrieve cause information"},
                 {"type", "tech: technology-specific cause information; ast: translated Asterisk (Q.850) cause "
                          "code"}},
                {"HANGUPCAUSE_KEYS", "HangupCauseClear"}},
               hangupcause_read);
  add_function(engine, "HANGUPCAUSE_KEYS",
               {"Gets the list of channels for which hangup causes are available.", "HANGUPCAUSE_KEYS()",
                "Returns a comma-separated list of channel names to be used with the HANGUPCAUSE function.", {},
                {"HANGUPCAUSE"}},
               hangupcause_keys_read);
}

}  // namespace telephony::funcs

namespace telephony::dialplan {

void record_hangup_cause(Channel& on, std::string_view channel_name, HangupCause cause, std::string tech_cause) {
  auto store = funcs::channel_store<funcs::HangupCauseRecords>(on, "hangupcause");
  std::lock_guard lock(store->mu);
  store->records.push_back({std::string(channel_name), cause, std::move(tech_cause)});
}

void clear_hangup_causes(Channel& on) { on.remove_datastore("hangupcause"); }

}  // namespace telephony::dialplan
