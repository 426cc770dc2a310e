// Call pickup: Pickup (by call group, by extension@context, by PICKUPMARK) and PickupChan (by
// channel name or uniqueid). See apps/call_pickup.hpp for how the picker takes the ringing
// leg's place; the AMI Pickup event reports it.
#include <strings.h>

#include "apps/call_pickup.hpp"
#include "apps/dialplan_apps.hpp"
#include "funcs/function_support.hpp"
#include "telephony/dialplan/app_events.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"

// GCC 12 false positive on inlined coroutine frames (see app_dial.cpp).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace telephony::dialplan {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// Ringing (or not yet ringing), not running the dialplan, rung by Dial and not picked up yet.
bool can_pickup(const Channel& target, const Channel& picker) {
  if (&target == &picker || target.is_hung_up() || target.hangup_requested() || target.pbx_running()) return false;
  const auto s = target.state();
  return (s == ChannelState::Ringing || s == ChannelState::Ring || s == ChannelState::Down) && is_pickable(target);
}

template <class Pred>
Channel::Ptr find_target(Engine& engine, const Channel& picker, Pred pred) {
  for (const auto& c : engine.channels())
    if (can_pickup(*c, picker) && pred(*c)) return c;
  return nullptr;
}

Channel::Ptr by_group(Engine& engine, Channel& picker) {
  const auto mine = funcs::pickup_groups(picker);
  return find_target(engine, picker, [&](const Channel& t) {
    const auto theirs = funcs::pickup_groups(const_cast<Channel&>(t));
    if (mine.pickup & theirs.call) return true;
    for (const auto& n : mine.named_pickup)
      if (theirs.named_call.count(n)) return true;
    return false;
  });
}

Channel::Ptr by_exten(Engine& engine, const Channel& picker, std::string_view exten, std::string_view context) {
  return find_target(engine, picker, [&](const Channel& t) {
    auto at = t.location();
    return iequal(at.exten, exten) && iequal(at.context, context);
  });
}

Channel::Ptr by_mark(Engine& engine, const Channel& picker, std::string_view mark) {
  return find_target(engine, picker, [&](const Channel& t) { return iequal(t.variable("PICKUPMARK").value_or(""), mark); });
}

// "SIP/bob" matches "SIP/bob-…" (a name with a '-' is used as it is; with `partial`, any name
// starting with the text); failing that, a uniqueid.
Channel::Ptr by_name(Engine& engine, const Channel& picker, const std::string& name, bool partial) {
  const std::string prefix = partial || name.find('-') != std::string::npos ? name : name + "-";
  if (auto c = find_target(engine, picker, [&](const Channel& t) {
        return t.name().size() >= prefix.size() && ::strncasecmp(t.name().c_str(), prefix.c_str(), prefix.size()) == 0;
      }))
    return c;
  return find_target(engine, picker, [&](const Channel& t) { return iequal(t.uniqueid(), name); });
}

// Takes the call ringing on `target`: tells the leg it answered, waits for Dial to hand over its
// bridge and joins it. False when the pickup did not happen (the dialplan continues).
asio::awaitable<bool> do_pickup(Execution& x, const Channel::Ptr& target) {
  Channel::Ptr self = x.channel_ptr();
  auto claim = claim_pickup(*target, self);
  if (!claim) co_return false;
  x.engine().log().verbose("pbx", target->name() + " pickup by " + self->name());
  if (self->state() != ChannelState::Up) self->answer();
  const auto target_snapshot = target->snapshot();
  self->set_connected(target->connected());
  self->set_hangup_cause(HangupCause::AnsweredElsewhere);
  target->queue_frame(Frame::control(Control::Answer));
  std::function<bool()> handed = [claim, target] {
    std::lock_guard lock(claim->mu);
    return claim->bridge || claim->abandoned || target->is_hung_up();
  };
  co_await self->wait_until(handed, 5s);
  Bridge::Ptr bridge;
  {
    std::lock_guard lock(claim->mu);
    bridge = claim->bridge;
  }
  if (!bridge) {
    x.engine().log().notice("pbx", "Pickup of " + target->name() + " by " + self->name() + " failed: the call went away");
    co_return false;
  }
  CallPickedUp ev;
  ev.channel = self->snapshot();
  ev.target = target_snapshot;
  x.engine().events().emit(std::move(ev));
  co_await bridge->join(self);
  co_return true;
}

