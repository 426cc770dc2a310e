// Finding a module's configuration in a configuration directory, whichever format the user wrote.
//
// A module names its file as Asterisk does ("extensions.conf"). load_module_config() reads
// DIR/extensions.conf when it exists, else DIR/extensions.yaml (or .yml) through the YAML loader,
// so every module reads one in-memory model whatever the spelling. Having both a .conf and a
// .yaml of the same name is an error (which one wins would be a guess).
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "telephony/config/config.hpp"

namespace telephony::config {

// The file that holds `conf_name` in `dir` (.conf, then .yaml/.yml), or nullopt if none.
std::optional<std::filesystem::path> find_module_config(const std::filesystem::path& dir,
                                                        std::string_view conf_name);

// Parses it; a missing file is an error naming the .conf path.
Result<ConfigFile, Errors> load_module_config(const std::filesystem::path& dir, std::string_view conf_name,
                                              const ParseOptions& options = {});

}  // namespace telephony::config
