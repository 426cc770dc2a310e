// Bridging from the dialplan: Bridge (this channel and another), BridgeAdd (join another
// channel's bridge) and BridgeWait (named holding bridges: participants wait with music, ringing,
// silence or hold; announcers talk to them all).
#include <cctype>
#include <map>
#include <mutex>
#include <set>

#include "apps/call_bridge.hpp"
#include "apps/dialplan_apps.hpp"
#include "apps/media_apps.hpp"
#include "funcs/function_support.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/media/music_on_hold.hpp"

// GCC 12 false positive on inlined coroutine frames (see app_dial.cpp).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace telephony::dialplan {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view kBridgeSource = "app_bridge";

// Waits (bounded) until `chan` is a member of `bridge`, or is gone.
asio::awaitable<bool> wait_until_member(Channel& self, const Bridge::Ptr& bridge, const Channel::Ptr& chan,
                                        std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    for (const auto& m : bridge->members())
      if (m == chan) co_return true;
    // (The redirect that brings `chan` here interrupts it like a soft hangup: not a reason to stop.)
    const bool chan_gone = chan->is_hung_up() || (chan->hangup_requested() && !chan->redirect_pending());
    if (chan_gone || self.hangup_requested() || std::chrono::steady_clock::now() >= deadline) co_return false;
    co_await self.sleep(20ms);
  }
}

asio::awaitable<AppResult> bridge_app(Execution& x, std::string_view data) {
  Engine& engine = x.engine();
  Channel::Ptr self = x.channel_ptr();
  auto args = split_args(data);
  ParsedOptions opts;
  if (args.size() > 1 && !args[1].empty()) {
    auto parsed = parse_options(args[1], "FLS");
    if (!parsed) {
      engine.log().warning(kBridgeSource, "Bridge options '" + args[1] + "': " + parsed.error().to_string());
    } else {
      opts = std::move(*parsed);
    }
  }
  Channel::Ptr dest = args.empty() || args[0].empty() ? nullptr : funcs::find_channel_by_prefix(engine, args[0]);
  if (!dest || dest->is_hung_up()) {
    engine.log().verbose(kBridgeSource, "Bridge failed because channel '" + (args.empty() ? "" : args[0]) + "' does not exist");
    self->set_variable("BRIDGERESULT", "NONEXISTENT");
    co_return AppResult::Continue;
  }
  if (dest == self) {
    engine.log().warning(kBridgeSource, "Unable to bridge channel " + self->name() + " with itself");
    self->set_variable("BRIDGERESULT", "LOOP");
    co_return AppResult::Continue;
  }
  const auto limit = call_limit(engine, opts, kBridgeSource);
  // Where the other party goes after the bridge: F(target) or F alone (our next priority), x
  // hangs it up, otherwise it continues after what it was doing.
  std::optional<DialplanLocation> after;
  bool hangup_after = false;
  if (opts.has('F')) {
    if (opts.argument('F').empty()) {
      after = DialplanLocation{x.location().context, x.location().exten, x.location().priority + 1};
    } else {
      std::string target = opts.argument('F');
      for (auto& c : target)
        if (c == '^') c = ',';
      auto to = x.resolve_target(target);
      if (!to) engine.log().warning(kBridgeSource, "F(" + opts.argument('F') + "): " + to.error().message);
      else after = *to;
    }
  } else if (opts.has('x')) {
    hangup_after = true;
  }
  if (!after) {
    after = dest->location();
    if (dest->pbx_running()) ++after->priority;
  }
  auto bridge = Bridge::create(engine, BridgeOptions{.type = "basic", .name = "", .creator = "Bridge"},
                               call_bridge_technology(engine, *self, *dest, opts, x.location().context));
  const bool answer_dest = dest->variable("BRIDGE_NOANSWER").value_or("").empty();
  dest->request_redirect(*after, [bridge, answer_dest, hangup_after](Channel::Ptr c) -> asio::awaitable<void> {
    if (answer_dest && c->state() != ChannelState::Up) c->answer();
    co_await bridge->join(c);
    if (hangup_after) c->request_hangup(HangupCause::NormalClearing);
  });
  if (!opts.has('n') && self->state() != ChannelState::Up) self->answer();
  if (!co_await wait_until_member(*self, bridge, dest, 5s)) {
    bridge->dissolve();
    self->set_variable("BRIDGERESULT", self->hangup_requested() ? "SUCCESS" : "FAILURE");
    co_return self->hangup_requested() ? AppResult::Hangup : AppResult::Continue;
  }
  std::shared_ptr<asio::steady_timer> limit_timer;
  if (limit) limit_timer = arm_call_limit(engine, self, dest, std::chrono::steady_clock::now(), *limit, kBridgeSource);
  co_await bridge->join(self);
  if (limit_timer) limit_timer->cancel();
  bridge->dissolve();
  self->set_variable("BRIDGERESULT", "SUCCESS");
  co_return self->hangup_requested() ? AppResult::Hangup : AppResult::Continue;
}

