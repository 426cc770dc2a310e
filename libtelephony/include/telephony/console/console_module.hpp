// The ALSA console channel driver as a module: console.conf becomes Console/<device> channels on
// the machine's sound devices (capture = microphone, playback = loudspeaker), the `Console`
// technology in engine.drivers() and the `console ...` commands. One call at a time per device,
// as chan_console. Audio runs on the engine's event loop through the PCMs' poll descriptors at
// 8, 16 or 48 kHz, resampled to and from the channel's 16 kHz, with switchable speexdsp echo
// cancellation and noise suppression. See docs/console.md.
#pragma once

#include <filesystem>
#include <memory>

#include "telephony/engine.hpp"
#include "telephony/module.hpp"

namespace telephony::console {

class ConsoleModule : public Module {
 public:
  explicit ConsoleModule(Engine& engine);
  ~ConsoleModule() override;
  std::string_view name() const override { return "chan_console"; }
  std::string_view config_file() const override { return "console.conf"; }
  Result<void, Errors> check(const std::filesystem::path& config_dir) override;
  Result<void, Errors> load(const std::filesystem::path& config_dir) override;
  void unload() override;

  struct State;  // devices, shared with the driver and the commands (src/drivers/console)

 private:
  std::shared_ptr<State> state_;
};

}  // namespace telephony::console
