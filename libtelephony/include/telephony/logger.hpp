// Logger: the engine's log, in Asterisk's levels (ERROR WARNING NOTICE VERBOSE DEBUG) and line
// shape `[YYYY-MM-DD HH:MM:SS] LEVEL[tid] source: message`. Sinks are added by the host
// (console, files from logger.conf); with none, lines go to stderr.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace telephony {

enum class LogLevel { Error, Warning, Notice, Verbose, Debug };
std::string_view to_string(LogLevel l);

class Logger {
 public:
  using Sink = std::function<void(LogLevel, std::string_view line)>;
  void add_sink(Sink s);
  void clear_sinks();
  void set_level(LogLevel max) { max_ = max; }
  bool enabled(LogLevel l) const { return static_cast<int>(l) <= static_cast<int>(max_); }
  void write(LogLevel level, std::string_view source, std::string_view message);
  void error(std::string_view src, std::string_view m) { write(LogLevel::Error, src, m); }
  void warning(std::string_view src, std::string_view m) { write(LogLevel::Warning, src, m); }
  void notice(std::string_view src, std::string_view m) { write(LogLevel::Notice, src, m); }
  void verbose(std::string_view src, std::string_view m) { write(LogLevel::Verbose, src, m); }
  void debug(std::string_view src, std::string_view m) { write(LogLevel::Debug, src, m); }

 private:
  std::mutex mu_;
  std::vector<Sink> sinks_;
  LogLevel max_ = LogLevel::Verbose;
};

}  // namespace telephony
