// Internal: what the TDM module, its driver, console commands and AMI actions share — the running
// system (swapped whole by `dahdi restart`) and where the configuration lives.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>

#include "tdm_system.hpp"
#include "telephony/tdm/tdm_module.hpp"

namespace telephony::tdm {

struct TdmModule::State {
  explicit State(Engine& e) : engine(e) {}
  Engine& engine;
  mutable std::mutex mu;
  std::shared_ptr<TdmSystem> system;
  std::filesystem::path config_dir;
  std::filesystem::path run_dir;
  bool registered = false;
  bool actions_registered = false;

  std::shared_ptr<TdmSystem> current() const {
    std::lock_guard lock(mu);
    return system;
  }
};

using TdmState = TdmModule::State;

// The DAHDI technology (registered as "DAHDI" and "Zap").
std::shared_ptr<ChannelDriver> make_dahdi_driver(std::shared_ptr<TdmState> state);
void register_dahdi_commands(Engine& engine, const std::shared_ptr<TdmState>& state, TdmModule& module);
void unregister_dahdi_commands(Engine& engine);
// DAHDIShowChannels, DAHDIShowStatus, DAHDIHangup, DAHDITransfer, DAHDIDialOffhook, DAHDIDNDon,
// DAHDIDNDoff, DAHDIRestart into the manager module's server, if one runs.
void register_dahdi_actions(Engine& engine, const std::shared_ptr<TdmState>& state, TdmModule& module);

}  // namespace telephony::tdm
