#include "telephony/logger.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace telephony {

std::string_view to_string(LogLevel l) {
  switch (l) {
    case LogLevel::Error: return "ERROR";
    case LogLevel::Warning: return "WARNING";
    case LogLevel::Notice: return "NOTICE";
    case LogLevel::Verbose: return "VERBOSE";
    case LogLevel::Debug: return "DEBUG";
    case LogLevel::Dtmf: return "DTMF";
    case LogLevel::Security: return "SECURITY";
  }
  return "?";
}

std::string_view verbose_prefix(int level) {
  switch (level) {
    case 0: return "";
    case 1: return " ";
    case 2: return "  == ";
    case 3: return "    -- ";
    default: return "       > ";
  }
}

std::string format_log_time(std::chrono::system_clock::time_point t, std::string_view dateformat) {
  const std::string fmt(dateformat.empty() ? std::string_view("%b %e %T") : dateformat);
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::localtime_r(&tt, &tm);
  // %q (Asterisk's extension): milliseconds. Expanded before strftime sees it.
  std::string f = fmt;
  for (std::size_t p = f.find("%q"); p != std::string::npos; p = f.find("%q", p + 3)) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
    char buf[8];
    std::snprintf(buf, sizeof buf, "%03lld", static_cast<long long>(ms));
    f.replace(p, 2, buf);
  }
  char out[128];
  const std::size_t n = std::strftime(out, sizeof out, f.c_str(), &tm);
  return std::string(out, n);
}

std::string format_file_line(const LogRecord& r, std::string_view dateformat) {
  std::string line;
  line.reserve(64 + r.source.size() + r.message.size());
  line += '[';
  line += format_log_time(r.time, dateformat);
  line += "] ";
  line += to_string(r.level);
  line += '[';
  line += std::to_string(r.tid);
  line += ']';
  if (!r.callid.empty()) {
    line += '[';
    line += r.callid;
    line += ']';
  }
  line += ' ';
  line += r.source;
  line += ": ";
  line += r.message;
  return line;
}

void Logger::add_sink(Sink s) {
  std::lock_guard lock(mu_);
  sinks_.push_back(std::move(s));
}

void Logger::add_sink(LineSink s) {
  add_sink(Sink([s = std::move(s)](const LogRecord& r) { s(r.level, format_file_line(r)); }));
}

void Logger::set_level(LogLevel max) {
  unsigned mask = 0;
  for (auto l : {LogLevel::Error, LogLevel::Warning, LogLevel::Notice, LogLevel::Verbose, LogLevel::Debug})
    if (static_cast<int>(l) <= static_cast<int>(max)) mask |= log_bit(l);
  if (static_cast<int>(max) >= static_cast<int>(LogLevel::Notice)) mask |= log_bit(LogLevel::Security);
  set_wanted(mask, 0, max == LogLevel::Debug ? 1 : 0);
}

void Logger::clear_sinks() {
  std::lock_guard lock(mu_);
  sinks_.clear();
}

void Logger::set_wanted(unsigned level_mask, int fixed_verbose, int fixed_debug) {
  mask_.store(level_mask, std::memory_order_relaxed);
  fixed_verbose_.store(fixed_verbose, std::memory_order_relaxed);
  fixed_debug_.store(fixed_debug, std::memory_order_relaxed);
}

bool Logger::enabled(LogLevel l, int sublevel) const {
  if (!(mask_.load(std::memory_order_relaxed) & log_bit(l))) return false;
  if (l == LogLevel::Verbose)
    return sublevel <= std::max(verbose_.load(std::memory_order_relaxed), fixed_verbose_.load(std::memory_order_relaxed));
  if (l == LogLevel::Debug)
    return sublevel <= std::max(debug_.load(std::memory_order_relaxed), fixed_debug_.load(std::memory_order_relaxed));
  return true;
}

void Logger::write(LogLevel level, std::string_view source, std::string_view message, int sublevel,
                   std::string_view callid) {
  if (!enabled(level, sublevel)) return;
  counts_[static_cast<unsigned>(level)].fetch_add(1, std::memory_order_relaxed);
  LogRecord r{level, sublevel, std::chrono::system_clock::now(), static_cast<long>(::syscall(SYS_gettid)), callid,
              source, message};
  std::lock_guard lock(mu_);
  if (sinks_.empty()) {
    std::fprintf(stderr, "%s\n", format_file_line(r).c_str());
    return;
  }
  for (auto& s : sinks_) s(r);
}

}  // namespace telephony
