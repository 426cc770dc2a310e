// Wiring an Asterisk-style configuration directory into an Engine, exactly as telephonyd does at
// start: Local channels, the core and `database` console commands, the built-in dialplan
// functions, then every module whose configuration file exists (the logger always). telephonyd
// and the Python binding's `Engine(config_dir=...)` share it, so a script started on a config
// directory behaves like the daemon on the same directory.
#pragma once

#include <filesystem>

#include "daemon_config.hpp"
#include "telephony/engine.hpp"
#include "telephony/result.hpp"

namespace telephonyd {

// Creates the state directories (run, spool/outgoing, log, db, recordings) of `config`.
void create_state_directories(const DaemonConfig& config);

// Registers the drivers, commands and functions, then loads the modules in order. `foreground`:
// the logger's `console` channel writes to the terminal. A module that fails to load stops the
// wiring: its errors come back followed by "module '<name>' failed to load", and the modules
// loaded before it stay added to the engine (the caller does not start it).
telephony::Result<void, telephony::Errors> load_config_directory(telephony::Engine& engine,
                                                                 const DaemonConfig& config,
                                                                 bool foreground);

}  // namespace telephonyd
