// Park, ParkedCalls, Parkinglots: res_parking over AMI (parking.hpp).
#include "../engine_events.hpp"
#include "action_context.hpp"
#include "telephony/parking.hpp"

namespace telephony::manager {

namespace {

using ResponderPtr = std::shared_ptr<ActionResponder>;

std::shared_ptr<ParkingModule> parking(Engine& e) { return std::dynamic_pointer_cast<ParkingModule>(e.module("res_parking")); }

void park(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const std::string name(header(*r, "Channel"));
  if (name.empty()) return r->error("Channel not specified");
  auto mod = parking(ctx->engine);
  if (!mod) return r->error("Parking is not loaded (res_parking.conf)");
  auto chan = ctx->engine.find_channel(name);
  if (!chan) return r->error("Channel does not exist: " + name);
  Channel::Ptr parker;
  for (const char* h : {"TimeoutChannel", "AnnounceChannel"}) {
    const std::string n(header(*r, h));
    if (n.empty() || parker) continue;
    parker = ctx->engine.find_channel(n);
    if (!parker) return r->error(std::string(h) + " does not exist: " + n);
  }
  std::optional<std::chrono::seconds> timeout;
  if (const auto t = header(*r, "Timeout"); !t.empty()) {
    const long ms = std::strtol(std::string(t).c_str(), nullptr, 10);
    if (ms <= 0) return r->error("Invalid Timeout");
    timeout = std::chrono::seconds((ms + 999) / 1000);
  }
  auto res = mod->park(chan, header(*r, "Parkinglot"), parker, timeout);
  if (!res) return r->error("Park failed: " + res.error().message);
  r->success("Park successful");
}

void parked_calls(const ActionContextPtr& ctx, const ResponderPtr& r) {
  auto mod = parking(ctx->engine);
  if (!mod) return r->error("Parking is not loaded (res_parking.conf)");
  const auto calls = mod->parked(header(*r, "ParkingLot"));
  r->list_start("Parked calls will follow");
  for (const auto& c : calls) {
    ami::Message ev;
    ev.add("Event", "ParkedCall");
    add_parked_call(ev, c);
    r->list_item(std::move(ev));
  }
  ami::Message done;
  done.add("Event", "ParkedCallsComplete").add("Total", std::to_string(calls.size()));
  r->send(std::move(done));
}

void parking_lots(const ActionContextPtr& ctx, const ResponderPtr& r) {
  auto mod = parking(ctx->engine);
  if (!mod) return r->error("Parking is not loaded (res_parking.conf)");
  r->list_start("Parking lots will follow");
  for (const auto& l : mod->lots()) {
    ami::Message ev;
    ev.add("Event", "Parkinglot")
        .add("Name", l.name)
        .add("StartSpace", std::to_string(l.first))
        .add("StopSpace", std::to_string(l.last))
        .add("Timeout", std::to_string(l.parkingtime.count()));
    r->list_item(std::move(ev));
  }
  r->list_complete("ParkinglotsComplete");
}

}  // namespace

void register_parking_actions(Server& server, const ActionContextPtr& ctx) {
  server.register_action("Park", Privilege::Call,
                         ActionDoc{"Park a channel.",
                                   "Takes Channel from what it is doing and parks it (music on hold in a space); "
                                   "TimeoutChannel (or AnnounceChannel) is who parked it: a timed-out call goes back to "
                                   "that device (comebacktoorigin).",
                                   {{"Channel", true, "Channel name to park."},
                                    {"TimeoutChannel", false, "Channel name to use when constructing the dial string that will be dialed if the parked channel times out."},
                                    {"AnnounceChannel", false, "Channel name to use as the parker when TimeoutChannel is absent."},
                                    {"Timeout", false, "Overrides the timeout of the parking lot (milliseconds)."},
                                    {"Parkinglot", false, "Parking lot to park in."}},
                                   {"ParkedCalls", "Parkinglots"}},
                         [ctx](ResponderPtr r) { park(ctx, r); });
  server.register_action("ParkedCalls", PrivilegeSet::none(),
                         ActionDoc{"List parked calls.", "An EventList of ParkedCall, then ParkedCallsComplete with Total.",
                                   {{"ParkingLot", false, "If specified, only show parked calls from the parking lot with this name."}},
                                   {"Park", "Parkinglots"}},
                         [ctx](ResponderPtr r) { parked_calls(ctx, r); });
  server.register_action("Parkinglots", PrivilegeSet::none(),
                         ActionDoc{"Get a list of parking lots", "An EventList of Parkinglot (Name, StartSpace, StopSpace, Timeout), then ParkinglotsComplete.",
                                   {}, {"Park", "ParkedCalls"}},
                         [ctx](ResponderPtr r) { parking_lots(ctx, r); });
}

}  // namespace telephony::manager