asio::awaitable<AppResult> bridge_add(Execution& x, std::string_view data) {
  Channel::Ptr self = x.channel_ptr();
  auto name = funcs::trim(data);
  Channel::Ptr other = name.empty() ? nullptr : funcs::find_channel_by_prefix(x.engine(), name);
  if (!other || other->is_hung_up()) {
    self->set_variable("BRIDGERESULT", "NONEXISTENT");
    co_return AppResult::Continue;
  }
  if (other == self) {
    self->set_variable("BRIDGERESULT", "LOOP");
    co_return AppResult::Continue;
  }
  auto bridge = x.engine().find_bridge(other->snapshot().bridge_id);
  if (!bridge || bridge->dissolved()) {
    x.engine().log().notice(kBridgeSource, "Channel " + other->name() + " is not in a bridge");
    self->set_variable("BRIDGERESULT", "FAILURE");
    co_return AppResult::Continue;
  }
  if (self->state() != ChannelState::Up) self->answer();
  const auto why = co_await bridge->join(self);
  (void)why;
  self->set_variable("BRIDGERESULT", "SUCCESS");
  co_return self->hangup_requested() ? AppResult::Hangup : AppResult::Continue;
}

// ---- holding bridges ----------------------------------------------------------------------------

enum class Entertainment { Music, Ringing, Silence, Hold, None };

// Participants hear only announcers; announcers hear nobody. While an announcer is in the
// bridge, the participants' entertainment stops (Asterisk's holding bridge).
class HoldingTechnology : public BridgeTechnology {
 public:
  struct Member {
    bool announcer = false;
    Entertainment entertainment = Entertainment::Music;
    media::MohClass moh;
    std::weak_ptr<Channel> chan;
  };

  std::string_view name() const override { return "holding_bridge"; }

  void add(const Channel::Ptr& chan, Member m) {
    m.chan = chan;
    std::lock_guard lock(mu_);
    members_[chan.get()] = std::move(m);
  }

  void on_join(Bridge&, Channel& chan) override {
    auto [all, announcer] = list();
    for (auto& [c, m] : all) {
      if (c.get() != &chan) continue;
      if (m.announcer) {
        for (auto& [p, pm] : all)
          if (!pm.announcer) stop(p, pm.entertainment == Entertainment::Hold);
      } else if (!announcer) {
        start(c, m);
      }
    }
  }
  void on_leave(Bridge&, Channel& chan) override {
    bool was_announcer = false;
    Channel::Ptr c;
    Entertainment e = Entertainment::None;
    {
      std::lock_guard lock(mu_);
      auto it = members_.find(&chan);
      if (it == members_.end()) return;
      was_announcer = it->second.announcer;
      e = it->second.entertainment;
      c = it->second.chan.lock();
      members_.erase(it);
    }
    if (c && !was_announcer) stop(c, e == Entertainment::Hold);
    if (!was_announcer) return;
    auto [all, announcer] = list();
    if (announcer) return;
    for (auto& [p, pm] : all) start(p, pm);
  }
  void on_frame(Bridge& bridge, Channel& from, const Frame& f) override {
    if (f.kind != FrameKind::Voice) return;
    std::vector<Channel::Ptr> to;
    {
      std::lock_guard lock(mu_);
      auto it = members_.find(&from);
      if (it == members_.end() || !it->second.announcer) return;
      for (auto& [key, m] : members_)
        if (!m.announcer)
          if (auto c = m.chan.lock()) to.push_back(std::move(c));
    }
    for (auto& c : to) bridge.write_to(c, f);
  }

