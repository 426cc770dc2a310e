#include "telephony/core_commands.hpp"

#include <sys/utsname.h>

#include <cstdio>
#include <set>

#include "console_format.hpp"
#include "telephony/engine.hpp"
#include "telephony/module_hooks.hpp"
#include "telephony/version.hpp"

namespace telephony {

void register_status_commands(Engine& engine);  // status_commands.cpp

namespace {

std::string plural(long long n, const char* unit) {
  return std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
}

std::string pad(std::string_view s, std::size_t w) {
  std::string out(s.substr(0, w));
  out.resize(w, ' ');
  return out;
}

template <class T>
ConsoleResult show_registered(Registry<T>& reg, std::string_view kind, std::string_view plural_kind,
                              const std::vector<std::string>& args, bool single) {
  if (single) {
    if (args.empty()) return {2, ""};
    auto item = reg.find(args[0]);
    if (!item) return {1, "Your " + std::string(kind) + " '" + args[0] + "' was not found\n"};
    return {0, render_help(kind, item->name, item->doc)};
  }
  std::string out = "    -= Registered " + std::string(plural_kind) + " =-\n";
  for (auto& [name, item] : reg.list()) out += "  " + pad(name, 25) + ": " + item->doc.synopsis + "\n";
  out += "    -= " + std::to_string(reg.size()) + " " + std::string(plural_kind) + " registered =-\n";
  return {0, out};
}

}  // namespace

std::string describe_duration(long long secs) {
  if (secs <= 0) return "<1 second";
  std::vector<std::string> parts;
  const long long units[] = {365LL * 86400, 7 * 86400, 86400, 3600, 60, 1};
  const char* names[] = {"year", "week", "day", "hour", "minute", "second"};
  for (int i = 0; i < 6; ++i) {
    if (secs >= units[i]) {
      parts.push_back(plural(secs / units[i], names[i]));
      secs %= units[i];
    }
  }
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  return out;
}

void register_core_commands(Engine& engine) {
  auto& cmds = engine.commands();
  auto add = [&](std::string command, std::string synopsis, std::string syntax,
                 std::function<ConsoleResult(const std::vector<std::string>&)> fn) {
    (void)cmds.add(ConsoleCommand{std::move(command), Documentation{.synopsis = std::move(synopsis), .syntax = std::move(syntax)}, std::move(fn)});
  };
  Engine* e = &engine;
  register_status_commands(engine);

  add("core show version", "Display version info", "core show version", [](auto&) {
    struct utsname u {};
    ::uname(&u);
    return ConsoleResult{0, "libtelephony " + std::string(library_version()) + " (telephonyd) on a " +
                                std::string(u.machine) + " running " + u.sysname + "\n"};
  });
  add("core show uptime", "Show uptime information", "core show uptime [seconds]", [e](const std::vector<std::string>& a) {
    auto now = std::chrono::system_clock::now();
    auto up = std::chrono::duration_cast<std::chrono::seconds>(now - e->started_at()).count();
    auto rl = std::chrono::duration_cast<std::chrono::seconds>(now - e->last_reload()).count();
    if (!a.empty() && a[0] == "seconds")
      return ConsoleResult{0, "System uptime: " + std::to_string(up) + "\nLast reload: " + std::to_string(rl) + "\n"};
    if (!a.empty()) return ConsoleResult{2, ""};
    return ConsoleResult{0, "System uptime: " + describe_duration(up) + "\nLast reload: " + describe_duration(rl) + "\n"};
  });
  add("core show settings", "Show some core settings", "core show settings", [e](auto&) {
    const auto& o = e->options();
    std::string out = "\nPBX Core settings\n-----------------\n";
    auto row = [&](std::string_view k, const std::string& v) { out += "  " + pad(k, 28) + v + "\n"; };
    row("Version:", std::string(library_version()));
    row("System name:", o.system_name);
    row("Maximum calls:", o.max_channels ? std::to_string(o.max_channels) : "Not set");
    row("Thread pool size:", std::to_string(o.threads));
    row("Worker threads:", std::to_string(o.worker_threads));
    row("Accepting calls:", e->accepting_calls() ? "Yes" : "No");
    out += "\n* Directories\n-------------\n";
    row("Configuration directory:", o.dirs.config.string());
    row("Spool directory:", o.dirs.spool.string());
    row("Sounds directory:", o.dirs.sounds.string());
    row("Run/Sockets directory:", o.dirs.run.string());
    row("Database directory:", o.dirs.db.string());
    row("Log directory:", o.dirs.log.string());
    row("Recordings directory:", o.dirs.recordings.string());
    row("Data directory:", o.dirs.data.string());
    return ConsoleResult{0, out};
  });
  add("core stop now", "Shut down telephonyd immediately", "core stop now", [e](auto&) {
    e->request_stop(Engine::StopMode::Now);
    return ConsoleResult{0, "Shutting down now\n"};
  });
  add("core stop gracefully", "Gracefully shut down telephonyd", "core stop gracefully", [e](auto&) {
    e->request_stop(Engine::StopMode::Gracefully);
    return ConsoleResult{0, "Refusing new calls; shutting down when the last channel is gone\n"};
  });
  add("module reload", "Reload configuration for a module", "module reload [module ...]",
      [e](const std::vector<std::string>& a) {
        std::string out;
        int status = 0;
        bool any = false;
        for (auto& m : e->modules()) {
          // Asterisk names modules by their file ("res_pjsip.so"); both spellings work.
          const std::string name(m->name());
          if (!a.empty() && std::find(a.begin(), a.end(), name) == a.end() &&
              std::find(a.begin(), a.end(), name + ".so") == a.end())
            continue;
          any = true;
          auto r = m->reload(e->options().dirs.config);
          ModuleReloaded ev;
          ev.module = std::string(m->name());
          if (r) {
            out += "Module '" + std::string(m->name()) + "' reloaded successfully.\n";
            ev.status = "Success";
          } else {
            status = 1;
            out += "Module '" + std::string(m->name()) + "' reload failed; the running configuration is kept:\n" +
                   r.error().to_string() + "\n";
            ev.status = "Error";
          }
          e->events().emit(std::move(ev));
        }
        if (!a.empty() && !any) return ConsoleResult{1, "The module '" + a[0] + "' does not exist.\n"};
        e->mark_reloaded();
        announce_modules_loaded(*e);
        return ConsoleResult{status, out};
      });
  add("module show", "List modules and info", "module show", [e](auto&) {
    std::string out = pad("Module", 25) + " " + pad("Config file", 25) + "\n";
    auto mods = e->modules();
    for (auto& m : mods) out += pad(m->name(), 25) + " " + pad(m->config_file(), 25) + "\n";
    out += std::to_string(mods.size()) + " modules loaded\n";
    return ConsoleResult{0, out};
  });
  add("core show help", "Display help list, or specific help on a command", "core show help [topic]",
      [e](const std::vector<std::string>& a) {
        std::string prefix;
        for (auto& w : a) prefix += (prefix.empty() ? "" : " ") + w;
        std::string out;
        for (auto& c : e->commands().list())
          if (c->command.rfind(prefix, 0) == 0) out += pad(c->command, 30) + " -- " + c->doc.synopsis + "\n";
        if (out.empty()) return ConsoleResult{1, "No such command '" + prefix + "'.\n"};
        return ConsoleResult{0, out};
      });
  add("core show applications", "Shows registered dialplan applications", "core show applications",
      [e](const std::vector<std::string>& a) { return show_registered(e->applications(), "application", "applications", a, false); });
  add("core show application", "Describe a specific dialplan application", "core show application <application>",
      [e](const std::vector<std::string>& a) { return show_registered(e->applications(), "application", "applications", a, true); });
  add("core show functions", "Shows registered dialplan functions", "core show functions",
      [e](const std::vector<std::string>& a) { return show_registered(e->functions(), "function", "custom functions", a, false); });
  add("core show function", "Describe a specific dialplan function", "core show function <function>",
      [e](const std::vector<std::string>& a) { return show_registered(e->functions(), "function", "custom functions", a, true); });
}

}  // namespace telephony
