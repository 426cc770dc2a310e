// The host system: SHELL (a command's output), SYSINFO, VERSION.
//
// SHELL never blocks a call thread: on a channel running the dialplan the command runs on the
// engine's worker pool while the priority waits (dialplan/substitution_wait.hpp), and the data is
// substituted again with the output. Without a running dialplan (AMI Getvar by a user allowed
// to call it) it runs on the calling thread, as Asterisk does.
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>

#include "funcs/function_support.hpp"
#include "dialplan/substitution_wait.hpp"
#include "telephony/version.hpp"

namespace telephony::funcs {

namespace {

struct ShellJob {
  std::atomic<bool> done{false};
  std::string output;
  bool failed = false;
  std::uint64_t serial = 0;  // the priority that started it
};

struct ShellJobs {
  std::mutex mu;
  std::map<std::string, std::shared_ptr<ShellJob>, std::less<>> by_command;
};

// popen() and collect everything the command prints (Asterisk's SHELL keeps the trailing newline).
bool run_command(const std::string& command, std::string& out) {
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return false;
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  ::pclose(p);
  return true;
}

Result<std::string> shell_read(const FunctionCall& call) {
  if (call.args.empty()) return func_error(call, "missing argument; example: Set(foo=${SHELL(echo \"bar\")})");
  const std::string command(call.args);
  if (!call.channel || !dialplan::substitution_can_wait(*call.channel)) {
    std::string out;
    if (!run_command(command, out)) return func_error(call, "failed to execute shell command '" + command + "'");
    return out;
  }
  auto jobs = channel_store<ShellJobs>(*call.channel, "func-shell-jobs");
  const auto serial = dialplan::substitution_serial(*call.channel);
  std::shared_ptr<ShellJob> job;
  {
    std::lock_guard lock(jobs->mu);
    auto it = jobs->by_command.find(command);
    if (it != jobs->by_command.end() && it->second->serial == serial) job = it->second;
    else if (it != jobs->by_command.end()) jobs->by_command.erase(it);  // left over from an earlier priority
  }
  if (job && job->done.load()) {
    if (job->failed) return func_error(call, "failed to execute shell command '" + command + "'");
    return job->output;
  }
  if (!job) {
    job = std::make_shared<ShellJob>();
    job->serial = serial;
    {
      std::lock_guard lock(jobs->mu);
      jobs->by_command[command] = job;
    }
    std::weak_ptr<Channel> weak = call.channel->weak_from_this();
    call.engine.run_blocking([job, command, weak] {
      std::string out;
      job->failed = !run_command(command, out);
      job->output = std::move(out);
      job->done.store(true);
      if (auto c = weak.lock()) c->wake();
    });
  }
  dialplan::defer_substitution(*call.channel, [job] { return job->done.load(); },
                               std::chrono::steady_clock::time_point::max());
  return std::string();
}

Result<std::string> sysinfo_read(const FunctionCall& call) {
  const std::string what = to_lower(trim(call.args));
  if (what.empty()) return func_error(call, "missing argument (loadavg, numcalls, uptime, totalram, ...)");
  if (what == "loadavg") {
    double load = 0;
    if (::getloadavg(&load, 1) < 1) return func_error(call, "load average not available");
    char buf[32];
    std::snprintf(buf, sizeof buf, "%f", load);
    return std::string(buf);
  }
  if (what == "numcalls") return std::to_string(call.engine.channel_count());
  struct sysinfo si {};
  if (::sysinfo(&si) != 0) return func_error(call, "failed to retrieve system information");
  auto kib = [&](unsigned long v) { return std::to_string(static_cast<unsigned long long>(v) * si.mem_unit / 1024); };
  if (what == "uptime") return std::to_string(si.uptime / 3600);
  if (what == "totalram") return kib(si.totalram);
  if (what == "freeram") return kib(si.freeram);
  if (what == "bufferram") return kib(si.bufferram);
  if (what == "totalswap") return kib(si.totalswap);
  if (what == "freeswap") return kib(si.freeswap);
  if (what == "numprocs") return std::to_string(si.procs);
  return func_error(call, "unknown sysinfo parameter type '" + std::string(trim(call.args)) + "'");
}

// "1.2.3" -> "10203": Asterisk's ASTERISK_VERSION_NUM layout (major, then two digits each).
std::string version_number(std::string_view v) {
  int part[3] = {0, 0, 0};
  for (int i = 0; i < 3 && !v.empty(); ++i) {
    part[i] = std::atoi(std::string(v).c_str());
    auto dot = v.find('.');
    v = dot == std::string_view::npos ? std::string_view() : v.substr(dot + 1);
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%d%02d%02d", part[0], part[1], part[2]);
  return buf;
}

Result<std::string> version_read(const FunctionCall& call) {
  const std::string what = to_upper(trim(call.args));
  if (what.empty()) return std::string(library_version());
  if (what == "ASTERISK_VERSION_NUM") return version_number(library_version());
  if (what == "BUILD_DATE") return std::string(__DATE__ " " __TIME__);
  struct utsname u {};
  ::uname(&u);
  if (what == "BUILD_USER") {
    const char* user = std::getenv("USER");
    return std::string(user ? user : "");
  }
  if (what == "BUILD_HOSTNAME") return std::string(u.nodename);
  if (what == "BUILD_MACHINE") return std::string(u.machine);
  if (what == "BUILD_OS") return std::string(u.sysname);
  if (what == "BUILD_KERNEL") return std::string(u.release);
  return std::string(library_version());  // Asterisk answers the version for an unknown item
}

}  // namespace

void register_system_functions(Engine& engine) {
  add_function(engine, "SHELL",
               {"Executes a command using the system shell and captures its output.", "SHELL(command)",
                "Runs command with /bin/sh and returns everything it printed (trailing newline included): "
                "Set(foo=${SHELL(echo bar)}). In the dialplan the command runs on the worker pool while the call "
                "waits, never on a call thread; identical SHELL() calls in one priority share one run. Do not put "
                "untrusted strings such as CALLERID(num) in the command (see FILTER()). AMI users reach it only "
                "with system write access or when it is listed as allowed.",
                {{"command", "the command line"}}, {"System", "FILTER"}},
               shell_read);
  add_function(engine, "SYSINFO",
               {"Returns system information specified by parameter.", "SYSINFO(parameter)",
                "loadavg: 1-minute load average; numcalls: active channels; uptime: hours since boot; totalram, "
                "freeram, bufferram, totalswap, freeswap: KiB; numprocs: processes.",
                {{"parameter", "loadavg, numcalls, uptime, totalram, freeram, bufferram, totalswap, freeswap, numprocs"}},
                {}},
               sysinfo_read);
  add_function(engine, "VERSION",
               {"Return the Version info for this Asterisk.", "VERSION([info])",
                "Without an argument, the version of this engine (e.g. 0.1.0). ASTERISK_VERSION_NUM gives it as "
                "digits (0.1.0 -> 00100, 1.6.2 -> 10602). BUILD_DATE is when the library was compiled; BUILD_USER, "
                "BUILD_HOSTNAME, BUILD_MACHINE, BUILD_OS and BUILD_KERNEL describe the host it runs on.",
                {{"info", "ASTERISK_VERSION_NUM, BUILD_USER, BUILD_HOSTNAME, BUILD_MACHINE, BUILD_OS, BUILD_DATE, BUILD_KERNEL"}},
                {}},
               version_read);
}

}  // namespace telephony::funcs