 private:
  // The live members and whether an announcer is among them.
  std::pair<std::vector<std::pair<Channel::Ptr, Member>>, bool> list() {
    std::vector<std::pair<Channel::Ptr, Member>> out;
    bool announcer = false;
    std::lock_guard lock(mu_);
    for (auto& [key, m] : members_) {
      announcer |= m.announcer;
      if (auto c = m.chan.lock()) out.emplace_back(std::move(c), m);
    }
    return {std::move(out), announcer};
  }
  static void start(const Channel::Ptr& c, const Member& m) {
    switch (m.entertainment) {
      case Entertainment::Music: media::start_moh(c, m.moh); break;
      case Entertainment::Ringing: (void)media::play_tones(c, "ring"); break;
      case Entertainment::Silence: (void)media::play_tones(c, "0"); break;
      case Entertainment::Hold: c->indicate(Control::Hold); break;
      case Entertainment::None: break;
    }
  }
  static void stop(const Channel::Ptr& c, bool unhold) {
    media::stop_generator(c);
    if (unhold) c->indicate(Control::Unhold);
  }

  std::mutex mu_;
  std::map<const Channel*, Member> members_;
};

// Named holding bridges of one engine; a bridge lives while someone is in it.
class HoldingBridges {
 public:
  struct Entry {
    Bridge::Ptr bridge;
    HoldingTechnology* tech;
  };
  Entry get(Engine& engine, const std::string& name) {
    std::lock_guard lock(mu_);
    auto it = bridges_.find(name);
    if (it != bridges_.end() && !it->second.bridge->dissolved()) return it->second;
    auto tech = std::make_unique<HoldingTechnology>();
    auto* raw = tech.get();
    auto bridge = Bridge::create(
        engine, BridgeOptions{.type = "holding", .name = name, .creator = "BridgeWait", .dissolve_when_alone = false},
        std::move(tech));
    bridges_[name] = Entry{bridge, raw};
    return bridges_[name];
  }
  void leave(const std::string& name, const Bridge::Ptr& bridge) {
    std::lock_guard lock(mu_);
    if (!bridge->members().empty()) return;
    auto it = bridges_.find(name);
    if (it != bridges_.end() && it->second.bridge == bridge) bridges_.erase(it);
    bridge->dissolve();
  }

 private:
  std::mutex mu_;
  std::map<std::string, Entry> bridges_;
};

asio::awaitable<AppResult> bridge_wait(const std::shared_ptr<HoldingBridges>& holding, Execution& x, std::string_view data) {
  Channel::Ptr self = x.channel_ptr();
  auto args = split_args(data);
  const std::string name = args.size() > 0 && !args[0].empty() ? args[0] : "default";
  HoldingTechnology::Member member;
  if (args.size() > 1 && !args[1].empty()) {
    const std::string role = funcs::to_lower(args[1]);
    if (role == "announcer") member.announcer = true;
    else if (role != "participant") {
      x.engine().log().warning(kBridgeSource, "BridgeWait: unknown role '" + args[1] + "' (participant or announcer)");
      co_return AppResult::Hangup;
    }
  }
  ParsedOptions opts;
  if (args.size() > 2 && !args[2].empty()) {
    auto parsed = parse_options(args[2], "meS");
    if (!parsed) {
      x.engine().log().warning(kBridgeSource, "BridgeWait options '" + args[2] + "': " + parsed.error().to_string());
      co_return AppResult::Hangup;
    }
    opts = std::move(*parsed);
  }
  if (opts.has('e') && !opts.argument('e').empty()) {
    switch (std::tolower(static_cast<unsigned char>(opts.argument('e')[0]))) {
      case 'm': member.entertainment = Entertainment::Music; break;
      case 'r': member.entertainment = Entertainment::Ringing; break;
      case 's': member.entertainment = Entertainment::Silence; break;
      case 'h': member.entertainment = Entertainment::Hold; break;
      case 'n': member.entertainment = Entertainment::None; break;
      default:
        x.engine().log().warning(kBridgeSource, "BridgeWait: unknown entertainment '" + opts.argument('e') + "'");
        co_return AppResult::Hangup;
    }
  }
  if (member.entertainment == Entertainment::Music)
    member.moh = media_apps::resolve_moh_class(x, opts.argument('m'), "BridgeWait");
  std::optional<std::chrono::milliseconds> duration;
  if (opts.has('S')) {
    auto s = media_apps::parse_seconds(opts.argument('S'));
    if (!s || s->count() <= 0) {
      x.engine().log().warning(kBridgeSource, "BridgeWait: S(" + opts.argument('S') + ") is not a positive duration");
      co_return AppResult::Hangup;
    }
    duration = *s;
  }
  if (!opts.has('n') && self->state() != ChannelState::Up) self->answer();
  auto entry = holding->get(x.engine(), name);
  entry.tech->add(self, std::move(member));
  std::shared_ptr<asio::steady_timer> timer;
  if (duration) {
    timer = std::make_shared<asio::steady_timer>(self->strand(), *duration);
    timer->async_wait([bridge = entry.bridge, self](boost::system::error_code ec) {
      if (!ec) bridge->kick(self);
    });
  }
  co_await entry.bridge->join(self);
  if (timer) timer->cancel();
  holding->leave(name, entry.bridge);
  co_return self->hangup_requested() ? AppResult::Hangup : AppResult::Continue;
}

