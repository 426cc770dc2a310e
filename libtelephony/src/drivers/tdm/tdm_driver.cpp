// The DAHDI channel technology: dial strings -> a reserved line -> an outbound channel.
//
// Line selection follows chan_dahdi: a channel number asks for that line; g/G search a group
// forward/backward from its first/last member, r/R round robin from after the line used last.
// A requested line that is busy (or a group whose lines are all busy) still yields a channel, one
// that answers the call attempt with Busy (cause 17) or Congestion (cause 34), so that Dial sets
// DIALSTATUS to BUSY / CONGESTION exactly as Asterisk does; a line or group that does not exist
// is a request error (CHANUNAVAIL).
#include "drivers/refused_tech.hpp"
#include "module_state.hpp"
#include "telephony/tdm/dial_string.hpp"

namespace telephony::tdm {

namespace {

class DahdiDriver : public ChannelDriver {
 public:
  explicit DahdiDriver(std::shared_ptr<TdmState> state) : state_(std::move(state)) {}
  std::string_view technology() const override { return "DAHDI"; }
  std::string_view description() const override { return "DAHDI Telephony"; }

  Result<Channel::Ptr> request(Engine& engine, const ChannelRequest& req) override {
    auto ds = parse_dahdi_dial_string(req.resource);
    if (!ds) return fail(ds.error().message, "DAHDI/" + req.resource);
    if (ds->kind == DahdiDialString::Kind::Pseudo) return fail("pseudo channels are not supported", "DAHDI/" + req.resource);
    auto system = state_->current();
    if (!system) return fail("the DAHDI driver is not running", "DAHDI/" + req.resource);
    std::shared_ptr<TdmLine> chosen;
    Channel::Ptr waiting;
    bool exists = false;
    {
      std::lock_guard lock(system->allocation_mutex());
      if (ds->kind == DahdiDialString::Kind::Channel) {
        chosen = system->line(ds->number);
        exists = chosen != nullptr;
        if (chosen && !chosen->try_reserve()) {
          // Busy: with callwaiting=yes a phone in a call hears the call-waiting tone instead.
          waiting = chosen->make_waiting(req);
          chosen.reset();
        }
      } else {
        chosen = pick_from_group(*system, *ds, exists);
      }
    }
    if (waiting) return waiting;
    if (!chosen) {
      if (!exists)
        return fail(ds->kind == DahdiDialString::Kind::Channel ? "no such DAHDI channel " + std::to_string(ds->number)
                                                               : "no DAHDI channels in group " + std::to_string(ds->number),
                    "DAHDI/" + req.resource);
      const bool channel = ds->kind == DahdiDialString::Kind::Channel;
      engine.log().verbose("chan_dahdi", std::string(channel ? "DAHDI channel " : "every channel of group ") +
                                             std::to_string(ds->number) + (channel ? " is busy" : " is busy (congestion)"));
      Engine::ChannelInit init;
      init.tech = "DAHDI";
      init.resource = channel ? std::to_string(ds->number) : "g" + std::to_string(ds->number);
      init.impl = channel ? std::make_unique<RefusedTech>(Control::Busy, HangupCause::UserBusy)
                          : std::make_unique<RefusedTech>(Control::Congestion, HangupCause::NormalCircuitCongestion);
      init.requestor = req.requestor;
      init.uniqueid = req.uniqueid;
      return engine.create_channel(std::move(init));
    }
    return chosen->make_outbound(req, ds->dial, ds->cadence, ds->confirm_answer);
  }

  DeviceState device_state(std::string_view resource) const override {
    auto system = state_->current();
    if (!system) return DeviceState::Unavailable;
    auto ds = parse_dahdi_dial_string(resource);
    if (!ds || ds->kind != DahdiDialString::Kind::Channel) return DeviceState::Unknown;
    auto line = system->line(ds->number);
    return line ? line->device_state() : DeviceState::Invalid;
  }

 private:
  static std::shared_ptr<TdmLine> pick_from_group(TdmSystem& system, const DahdiDialString& ds, bool& exists) {
    std::vector<std::shared_ptr<TdmLine>> members;
    for (const auto& l : system.lines())
      if (l->config()->settings.group & (std::uint64_t{1} << ds.number)) members.push_back(l);
    exists = !members.empty();
    if (members.empty()) return nullptr;
    const bool backward = ds.kind == DahdiDialString::Kind::GroupBackward || ds.kind == DahdiDialString::Kind::RoundRobinBackward;
    const bool robin = ds.kind == DahdiDialString::Kind::RoundRobinForward || ds.kind == DahdiDialString::Kind::RoundRobinBackward;
    const std::size_t n = members.size();
    std::size_t start = backward ? n - 1 : 0;
    if (robin) {
      int& last = system.round_robin_last(ds.number);
      for (std::size_t i = 0; i < n; ++i)
        if (members[i]->number() == last) start = backward ? (i + n - 1) % n : (i + 1) % n;
    }
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t i = backward ? (start + n - k) % n : (start + k) % n;
      if (members[i]->try_reserve()) {
        if (robin) system.round_robin_last(ds.number) = members[i]->number();
        return members[i];
      }
    }
    return nullptr;
  }

  std::shared_ptr<TdmState> state_;
};

}  // namespace

std::shared_ptr<ChannelDriver> make_dahdi_driver(std::shared_ptr<TdmState> state) {
  return std::make_shared<DahdiDriver>(std::move(state));
}

}  // namespace telephony::tdm
