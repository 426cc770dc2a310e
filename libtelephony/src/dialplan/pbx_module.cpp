// pbx_config: extensions.conf as a Module, the one-time install, and the dialplan console commands.
#include "telephony/dialplan/module.hpp"

#include "apps/dialplan_apps.hpp"
#include "apps/media_apps.hpp"
#include "telephony/dialplan/loader.hpp"
#include "telephony/engine.hpp"

namespace telephony::dialplan {

namespace fs = std::filesystem;

namespace {

void register_commands(Engine& engine) {
  Engine* e = &engine;
  (void)engine.commands().add(ConsoleCommand{
      "dialplan show",
      Documentation{"Show dialplan",
                    "dialplan show [[exten@]context]",
                    "Shows the dialplan: every context, one context, or the extensions of a context matching exten "
                    "(exten@context), in Asterisk's layout, with the file:line each priority came from.",
                    {{"context", "only this context"}, {"exten@context", "only extensions matching exten"}},
                    {"dialplan reload"}},
      [e](const std::vector<std::string>& args) {
        auto pbx = std::dynamic_pointer_cast<DialplanPbx>(e->pbx());
        if (!pbx) return ConsoleResult{1, "No dialplan is loaded.\n"};
        if (args.size() > 1) return ConsoleResult{2, ""};
        auto out = render_dialplan(*pbx->snapshot(), args.empty() ? std::string_view() : std::string_view(args[0]));
        if (!out) return ConsoleResult{1, out.error().message + "\n"};
        return ConsoleResult{0, *out};
      }});
  (void)engine.commands().add(ConsoleCommand{
      "dialplan reload",
      Documentation{"Reload extensions and *only* extensions",
                    "dialplan reload",
                    "Reloads extensions.conf. The new dialplan replaces the running one only when the whole file is "
                    "valid; otherwise every error is listed with file:line and the running dialplan is kept. Calls in "
                    "progress continue on the dialplan they started with until they jump.",
                    {},
                    {"dialplan show", "module reload"}},
      [e](const std::vector<std::string>& args) {
        if (!args.empty()) return ConsoleResult{2, ""};
        auto mod = e->module("pbx_config");
        if (!mod) return ConsoleResult{1, "pbx_config is not loaded (no extensions.conf).\n"};
        auto r = mod->reload(e->options().dirs.config);
        if (!r) return ConsoleResult{1, "Dialplan reload failed; the running dialplan is kept:\n" + r.error().to_string() + "\n"};
        e->mark_reloaded();
        return ConsoleResult{0, "Dialplan reloaded.\n"};
      }});
}

}  // namespace

std::shared_ptr<DialplanPbx> install_dialplan(Engine& engine) {
  if (auto existing = std::dynamic_pointer_cast<DialplanPbx>(engine.pbx())) return existing;
  auto pbx = std::make_shared<DialplanPbx>(engine);
  register_control_applications(engine);
  register_macro_applications(engine);
  register_channel_applications(engine);
  register_media_applications(engine);
  register_originate_application(engine);
  register_dialplan_functions(engine);
  register_dial_application(engine);
  register_page_application(engine);
  register_conditional_applications(engine);
  register_exec_applications(engine);
  register_channel_ops_applications(engine);
  register_wait_applications(engine);
  register_bridge_applications(engine);
  register_transfer_applications(engine);
  register_pickup_applications(engine);
  register_access_applications(engine);
  register_retrydial_application(engine);
  register_followme_application(engine);
  register_commands(engine);
  engine.set_pbx(pbx);
  return pbx;
}

Result<void, Errors> PbxConfigModule::check(const fs::path& dir) {
  auto plan = load_dialplan_file(dir / "extensions.conf", {.config_dir = dir});
  if (!plan) return Unexpected<Errors>{plan.error()};
  return {};
}

Result<void, Errors> PbxConfigModule::load(const fs::path& dir) {
  auto plan = load_dialplan_file(dir / "extensions.conf", {.config_dir = dir});
  if (!plan) return Unexpected<Errors>{plan.error()};
  for (const auto& w : (*plan)->warnings()) engine_.log().warning("pbx_config", w.to_string());
  install_dialplan(engine_)->replace(std::move(*plan));
  return {};
}

void PbxConfigModule::unload() {}

}  // namespace telephony::dialplan
