// Running other things: Exec, TryExec (applications named at run time), System, TrySystem (shell
// commands on the worker pool), Reload (configuration, on the worker pool).
#include <sys/wait.h>

#include <atomic>
#include <cstdlib>

#include "apps/dialplan_apps.hpp"
#include "dialplan/substitution_wait.hpp"
#include "telephony/dialplan/executor.hpp"

// GCC 12 false positive on inlined coroutine frames (see app_dial.cpp).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace telephony::dialplan {

namespace asio = boost::asio;

namespace {

// "App(args)" -> the application and its arguments substituted once more (Asterisk's Exec
// evaluates them again, so Exec(Set(A=\${B})) reads B when Exec runs).
asio::awaitable<std::pair<std::string, std::string>> named_call(Execution& x, std::string_view data) {
  auto [app, args] = split_app_call(data);
  std::string expanded = args;  // (no ?: around co_await: GCC 12 miscompiles it, see executor.cpp)
  if (expanded.find('$') != std::string::npos) expanded = co_await substitute_waiting(x, args);
  co_return std::pair<std::string, std::string>{std::move(app), std::move(expanded)};
}

// Runs `job` on the worker pool while the channel waits (hangup ends the wait, not the job).
template <class Job>
asio::awaitable<bool> off_thread(Execution& x, Job job) {
  auto done = std::make_shared<std::atomic<bool>>(false);
  auto chan = x.channel_ptr();
  x.engine().run_blocking([job = std::move(job), done, weak = std::weak_ptr<Channel>(chan)]() mutable {
    job();
    done->store(true);
    if (auto c = weak.lock()) c->wake();
  });
  // Named first: GCC 12 destroys a lambda temporary that captures a shared_ptr twice when it is
  // built inside the co_await expression.
  std::function<bool()> finished = [done] { return done->load(); };
  co_return co_await chan->wait_until(finished, std::chrono::milliseconds(-1));
}

// System/TrySystem: SUCCESS (exit 0), APPERROR (other exit), FAILURE (could not run). A failure
// ends the call for System only.
asio::awaitable<AppResult> run_system(Execution& x, std::string_view data, bool try_only) {
  Channel& chan = x.channel();
  std::string cmd(data);
  // Asterisk notes the quotes are unnecessary and drops them.
  if (cmd.size() >= 2 && (cmd.front() == '"' || cmd.front() == '\'') && cmd.back() == cmd.front())
    cmd = cmd.substr(1, cmd.size() - 2);
  if (cmd.empty()) {
    x.engine().log().warning("pbx", std::string(try_only ? "TrySystem" : "System") + " requires an argument(command)");
    chan.set_variable("SYSTEMSTATUS", "FAILURE");
    co_return try_only ? AppResult::Continue : AppResult::Hangup;
  }
  auto status = std::make_shared<int>(-1);
  // Named: GCC 12 destroys a lambda temporary built inside a co_await operand twice.
  auto job = [status, cmd] { *status = std::system(cmd.c_str()); };
  if (!co_await off_thread(x, std::move(job))) co_return AppResult::Hangup;
  const int st = *status;
  if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) == 127) {
    x.engine().log().warning("pbx", "Unable to execute '" + cmd + "'");
    chan.set_variable("SYSTEMSTATUS", "FAILURE");
    co_return try_only ? AppResult::Continue : AppResult::Hangup;
  }
  chan.set_variable("SYSTEMSTATUS", WEXITSTATUS(st) == 0 ? "SUCCESS" : "APPERROR");
  co_return AppResult::Continue;
}

Documentation doc(std::string synopsis, std::string syntax, std::string description,
                  std::vector<std::pair<std::string, std::string>> args, std::vector<std::string> see) {
  return Documentation{std::move(synopsis), std::move(syntax), std::move(description), std::move(args), std::move(see)};
}

}  // namespace

