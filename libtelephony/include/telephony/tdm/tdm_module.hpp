// The TDM (DAHDI) channel driver as a module: system.conf + chan_dahdi.conf (+ indications.conf)
// from a configuration directory become running spans and lines, the `DAHDI` technology (with
// `Zap` as an alias) in engine.drivers(), the `dahdi ...` console commands and, when the manager
// module is loaded before it, the DAHDI* AMI actions. See docs/tdm.md.
//
// load() builds everything or nothing (errors name file:line). reload() applies new channel
// settings (context, groups, caller ID, timings ...) to the running lines for their next call;
// a changed span/channel layout needs `dahdi restart` (or DAHDIRestart), which hangs up every
// DAHDI call and rebuilds the system — a reload that would need it is refused and the running
// configuration stays.
#pragma once

#include <filesystem>
#include <memory>

#include "telephony/engine.hpp"
#include "telephony/module.hpp"

namespace telephony::tdm {

class TdmModule : public Module {
 public:
  explicit TdmModule(Engine& engine);
  ~TdmModule() override;
  std::string_view name() const override { return "chan_dahdi"; }
  std::string_view config_file() const override { return "chan_dahdi.conf"; }
  Result<void, Errors> check(const std::filesystem::path& config_dir) override;
  Result<void, Errors> load(const std::filesystem::path& config_dir) override;
  Result<void, Errors> reload(const std::filesystem::path& config_dir) override;
  void unload() override;

  // `dahdi restart`: hang up every DAHDI call, re-read the files, rebuild spans and lines.
  Result<void, Errors> restart();

  struct State;  // shared with the driver, commands and actions; defined in src/drivers/tdm

 private:
  std::shared_ptr<State> state_;
};

}  // namespace telephony::tdm
