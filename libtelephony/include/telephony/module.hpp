// Module: a unit telephonyd (or any host) loads from a config file — dialplan from
// extensions.conf, the manager from manager.conf, SIP from pjsip.conf. Each module validates a
// complete new configuration before swapping it in, so a broken reload keeps the running one.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "telephony/result.hpp"

namespace telephony {

class Module {
 public:
  virtual ~Module() = default;
  virtual std::string_view name() const = 0;          // "pbx_config", "manager", …
  virtual std::string_view config_file() const = 0;   // "extensions.conf"; empty: no config
  // Parses and validates without applying (telephonyd --check-config).
  virtual Result<void, Errors> check(const std::filesystem::path& config_dir) = 0;
  virtual Result<void, Errors> load(const std::filesystem::path& config_dir) = 0;
  virtual Result<void, Errors> reload(const std::filesystem::path& config_dir) { return load(config_dir); }
  virtual void unload() {}
};

}  // namespace telephony
