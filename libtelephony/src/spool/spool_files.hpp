// The filesystem steps of the spool life cycle, as small POSIX calls with errno-based results.
// Kept apart from the scheduling logic in spooler.cpp so each step's crash behaviour can be
// read in one place: every move is a rename(2) (atomic within one filesystem), every journal
// entry is one O_APPEND write, and nothing is ever deleted except a finished, unarchived file.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "telephony/result.hpp"

namespace telephony::spool::files {

using Clock = std::chrono::system_clock;

// Result of a no-replace move.
enum class MoveResult { Moved, SourceMissing, TargetExists, OtherError };

// Renames `from` to `to` unless `to` exists (renameat2 RENAME_NOREPLACE; link+unlink where the
// filesystem lacks it). `error` gets strerror text on OtherError.
MoveResult move_no_replace(const std::filesystem::path& from, const std::filesystem::path& to,
                           std::string* error = nullptr);

// A regular file's mtime, or nullopt when it is missing or not a regular file.
std::optional<Clock::time_point> regular_file_mtime(const std::filesystem::path& p);

// Sets the mtime (atime becomes now). False on failure.
bool set_mtime(const std::filesystem::path& p, Clock::time_point t);

// Appends "<key>: <pid> <n> (<epoch>)" (or "<key>: <text>" when text is given) on a line of its
// own, adding a newline first if the file does not end with one. `sync` fdatasyncs after.
Result<void> append_journal_line(const std::filesystem::path& p, std::string_view key, int attempt,
                                 bool sync);
Result<void> append_line(const std::filesystem::path& p, std::string_view line, bool sync);

// Reads a whole file of at most `limit` bytes.
Result<std::string> read_small_file(const std::filesystem::path& p, std::size_t limit);

// Moves `from` into `failed_dir` under its own name (or name.1, name.2 … if taken) and writes
// `<final name>.reason` holding `reason`. Returns the final path.
Result<std::filesystem::path> move_to_failed(const std::filesystem::path& from,
                                             const std::filesystem::path& failed_dir,
                                             std::string_view reason);

bool is_hidden(std::string_view name);

}  // namespace telephony::spool::files
