// Call files: the text files Asterisk users drop into the spool's `outgoing` directory to
// originate a call (`Channel:` to ring, then either an Application or a Context/Extension/
// Priority to run once it answers). The spooler also uses the file itself as its journal: it
// appends `StartRetry:` / `EndRetry:` / `Status:` lines, exactly as Asterisk's pbx_spool does, so
// a file's own text says how many attempts were made and whether one was answered.
//
// parse_call_file() accepts Asterisk's dialect: one `Key: value` per line, keys case-insensitive,
// `#` comments (at line start or after a blank) and `;` comments, `\;` for a literal semicolon,
// CRLF or LF line ends, repeated keys (the last one wins; Set:/SetVar: accumulate).
// It rejects (returns an Error naming "file:line") a file without `Channel:`, a Channel that is
// not `Tech/Resource`, and a file with neither `Application:` nor `Extension:`.
// What Asterisk only logs (unknown keys, `Key=value` lines, non-numeric WaitTime, `Set:` without
// '=') is kept in CallFile::warnings with its file:line and does not fail the parse.
// It allocates the strings it returns (one per field) and the vectors of variables/warnings; it
// never reads beyond `text` and never throws.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "telephony/result.hpp"

namespace telephony::spool {

// The journal state the spooler left in a file (from its StartRetry/EndRetry/Status lines).
enum class JournalTail {
  None,          // no bookkeeping line after the last Status (a fresh file)
  AttemptOpen,   // last line is StartRetry: an attempt began and its outcome was never written
  AttemptEnded,  // last line is EndRetry/AbortRetry: the last attempt failed and was recorded
  Finished,      // last line is Status: a verdict was written (see CallFile::status)
};

struct CallFile {
  std::string channel;  // "Tech/Resource", as for Dial()
  std::string callerid;
  int max_retries = 0;   // retries after the first attempt: MaxRetries+1 attempts in total
  int retry_time = 300;  // seconds between attempts
  int wait_time = 45;    // seconds to wait for an answer
  std::string account;
  std::string context = "default";  // Asterisk's default when Context: is absent
  std::string extension;
  int priority = 1;
  std::string priority_label;  // `Priority: start` (a label) — see docs/callfiles.md
  std::vector<std::pair<std::string, std::string>> variables;  // Set:/SetVar:, in file order
  std::string application;  // takes precedence over Extension when both are given
  std::string data;
  bool always_delete = true;
  bool archive = false;
  std::string codecs;
  bool early_media = false;

  // Bookkeeping read back from the spooler's own lines. Only the lines after the last `Status:`
  // count: a reused file (AlwaysDelete: no) starts a new round after each verdict.
  int attempts = 0;  // StartRetry: lines of the current round = attempts already made
  JournalTail tail = JournalTail::None;
  std::string status;  // value of the last Status: line ("Completed", "Expired", "Failed")

  std::vector<Error> warnings;  // non-fatal problems, each with "file:line"

  bool has_application() const { return !application.empty(); }
};

// Parses `text` (the whole file). `file_name` only labels errors and warnings ("name:line").
Result<CallFile> parse_call_file(std::string_view text, std::string_view file_name);

// Asterisk's notion of "true" for yes/no keys: yes, true, y, t, 1, on (case-insensitive).
bool call_file_true(std::string_view value);

}  // namespace telephony::spool
