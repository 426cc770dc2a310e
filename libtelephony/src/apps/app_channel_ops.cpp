// Applications acting on channel state or on other channels: ImportVar, ChannelRedirect,
// SoftHangup, HangupCauseClear, ClearHash, DBdeltree, CELGenUserEvent, StoreDTMF, ChanIsAvail.
#include <strings.h>

#include <boost/asio/post.hpp>
#include <map>
#include <mutex>

#include "apps/dialplan_apps.hpp"
#include "dialplan/channel_resolver.hpp"
#include "funcs/function_support.hpp"
#include "telephony/astdb.hpp"
#include "telephony/bridge.hpp"
#include "telephony/device_state.hpp"
#include "telephony/dialplan/app_events.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/dialplan/functions.hpp"

// GCC 12 false positive on inlined coroutine frames (see app_dial.cpp).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace telephony::dialplan {

namespace asio = boost::asio;

namespace {

void warn(Execution& x, const std::string& msg) { x.engine().log().warning("pbx", msg); }

std::string read_function(Engine& engine, Channel& chan, std::string_view name, std::string_view args) {
  auto fn = engine.functions().find(name);
  if (!fn || !fn->read) return {};
  auto r = fn->read(FunctionCall{engine, &chan, name, args});
  return r ? *r : std::string();
}

// Asterisk's parseable goto relative to ANOTHER channel: [[context,]exten,]priority where the
// missing parts and +N/-N come from that channel's location and a label is looked up there.
Result<DialplanLocation> target_for(Engine& engine, const Channel& chan, std::string_view text) {
  auto parts = split_args(text);
  if (parts.empty() || parts.size() > 3) return fail("bad dialplan target '" + std::string(text) + "'");
  DialplanLocation to = chan.location();
  const int base = to.priority;
  if (parts.size() == 3) {
    if (!parts[0].empty()) to.context = parts[0];
    if (!parts[1].empty()) to.exten = parts[1];
  } else if (parts.size() == 2 && !parts[0].empty()) {
    to.exten = parts[0];
  }
  const std::string prio(funcs::trim(parts.back()));
  auto digits = [](std::string_view s) { return !s.empty() && s.size() < 9 && s.find_first_not_of("0123456789") == std::string_view::npos; };
  if ((prio[0] == '+' || prio[0] == '-') && digits(std::string_view(prio).substr(1))) {
    const int n = std::stoi(prio.substr(1));
    to.priority = prio[0] == '+' ? base + n : base - n;
  } else if (digits(prio)) {
    to.priority = std::stoi(prio);
  } else {
    auto pbx = std::dynamic_pointer_cast<DialplanPbx>(engine.pbx());
    auto found = pbx ? pbx->snapshot()->find_label(to.context, to.exten, prio, chan.caller().number) : std::nullopt;
    if (!found) return fail("no label '" + prio + "' in " + to.exten + "@" + to.context);
    to.priority = found->priority->number;
  }
  if (to.priority < 1) return fail("priority must be a number > 0 in '" + std::string(text) + "'");
  return to;
}

// "SIP/alice-00000001" -> "SIP/alice"; "Local/1@c-0000000a;1" -> "Local/1@c" (the device).
std::string_view device_part(std::string_view name) {
  auto dash = name.rfind('-');
  return dash == std::string_view::npos ? name : name.substr(0, dash);
}

asio::awaitable<AppResult> soft_hangup(Execution& x, std::string_view data) {
  auto args = split_args(data);
  if (args.empty() || args[0].empty()) {
    warn(x, "SoftHangup requires an argument (Technology/resource)");
    co_return AppResult::Continue;
  }
  const bool all = args.size() > 1 && args[1].find('a') != std::string::npos;
  const std::string& wanted = args[0];
  for (const auto& c : x.engine().channels()) {
    if (c->is_hung_up() || c->name().compare(0, wanted.size(), wanted) != 0) continue;
    std::string_view name = all ? device_part(c->name()) : std::string_view(c->name());
    if (name.size() != wanted.size() || ::strncasecmp(name.data(), wanted.data(), wanted.size()) != 0) continue;
    x.engine().log().verbose("pbx", "Soft hanging " + c->name() + " up.");
    c->request_hangup(HangupCause::NormalClearing);
    if (!all) break;
  }
  co_return x.channel().hangup_requested() ? AppResult::Hangup : AppResult::Continue;
}

// StoreDTMF: one engine-wide subscription to DTMF end events; channels that asked are looked up
// by uniqueid and their variable is appended to on their own strand.
class DtmfStores : public std::enable_shared_from_this<DtmfStores> {
 public:
  struct Setting {
    std::weak_ptr<Channel> chan;
    std::string var;
    bool sent = false;  // TX: digits sent to the channel; RX: received from it
    int max_digits = 0;
  };

