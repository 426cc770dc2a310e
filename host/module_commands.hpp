// `module load <name>` and `module unload <name>` for telephonyd's modules (the catalogue
// make_modules() builds). Loading reads the module's config file like at start; unloading stops
// it (the manager closes its listener and sessions, the spooler stops watching) and forgets it.
// The logger and pbx_config refuse to unload: without them the daemon would run blind or with
// no dialplan (use `logger reload` / `dialplan reload`).
#pragma once

#include <memory>
#include <vector>

#include "telephony/engine.hpp"

namespace telephonyd {

void register_module_commands(telephony::Engine& engine, std::vector<std::shared_ptr<telephony::Module>> catalogue);

}  // namespace telephonyd
