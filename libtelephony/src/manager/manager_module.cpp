// ManagerModule: manager.conf -> a running manager::Server with the engine's events and actions.
#include "telephony/manager/module.hpp"

#include "actions/action_context.hpp"
#include "engine_events.hpp"
#include "telephony/engine.hpp"
#include "telephony/manager/event_reference.hpp"

namespace telephony::manager {

struct ManagerModule::State {
  explicit State(Engine& e) : engine(e), actions(std::make_shared<ActionContext>(e)) {}
  Engine& engine;
  mutable std::mutex mu;
  std::shared_ptr<Server> server;
  std::shared_ptr<EngineEventPublisher> publisher;
  ActionContextPtr actions;
  ManagerConfig running;
  bool console_registered = false;
};

namespace {

Errors one_error(const Error& e) {
  Errors errs;
  errs.items.push_back(e);
  return errs;
}

void register_more_console(Engine& engine, const std::function<std::shared_ptr<Server>()>& server_of);

void register_console(Engine& engine, const std::weak_ptr<ManagerModule::State>& weak) {
  auto server_of = [weak]() -> std::shared_ptr<Server> {
    auto s = weak.lock();
    if (!s) return nullptr;
    std::lock_guard lock(s->mu);
    return s->server;
  };
  (void)engine.commands().add(ConsoleCommand{
      "manager show commands",
      Documentation{.synopsis = "List manager interface commands",
                    .syntax = "manager show commands",
                    .description = "Prints a listing of all the available Asterisk manager interface commands."},
      [server_of](const std::vector<std::string>&) {
        auto server = server_of();
        if (!server) return ConsoleResult{1, "The manager interface is not running.\n"};
        std::string out = "  Action                          Synopsis\n  ------                          --------\n";
        for (const auto& a : server->actions()) {
          std::string name = a->name;
          name.resize(std::max<std::size_t>(name.size(), 31), ' ');
          out += "  " + name + " " + a->doc.synopsis + "\n";
        }
        return ConsoleResult{0, out};
      }});
  (void)engine.commands().add(ConsoleCommand{
      "manager show command",
      Documentation{.synopsis = "Show a manager interface command",
                    .syntax = "manager show command <actionname> [<actionname> [<actionname> [...]]]",
                    .description = "Shows the detailed description for a specific Asterisk manager interface command."},
      [server_of](const std::vector<std::string>& args) {
        if (args.empty()) return ConsoleResult{2, ""};
        auto server = server_of();
        if (!server) return ConsoleResult{1, "The manager interface is not running.\n"};
        std::string out;
        int status = 0;
        for (const auto& name : args) {
          if (auto help = server->action_help(name)) {
            out += *help;
          } else {
            out += "No manager action '" + name + "' exists.\n";
            status = 1;
          }
        }
        return ConsoleResult{status, out};
      }});
  register_more_console(engine, server_of);
}

std::string fit(std::string_view s, std::size_t w) {
  std::string out(s.substr(0, w));
  out.resize(w, ' ');
  return out;
}

// `manager show connected|users|user|events|event`, in Asterisk's layouts (manager.c).
void register_more_console(Engine& engine, const std::function<std::shared_ptr<Server>()>& server_of) {
  auto& cmds = engine.commands();
  (void)cmds.add(ConsoleCommand{
      "manager show connected",
      Documentation{"List connected manager interface users", "manager show connected",
                    "Prints every AMI session: user (or '(login)' before login), address, start time, seconds "
                    "connected, messages queued now / the deepest the queue has been, read and write classes."},
      [server_of](const std::vector<std::string>& a) {
        if (!a.empty()) return ConsoleResult{2, ""};
        auto server = server_of();
        if (!server) return ConsoleResult{1, "The manager interface is not running.\n"};
        const auto now = std::chrono::system_clock::now();
        auto row = [](std::initializer_list<std::pair<std::string, std::size_t>> cells) {
          std::string out = " ";
          for (const auto& [t, w] : cells) out += " " + fit(t, w) + " ";
          while (!out.empty() && out.back() == ' ') out.pop_back();
          return out + "\n";
        };
        std::string out = row({{"Username", 15}, {"IP Address", 55}, {"Start", 10}, {"Elapsed", 10}, {"Queued", 8},
                               {"MaxQueue", 8}, {"ReadPerms", 10}, {"WritePerms", 10}});
        const auto sessions = server->sessions();
        for (const auto& s : sessions) {
          const auto since = std::chrono::system_clock::to_time_t(s.since);
          const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(now - s.since).count();
          const auto colon = s.remote.rfind(':');
          out += row({{s.authenticated ? s.user : "(login)", 15},
                      {colon == std::string::npos ? s.remote : s.remote.substr(0, colon), 55},
                      {std::to_string(static_cast<long long>(since)), 10}, {std::to_string(elapsed), 10},
                      {std::to_string(s.queued), 8}, {std::to_string(s.high_water), 8},
                      {std::to_string(s.read.bits()), 10}, {std::to_string(s.write.bits()), 10}});
        }
        out += std::to_string(sessions.size()) + " users connected.\n";
        return ConsoleResult{0, out};
      }});
  (void)cmds.add(ConsoleCommand{
      "manager show users",
      Documentation{"List configured manager users", "manager show users",
                    "Prints the names of the users defined in manager.conf."},
      [server_of](const std::vector<std::string>& a) {
        if (!a.empty()) return ConsoleResult{2, ""};
        auto server = server_of();
        if (!server) return ConsoleResult{1, "The manager interface is not running.\n"};
        const auto users = server->users();
        if (users.empty()) return ConsoleResult{0, "There are no manager users.\n"};
        std::string out = "\nusername\n--------\n";
        for (const auto& u : users) out += u.name + "\n";
        out += "-------------------\n" + std::to_string(users.size()) + " manager users configured.\n";
        return ConsoleResult{0, out};
      }});
  (void)cmds.add(ConsoleCommand{
      "manager show user",
      Documentation{"Display information on a specific manager user", "manager show user <user>",
                    "Prints the user's settings from manager.conf (the secret is never shown)."},
      [server_of](const std::vector<std::string>& a) {
        if (a.size() != 1) return ConsoleResult{2, ""};
        auto server = server_of();
        if (!server) return ConsoleResult{1, "The manager interface is not running.\n"};
        for (const auto& u : server->users()) {
          if (!ami::iequals(u.name, a[0])) continue;
          std::string vars;
          for (const auto& [k, v] : u.setvar) vars += (vars.empty() ? "" : ", ") + k + "=" + v;
          auto row = [](std::string_view k, const std::string& v) {
            std::string key(k);
            if (key.size() < 18) key.insert(0, 18 - key.size(), ' ');
            return key + ": " + v + "\n";
          };
          std::string out = "\n" + row("username", u.name) + row("secret", u.secret.empty() ? "<Not set>" : "<Set>") +
                            row("ACL", u.acl.empty() ? "no" : "yes") + row("read perm", u.read.to_string()) +
                            row("write perm", u.write.to_string()) +
                            row("writetimeout", std::to_string(u.writetimeout.count())) +
                            row("eventfilters", std::to_string(u.eventfilters.size())) + row("Variables", vars);
          return ConsoleResult{0, out};
        }
        return ConsoleResult{1, a[0] + " is not a known user\n"};
      }});
  (void)cmds.add(ConsoleCommand{
      "manager show events",
      Documentation{"List manager interface events", "manager show events",
                    "Prints the name of every AMI event telephonyd sends ('manager show event <name>' describes one)."},
      [](const std::vector<std::string>& a) {
        if (!a.empty()) return ConsoleResult{2, ""};
        return ConsoleResult{0, render_event_list()};
      }});
  (void)cmds.add(ConsoleCommand{
      "manager show event",
      Documentation{"Show a manager interface event", "manager show event <eventname>",
                    "Shows the class, the headers and the description of one AMI event."},
      [](const std::vector<std::string>& a) {
        if (a.size() != 1) return ConsoleResult{2, ""};
        const auto* d = find_event_reference(a[0]);
        if (!d) return ConsoleResult{1, "Could not find event '" + a[0] + "'\n"};
        return ConsoleResult{0, render_event_reference(*d)};
      }});
}

const char* const kMoreCommands[] = {"manager show connected", "manager show users", "manager show user",
                                     "manager show events", "manager show event"};

}  // namespace

ManagerModule::ManagerModule(Engine& engine) : engine_(engine), state_(std::make_shared<State>(engine)) {}

ManagerModule::~ManagerModule() { unload(); }

Result<void, Errors> ManagerModule::check(const std::filesystem::path& config_dir) {
  auto cfg = load_manager_config(config_dir);
  if (!cfg) return Unexpected<Errors>{cfg.error()};
  return {};
}

Result<void, Errors> ManagerModule::load(const std::filesystem::path& config_dir) {
  auto cfg = load_manager_config(config_dir);
  if (!cfg) return Unexpected<Errors>{cfg.error()};
  return apply(std::move(*cfg));
}

Result<void, Errors> ManagerModule::reload(const std::filesystem::path& config_dir) { return load(config_dir); }

Result<void, Errors> ManagerModule::apply(ManagerConfig config) {
  std::lock_guard lock(state_->mu);
  auto& st = *state_;
  ActionSettings settings = config.actions;
  settings.ami_version = config.options.version;

  if (st.server && !config.options.enabled) {
    st.publisher->stop();
    st.server->stop();
    st.publisher.reset();
    st.server.reset();
    engine_.log().notice("manager", "manager.conf: enabled = no; the manager interface is stopped");
  } else if (st.server) {
    const auto& old = st.running.options;
    if (old.bindaddr != config.options.bindaddr || old.port != config.options.port ||
        old.tls_enabled != config.options.tls_enabled || old.tls_port != config.options.tls_port ||
        old.tls_bindaddr != config.options.tls_bindaddr)
      engine_.log().warning("manager", "manager.conf: listener address changes take effect at the next restart");
    st.server->reload(config.options, config.users);
  } else if (config.options.enabled) {
    auto server = std::make_shared<Server>(engine_.io(), config.options, config.users);
    Engine* engine = &engine_;
    server->set_log([engine](std::string_view line) { engine->log().notice("manager", line); });
    // Authentication outcomes are Asterisk security events of the AMI service, on the bus: the
    // security log (SecurityLogWriter, fail2ban's form) and AMI's `security` class take them from there.
    server->set_security_sink([engine](const SecurityReport& r) {
      SecurityEvent ev;
      ev.name = r.event;
      ev.severity = r.severity;
      ev.service = "AMI";
      ev.account_id = r.account;
      ev.session_id = r.session_id;
      ev.local_address = r.local_address;
      ev.remote_address = r.remote_address;
      ev.fields = r.fields;
      engine->events().emit(std::move(ev));
    });
    register_channel_list_actions(*server, st.actions);
    register_channel_control_actions(*server, st.actions);
    register_system_actions(*server, st.actions);
    register_bridge_actions(*server, st.actions);
    register_confbridge_actions(*server, st.actions);
    register_originate_actions(*server, st.actions);
    register_db_actions(*server, st.actions);
    register_dialplan_actions(*server, st.actions);
    register_extension_state_actions(*server, st.actions);
    register_transfer_actions(*server, st.actions);
    register_agi_actions(*server, st.actions);
    register_config_actions(*server, st.actions);
    register_presence_actions(*server, st.actions);
    register_parking_actions(*server, st.actions);
    register_playback_actions(*server, st.actions);
    register_message_actions(*server, st.actions);
    register_monitor_actions(*server, st.actions);
    register_local_actions(*server, st.actions);
    if (auto r = server->start(); !r) return Unexpected<Errors>{one_error(r.error())};
    auto publisher = std::make_shared<EngineEventPublisher>(engine_, server);
    publisher->start();
    // Each session's write queue shows in `core show taskprocessors` and the metrics.
    std::weak_ptr<Server> weak_server = server;
    engine_.set_queue_reporter("manager", [weak_server] {
      std::vector<EventBus::SubscriberStats> out;
      if (auto srv = weak_server.lock())
        for (const auto& s : srv->sessions())
          out.push_back({"ami/session-" + std::to_string(s.id) + (s.user.empty() ? "" : "-" + s.user), s.sent, 0, s.queued,
                         s.high_water, s.queue_limit});
      return out;
    });
    st.server = std::move(server);
    st.publisher = std::move(publisher);
    engine_.log().notice("manager", "Manager interface listening on " + config.options.bindaddr + ":" +
                                        std::to_string(st.server->port()));
  }
  if (st.publisher) st.publisher->set_channelvars(config.options.channelvars);
  st.actions->set_settings(std::move(settings));
  st.running = std::move(config);
  if (!st.console_registered) {
    register_console(engine_, state_);
    st.console_registered = true;
  }
  return {};
}

void ManagerModule::unload() {
  std::shared_ptr<Server> server;
  std::shared_ptr<EngineEventPublisher> publisher;
  bool console = false;
  {
    std::lock_guard lock(state_->mu);
    server = std::move(state_->server);
    publisher = std::move(state_->publisher);
    console = std::exchange(state_->console_registered, false);
  }
  if (publisher) publisher->stop();
  if (server) {
    server->stop();
    engine_.set_queue_reporter("manager", {});
  }
  if (console) {
    engine_.commands().remove("manager show commands");
    engine_.commands().remove("manager show command");
    for (const char* c : kMoreCommands) engine_.commands().remove(c);
  }
}

Server* ManagerModule::server() {
  std::lock_guard lock(state_->mu);
  return state_->server.get();
}

std::uint16_t ManagerModule::port() const {
  std::lock_guard lock(state_->mu);
  return state_->server ? state_->server->port() : 0;
}

EventMappingStats ManagerModule::event_stats() const {
  std::lock_guard lock(state_->mu);
  return state_->publisher ? state_->publisher->stats() : EventMappingStats{};
}

}  // namespace telephony::manager
