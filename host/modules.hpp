// The modules telephonyd knows, in load order. A module whose config_file() is missing from the
// configuration directory is not loaded (as Asterisk's autoload skips modules with no config);
// modules with no config file always load.
#pragma once

#include <memory>
#include <vector>

#include "telephony/engine.hpp"

namespace telephonyd {

std::vector<std::shared_ptr<telephony::Module>> make_modules(telephony::Engine& engine, bool foreground);

}  // namespace telephonyd