  explicit DtmfStores(Engine& engine) : engine_(engine) {}

  // False when the channel already stores digits (Asterisk keeps the first setting).
  bool set(Channel& chan, Setting s) {
    start();
    std::lock_guard lock(mu_);
    prune();
    return by_uniqueid_.try_emplace(chan.uniqueid(), std::move(s)).second;
  }
  void remove(Channel& chan) {
    std::lock_guard lock(mu_);
    by_uniqueid_.erase(chan.uniqueid());
  }

 private:
  void start() {
    std::call_once(started_, [this] {
      EventBus::SubscriberOptions opts;
      opts.name = "StoreDTMF";
      std::weak_ptr<DtmfStores> weak = weak_from_this();
      sub_ = engine_.events().subscribe(std::move(opts), [weak](const EventPtr& ev) {
        if (auto self = weak.lock()) self->on_event(*ev);
      });
    });
  }
  void prune() {
    std::erase_if(by_uniqueid_, [](const auto& kv) { return kv.second.chan.expired(); });
  }
  void on_event(const Event& ev) {
    auto* d = ev.as<DtmfEnd>();
    if (!d) return;
    Setting s;
    {
      std::lock_guard lock(mu_);
      auto it = by_uniqueid_.find(d->channel.uniqueid);
      if (it == by_uniqueid_.end() || it->second.sent == d->received) return;
      s = it->second;
    }
    auto chan = s.chan.lock();
    if (!chan) return;
    Engine* engine = &engine_;
    asio::post(chan->strand(), [engine, chan, s, digit = d->digit] {
      std::string current = expand_variable(*engine, chan.get(), s.var);
      if (s.max_digits > 0 && static_cast<int>(current.size()) >= s.max_digits) return;
      current += digit;
      // A function name (StoreDTMF(TX,CDR(digits))) is written through the function.
      if (auto open = s.var.find('('); open != std::string::npos && s.var.back() == ')') {
        auto fn = engine->functions().find(std::string_view(s.var).substr(0, open));
        if (fn && fn->write)
          (void)fn->write(FunctionCall{*engine, chan.get(), std::string_view(s.var).substr(0, open),
                                       std::string_view(s.var).substr(open + 1, s.var.size() - open - 2)},
                          current);
        return;
      }
      chan->set_variable(s.var, current);
    });
  }

