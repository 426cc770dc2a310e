// Actions about the engine as a whole: Command, CoreStatus, CoreSettings, Reload, ModuleCheck,
// LoggerRotate, UserEvent. Work that touches files (reloads, console commands) runs on the
// engine's blocking pool so an AMI client never stalls the call threads.
#include <unistd.h>

#include <cctype>
#include <ctime>

#include "action_context.hpp"
#include "telephony/version.hpp"

namespace telephony::manager {

namespace {

using ResponderPtr = std::shared_ptr<ActionResponder>;

std::string local_time(std::chrono::system_clock::time_point t, const char* fmt) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::localtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, fmt, &tm);
  return buf;
}

std::vector<std::string> lower_words(std::string_view line) {
  std::vector<std::string> out;
  for (auto& w : split_words(line)) {
    for (auto& c : w) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.push_back(std::move(w));
  }
  return out;
}

// Commands that would take the engine (and this AMI session) away from under every user, as
// Asterisk's Command blacklist.
bool refused_command(std::string_view line) {
  const auto w = lower_words(line);
  auto starts = [&](std::initializer_list<const char*> prefix) {
    if (w.size() < prefix.size()) return false;
    std::size_t i = 0;
    for (const char* p : prefix)
      if (w[i++] != p) return false;
    return true;
  };
  return starts({"module", "load"}) || starts({"module", "unload"}) || starts({"core", "restart"}) ||
         starts({"restart"});
}

void add_output_lines(ami::Message& m, std::string_view output) {
  std::size_t pos = 0;
  while (pos < output.size()) {
    auto nl = output.find('\n', pos);
    if (nl == std::string_view::npos) nl = output.size();
    auto line = output.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    m.add("Output", line);
    pos = nl + 1;
  }
}

void command(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const std::string line(header(*r, "Command"));
  if (line.empty()) {
    r->error("No command provided");
    return;
  }
  if (refused_command(line)) {
    r->error("Command blacklisted");
    return;
  }
  ctx->engine.run_blocking([ctx, r, line] {
    const auto res = ctx->engine.commands().execute(line);
    ami::Message m;
    // Asterisk 14+ shape: one Output header per line; the Message must not say "will follow"
    // (panoramisk would then wait for an event list).
    m.add("Response", res.status == 0 ? "Success" : "Error").add("Message", "Command output follows");
    add_output_lines(m, res.output);
    r->send(std::move(m));
  });
}

void core_status(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const auto start = ctx->engine.started_at();
  const auto reload = ctx->engine.last_reload();
  ami::Message m;
  m.add("Response", "Success")
      .add("CoreStartupDate", local_time(start, "%Y-%m-%d"))
      .add("CoreStartupTime", local_time(start, "%H:%M:%S"))
      .add("CoreReloadDate", local_time(reload, "%Y-%m-%d"))
      .add("CoreReloadTime", local_time(reload, "%H:%M:%S"))
      .add("CoreCurrentCalls", std::to_string(ctx->engine.channel_count()));
  r->send(std::move(m));
}

void core_settings(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const auto& o = ctx->engine.options();
  const auto settings = ctx->settings();
  ami::Message m;
  m.add("Response", "Success")
      .add("AMIversion", settings->ami_version)
      .add("AsteriskVersion", "libtelephony " + std::string(library_version()))
      .add("SystemName", o.system_name)
      .add("CoreMaxCalls", std::to_string(o.max_channels))
      .add("CoreMaxLoadAvg", "0.000000")
      .add("CoreRunUser", std::to_string(::geteuid()))
      .add("CoreRunGroup", std::to_string(::getegid()))
      .add("CoreMaxFilehandles", "0")
      .add("CoreRealTimeEnabled", "No")
      .add("CoreCDRenabled", "No")
      .add("CoreHTTPenabled", "No");
  r->send(std::move(m));
}