asio::awaitable<AppResult> pickup(Execution& x, std::string_view data) {
  Engine& engine = x.engine();
  Channel& self = x.channel();
  if (funcs::trim(data).empty()) {
    auto target = by_group(engine, self);
    if (target && co_await do_pickup(x, target)) co_return AppResult::Hangup;
    co_return AppResult::Continue;
  }
  for (const auto& spec : split_args(data, '&')) {
    if (spec.empty()) continue;
    std::string exten = spec, context;
    if (auto at = spec.find('@'); at != std::string::npos) {
      exten = spec.substr(0, at);
      context = spec.substr(at + 1);
    }
    Channel::Ptr target;
    if (!context.empty() && iequal(context, "PICKUPMARK")) {
      target = by_mark(engine, self, exten);
    } else {
      if (context.empty()) context = x.location().context;
      target = by_exten(engine, self, exten, context);
    }
    if (target && co_await do_pickup(x, target)) co_return AppResult::Hangup;
    engine.log().notice("pbx", "No target channel found for " + spec + ".");
  }
  co_return AppResult::Continue;
}

asio::awaitable<AppResult> pickup_chan(Execution& x, std::string_view data) {
  auto args = split_args(data);
  if (args.empty() || args[0].empty()) {
    x.engine().log().warning("pbx", "PickupChan requires an argument (channel)");
    co_return AppResult::Hangup;
  }
  const bool partial = args.size() > 1 && args[1].find('p') != std::string::npos;
  for (const auto& name : split_args(args[0], '&')) {
    if (name.empty()) continue;
    auto target = by_name(x.engine(), x.channel(), name, partial);
    if (target && co_await do_pickup(x, target)) co_return AppResult::Hangup;
    x.engine().log().notice("pbx", "No target channel found for " + name + ".");
  }
  co_return AppResult::Continue;
}

}  // namespace

void register_pickup_applications(Engine& engine) {
  add_application(
      engine, "Pickup",
      Documentation{"Directed extension call pickup.", "Pickup([extension[@context][&extension2[@context2][&...]]])",
                    "Answers a channel that Dial() is ringing and takes its place in the call (the ringing device is "
                    "hung up with cause 26, answered elsewhere; the caller gets DIALSTATUS=ANSWER; AMI Pickup is "
                    "raised). Without targets, a ringing channel whose call group (CHANNEL(callgroup) or "
                    "CHANNEL(namedcallgroup)) meets this channel's pickup group (CHANNEL(pickupgroup) or "
                    "CHANNEL(namedpickupgroup)); with extension@PICKUPMARK, a channel whose PICKUPMARK variable is "
                    "extension; otherwise a channel dialed from extension (Dial gives its channels the caller's "
                    "extension) in context (default: this channel's). After the picked-up call the dialplan ends. A "
                    "target that is not found is a notice and the next one is tried; then the dialplan continues.",
                    {{"extension", "extension of the ringing channel"}, {"context", "its context, or PICKUPMARK"}},
                    {"PickupChan", "CHANNEL"}},
      pickup);
  add_application(engine, "PickupChan",
                  Documentation{"Pickup a ringing channel.", "PickupChan(channel[&channel2[&...]][,options])",
                                "Picks up the first of the listed channels that Dial() is ringing: SIP/bob matches "
                                "SIP/bob-00000000 (a name with '-' is taken as the start of the full name; with p any "
                                "name starting with the text matches), else a uniqueid. As Pickup otherwise.",
                                {{"channel", "channel names or uniqueids"}, {"options", "p: names are prefixes"}},
                                {"Pickup"}},
                  pickup_chan);
}

}  // namespace telephony::dialplan
