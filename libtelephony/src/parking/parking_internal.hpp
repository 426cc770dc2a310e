// Internal: the parking module's shared state, used by the module, the applications and the AMI
// actions. Not installed.
#pragma once

#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>

#include "telephony/parking.hpp"

namespace telephony {

struct ParkingModule::State {
  explicit State(Engine& e) : engine(e) {}
  struct Slot {
    ParkingLotConfig lot;
    ParkedCallInfo info;
    Channel::Ptr chan;
    std::shared_ptr<Bridge> bridge;  // set by the retriever before `retrieved`
    std::atomic<bool> claimed{false};    // one retriever wins
    std::atomic<bool> retrieved{false};  // the bridge is ready (the parked side joins it)
  };
  Engine& engine;
  mutable std::mutex mu;
  std::vector<ParkingLotConfig> lots;
  std::map<std::string, std::map<int, std::shared_ptr<Slot>>> parked;  // lot -> space -> slot
  std::map<std::string, int> last_space;
  bool registered = false;
  EventBus::Subscription reloads;  // ModuleReloaded of pbx_config: add the lots' extensions again
  void add_lot_extensions();

  Result<std::shared_ptr<Slot>> take_space(const std::string& lot, const Channel::Ptr& chan, const Channel::Ptr& parker,
                                           std::optional<std::chrono::seconds> timeout);
  void release(const Slot& slot);
  std::shared_ptr<Slot> find(std::string_view lot, int space) const {
    std::lock_guard lock(mu);
    auto l = parked.find(std::string(lot));
    if (l == parked.end()) return nullptr;
    auto s = l->second.find(space);
    return s == l->second.end() ? nullptr : s->second;
  }
  // Sets PARKINGSLOT/PARKEDLOT/PARKER/PARKERDIALSTRING and returns where a timed-out call goes.
  DialplanLocation comeback(Slot& slot);
  std::string comeback_preview(const Slot& slot) const;
  boost::asio::awaitable<bool> wait_parked(std::shared_ptr<Slot> slot);
  void emit(std::string_view kind, const ParkedCallInfo& info, std::optional<ChannelSnapshot> retriever);
};

// Park(), ParkedCall(), `parking show` (parking_apps.cpp).
void register_parking_apps(Engine& engine, const std::shared_ptr<ParkingModule::State>& state);

}  // namespace telephony
