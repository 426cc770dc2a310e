// sip::SipModule: the SIP channel driver as a telephonyd module (Asterisk's res_pjsip + chan_pjsip).
//
// load() reads pjsip.conf (or pjsip.yaml), starts the transports and registers the driver under
// the technology name "SIP" and the alias "PJSIP" (so `Dial(PJSIP/alice)`, call files, Page()
// and Originate accept both; channels are always named `SIP/alice-00000001`), the `pjsip …`
// console commands and, when the manager is loaded, the PJSIP* AMI actions. reload() validates a
// complete new configuration first and swaps the snapshot: a broken file keeps the running one,
// calls in progress keep the endpoint they started with. Transports are bound once per start.
// Embedders without a config directory call apply() with a SipConfig.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "telephony/module.hpp"
#include "telephony/module_hooks.hpp"
#include "telephony/result.hpp"
#include "telephony/sip/options.hpp"

namespace telephony {
class Engine;
class MetricsModule;
}

namespace telephony::sip {

class SipStack;

class SipModule : public Module, public ModulesLoadedHook {
 public:
  explicit SipModule(Engine& engine);
  ~SipModule() override;
  std::string_view name() const override { return "res_pjsip"; }
  std::string_view config_file() const override { return "pjsip.conf"; }
  Result<void, Errors> check(const std::filesystem::path& config_dir) override;
  Result<void, Errors> load(const std::filesystem::path& config_dir) override;
  Result<void, Errors> reload(const std::filesystem::path& config_dir) override;
  void unload() override;
  // Registers the SIP families (asterisk_endpoints_*, telephony_sip_*) with res_prometheus.
  void modules_loaded() override;

  Result<void, Errors> apply(SipConfig config);
  // "udp 127.0.0.1:5060" for each running transport.
  std::vector<std::string> listening() const;
  std::shared_ptr<SipStack> stack() const { return stack_; }

 private:
  void forget_metrics();

  Engine& engine_;
  std::shared_ptr<SipStack> stack_;
  bool registered_ = false;
  std::weak_ptr<MetricsModule> metrics_;  // where our collector is registered
};

}  // namespace telephony::sip
