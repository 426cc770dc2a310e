// logger.conf: where log lines go, as Asterisk reads it.
//
//   [general]
//   dateformat = %F %T.%3q         ; strftime, plus %q (milliseconds); default "%b %e %T"
//   rotatestrategy = rotate        ; none | sequential | rotate | timestamp (default rotate)
//   exec_after_rotate = gzip -9 ${filename}.2
//   [logfiles]
//   console => notice,warning,error,verbose
//   messages => notice,warning,error,verbose(3)    ; a file in logdir (or an absolute path)
//   security => security
//   full => *                      ; every level
//
// Levels: debug, notice, warning, error, verbose, verbose(n) (a fixed verbosity for that
// channel; plain `verbose` follows `core set verbose`), dtmf, security, fax (accepted, nothing
// logs at it), `*`. An unknown key or level is an error naming file:line; a reload that fails
// keeps the running channels.
//
// Console channel: stderr when telephonyd runs in the foreground, in Asterisk's console shapes
// (`    -- Executing …` for verbose, `[date] NOTICE[tid]: source: message` for the rest). Under
// systemd (JOURNAL_STREAM names our stderr) every console line carries a `<priority>` prefix so
// journald files it at the right level. Without -f the console channel is inert.
//
// Console commands: `logger show channels`, `logger rotate`, `logger reload`.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "telephony/config/config.hpp"
#include "telephony/engine.hpp"
#include "telephony/module.hpp"

namespace telephonyd {

enum class RotateStrategy { None, Sequential, Rotate, Timestamp };

struct LogChannelConfig {
  std::string name;       // "console" or a file name/path as written
  bool console = false;
  unsigned mask = 0;      // telephony::log_bit()s
  int fixed_verbose = -1; // verbose(n); -1: follows the global verbosity
};

struct LoggerConfig {
  std::string dateformat = "%b %e %T";
  RotateStrategy rotate = RotateStrategy::Rotate;
  std::string exec_after_rotate;
  std::vector<LogChannelConfig> channels;
};

// Parses logger.conf (all errors at once, each naming file:line).
telephony::Result<LoggerConfig, telephony::Errors> parse_logger_config(const telephony::config::ConfigFile& file);
// The configuration used when there is no logger.conf (Asterisk's built-in defaults).
LoggerConfig default_logger_config();

class LoggerModule : public telephony::Module {
 public:
  LoggerModule(telephony::Engine& engine, bool foreground);
  ~LoggerModule() override;
  std::string_view name() const override { return "logger"; }
  std::string_view config_file() const override { return "logger.conf"; }
  telephony::Result<void, telephony::Errors> check(const std::filesystem::path& dir) override;
  telephony::Result<void, telephony::Errors> load(const std::filesystem::path& dir) override;
  void unload() override;

  // Renames every file channel by the rotate strategy and reopens it (`logger rotate`).
  telephony::Result<void> rotate();

  struct State;

 private:
  telephony::Engine& engine_;
  std::shared_ptr<State> state_;
};

}  // namespace telephonyd