// "chan_sip.so" -> "chan_sip": Asterisk users name modules with their file suffix.
std::string module_name(std::string_view v) {
  std::string n(v);
  if (n.size() > 3 && n.compare(n.size() - 3, 3, ".so") == 0) n.resize(n.size() - 3);
  return n;
}

std::shared_ptr<Module> find_module(Engine& engine, std::string_view name) {
  for (auto& m : engine.modules())
    if (ami::iequals(m->name(), name)) return m;
  return nullptr;
}

void reload(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const std::string wanted = module_name(header(*r, "Module"));
  std::vector<std::shared_ptr<Module>> targets;
  if (wanted.empty()) {
    targets = ctx->engine.modules();
  } else if (auto m = find_module(ctx->engine, wanted)) {
    targets.push_back(std::move(m));
  } else {
    r->error("No such module");
    return;
  }
  ctx->engine.run_blocking([ctx, r, targets] {
    std::string failures;
    for (const auto& m : targets) {
      auto res = m->reload(ctx->engine.options().dirs.config);
      ModuleReloaded ev;
      ev.module = std::string(m->name());
      ev.status = res ? "Success" : "Error";
      ctx->engine.events().emit(std::move(ev));
      if (!res) {
        for (const auto& e : res.error().items) failures += (failures.empty() ? "" : "; ") + e.to_string();
      }
    }
    ctx->engine.mark_reloaded();
    if (failures.empty())
      r->success("Module Reloaded");
    else
      r->error("Reload failed, running configuration kept: " + failures);
  });
}

void module_check(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const std::string wanted = module_name(header(*r, "Module"));
  if (wanted.empty()) {
    r->error("Module name not specified");
    return;
  }
  if (!find_module(ctx->engine, wanted)) {
    r->error("Module not loaded");
    return;
  }
  ami::Message m;
  m.add("Response", "Success").add("Version", library_version());
  r->send(std::move(m));
}

// ModuleLoad: the host's `module load|unload|reload` console commands (telephonyd registers them
// with its module catalogue; an embedder without them gets a clear error).
void module_load(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const std::string type(header(*r, "LoadType"));
  const std::string module = module_name(header(*r, "Module"));
  if (type.empty() || (!ami::iequals(type, "load") && !ami::iequals(type, "unload") && !ami::iequals(type, "reload")))
    return r->error("Incomplete ModuleLoad action.");
  if (module.empty() && !ami::iequals(type, "reload")) return r->error("Need module name");
  std::string verb = type;
  for (auto& c : verb) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  ctx->engine.run_blocking([ctx, r, verb, module] {
    const std::string line = "module " + verb + (module.empty() ? "" : " " + module);
    std::vector<std::string> words = split_words(line);
    if (!ctx->engine.commands().find(words)) return r->error("Module " + verb + " is not supported by this host");
    const auto res = ctx->engine.commands().execute(line);
    if (res.status == 0) {
      const char* done = verb == "load" ? "Module loaded." : verb == "unload" ? "Module unloaded." : "Module reloaded.";
      return r->success(done);
    }
    std::string why = res.output;
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    for (auto& c : why)
      if (c == '\n') c = ' ';
    if (verb == "load") return r->error("Could not load module. " + why);
    if (verb == "unload") return r->error("Could not unload module. " + why);
    r->error("Could not reload module. " + why);
  });
}

void logger_rotate(const ActionContextPtr& ctx, const ResponderPtr& r) {
  auto logger = find_module(ctx->engine, "logger");
  if (!logger) {
    r->error("The logger module is not loaded");
    return;
  }
  // Reopening the files (a logger reload) is what an external logrotate needs after it renamed them.
  ctx->engine.run_blocking([ctx, r, logger] {
    auto res = logger->reload(ctx->engine.options().dirs.config);
    if (res)
      r->success("Reloaded and rotated logs");
    else
      r->error("Logger reload failed: " + res.error().to_string());
  });
}

