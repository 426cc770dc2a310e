#include "modules.hpp"

#include "logger_module.hpp"
#include "media_probe_module.hpp"
#include "telephony/cdr_module.hpp"
#include "telephony/confbridge.hpp"
#include "telephony/dialplan/module.hpp"
#include "telephony/metrics.hpp"
#include "telephony/parking.hpp"
#include "telephony/media/features_module.hpp"
#include "telephony/manager/module.hpp"
#include "telephony/media/moh_module.hpp"
#include "telephony/originate.hpp"
#include "telephony/sip/module.hpp"
#include "telephony/spool/module.hpp"

namespace telephonyd {

std::vector<std::shared_ptr<telephony::Module>> make_modules(telephony::Engine& engine, bool foreground) {
  std::vector<std::shared_ptr<telephony::Module>> mods;
  mods.push_back(std::make_shared<LoggerModule>(engine, foreground));
  // The dialplan loads before anything that starts calls (call files, originate, AMI).
  // Music on hold classes before the dialplan, so the first call already finds them.
  mods.push_back(std::make_shared<telephony::media::MusicOnHoldModule>(engine));
  mods.push_back(std::make_shared<telephony::media::FeaturesModule>());
  mods.push_back(std::make_shared<telephony::dialplan::PbxConfigModule>(engine));
  // Call records follow the bus from before the first call (a module with cdr.conf).
  mods.push_back(std::make_shared<telephony::CdrModule>(engine));
  // ConfBridge() works with the built-in profiles without confbridge.conf; the module adds the file.
  telephony::confbridge::install_confbridge(engine);
  mods.push_back(std::make_shared<telephony::confbridge::ConfBridgeModule>(engine));
  // Parking adds its lots' extensions to the loaded dialplan.
  mods.push_back(std::make_shared<telephony::ParkingModule>(engine));
  mods.push_back(std::make_shared<telephony::manager::ManagerModule>(engine));
  // SIP after the manager (it registers the PJSIP* actions there) and the dialplan.
  mods.push_back(std::make_shared<telephony::sip::SipModule>(engine));
  mods.push_back(std::make_shared<telephony::spool::SpoolModule>(engine));
  mods.push_back(telephony::make_cli_originate_module(engine));
  // Prometheus metrics (prometheus.conf + http.conf), after the modules it reports on.
  mods.push_back(std::make_shared<telephony::MetricsModule>(engine));
  // Test probes: inert unless the config dir has media_probe.conf (integration tests only).
  mods.push_back(std::make_shared<MediaProbeModule>(engine));
  return mods;
}

}  // namespace telephonyd
