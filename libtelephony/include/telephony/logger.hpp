// Logger: the engine's log, in Asterisk's levels and line shapes.
//
// Levels are Asterisk's: ERROR WARNING NOTICE VERBOSE DEBUG DTMF SECURITY. VERBOSE and DEBUG
// carry a sub-level (ast_verb(3, ...) / ast_debug(1, ...)): a verbose message of level n is
// produced only when some sink wants verbose at n or above, and `core set verbose N` /
// `core set debug N` move the global thresholds at run time.
//
// The logger does not format: it hands each sink a LogRecord (time, level, sub-level, thread id,
// call id, source, message) and the sink renders it — a file channel as
// `[date] LEVEL[tid][C-xxxxxxxx] source: message`, a console as Asterisk's console does (verbose
// lines as `    -- message`). format_file_line() and verbose_prefix() give those shapes to any
// sink. With no sink at all, lines go to stderr in the file shape.
//
// Cost: enabled() is a few relaxed atomic loads, so callers test it before building a message
// (the dialplan's per-step trace does).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace telephony {

enum class LogLevel { Error, Warning, Notice, Verbose, Debug, Dtmf, Security };
constexpr unsigned kLogLevelCount = 7;
std::string_view to_string(LogLevel l);  // "ERROR", …, "SECURITY"
constexpr unsigned log_bit(LogLevel l) { return 1u << static_cast<unsigned>(l); }

struct LogRecord {
  LogLevel level = LogLevel::Notice;
  int sublevel = 0;  // verbose/debug level (0 for the others)
  std::chrono::system_clock::time_point time;
  long tid = 0;
  std::string_view callid;  // "C-0000002a" or empty
  std::string_view source;
  std::string_view message;
};

// Asterisk's VERBOSE_PREFIX_n: "" (0), " " (1), "  == " (2), "    -- " (3), "       > " (4+).
std::string_view verbose_prefix(int level);
// "[<date>] LEVEL[tid][C-…] source: message" with `dateformat` (strftime; empty: "%b %e %T").
std::string format_file_line(const LogRecord& r, std::string_view dateformat = {});
// strftime of the record's local time.
std::string format_log_time(std::chrono::system_clock::time_point t, std::string_view dateformat);

class Logger {
 public:
  using Sink = std::function<void(const LogRecord&)>;

  // Sinks are called in order under the logger's lock (one line never interleaves another).
  void add_sink(Sink s);
  // A sink that wants the finished line (file shape, default dateformat).
  using LineSink = std::function<void(LogLevel, std::string_view line)>;
  void add_sink(LineSink s);
  void clear_sinks();
  // What the configured sinks want, for enabled(): a mask of log_bit()s plus the highest fixed
  // verbose(n) / debug level among them. The host sets it after configuring its sinks.
  void set_wanted(unsigned level_mask, int fixed_verbose = 0, int fixed_debug = 0);
  unsigned wanted_mask() const { return mask_.load(std::memory_order_relaxed); }

  // Everything up to `max` in the order Error, Warning, Notice, Verbose, Debug (plus security
  // when max is at least Notice): a simple threshold for embedders and tests.
  void set_level(LogLevel max);

  // `core set verbose N` / `core set debug N`: the thresholds of sinks without a fixed level.
  void set_verbose(int n) { verbose_.store(n, std::memory_order_relaxed); }
  int verbose_level() const { return verbose_.load(std::memory_order_relaxed); }
  void set_debug(int n) { debug_.store(n, std::memory_order_relaxed); }
  int debug_level() const { return debug_.load(std::memory_order_relaxed); }

  bool enabled(LogLevel l, int sublevel = 0) const;

  void write(LogLevel level, std::string_view source, std::string_view message, int sublevel = 0,
             std::string_view callid = {});
  void error(std::string_view src, std::string_view m) { write(LogLevel::Error, src, m); }
  void warning(std::string_view src, std::string_view m) { write(LogLevel::Warning, src, m); }
  void notice(std::string_view src, std::string_view m) { write(LogLevel::Notice, src, m); }
  // ast_verb(3, …): the level most call-progress lines use.
  void verbose(std::string_view src, std::string_view m) { verbose(3, src, m); }
  void verbose(int level, std::string_view src, std::string_view m, std::string_view callid = {}) {
    if (enabled(LogLevel::Verbose, level)) write(LogLevel::Verbose, src, m, level, callid);
  }
  void debug(std::string_view src, std::string_view m, int level = 1) {
    if (enabled(LogLevel::Debug, level)) write(LogLevel::Debug, src, m, level);
  }
  void security(std::string_view src, std::string_view m) { write(LogLevel::Security, src, m); }

  // Lines written per level since start (the metrics endpoint reports them).
  std::uint64_t written(LogLevel l) const { return counts_[static_cast<unsigned>(l)].load(std::memory_order_relaxed); }

 private:
  std::mutex mu_;
  std::vector<Sink> sinks_;
  // No sink configured: ERROR WARNING NOTICE VERBOSE(3) to stderr.
  std::atomic<unsigned> mask_{log_bit(LogLevel::Error) | log_bit(LogLevel::Warning) | log_bit(LogLevel::Notice) |
                              log_bit(LogLevel::Verbose)};
  std::atomic<int> fixed_verbose_{0};
  std::atomic<int> fixed_debug_{0};
  std::atomic<int> verbose_{3};
  std::atomic<int> debug_{0};
  std::atomic<std::uint64_t> counts_[kLogLevelCount] = {};
};

}  // namespace telephony
