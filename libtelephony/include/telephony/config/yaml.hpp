// YAML as an alternative spelling of the same configuration model (config.hpp).
//
// One YAML file maps to one ConfigFile. The top level is a mapping from section name to either
//   - a mapping: key -> scalar, or key -> list of scalars (a list produces repeated entries in
//     order, e.g. `allow: [ulaw, alaw]`), or
//   - a list of single-key mappings, which keeps order and repeats across keys
//     (`- exten: 100,1,Answer()` / `- same: n,Hangup()`).
// A key ending in `=>` (e.g. `"exten =>"`) makes an entry written with `=>` (Entry::object), so a
// .conf file has an exact YAML rendering. Special keys per section: `_template: true` and
// `_inherits: [a, b]` (or a single name), applied exactly as `[x](!,a,b)` is in the .conf dialect;
// `_append: true` is `[x](+)`. A null section value is an empty section.
// Rejected, each error "file:line: message" (1-based lines): a top level that is not a mapping,
// nested mappings where a scalar is expected, unknown parents, malformed YAML.
// Scalars are taken as written (`yes` stays "yes"); there is no type conversion.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "telephony/config/config.hpp"

namespace telephony::config {

Result<ConfigFile, Errors> load_yaml(const std::filesystem::path& file);

// A bundle: one YAML file whose top-level keys are config file names ("extensions.conf": {...}),
// for `telephonyd -C one.yaml`. Returns file name -> model; each model's `path` is its file name
// key and its locations point into the bundle file.
Result<std::map<std::string, ConfigFile>, Errors> load_yaml_bundle(const std::filesystem::path& file);

}  // namespace telephony::config
