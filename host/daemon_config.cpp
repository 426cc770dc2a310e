#include "daemon_config.hpp"

#include <strings.h>

#include <algorithm>

#include "telephony/config/config.hpp"
#include "telephony/config/yaml.hpp"

namespace telephonyd {

namespace fs = std::filesystem;
using telephony::Errors;

namespace {
fs::path resolve(const fs::path& base, const std::string& value) {
  fs::path p(value);
  return p.is_absolute() ? p : fs::weakly_canonical(base / p);
}
}  // namespace

telephony::Result<DaemonConfig, Errors> load_daemon_config(const fs::path& config_dir_in) {
  DaemonConfig cfg;
  fs::path config_dir = fs::absolute(config_dir_in);
  if (!fs::is_directory(config_dir))
    return telephony::Unexpected<Errors>{Errors{{{"configuration directory does not exist", config_dir.string()}}}};
  auto& d = cfg.engine.dirs;
  d.config = config_dir;
  // Defaults for a self-contained directory: state lives beside the configuration.
  d.spool = config_dir / "spool";
  d.run = config_dir / "run";
  d.db = config_dir / "db";
  d.log = config_dir / "log";
  d.recordings = config_dir / "spool" / "monitor";
  d.data = config_dir / "data";

  fs::path file = config_dir / "telephony.conf";
  if (!fs::exists(file) && fs::exists(config_dir / "asterisk.conf")) file = config_dir / "asterisk.conf";
  if (!fs::exists(file)) return cfg;
  auto parsed = telephony::config::parse_file(file, {.config_dir = config_dir});
  if (!parsed) return telephony::Unexpected<Errors>{parsed.error()};

  Errors errors;
  struct DirKey {
    const char* plain;
    const char* ast;
    fs::path* target;
  };
  DirKey keys[] = {{"spooldir", "astspooldir", &d.spool},     {"soundsdir", "astsoundsdir", &d.sounds},
                   {"rundir", "astrundir", &d.run},           {"dbdir", "astdbdir", &d.db},
                   {"logdir", "astlogdir", &d.log},           {"recordingsdir", "astmonitordir", &d.recordings},
                   {"datadir", "astdatadir", &d.data},         {"agidir", "astagidir", &cfg.agi_dir}};
  bool recordings_set = false;
  for (const auto* sec : parsed->sections_named("directories")) {
    for (const auto& e : sec->entries) {
      bool known = false;
      for (auto& k : keys) {
        if (strcasecmp(e.name.c_str(), k.plain) == 0 || strcasecmp(e.name.c_str(), k.ast) == 0) {
          known = true;
          if (e.value.empty()) {
            errors.items.push_back({"'" + e.name + "' needs a path", e.where.to_string()});
          } else {
            *k.target = resolve(config_dir, e.value);
            if (k.target == &d.recordings) recordings_set = true;
          }
        }
      }
      if (!known && strcasecmp(e.name.c_str(), "astetcdir") != 0 && strcasecmp(e.name.c_str(), "astmoddir") != 0 &&
          strcasecmp(e.name.c_str(), "astvarlibdir") != 0 &&
          strcasecmp(e.name.c_str(), "astkeydir") != 0)
        errors.items.push_back({"unknown directory setting '" + e.name + "'", e.where.to_string()});
    }
  }
  if (!recordings_set) d.recordings = d.spool / "monitor";
  if (const auto* opt = parsed->section("options")) {
    cfg.engine.system_name = opt->get("systemname").value_or("");
    int threads = opt->get_int("threads", 0);
    if (threads < 0 || threads > 256) errors.items.push_back({"threads must be 0..256", opt->where.to_string()});
    else cfg.engine.threads = static_cast<unsigned>(threads);
    int maxcalls = opt->get_int("maxcalls", 0);
    if (maxcalls < 0) errors.items.push_back({"maxcalls must not be negative", opt->where.to_string()});
    else cfg.engine.max_channels = static_cast<std::size_t>(maxcalls);
    cfg.verbose = opt->get_int("verbose", 3);
  }
  if (!errors.items.empty()) return telephony::Unexpected<Errors>{errors};
  return cfg;
}

Errors check_all_config_files(const fs::path& config_dir) {
  Errors all;
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(config_dir, ec))
    if (e.is_regular_file() && (e.path().extension() == ".conf" || e.path().extension() == ".yaml" ||
                                e.path().extension() == ".yml"))
      // system.conf is DAHDI's (dahdi_cfg's flat key=value dialect, not Asterisk's); the TDM
      // module checks it with its own parser.
      if (e.path().filename() != "system.conf") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto r = f.extension() == ".conf" ? telephony::config::parse_file(f, {.config_dir = config_dir})
                                      : telephony::config::load_yaml(f);
    if (!r) all.items.insert(all.items.end(), r.error().items.begin(), r.error().items.end());
  }
  return all;
}

}  // namespace telephonyd
