#include "config_directory.hpp"

#include "module_commands.hpp"
#include "modules.hpp"
#include "telephony/agi/agi.hpp"
#include "telephony/astdb.hpp"
#include "telephony/config/module_config.hpp"
#include "telephony/core_commands.hpp"
#include "telephony/dialplan/functions.hpp"
#include "telephony/local/local_driver.hpp"
#include "telephony/module_hooks.hpp"
#include "telephony/presence.hpp"

namespace telephonyd {

namespace fs = std::filesystem;

void create_state_directories(const DaemonConfig& config) {
  const auto& dirs = config.engine.dirs;
  std::error_code ec;
  for (const auto& d : {dirs.run, dirs.spool / "outgoing", dirs.log, dirs.db, dirs.recordings})
    fs::create_directories(d, ec);
}

telephony::Result<void, telephony::Errors> load_config_directory(telephony::Engine& engine, const DaemonConfig& config,
                                                                 bool foreground) {
  const fs::path& dir = config.engine.dirs.config;
  (void)engine.drivers().add("Local", std::make_shared<telephony::LocalDriver>());
  telephony::register_core_commands(engine);
  telephony::register_database_commands(engine.commands(), engine.astdb());
  telephony::dialplan::register_builtin_functions(engine);
  telephony::register_presence_function(engine);
  telephony::agi::install_agi(engine, {.agi_dir = config.agi_dir});
  auto catalogue = make_modules(engine, foreground);
  // `module load|unload|reload|show` know every module, loaded or not.
  register_module_commands(engine, catalogue);
  for (auto& m : catalogue) {
    if (!m->config_file().empty() && !telephony::config::find_module_config(dir, m->config_file()) &&
        m->name() != "logger")
      continue;
    auto r = m->load(dir);
    if (!r) {
      telephony::Errors errors = r.error();
      errors.items.push_back({"module '" + std::string(m->name()) + "' failed to load", dir.string()});
      return telephony::Unexpected<telephony::Errors>{std::move(errors)};
    }
    engine.add_module(m);
  }
  // Modules that work with others (SIP's metrics collector for res_prometheus) find them now.
  telephony::announce_modules_loaded(engine);
  return {};
}

}  // namespace telephonyd
