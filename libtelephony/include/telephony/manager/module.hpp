// manager::ManagerModule: AMI for an Engine — manager.conf, the engine's events as AMI events,
// and the engine-backed actions (Status, Hangup, Getvar, Command, BridgeList, ...).
//
// The module owns one manager::Server on the engine's io_context. load() reads manager.conf
// ([general] plus one section per user; templates allowed), starts the listener(s), subscribes
// once to engine.events() (manager/events.cpp maps every engine event to its AMI shape in one
// place) and registers the actions (manager/actions/*.cpp). reload() validates the new file
// completely first: a broken file keeps the running configuration and reports every error with
// file:line; a good one applies to new logins while open sessions keep what they logged in with.
// Hosts that have no manager.conf (embedders, tests) call apply() with a ManagerConfig instead.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "telephony/config/config.hpp"
#include "telephony/manager/server.hpp"
#include "telephony/module.hpp"
#include "telephony/result.hpp"

namespace telephony {
class Engine;
}

namespace telephony::manager {

// Settings the engine-backed actions read (manager.conf [general]).
struct ActionSettings {
  // Dialplan functions that Getvar/Setvar may call for users without `system` write access
  // (`allowedfunctions`). Functions that reach outside the call (SHELL, FILE, DB, CURL, ODBC...)
  // are deliberately absent from the default; users with system write may call any function.
  std::vector<std::string> allowed_functions = {"CALLERID", "CONNECTEDLINE", "CHANNEL", "CDR", "LEN",
                                                "ISNULL", "EXISTS", "LANGUAGE", "TIMEOUT", "STRFTIME"};
  // Applications that Originate may run for users without `system` write access
  // (`originateapplications`). System, Exec, AGI and the like are deliberately absent; users with
  // system write may originate into any application. Matched case-insensitively.
  std::vector<std::string> originate_applications = {"Answer",  "Playback", "Background", "Wait", "WaitExten",
                                                     "Echo",    "NoOp",     "Hangup",     "Dial", "Page",
                                                     "ConfBridge", "MusicOnHold", "Milliwatt", "Busy",
                                                     "Congestion", "Progress", "Ringing", "SayDigits",
                                                     "SayNumber", "Record", "VoiceMail", "Queue"};
  std::string ami_version = "5.0.0";  // CoreSettings AMIversion; follows ServerOptions::version
};

struct ManagerConfig {
  ServerOptions options;
  std::vector<UserOptions> users;
  ActionSettings actions;
};

// manager.conf as a model: every unknown key, bad value, duplicate user or bad ACL/filter/class
// name is one error naming file:line, and all of them are reported at once.
Result<ManagerConfig, Errors> parse_manager_config(const config::ConfigFile& file);
// Reads `config_dir`/manager.conf and parses it.
Result<ManagerConfig, Errors> load_manager_config(const std::filesystem::path& config_dir);

// Counters of the engine-event subscription.
struct EventMappingStats {
  std::uint64_t received = 0;   // engine events seen
  std::uint64_t published = 0;  // AMI events handed to the server
  std::uint64_t lost = 0;       // engine events dropped because the queue overflowed
};

class ManagerModule : public Module {
 public:
  explicit ManagerModule(Engine& engine);
  ~ManagerModule() override;
  ManagerModule(const ManagerModule&) = delete;
  ManagerModule& operator=(const ManagerModule&) = delete;

  std::string_view name() const override { return "manager"; }
  std::string_view config_file() const override { return "manager.conf"; }
  Result<void, Errors> check(const std::filesystem::path& config_dir) override;
  Result<void, Errors> load(const std::filesystem::path& config_dir) override;
  Result<void, Errors> reload(const std::filesystem::path& config_dir) override;
  void unload() override;

  // Starts the server with `config` (first call) or applies it as a reload (later calls).
  Result<void, Errors> apply(ManagerConfig config);

  // Null until the first successful load/apply (and when [general] enabled = no).
  Server* server();
  std::uint16_t port() const;
  EventMappingStats event_stats() const;

  struct State;  // shared with the event publisher and the actions; defined in src/manager

 private:
  Engine& engine_;
  std::shared_ptr<State> state_;
};

}  // namespace telephony::manager