  Engine& engine_;
  std::once_flag started_;
  EventBus::Subscription sub_;
  std::mutex mu_;
  std::map<std::string, Setting, std::less<>> by_uniqueid_;
};

Documentation doc(std::string synopsis, std::string syntax, std::string description,
                  std::vector<std::pair<std::string, std::string>> args, std::vector<std::string> see) {
  return Documentation{std::move(synopsis), std::move(syntax), std::move(description), std::move(args), std::move(see)};
}

void append_to_list(std::string& list, const std::string& item) {
  if (!list.empty()) list += '&';
  list += item;
}

// ChanIsAvail's t: is there a live channel of this device ("SIP/alice" has "SIP/alice-00000001")?
DeviceState state_by_channel_names(Engine& engine, const std::string& device) {
  for (const auto& c : engine.channels())
    if (!c->is_hung_up() && DeviceStates::device_of(c->name()) == device) return DeviceState::InUse;
  return DeviceState::Unknown;
}

// A device is available when its driver gives a channel for it; that channel is hung up at once,
// never dialled (Asterisk's ast_request + ast_hangup).
asio::awaitable<AppResult> chanisavail(Execution& x, std::string_view data) {
  Engine& engine = x.engine();
  auto args = split_args(data);
  const std::string options = args.size() > 1 ? args[1] : "";
  const bool all = options.find('a') != std::string::npos;
  const bool by_state = options.find('s') != std::string::npos;
  const bool by_names = options.find('t') != std::string::npos;
  std::string availchan, availorig, availstatus, availcause;
  for (const auto& item : split_args(args.empty() ? "" : args[0], '&')) {
    const std::string device(funcs::trim(item));
    const auto slash = device.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == device.size()) {
      if (!device.empty()) warn(x, "ChanIsAvail: invalid technology/resource argument: '" + device + "'");
      append_to_list(availstatus, std::to_string(static_cast<int>(DeviceState::Invalid)));
      continue;
    }
    DeviceState status = DeviceState::Unknown;
    if (by_names) status = state_by_channel_names(engine, device);
    else if (by_state) status = engine.device_states().get(device);
    append_to_list(availstatus, std::to_string(static_cast<int>(status)));
    if ((by_names || by_state) && static_cast<int>(status) > static_cast<int>(DeviceState::NotInUse)) continue;
    auto probe = engine.request(device);
    if (!probe) continue;
    append_to_list(availchan, (*probe)->name());
    append_to_list(availorig, device);
    append_to_list(availcause, "0");
    (*probe)->request_hangup(HangupCause::NormalClearing);
    if (!all) break;
  }
  Channel& chan = x.channel();
  chan.set_variable("AVAILCHAN", availchan);
  chan.set_variable("AVAILORIGCHAN", availorig);
  chan.set_variable("AVAILSTATUS", availstatus);
  chan.set_variable("AVAILCAUSECODE", availcause);
  co_return AppResult::Continue;
}

}  // namespace