Documentation doc(std::string synopsis, std::string syntax, std::string description,
                  std::vector<std::pair<std::string, std::string>> args, std::vector<std::string> see) {
  return Documentation{std::move(synopsis), std::move(syntax), std::move(description), std::move(args), std::move(see)};
}

}  // namespace

void register_bridge_applications(Engine& engine) {
  add_application(
      engine, "Bridge",
      doc("Bridge two channels.", "Bridge(channel[,options])",
          "The current channel is bridged to the channel identified by name, name prefix or uniqueid, which leaves what "
          "it was doing. Both are answered first (not this one with n; not the other when it has BRIDGE_NOANSWER set). "
          "After the bridge this channel continues in the dialplan; the other one continues after the priority it was "
          "at (F: at the given place, or at our next priority; x: it is hung up). ${BRIDGERESULT}: SUCCESS, FAILURE, "
          "LOOP, NONEXISTENT.",
          {{"channel", "name, name prefix or uniqueid"},
           {"options",
            "F([context^exten^]priority): the other party goes there after the bridge; h/H: the called/calling party "
            "may hang up with the disconnect code; t/T: may transfer; L(x[:y[:z]]), S(x): limit the call (ms / s); n: "
            "do not answer; x: hang the other party up afterwards; p, k, K, w, W: accepted, ignored"}},
          {"BridgeAdd", "Dial"}),
      bridge_app);
  add_application(engine, "BridgeAdd",
                  doc("Join a bridge that contains the specified channel.", "BridgeAdd(channel)",
                      "This channel (answered first) joins the bridge that the channel identified by name, name prefix "
                      "or uniqueid is in, and continues in the dialplan when it leaves. ${BRIDGERESULT}: SUCCESS, "
                      "FAILURE (that channel is not in a bridge), LOOP, NONEXISTENT. Note: the bridge keeps its "
                      "technology; a two-party bridge relays frames to every other member without mixing them.",
                      {{"channel", "name, name prefix or uniqueid"}}, {"Bridge", "BridgeWait"}),
                  bridge_add);
  auto holding = std::make_shared<HoldingBridges>();
  add_application(
      engine, "BridgeWait",
      doc("Put a call into the holding bridge.", "BridgeWait([name[,role[,options]]])",
          "Places the channel (answered first unless n) in the holding bridge called name (default \"default\"; created "
          "on first use, gone when empty). A participant waits, hearing its entertainment, until it is removed (hangup, "
          "BridgeKick, S timeout); an announcer's audio is heard by every participant, and while an announcer is "
          "present the participants' entertainment stops. The dialplan continues after the channel leaves.",
          {{"name", "holding bridge name"},
           {"role", "participant (default) or announcer"},
           {"options", "m(class): music on hold class; e(m|r|s|h|n): entertainment music, ringing, silence, hold "
                       "indication or none (first letter); S(duration): leave after duration seconds; n: do not answer"}},
          {"Bridge", "BridgeAdd"}),
      [holding](Execution& x, std::string_view data) { return bridge_wait(holding, x, data); });
}

}  // namespace telephony::dialplan
