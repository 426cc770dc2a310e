// pbx_config: extensions.conf as a Module, the one-time install, and the dialplan console commands.
#include "telephony/dialplan/module.hpp"

#include "apps/dialplan_apps.hpp"
#include "apps/media_apps.hpp"
#include "telephony/dialplan/edit.hpp"
#include "telephony/dialplan/hints.hpp"
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
        ModuleReloaded ev;  // as `module reload pbx_config`: the Reload event, and parking re-adds its lots
        ev.module = "pbx_config";
        ev.status = r ? "Success" : "Error";
        e->events().emit(std::move(ev));
        if (!r) return ConsoleResult{1, "Dialplan reload failed; the running dialplan is kept:\n" + r.error().to_string() + "\n"};
        e->mark_reloaded();
        return ConsoleResult{0, "Dialplan reloaded.\n"};
      }});
  (void)engine.commands().add(ConsoleCommand{
      "dialplan add extension",
      Documentation{"Add new extension into context",
                    "dialplan add extension <exten>,<priority>,<app>[(<app-data>)|,<app-data>] into <context> [replace]",
                    "Adds one priority (priority 'hint' adds a hint) to the running dialplan; the context is created "
                    "when missing. 'replace' replaces an existing priority. A dialplan reload replaces the change.",
                    {}, {"dialplan remove extension", "dialplan show"}},
      [e](const std::vector<std::string>& a) {
        if (a.size() < 3 || a.size() > 4 || a[1] != "into" || (a.size() == 4 && a[3] != "replace"))
          return ConsoleResult{2, ""};
        auto pbx = std::dynamic_pointer_cast<DialplanPbx>(e->pbx());
        if (!pbx) return ConsoleResult{1, "No dialplan is loaded.\n"};
        ExtensionAdd add;
        add.context = a[2];
        add.replace = a.size() == 4;
        const std::string& spec = a[0];
        const auto c1 = spec.find(',');
        const auto c2 = c1 == std::string::npos ? std::string::npos : spec.find(',', c1 + 1);
        if (c2 == std::string::npos) return ConsoleResult{2, ""};
        add.exten = spec.substr(0, c1);
        add.priority = spec.substr(c1 + 1, c2 - c1 - 1);
        std::string app = spec.substr(c2 + 1);
        if (auto paren = app.find('('); paren != std::string::npos && app.back() == ')') {
          add.data = app.substr(paren + 1, app.size() - paren - 2);
          app.resize(paren);
        } else if (auto comma = app.find(','); comma != std::string::npos) {
          add.data = app.substr(comma + 1);
          app.resize(comma);
        }
        add.app = app;
        if (add.exten.empty() || add.app.empty()) return ConsoleResult{2, ""};
        if (auto r = add_extension(*pbx, add, {"console", 0}); !r) return ConsoleResult{1, r.error().message + "\n"};
        return ConsoleResult{0, "Extension '" + add.exten + "@" + add.context + "' priority " + add.priority +
                                    " added into '" + add.context + "' context\n"};
      }});
  (void)engine.commands().add(ConsoleCommand{
      "dialplan remove extension",
      Documentation{"Remove a specified extension", "dialplan remove extension exten[/cid]@context [priority]",
                    "Removes the whole extension (with its hint) or one priority ('hint': the hint) from the running "
                    "dialplan.",
                    {}, {"dialplan add extension", "dialplan show"}},
      [e](const std::vector<std::string>& a) {
        if (a.empty() || a.size() > 2) return ConsoleResult{2, ""};
        const auto at = a[0].rfind('@');
        if (at == std::string::npos || at == 0 || at + 1 == a[0].size()) return ConsoleResult{2, ""};
        auto pbx = std::dynamic_pointer_cast<DialplanPbx>(e->pbx());
        if (!pbx) return ConsoleResult{1, "No dialplan is loaded.\n"};
        const std::string exten = a[0].substr(0, at), context = a[0].substr(at + 1);
        const std::string prio = a.size() == 2 ? a[1] : "";
        if (auto r = remove_extension(*pbx, context, exten, prio); !r) return ConsoleResult{1, r.error().message + "\n"};
        if (prio.empty()) return ConsoleResult{0, "Whole extension " + a[0] + " removed\n"};
        return ConsoleResult{0, "Extension " + a[0] + " with priority " + prio + " removed\n"};
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
  register_audio_analysis_applications(engine);
  register_audiosocket_application(engine);
  register_conditional_applications(engine);
  register_exec_applications(engine);
  register_channel_ops_applications(engine);
  register_wait_applications(engine);
  register_bridge_applications(engine);
  register_transfer_applications(engine);
  register_pickup_applications(engine);
  register_chanspy_applications(engine);
  register_access_applications(engine);
  register_retrydial_application(engine);
  register_followme_application(engine);
  register_commands(engine);
  register_hint_commands(engine);
  engine.set_pbx(pbx);
  return pbx;
}

Result<void, Errors> PbxConfigModule::check(const fs::path& dir) {
  auto plan = load_dialplan_file(dir / "extensions.conf", {.config_dir = dir});
  if (!plan) return Unexpected<Errors>{plan.error()};
  return {};
}

Result<void, Errors> PbxConfigModule::load(const fs::path& dir) {
  auto plan = load_dialplan_file(dir / "extensions.conf", {.config_dir = dir}, {.bad_lines = BadLines::Skip});
  if (!plan) return Unexpected<Errors>{plan.error()};
  for (const auto& w : (*plan)->warnings()) engine_.log().warning("pbx_config", w.to_string());
  install_dialplan(engine_)->replace(std::move(*plan));
  return {};
}

Result<void, Errors> PbxConfigModule::reload(const fs::path& dir) {
  auto plan = load_dialplan_file(dir / "extensions.conf", {.config_dir = dir});
  if (!plan) return Unexpected<Errors>{plan.error()};
  for (const auto& w : (*plan)->warnings()) engine_.log().warning("pbx_config", w.to_string());
  install_dialplan(engine_)->replace(std::move(*plan));
  return {};
}

void PbxConfigModule::unload() {}

}  // namespace telephony::dialplan
