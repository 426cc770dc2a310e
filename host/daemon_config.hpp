// Reading telephony.conf (or Asterisk's asterisk.conf) into EngineOptions: the [directories]
// section (spooldir, soundsdir, rundir, dbdir, logdir, recordingsdir, datadir — the ast*dir
// names too; relative paths resolve against the config directory) and [options] (systemname,
// threads, maxcalls, verbose).
#pragma once

#include <filesystem>

#include "telephony/engine.hpp"
#include "telephony/result.hpp"

namespace telephonyd {

struct DaemonConfig {
  telephony::EngineOptions engine;
  int verbose = 3;
  std::filesystem::path agi_dir;  // agidir/astagidir; empty: <datadir>/agi-bin (AGI's default)
  std::filesystem::path control_socket() const { return engine.dirs.run / "telephonyd.ctl"; }
  std::filesystem::path pid_file() const { return engine.dirs.run / "telephonyd.pid"; }
};

telephony::Result<DaemonConfig, telephony::Errors> load_daemon_config(const std::filesystem::path& config_dir);

// Parses every *.conf file in the directory (include-aware) and returns every error found;
// system.conf (DAHDI's dialect) is left to the TDM module.
telephony::Errors check_all_config_files(const std::filesystem::path& config_dir);

}  // namespace telephonyd