void register_exec_applications(Engine& engine) {
  add_application(engine, "Exec",
                  doc("Executes dialplan application.", "Exec(appname(arguments))",
                      "Runs the named application with its arguments (substituted once more when Exec runs) and "
                      "returns what it returns: an application that ends the call ends it. An unknown application "
                      "is a warning and hangs up.",
                      {{"appname(arguments)", "application name and its arguments"}},
                      {"TryExec", "ExecIf"}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    if (data.empty()) co_return AppResult::Continue;
                    auto [app, args] = co_await named_call(x, data);
                    if (!x.engine().applications().find(app)) {
                      x.engine().log().warning("pbx", "Could not find application (" + app + ")");
                      co_return AppResult::Hangup;
                    }
                    co_return co_await x.run_application(app, args);
                  });
  add_application(engine, "TryExec",
                  doc("Executes dialplan application, always returning.", "TryExec(appname(arguments))",
                      "Like Exec, but the dialplan always continues. ${TRYSTATUS}: SUCCESS (the application returned "
                      "normally), FAILED (it ended the call or failed), NOAPP (no such application).",
                      {{"appname(arguments)", "application name and its arguments"}},
                      {"Exec", "ExecIf"}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    if (data.empty()) co_return AppResult::Continue;
                    auto [app, args] = co_await named_call(x, data);
                    if (!x.engine().applications().find(app)) {
                      x.engine().log().warning("pbx", "Could not find application (" + app + ")");
                      x.channel().set_variable("TRYSTATUS", "NOAPP");
                      co_return AppResult::Continue;
                    }
                    auto r = co_await x.run_application(app, args);
                    x.channel().set_variable("TRYSTATUS", r == AppResult::Continue ? "SUCCESS" : "FAILED");
                    co_return AppResult::Continue;
                  });
  add_application(engine, "System",
                  doc("Execute a system command.", "System(command)",
                      "Runs command with /bin/sh on the worker pool (never on a call thread) and sets ${SYSTEMSTATUS}: "
                      "SUCCESS (exit 0), APPERROR (non-zero exit) or FAILURE (could not run; the channel hangs up). "
                      "Surrounding quotes are dropped.",
                      {{"command", "shell command line"}}, {"TrySystem", "SHELL"}),
                  [](Execution& x, std::string_view data) { return run_system(x, data, false); });
  add_application(engine, "TrySystem",
                  doc("Try executing a system command.", "TrySystem(command)",
                      "Like System, but a command that cannot be run does not end the call. ${SYSTEMSTATUS}: SUCCESS, "
                      "FAILURE or APPERROR.",
                      {{"command", "shell command line"}}, {"System", "SHELL"}),
                  [](Execution& x, std::string_view data) { return run_system(x, data, true); });
  add_application(engine, "Reload",
                  doc("Reloads an Asterisk module, blocking the channel until the reload has completed.",
                      "Reload([module])",
                      "Reloads the named module (pbx_config, manager, res_musiconhold, ...; a trailing .so is ignored) "
                      "or, without one, every module, on the worker pool while the call waits. ${RELOADSTATUS}: "
                      "SUCCESS, or FAILURE when the module does not exist or its new configuration was refused (the "
                      "running one is kept).",
                      {{"module", "module name"}}, {}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    std::string name(data);
                    if (name.size() > 3 && name.compare(name.size() - 3, 3, ".so") == 0) name.resize(name.size() - 3);
                    auto status = std::make_shared<int>(1);
                    Engine* engine = &x.engine();
                    const std::string line = name.empty() ? "module reload" : "module reload " + name;
                    auto job = [engine, status, line] { *status = engine->commands().execute(line).status; };
                    if (!co_await off_thread(x, std::move(job))) co_return AppResult::Hangup;
                    x.channel().set_variable("RELOADSTATUS", *status == 0 ? "SUCCESS" : "FAILURE");
                    co_return AppResult::Continue;
                  });
}

}  // namespace telephony::dialplan
