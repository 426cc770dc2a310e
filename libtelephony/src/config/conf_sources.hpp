// Where .conf text comes from: whole files read in one go, #include globs expanded in sorted
// order, and #exec command output. Kept apart from the dialect so the parser only sees text.
// Internal: not installed.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace telephony::config::detail {

// The whole file in one buffer, or an error message (strerror-style) when it cannot be read.
struct FileText {
  std::string text;
  std::string error;  // empty on success
};
FileText read_whole_file(const std::string& path);

bool has_glob_chars(std::string_view s);

// Sorted matches of a shell glob; empty when nothing matches.
std::vector<std::string> expand_glob(const std::string& pattern);

// Runs `command` through /bin/sh and collects its standard output. `error` is set when the
// command cannot be started or exits unsuccessfully.
struct CommandOutput {
  std::string text;
  std::string error;
};
CommandOutput run_command(const std::string& command);

}  // namespace telephony::config::detail
