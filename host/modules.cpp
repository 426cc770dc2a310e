#include "modules.hpp"

#include "logger_module.hpp"
#include "telephony/manager/module.hpp"

namespace telephonyd {

std::vector<std::shared_ptr<telephony::Module>> make_modules(telephony::Engine& engine, bool foreground) {
  std::vector<std::shared_ptr<telephony::Module>> mods;
  mods.push_back(std::make_shared<LoggerModule>(engine, foreground));
  mods.push_back(std::make_shared<telephony::manager::ManagerModule>(engine));
  return mods;
}

}  // namespace telephonyd
