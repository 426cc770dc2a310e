#include "telephony/logger.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
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
  }
  return "?";
}

void Logger::add_sink(Sink s) {
  std::lock_guard lock(mu_);
  sinks_.push_back(std::move(s));
}

void Logger::clear_sinks() {
  std::lock_guard lock(mu_);
  sinks_.clear();
}

void Logger::write(LogLevel level, std::string_view source, std::string_view message) {
  if (!enabled(level)) return;
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  ::localtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
  std::string line = "[" + std::string(stamp) + "] " + std::string(to_string(level)) + "[" +
                     std::to_string(::syscall(SYS_gettid)) + "] " + std::string(source) + ": " +
                     std::string(message);
  std::lock_guard lock(mu_);
  if (sinks_.empty()) {
    std::fprintf(stderr, "%s\n", line.c_str());
    return;
  }
  for (auto& s : sinks_) s(level, line);
}

}  // namespace telephony
