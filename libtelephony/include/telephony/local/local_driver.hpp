// Local channels: `Local/exten@context[/n]` creates a pair `Local/exten@context-XXXXXXXX;1` and
// `;2`. `;1` is returned to whoever dialed; calling it starts the dialplan on `;2` at
// exten@context. Answer, hangup, indications, DTMF and frames cross between the halves.
// Options after '/': n (never optimise away).
//
// Optimisation (Asterisk's): once both halves are each in a two-party basic bridge (A–;1 and
// ;2–C), the pair takes itself out of the media path: C moves into A's bridge in ;1's place
// (BridgeEnter with SwapUniqueid), then both halves hang up; LocalOptimizationBegin/End frame the
// move. A pair created with /n, or with an audio hook (MixMonitor, ChanSpy) on either half, stays.
// AMI LocalOptimizeAway clears /n and optimises at once when both halves are bridged (or as soon
// as they are).
#pragma once

#include <memory>
#include <mutex>
#include <optional>

#include "telephony/driver.hpp"
#include "telephony/events.hpp"

namespace telephony {

class LocalDriver : public ChannelDriver {
 public:
  std::string_view technology() const override { return "Local"; }
  std::string_view description() const override { return "Local Proxy Channel Driver"; }
  Result<Channel::Ptr> request(Engine& engine, const ChannelRequest& req) override;

 private:
  std::once_flag watching_;
  EventBus::Subscription bridges_;  // BridgeEnter: is a pair now bridged on both sides?
};

// LocalOptimizationBegin (Source, DestUniqueId) and LocalOptimizationEnd (Success), with the
// halves' snapshots (LocalOne, LocalTwo) and the operation's Id.
struct LocalOptimizationEvent : Event {
  static constexpr std::string_view kType = "LocalOptimization";
  std::string_view type() const override { return kType; }
  bool begin = true;
  ChannelSnapshot one, two;
  std::optional<ChannelSnapshot> source;
  std::string dest_bridge;
  bool success = false;
  unsigned id = 0;
};

// AMI LocalOptimizeAway: fails when `chan` is not a Local channel.
Result<void> local_optimize_away(const Channel::Ptr& chan);

// The `;2` half of a `;1` Local channel (or the reverse); null for non-Local channels.
Channel::Ptr local_peer(const Channel& chan);

}  // namespace telephony
