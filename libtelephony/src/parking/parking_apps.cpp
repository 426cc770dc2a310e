// Park() and ParkedCall(), and `parking show`.
#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/co_spawn.hpp>

#include "../apps/dialplan_apps.hpp"
#include "parking_internal.hpp"
#include "telephony/bridge.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/engine.hpp"

namespace telephony {

namespace asio = boost::asio;
using dialplan::AppResult;
using dialplan::Execution;

void register_parking_apps(Engine& engine, const std::shared_ptr<ParkingModule::State>& state) {
  std::weak_ptr<ParkingModule::State> weak = state;
  dialplan::add_application(
      engine, "Park",
      {"Park yourself.", "Park([parking_lot_name[,options]])",
       "Parks the calling channel in the first free space of the lot (default: 'default') and plays music on "
       "hold there until ParkedCall() retrieves it, it hangs up, or parkingtime passes — then it goes back to "
       "the parker's device (comebacktoorigin) or to comebackcontext. Emits ParkedCall, UnParkedCall, "
       "ParkedCallTimeOut, ParkedCallGiveUp. Sets PARKINGSLOT.",
       {{"parking_lot_name", "the lot of res_parking.conf"}, {"options", "accepted, not used"}},
       {"ParkedCall", "Park (AMI)"}},
      [weak](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
        auto st = weak.lock();
        if (!st) co_return AppResult::Hangup;
        auto args = dialplan::split_args(data);
        const std::string lot = args.empty() ? std::string() : args[0];
        auto chan = x.channel_ptr();
        // A channel that dialed the parking extension parks itself; PARKER (set by a transfer) names who parked it.
        Channel::Ptr parker;
        if (auto p = chan->variable("PARKER"); p && !p->empty()) parker = chan->engine().find_channel(*p);
        auto slot = st->take_space(lot, chan, parker, std::nullopt);
        if (!slot) {
          chan->engine().log().warning("res_parking", "Park(" + std::string(data) + ") on " + chan->name() + ": " +
                                                          slot.error().message);
          co_return AppResult::Hangup;
        }
        if (chan->state() != ChannelState::Up) chan->answer();
        chan->set_variable("PARKINGSLOT", std::to_string((*slot)->info.space));
        const bool timed_out = co_await st->wait_parked(*slot);
        if (!timed_out) co_return AppResult::Hangup;
        const auto to = st->comeback(**slot);
        x.jump(to.context, to.exten, to.priority);
        co_return AppResult::Continue;
      });
  dialplan::add_application(
      engine, "ParkedCall",
      {"Retrieve a parked call.", "ParkedCall([parking_lot_name[,parking_space]])",
       "Bridges the calling channel with the call parked in the space (the first parked call of the lot when no "
       "space is given). Emits UnParkedCall. An empty space hangs up with a warning.",
       {{"parking_lot_name", "the lot"}, {"parking_space", "the space number"}},
       {"Park"}},
      [weak](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
        auto st = weak.lock();
        if (!st) co_return AppResult::Hangup;
        auto args = dialplan::split_args(data);
        const std::string lot = args.empty() || args[0].empty() ? std::string("default") : args[0];
        std::shared_ptr<ParkingModule::State::Slot> slot;
        if (args.size() > 1 && !args[1].empty()) {
          slot = st->find(lot, std::atoi(args[1].c_str()));
        } else {
          std::lock_guard lock(st->mu);
          auto l = st->parked.find(lot);
          if (l != st->parked.end() && !l->second.empty()) slot = l->second.begin()->second;
        }
        auto chan = x.channel_ptr();
        if (!slot || slot->claimed.exchange(true)) {
          chan->engine().log().warning("res_parking", "ParkedCall(" + std::string(data) + "): no parked call there");
          co_return AppResult::Hangup;
        }
        if (chan->state() != ChannelState::Up) chan->answer();
        slot->bridge = Bridge::create(chan->engine(), BridgeOptions{.type = "basic", .name = "parking", .creator = "res_parking"});
        slot->retrieved = true;  // after the bridge exists: the parked side may look at once
        st->emit("UnParkedCall", slot->info, chan->snapshot());
        chan->engine().log().verbose(3, "res_parking", chan->name() + " retrieved parked call " + slot->chan->name() +
                                                          " from " + std::to_string(slot->info.space) + "@" + slot->info.lot);
        slot->chan->wake();
        co_await slot->bridge->join(chan);
        co_return AppResult::Hangup;
      });
  (void)engine.commands().add(ConsoleCommand{
      "parking show",
      {"Show parking lot information", "parking show [<lot>]",
       "Lists the lots (spaces, context, timeout) and the calls parked in them.", {}, {}},
      [weak](const std::vector<std::string>& a) {
        auto st = weak.lock();
        if (!st || a.size() > 1) return ConsoleResult{st ? 2 : 1, ""};
        std::lock_guard lock(st->mu);
        std::string out;
        for (const auto& lot : st->lots) {
          if (!a.empty() && a[0] != lot.name) continue;
          out += "Parking Lot: " + lot.name + "\n--------------------------------------------------------------------------\n";
          out += "Parking Extension           :  " + lot.parkext + "\n";
          out += "Parking Context             :  " + lot.context + "\n";
          out += "Parking Spaces              :  " + std::to_string(lot.first) + "-" + std::to_string(lot.last) + "\n";
          out += "Parking Time                :  " + std::to_string(lot.parkingtime.count()) + " sec\n";
          out += "Comeback to Origin          :  " + std::string(lot.comebacktoorigin ? "yes" : "no") + "\n";
          out += "Comeback Context            :  " + lot.comebackcontext + "\n";
          out += "Parked Music Class          :  " + lot.mohclass + "\n\n";
          auto it = st->parked.find(lot.name);
          std::size_t n = 0;
          if (it != st->parked.end())
            for (const auto& [space, slot] : it->second) {
              out += "  Space: " + std::to_string(space) + "\n  Channel: " + slot->info.parkee.name + "\n\n";
              ++n;
            }
          out += std::to_string(n) + " parked call" + (n == 1 ? "" : "s") + " in lot " + lot.name + "\n\n";
        }
        if (out.empty()) return ConsoleResult{1, "No parking lot '" + a[0] + "'\n"};
        return ConsoleResult{0, out};
      }});
}

}  // namespace telephony
