// Loading extensions.conf into a Dialplan snapshot.
//
// Accepts the parsed config model (config::parse_file): [general] (autofallthrough,
// clearglobalvars, extenpatternmatchnew, and the other pbx_config keys, accepted), every
// [globals] section (values substituted with the globals defined before them), and every other
// non-template section as a context (repeated sections merge). Context directives: `exten =>`,
// `same =>`, `include =>`, `ignorepat =>`, `switch/lswitch/eswitch =>` (kept; a warning says
// remote switches are not executed). Priorities: a number, `n`/`next`, `s`/`same`, `hint`, an
// existing label, each optionally followed by `+N` and `(label)`. Extension names get global
// variable substitution, as pbx_config does.
//
// Rejects, each with file:line and all at once: `same` without an earlier `exten`, `n`/`s` on a
// context's first line, an unknown priority/label, bad patterns, duplicate priorities (also
// through equal patterns like `_N` and `_[2-9]`), duplicate labels, a missing application or ')'.
// Unknown directives and [general] keys are warnings (Asterisk ignores them), reported in
// Dialplan::warnings().
//
// LoadOptions::bad_lines chooses what a rejected line does. Reject (the default: --check-config,
// reload) makes the whole load fail, so nothing half-valid replaces a running dialplan. Skip
// (telephonyd's start, as Asterisk's pbx_config does) leaves the line out with its file:line
// error as a warning and loads everything else; a `same` line after a skipped `exten` is skipped
// too. Errors of the .conf syntax itself (config::parse_file) always fail the load.
#pragma once

#include <filesystem>
#include <memory>

#include "telephony/config/config.hpp"
#include "telephony/dialplan/dialplan.hpp"
#include "telephony/result.hpp"

namespace telephony::dialplan {

enum class BadLines { Reject, Skip };
struct LoadOptions {
  BadLines bad_lines = BadLines::Reject;
};

Result<std::shared_ptr<const Dialplan>, Errors> load_dialplan(const config::ConfigFile& file,
                                                               const LoadOptions& load = {});
// parse_file + load_dialplan; parse errors come back as they are.
Result<std::shared_ptr<const Dialplan>, Errors> load_dialplan_file(const std::filesystem::path& file,
                                                                    const config::ParseOptions& options = {},
                                                                    const LoadOptions& load = {});
Result<std::shared_ptr<const Dialplan>, Errors> load_dialplan_string(std::string_view text, std::string_view name,
                                                                      const config::ParseOptions& options = {},
                                                                      const LoadOptions& load = {});

}  // namespace telephony::dialplan
