// ManagerModule: manager.conf -> a running manager::Server with the engine's events and actions.
#include "telephony/manager/module.hpp"

#include "actions/action_context.hpp"
#include "engine_events.hpp"
#include "telephony/engine.hpp"
#include "telephony/manager/event_docs.hpp"

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
  (void)engine.commands().add(ConsoleCommand{
      "manager show events",
      Documentation{.synopsis = "List manager interface events",
                    .syntax = "manager show events",
                    .description = "Prints the AMI events the manager sends, with their synopses."},
      [](const std::vector<std::string>&) {
        std::string out = "  Event                           Synopsis\n  -----                           --------\n";
        for (const auto& e : event_documentation()) {
          std::string name = e.name;
          name.resize(std::max<std::size_t>(name.size(), 31), ' ');
          out += "  " + name + " " + e.synopsis + "\n";
        }
        return ConsoleResult{0, out};
      }});
  (void)engine.commands().add(ConsoleCommand{
      "manager show event",
      Documentation{.synopsis = "Show a manager interface event",
                    .syntax = "manager show event <eventname>",
                    .description = "Shows the fields of an AMI event, in the order they are sent, and what they mean."},
      [](const std::vector<std::string>& args) {
        if (args.size() != 1) return ConsoleResult{2, ""};
        if (const auto* doc = find_event_doc(args[0])) return ConsoleResult{0, render_event_help(*doc)};
        return ConsoleResult{1, "No manager event '" + args[0] + "' exists.\n"};
      }});
}

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
    if (auto r = server->start(); !r) return Unexpected<Errors>{one_error(r.error())};
    auto publisher = std::make_shared<EngineEventPublisher>(engine_, server);
    publisher->start();
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
  if (server) server->stop();
  if (console) {
    engine_.commands().remove("manager show commands");
    engine_.commands().remove("manager show command");
    engine_.commands().remove("manager show events");
    engine_.commands().remove("manager show event");
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
