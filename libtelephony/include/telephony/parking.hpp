// Call parking, as Asterisk's res_parking: parking lots from res_parking.conf, Park() and
// ParkedCall(), the AMI Park / ParkedCalls / Parkinglots actions and the ParkedCall,
// UnParkedCall, ParkedCallTimeOut, ParkedCallGiveUp events.
//
//   [general]
//   parkeddynamic = no            ; accepted (dynamic lots are not created)
//   [default]                     ; a lot
//   parkext => 700                ; dialing it parks the caller (Park())
//   parkpos => 701-720            ; the spaces; dialing one retrieves (ParkedCall())
//   context => parkedcalls        ; where parkext and the spaces are added
//   parkingtime => 45             ; seconds before a parked call comes back
//   comebacktoorigin = yes        ; back to the parker (its device, Local/… or SIP/…)
//   comebackcontext = parkedcallstimeout  ; with comebacktoorigin=no: continue here at the
//                                 ; parker's flattened channel name, else s
//   comebackdialtime = 30
//   parkedmusicclass = default
//   findslot = first              ; first | next
//
// A parked channel hears music on hold in its space until it is retrieved (bridged with the
// retriever; the parked side hangs up when that bridge ends, as Asterisk's), hangs up (GiveUp) or
// times out (TimeOut: PARKINGSLOT, PARKEDLOT, PARKER, PARKERDIALSTRING set; then either dialed
// back to the parker's device or sent to comebackcontext). The lot's extensions are added to the
// running dialplan at load and again after every successful dialplan reload.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "telephony/channel.hpp"
#include "telephony/events.hpp"
#include "telephony/module.hpp"

namespace telephony {

class Engine;
class Bridge;

struct ParkingLotConfig {
  std::string name = "default";
  std::string parkext = "700";
  int first = 701;
  int last = 720;
  std::string context = "parkedcalls";
  std::chrono::seconds parkingtime{45};
  bool comebacktoorigin = true;
  std::string comebackcontext = "parkedcallstimeout";
  std::chrono::seconds comebackdialtime{30};
  std::string mohclass = "default";
  bool findslot_next = false;
};

struct ParkedCallInfo {
  std::string lot;
  int space = 0;
  ChannelSnapshot parkee;
  std::optional<ChannelSnapshot> parker;
  std::string parker_dial_string;  // "SIP/alice" / "Local/100@ctx"
  std::chrono::system_clock::time_point since;
  std::chrono::seconds timeout{45};
};

// ParkedCall / UnParkedCall / ParkedCallTimeOut / ParkedCallGiveUp.
struct ParkingEvent : Event {
  std::string_view type() const override { return kind; }
  std::string_view kind = "ParkedCall";
  ParkedCallInfo call;
  std::optional<ChannelSnapshot> retriever;  // UnParkedCall
};

class ParkingModule : public Module {
 public:
  explicit ParkingModule(Engine& engine);
  ~ParkingModule() override;
  std::string_view name() const override { return "res_parking"; }
  std::string_view config_file() const override { return "res_parking.conf"; }
  Result<void, Errors> check(const std::filesystem::path& config_dir) override;
  Result<void, Errors> load(const std::filesystem::path& config_dir) override;

  std::vector<ParkingLotConfig> lots() const;
  std::vector<ParkedCallInfo> parked(std::string_view lot = {}) const;
  // Parks `chan` (taken away from whatever it runs, as AMI Park does); `parker` is who parked it.
  Result<int> park(const Channel::Ptr& chan, std::string_view lot, const Channel::Ptr& parker,
                   std::optional<std::chrono::seconds> timeout);

  struct State;

 private:
  Engine& engine_;
  std::shared_ptr<State> state_;
};

Result<std::vector<ParkingLotConfig>, Errors> parse_parking_config(const std::filesystem::path& config_dir);

}  // namespace telephony
