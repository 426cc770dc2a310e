// Internal: what every engine-backed AMI action gets — the engine, the manager's current
// ActionSettings — and the registration entry point of each action family. Not installed.
//
// Each family lives in one file of src/manager/actions/ and registers its actions with their
// documentation beside the handler. Handlers run on the session's strand; anything that may block
// (module reloads, console commands) goes to engine.run_blocking() and answers from there.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "telephony/engine.hpp"
#include "telephony/manager/module.hpp"
#include "telephony/manager/server.hpp"

namespace telephony::manager {

class ActionContext {
 public:
  explicit ActionContext(Engine& e) : engine(e), settings_(std::make_shared<const ActionSettings>()) {}
  Engine& engine;

  std::shared_ptr<const ActionSettings> settings() const {
    std::lock_guard lock(mu_);
    return settings_;
  }
  void set_settings(ActionSettings s) {
    auto next = std::make_shared<const ActionSettings>(std::move(s));
    std::lock_guard lock(mu_);
    settings_ = std::move(next);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const ActionSettings> settings_;
};
using ActionContextPtr = std::shared_ptr<ActionContext>;

void register_channel_list_actions(Server& server, const ActionContextPtr& ctx);     // Status, CoreShowChannels
void register_channel_control_actions(Server& server, const ActionContextPtr& ctx);  // Hangup, Setvar, Getvar, ...
void register_system_actions(Server& server, const ActionContextPtr& ctx);           // Command, CoreStatus, Reload, ...
void register_bridge_actions(Server& server, const ActionContextPtr& ctx);           // BridgeList, BridgeInfo, ...
void register_confbridge_actions(Server& server, const ActionContextPtr& ctx);      // ConfbridgeList, ConfbridgeMute, ...
void register_originate_actions(Server& server, const ActionContextPtr& ctx);        // Originate
void register_db_actions(Server& server, const ActionContextPtr& ctx);               // DBGet, DBPut, DBDel, DBDelTree
void register_dialplan_actions(Server& server, const ActionContextPtr& ctx);         // ShowDialPlan, DialplanExtensionAdd/Remove
void register_extension_state_actions(Server& server, const ActionContextPtr& ctx);  // ExtensionState, DeviceStateList
void register_transfer_actions(Server& server, const ActionContextPtr& ctx);
void register_presence_actions(Server& server, const ActionContextPtr& ctx);         // PresenceState, PresenceStateList
void register_parking_actions(Server& server, const ActionContextPtr& ctx);          // Park, ParkedCalls, Parkinglots
void register_playback_actions(Server& server, const ActionContextPtr& ctx);         // ControlPlayback
void register_message_actions(Server& server, const ActionContextPtr& ctx);          // MessageSend
void register_config_actions(Server& server, const ActionContextPtr& ctx);           // GetConfig, UpdateConfig, ...         // Redirect, Bridge, BlindTransfer, Atxfer, MuteAudio

// Shared helpers.
std::string_view header(const ActionResponder& r, std::string_view name);
// "Yes"/"true"/"1"... as Asterisk's ast_true.
bool header_true(const ActionResponder& r, std::string_view name);
// "HH:MM:SS" for a duration in seconds (CoreShowChannel Duration).
std::string hms(long long seconds);

}  // namespace telephony::manager