void register_channel_ops_applications(Engine& engine) {
  add_application(engine, "ImportVar",
                  doc("Import a variable from a channel into a new variable.", "ImportVar(newvar=channelname,variable)",
                      "Substitutes ${variable} on the named channel (name or unique ID) and sets newvar on this channel "
                      "(with the inheritance marks newvar carries, as Set). A missing channel sets newvar to empty.",
                      {{"newvar", "variable to set here"}, {"channelname", "the other channel"}, {"variable", "to read there"}},
                      {"IMPORT", "Set"}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    auto eq = data.find('=');
                    auto comma = data.find(',', eq == std::string_view::npos ? 0 : eq);
                    if (eq == std::string_view::npos || comma == std::string_view::npos) {
                      warn(x, "ImportVar requires newvar=channelname,variable, got '" + std::string(data) + "'");
                      co_return AppResult::Continue;
                    }
                    std::string value;
                    if (auto other = x.engine().find_channel(data.substr(eq + 1, comma - eq - 1)); other && !other->is_hung_up())
                      value = expand_variable(x.engine(), other.get(), data.substr(comma + 1));
                    if (auto r = x.assign(data.substr(0, eq), std::move(value)); !r) warn(x, "ImportVar: " + r.error().message);
                    co_return AppResult::Continue;
                  });
  add_application(engine, "ChannelRedirect",
                  doc("Redirects given channel to a dialplan target", "ChannelRedirect(channel,[[context,]extension,]priority)",
                      "Sends the named channel (name or unique ID) to the target, which is resolved from that channel's "
                      "own location (context and extension default to its own; a label is looked up there). Its running "
                      "application is interrupted. ${CHANNELREDIRECT_STATUS}: SUCCESS or NOCHANNEL.",
                      {{"channel", "channel to redirect"}, {"context", "context"}, {"extension", "extension"},
                       {"priority", "priority or label"}},
                      {"Goto", "Redirect"}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    auto comma = data.find(',');
                    if (data.empty() || comma == std::string_view::npos) {
                      warn(x, "ChannelRedirect requires arguments: channel,[[context,]exten,]priority");
                      co_return AppResult::Continue;
                    }
                    auto other = x.engine().find_channel(data.substr(0, comma));
                    if (!other || other->is_hung_up()) {
                      x.channel().set_variable("CHANNELREDIRECT_STATUS", "NOCHANNEL");
                      co_return AppResult::Continue;
                    }
                    auto to = target_for(x.engine(), *other, data.substr(comma + 1));
                    if (!to) {
                      warn(x, "ChannelRedirect: " + to.error().message);
                      co_return AppResult::Continue;
                    }
                    other->request_redirect(*to);
                    x.channel().set_variable("CHANNELREDIRECT_STATUS", "SUCCESS");
                    co_return AppResult::Continue;
                  });
  add_application(engine, "SoftHangup",
                  doc("Hangs up the requested channel.", "SoftHangup(Technology/Resource[,options])",
                      "Hangs up the channel with that exact name (case-insensitive). With option a, every channel of "
                      "the device (the name without its -XXXXXXXX suffix) is hung up.",
                      {{"Technology/Resource", "channel name, or device with a"}, {"options", "a: all channels of the device"}},
                      {"Hangup"}),
                  soft_hangup);
  add_application(engine, "HangupCauseClear",
                  doc("Clears hangup cause information from the channel that is available through HANGUPCAUSE.",
                      "HangupCauseClear()",
                      "Clears all channel-specific hangup cause information (HANGUPCAUSE/HANGUPCAUSE_KEYS). This is "
                      "never done automatically (i.e. for new Dial()s).",
                      {}, {"HANGUPCAUSE", "HANGUPCAUSE_KEYS"}),
                  [](Execution& x, std::string_view) -> asio::awaitable<AppResult> {
                    clear_hangup_causes(x.channel());
                    co_return AppResult::Continue;
                  });
  add_application(engine, "ClearHash",
                  doc("Clear the keys from a specified hashname.", "ClearHash(hashname)",
                      "Clears all keys out of the specified hashname.", {{"hashname", "the hash"}}, {"HASH", "HASHKEYS"}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    const std::string prefix = funcs::hash_prefix(funcs::trim(data));
                    for (const auto& v : x.channel().variables())
                      if (v.name.compare(0, prefix.size(), prefix) == 0) x.channel().unset_variable(v.name);
                    co_return AppResult::Continue;
                  });
  add_application(engine, "DBdeltree",
                  doc("Delete a family or keytree from the asterisk database.", "DBdeltree(family[/keytree])",
                      "Deletes a family, or a keytree of it, from AstDB (on the worker pool). A database error is "
                      "logged; the dialplan continues.",
                      {{"family", "family"}, {"keytree", "key tree below it"}}, {"DB_DELETE", "DB"}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    std::string family(data), tree;
                    if (auto slash = family.find('/'); slash != std::string::npos) {
                      tree = family.substr(slash + 1);
                      family.resize(slash);
                    }
                    auto done = std::make_shared<std::atomic<bool>>(false);
                    auto chan = x.channel_ptr();
                    Engine* e = &x.engine();
                    e->run_blocking([e, family, tree, done, weak = std::weak_ptr<Channel>(chan)] {
                      if (auto r = e->astdb().deltree(family, tree); !r)
                        e->log().verbose("pbx", "DBdeltree: Error deleting key from database: " + r.error().message);
                      done->store(true);
                      if (auto c = weak.lock()) c->wake();
                    });
                    std::function<bool()> finished = [done] { return done->load(); };
                    co_return co_await chan->wait_until(finished, std::chrono::milliseconds(-1)) ? AppResult::Continue
                                                                                                 : AppResult::Hangup;
                  });
  add_application(engine, "CELGenUserEvent",
                  doc("Generates a CEL User Defined Event.", "CELGenUserEvent(event-name[,extra])",
                      "Publishes a Channel Event Logging user event for this channel. There is no CEL backend here, so "
                      "it reaches AMI (class call) as Asterisk's cel_manager would send it: Event: CEL with EventName "
                      "set to event-name and Extra {\"extra\":\"<extra>\"}.",
                      {{"event-name", "the event's name"}, {"extra", "extra text"}}, {"UserEvent"}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    if (data.empty()) co_return AppResult::Continue;
                    auto args = split_args(data);
                    Channel& chan = x.channel();
                    CelUserEvent ev;
                    ev.channel = chan.snapshot();
                    ev.name = args[0];
                    ev.extra = args.size() > 1 ? args[1] : "";
                    ev.ani = read_function(x.engine(), chan, "CALLERID", "ani");
                    ev.rdnis = read_function(x.engine(), chan, "CALLERID", "rdnis");
                    ev.dnid = read_function(x.engine(), chan, "CALLERID", "dnid");
                    ev.userfield = read_function(x.engine(), chan, "CHANNEL", "userfield");
                    if (auto b = x.engine().find_bridge(ev.channel.bridge_id))
                      for (const auto& m : b->members())
                        if (m.get() != &chan) ev.peer = m->name();
                    x.engine().events().emit(std::move(ev));
                    co_return AppResult::Continue;
                  });
  auto stores = std::make_shared<DtmfStores>(engine);
  add_application(engine, "StoreDTMF",
                  doc("Stores DTMF digits transmitted or received on a channel.", "StoreDTMF(direction[,var_name[,max_digits]])",
                      "From now on, every DTMF digit received from the channel (RX) or sent to it (TX) is appended to "
                      "var_name (a variable or a function such as CDR(digits)), up to max_digits (0: no limit). The "
                      "variable is updated as the digit events are processed, a few milliseconds after the digit. "
                      "StoreDTMF(remove) stops it.",
                      {{"direction", "TX, RX or remove"}, {"var_name", "variable to append to"},
                       {"max_digits", "maximum length (default 0: none)"}},
                      {"SendDTMF"}),
                  [stores](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    auto args = split_args(data);
                    const std::string dir = args.empty() ? "" : funcs::to_lower(funcs::trim(args[0]));
                    if (dir == "remove") {
                      stores->remove(x.channel());
                      co_return AppResult::Continue;
                    }
                    if ((dir != "tx" && dir != "rx") || args.size() < 2 || args[1].empty()) {
                      warn(x, "StoreDTMF requires a direction (TX, RX or remove) and a variable name");
                      co_return AppResult::Continue;
                    }
                    DtmfStores::Setting s;
                    s.chan = x.channel_ptr();
                    s.var = args[1];
                    s.sent = dir == "tx";
                    if (args.size() > 2 && !args[2].empty()) {
                      char* end = nullptr;
                      long n = std::strtol(args[2].c_str(), &end, 10);
                      if (*end != '\0' || n < 0) {
                        warn(x, "StoreDTMF: invalid maximum '" + args[2] + "'");
                        co_return AppResult::Continue;
                      }
                      s.max_digits = static_cast<int>(n);
                    }
                    if (!stores->set(x.channel(), std::move(s)))
                      warn(x, "StoreDTMF already set on '" + x.channel().name() + "'");
                    co_return AppResult::Continue;
                  });
  add_application(
      engine, "ChanIsAvail",
      doc("Check channel availability", "ChanIsAvail(Technology/Resource[&Technology2/Resource2...][,options])",
          "Checks the devices in order and stops at the first available one (all of them with a). A device is "
          "available when its driver gives a channel for it (the channel is hung up at once, never dialled); with s "
          "its device state must also be NOT_INUSE or UNKNOWN, with t no channel of the device may exist. Sets "
          "${AVAILCHAN} (the channels created, & separated), ${AVAILORIGCHAN} (the devices as given), "
          "${AVAILSTATUS} (each device's state as Asterisk's number: 0 unknown, 1 not in use, 2 in use, 3 busy, "
          "4 invalid, 5 unavailable, 6 ringing, 7 ringing in use, 8 on hold) and ${AVAILCAUSECODE}.",
          {{"Technology/Resource", "devices to check, & separated"},
           {"options", "a: every available device; s: by device state; t: by existing channel names"}},
          {"DEVICE_STATE", "Dial"}),
      chanisavail);
}

}  // namespace telephony::dialplan
