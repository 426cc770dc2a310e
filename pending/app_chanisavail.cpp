// ChanIsAvail: which of several devices could take a call now. A device is available when a
// channel can be requested from its driver (and, with s, its device state is not in use; with t,
// no channel of it exists). The requested channel is hung up at once, never dialled.
#include "apps/dialplan_apps.hpp"
#include "apps/media_apps.hpp"
#include "funcs/function_support.hpp"
#include "telephony/device_state.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"

// GCC 12 false positive on inlined coroutine frames (see app_dial.cpp).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace telephony::dialplan {

namespace asio = boost::asio;
using namespace media_apps;

namespace {

void append(std::string& list, const std::string& item) {
  if (!list.empty()) list += '&';
  list += item;
}

// t: is there a channel of this device at all ("SIP/alice" has "SIP/alice-00000001")?
DeviceState by_channel_name(Engine& engine, const std::string& device) {
  for (const auto& c : engine.channels())
    if (!c->is_hung_up() && DeviceStates::device_of(c->name()) == device) return DeviceState::InUse;
  return DeviceState::Unknown;
}

asio::awaitable<AppResult> chanisavail(Execution& x, std::string_view data) {
  Engine& engine = x.engine();
  auto args = split_args(data);
  const std::string options = args.size() > 1 ? args[1] : "";
  const bool all = options.find('a') != std::string::npos;
  const bool state = options.find('s') != std::string::npos;
  const bool names = options.find('t') != std::string::npos;
  std::string availchan, availorig, availstatus, availcause;
  for (const auto& item : split_args(args.empty() ? "" : args[0], '&')) {
    const std::string device(funcs::trim(item));
    const auto slash = device.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == device.size()) {
      if (!device.empty()) warn(x, "ChanIsAvail", "invalid technology/resource argument: '" + device + "'");
      append(availstatus, std::to_string(static_cast<int>(DeviceState::Invalid)));
      continue;
    }
    DeviceState status = DeviceState::Unknown;
    if (names) status = by_channel_name(engine, device);
    else if (state) status = engine.device_states().get(device);
    append(availstatus, std::to_string(static_cast<int>(status)));
    const bool checked = names || state;
    if (checked && static_cast<int>(status) > static_cast<int>(DeviceState::NotInUse)) continue;
    auto probe = engine.request(device);
    if (!probe) continue;
    append(availchan, (*probe)->name());
    append(availorig, device);
    append(availcause, "0");
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

void register_chanisavail_application(Engine& engine) {
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
