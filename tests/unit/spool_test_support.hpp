// Test support for the spooler tests: a spool directory, an io_context driven from the test
// thread, and a scripted Dialer that records every attempt.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "telephony/spool/spooler.hpp"
#include "testkit/testkit.hpp"

namespace telephony::spool::test {

namespace fs = std::filesystem;
using SysTime = std::chrono::system_clock::time_point;

inline SysTime mtime(const fs::path& p) {
  struct stat s {};
  ::stat(p.c_str(), &s);
  return SysTime(std::chrono::duration_cast<SysTime::duration>(
      std::chrono::seconds(s.st_mtim.tv_sec) + std::chrono::nanoseconds(s.st_mtim.tv_nsec)));
}

inline void set_mtime(const fs::path& p, SysTime t) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  struct timespec ts[2] = {{0, UTIME_NOW}, {static_cast<time_t>(ns / 1000000000), ns % 1000000000}};
  ::utimensat(AT_FDCWD, p.c_str(), ts, 0);
}

// The way tools are told to deliver call files: write a dotfile, then rename it in.
inline void drop_file(const fs::path& outgoing, const std::string& name, std::string_view text,
                      std::optional<SysTime> due = std::nullopt) {
  auto tmp = outgoing / ("." + name + ".tmp");
  testkit::write_file(tmp, text);
  if (due) set_mtime(tmp, *due);
  fs::rename(tmp, outgoing / name);
}

inline int count_lines(std::string_view text, std::string_view prefix) {
  int n = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    auto line = text.substr(pos, nl == text.npos ? text.npos : nl - pos);
    if (line.substr(0, prefix.size()) == prefix) ++n;
    if (nl == text.npos) break;
    pos = nl + 1;
  }
  return n;
}

template <class Pred>
bool run_until(boost::asio::io_context& io, Pred pred,
               std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    io.restart();
    io.run_for(std::chrono::milliseconds(5));
  }
  return true;
}

struct Fixture {
  std::optional<testkit::TempDir> own;
  fs::path root;
  boost::asio::io_context io;
  SpoolerOptions options;
  std::vector<std::pair<std::string, int>> calls;  // (file name, attempt) in dial order
  std::map<std::string, std::function<void(DialReason)>> held;
  std::optional<std::chrono::seconds> reuse_after;
  std::vector<std::string> log_lines;
  std::unique_ptr<CallFileSpooler> spooler;  // last: destroyed first

  Fixture() : own(std::in_place, "spool-test"), root(own->path()) { init(); }
  explicit Fixture(fs::path dir) : root(std::move(dir)) { init(); }

  void init() {
    options.spool_dir = root;
    options.log = [this](SpoolLogLevel, std::string line) { log_lines.push_back(std::move(line)); };
  }

  void start() {
    spooler = std::make_unique<CallFileSpooler>(
        io, options, [this](const DialAttempt& a, std::function<void(DialReason)> done) {
          calls.emplace_back(a.file_name, a.attempt);
          const std::string& ch = a.file.channel;
          if (ch == "Test/hold") {
            held[a.file_name] = std::move(done);
          } else if (ch == "Test/busy") {
            done(DialReason::Busy);
          } else {
            if (reuse_after) set_mtime(a.work_path, std::chrono::system_clock::now() + *reuse_after);
            done(DialReason::Answered);
          }
        });
    spooler->start();
  }

  template <class Pred>
  bool run_until(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    return test::run_until(io, pred, timeout);
  }
  void run_for(std::chrono::milliseconds d) {
    auto end = std::chrono::steady_clock::now() + d;
    run_until([&] { return std::chrono::steady_clock::now() >= end; }, d + std::chrono::seconds(1));
  }

  void drop(const std::string& name, std::string_view text, std::optional<SysTime> due = {}) {
    fs::create_directories(outgoing());
    drop_file(outgoing(), name, text, due);
  }
  void release(const std::string& name, DialReason r) {
    auto done = std::move(held.at(name));
    held.erase(name);
    done(r);
  }

  std::vector<int> dialed(const std::string& name) const {
    std::vector<int> out;
    for (const auto& [n, a] : calls)
      if (n == name) out.push_back(a);
    return out;
  }
  CallFileSpooler::Stats stats() const { return spooler->stats(); }
  fs::path outgoing() const { return root / "outgoing"; }
  fs::path work() const { return root / "outgoing_work"; }
  fs::path done() const { return root / "outgoing_done"; }
  fs::path failed() const { return root / "outgoing_failed"; }
};

}  // namespace telephony::spool::test