void user_event(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const auto name = header(*r, "UserEvent");
  if (name.empty()) {
    r->error("No UserEvent specified");
    return;
  }
  UserEventRaised ev;
  ev.name = std::string(name);
  const auto& req = r->request();
  for (std::size_t i = 0; i < req.size(); ++i) {
    const auto h = req.at(i);
    if (ami::iequals(h.key, "Action") || ami::iequals(h.key, "ActionID") || ami::iequals(h.key, "UserEvent")) continue;
    ev.headers.emplace_back(std::string(h.key), std::string(h.value));
  }
  ctx->engine.events().emit(std::move(ev));
  r->success("Event Sent");
}

}  // namespace

void register_system_actions(Server& server, const ActionContextPtr& ctx) {
  server.register_action(
      "Command", Privilege::Command,
      ActionDoc{"Execute Asterisk CLI Command.",
                "Run a CLI command. The output comes back as one Output: header per line (Asterisk 14+ "
                "form). 'module load', 'module unload' and 'core restart' are refused.",
                {{"Command", true, "Asterisk CLI command to run."}},
                {}},
      [ctx](ResponderPtr r) { command(ctx, r); });
  server.register_action("CoreStatus", Privilege::System | Privilege::Reporting,
                         ActionDoc{"Show PBX core status variables.",
                                   "Query for Core PBX status: startup and reload date/time and current calls.",
                                   {},
                                   {"CoreSettings"}},
                         [ctx](ResponderPtr r) { core_status(ctx, r); });
  server.register_action("CoreSettings", Privilege::System | Privilege::Reporting,
                         ActionDoc{"Show PBX core settings (version etc).",
                                   "Query for Core PBX settings.",
                                   {},
                                   {"CoreStatus"}},
                         [ctx](ResponderPtr r) { core_settings(ctx, r); });
  server.register_action(
      "Reload", Privilege::System | Privilege::Config,
      ActionDoc{"Send a reload event.",
                "Reloads one module (or every module) from its configuration file. A broken file keeps the "
                "running configuration and the error names file:line. Emits a Reload event per module.",
                {{"Module", false, "Name of the module to reload (e.g. manager, logger)."}},
                {"ModuleCheck"}},
      [ctx](ResponderPtr r) { reload(ctx, r); });
  server.register_action("ModuleCheck", Privilege::System,
                         ActionDoc{"Check if module is loaded.",
                                   "Checks if a module is loaded; the Version header carries the library version.",
                                   {{"Module", true, "Module name, with or without the .so suffix."}},
                                   {"Reload"}},
                         [ctx](ResponderPtr r) { module_check(ctx, r); });
  server.register_action("ModuleLoad", Privilege::System,
                         ActionDoc{"Module management.",
                                   "Loads, unloads or reloads a module (LoadType). 'module load|unload' are the "
                                   "console commands of the same names; unloading logger or pbx_config is refused.",
                                   {{"Module", false, "Module name, with or without .so (empty with reload: every module)."},
                                    {"LoadType", true, "load, unload or reload."}},
                                   {"Reload", "ModuleCheck"}},
                         [ctx](ResponderPtr r) { module_load(ctx, r); });
  server.register_action("LoggerRotate", Privilege::System | Privilege::Reporting,
                         ActionDoc{"Reload and rotate the Asterisk logger.",
                                   "Reopens every log file from logger.conf (run it after an external "
                                   "logrotate renamed the files).",
                                   {},
                                   {}},
                         [ctx](ResponderPtr r) { logger_rotate(ctx, r); });
  server.register_action(
      "UserEvent", Privilege::User,
      ActionDoc{"Send an arbitrary event.",
                "Send an event to manager sessions: Event: UserEvent, UserEvent: <name>, then every other "
                "header of the action as given.",
                {{"UserEvent", true, "Event string to send."},
                 {"Header1", false, "Content1: any number of further headers."}},
                {}},
      [ctx](ResponderPtr r) { user_event(ctx, r); });
}

}  // namespace telephony::manager
