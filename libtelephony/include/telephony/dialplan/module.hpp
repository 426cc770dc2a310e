// pbx_config: the module that loads extensions.conf into the engine's DialplanPbx, and the
// one-time installation of everything the dialplan brings: the applications (Goto, Gosub, While,
// Macro, Set, Wait, WaitExten …), the executor's functions (GLOBAL, LOCAL, LOCAL_PEEK,
// STACK_PEEK, EXCEPTION, TIMEOUT) and the console commands `dialplan show [ctx|exten@ctx]` and
// `dialplan reload`.
//
// check() parses and validates without applying, and reports every line it would refuse.
// load() (at start) loads what it can, as Asterisk does: a line that cannot be used is skipped
// with a file:line warning in the log. reload() builds a complete new snapshot and swaps it in
// only when the whole file is valid, so a broken edit keeps the running plan and reports every
// error with file:line. Calls in progress stay on their snapshot until they jump.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "telephony/dialplan/executor.hpp"
#include "telephony/module.hpp"

namespace telephony {
class Engine;
}

namespace telephony::dialplan {

// Registers the dialplan applications, functions and console commands (once per engine; later
// calls return the existing PBX) and makes a DialplanPbx the engine's Pbx.
std::shared_ptr<DialplanPbx> install_dialplan(Engine& engine);

// `dialplan show` text in Asterisk's layout, for one context ("ctx"), one extension
// ("exten@ctx") or everything (empty). Errors as Asterisk words them.
Result<std::string> render_dialplan(const Dialplan& plan, std::string_view what);

class PbxConfigModule : public Module {
 public:
  explicit PbxConfigModule(Engine& engine) : engine_(engine) {}
  std::string_view name() const override { return "pbx_config"; }
  std::string_view config_file() const override { return "extensions.conf"; }
  Result<void, Errors> check(const std::filesystem::path& config_dir) override;
  Result<void, Errors> load(const std::filesystem::path& config_dir) override;
  Result<void, Errors> reload(const std::filesystem::path& config_dir) override;
  void unload() override;

 private:
  Engine& engine_;
};

}  // namespace telephony::dialplan
