// The running dialplan over AMI: ShowDialPlan (EventList of ListDialplan items), and
// DialplanExtensionAdd / DialplanExtensionRemove, which change it the only way the executor allows:
// a complete new snapshot built from the current one (DialplanBuilder) and swapped in with
// DialplanPbx::replace(). Calls in progress keep the snapshot they read until they jump, exactly
// as after `dialplan reload`; a later reload of extensions.conf replaces AMI changes (Asterisk too).
#include <optional>

#include "action_context.hpp"
#include "telephony/dialplan/edit.hpp"
#include "telephony/dialplan/executor.hpp"

namespace telephony::manager {

namespace {

using ResponderPtr = std::shared_ptr<ActionResponder>;
using dialplan::Dialplan;


std::shared_ptr<dialplan::DialplanPbx> dialplan_pbx(Engine& engine) {
  return std::dynamic_pointer_cast<dialplan::DialplanPbx>(engine.pbx());
}

std::string full_name(const dialplan::Extension& e) { return e.cid.empty() ? e.name : e.name + "/" + e.cid; }

void show_dialplan(const ActionContextPtr& ctx, const ResponderPtr& r) {
  auto pbx = dialplan_pbx(ctx->engine);
  if (!pbx) return r->error("ShowDialPlan needs the dialplan module (pbx_config), which is not loaded");
  auto plan = pbx->snapshot();
  const std::string want_ctx(header(*r, "Context"));
  const std::string want_ext(header(*r, "Extension"));
  if (!want_ctx.empty() && !plan->context(want_ctx)) return r->error("Did not find context " + want_ctx);

  std::vector<ami::Message> items;
  std::size_t contexts = 0, extensions = 0, priorities = 0;
  for (const auto& c : plan->contexts()) {
    if (!want_ctx.empty() && c.name != want_ctx) continue;
    bool listed = false;
    for (const auto& g : c.groups) {
      for (const auto& e : g.variants) {
        if (!want_ext.empty() && e.name != want_ext && !g.pattern.match(want_ext).match) continue;
        listed = true;
        ++extensions;
        auto item = [&](std::string_view prio, std::string_view label, std::string_view app, std::string_view data) {
          ami::Message ev;
          ev.add("Event", "ListDialplan").add("Context", c.name).add("Extension", full_name(e));
          if (!label.empty()) ev.add("ExtensionLabel", label);
          ev.add("Priority", prio).add("Application", app).add("AppData", data).add("Registrar", c.registrar);
          items.push_back(std::move(ev));
          ++priorities;
        };
        if (e.hint) item("hint", "", *e.hint, "");
        for (const auto& p : e.priorities) item(std::to_string(p.number), p.label, p.app, p.data);
      }
    }
    if (want_ext.empty()) {
      for (const auto& inc : c.includes) {
        ami::Message ev;
        ev.add("Event", "ListDialplan").add("Context", c.name).add("IncludeContext", inc.text).add("Registrar", c.registrar);
        items.push_back(std::move(ev));
      }
      listed = true;
    }
    if (listed) ++contexts;
  }
  if (!want_ext.empty() && items.empty())
    return r->error("Did not find extension " + want_ext + "@" + (want_ctx.empty() ? "(any context)" : want_ctx));

  r->list_start("DialPlan list will follow");
  for (auto& ev : items) r->list_item(std::move(ev));
  ami::Message done;
  done.add("Event", "ShowDialPlanComplete").add("EventList", "Complete").add("ListItems", std::to_string(items.size()));
  done.add("ListExtensions", std::to_string(extensions)).add("ListPriorities", std::to_string(priorities));
  done.add("ListContexts", std::to_string(contexts));
  r->send(std::move(done));
}

void extension_add(const ActionContextPtr& ctx, const ResponderPtr& r) {
  dialplan::ExtensionAdd add;
  add.context = header(*r, "Context");
  add.exten = header(*r, "Extension");
  add.priority = header(*r, "Priority");
  add.app = header(*r, "Application");
  add.data = header(*r, "ApplicationData");
  add.replace = header_true(*r, "Replace");
  if (add.context.empty() || add.exten.empty() || add.priority.empty() || add.app.empty())
    return r->error("Context, Extension, Priority, and Application must be defined.");
  auto pbx = dialplan_pbx(ctx->engine);
  if (!pbx) return r->error("DialplanExtensionAdd needs the dialplan module (pbx_config), which is not loaded");
  if (auto res = dialplan::add_extension(*pbx, add, {"manager", 0}); !res) return r->error(res.error().message);
  ctx->engine.log().verbose("manager", "Added extension " + add.exten + "@" + add.context + " priority " + add.priority +
                                           " by " + r->session().user);
  r->success("Added extension");
}

void extension_remove(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const std::string context(header(*r, "Context"));
  const std::string exten(header(*r, "Extension"));
  const std::string prio(header(*r, "Priority"));
  if (context.empty() || exten.empty()) return r->error("Context and Extension must be defined.");
  auto pbx = dialplan_pbx(ctx->engine);
  if (!pbx) return r->error("DialplanExtensionRemove needs the dialplan module (pbx_config), which is not loaded");
  if (auto res = dialplan::remove_extension(*pbx, context, exten, prio); !res) return r->error(res.error().message);
  r->success("Removed the specified extension");
}

}  // namespace

void register_dialplan_actions(Server& server, const ActionContextPtr& ctx) {
  const PrivilegeSet config = Privilege::Config;
  const PrivilegeSet reporting = Privilege::Reporting;
  server.register_action(
      "ShowDialPlan", config | reporting,
      ActionDoc{"Show dialplan contexts and extensions",
                "Show dialplan contexts and extensions: an EventList of ListDialplan items (Context, Extension, "
                "ExtensionLabel, Priority, Application, AppData, Registrar; includes as IncludeContext; hints "
                "as Priority: hint) and ShowDialPlanComplete with ListExtensions, ListPriorities, ListContexts.",
                {{"Extension", false, "Show a specific extension (or the patterns that match it)."},
                 {"Context", false, "Show a specific context."}},
                {"DialplanExtensionAdd", "DialplanExtensionRemove"}},
      [ctx](ResponderPtr r) { show_dialplan(ctx, r); });
  server.register_action(
      "DialplanExtensionAdd", Privilege::System,
      ActionDoc{"Add an extension to the dialplan",
                "Adds one priority (or, with Priority: hint, a hint) to the running dialplan as a new snapshot; "
                "the context is created when missing. Calls in progress keep their snapshot until they jump. "
                "A dialplan reload replaces the change.",
                {{"Context", true, "Context where the extension will be created."},
                 {"Extension", true, "Name of the extension (may carry /callerid)."},
                 {"Priority", true, "Priority being added to this extension (a number, or hint)."},
                 {"Application", true, "The application to use (the hint text for Priority: hint)."},
                 {"ApplicationData", false, "Arguments to the application."},
                 {"Replace", false, "If set to 'yes', '1', 'true' or any of the other values we evaluate as true, "
                                    "then if an extension already exists with the given priority it will be replaced."}},
                {"DialplanExtensionRemove", "ShowDialPlan"}},
      [ctx](ResponderPtr r) { extension_add(ctx, r); });
  server.register_action(
      "DialplanExtensionRemove", Privilege::System,
      ActionDoc{"Remove an extension from the dialplan",
                "Removes an extension (with its hint), or one priority of it, from the running dialplan as a "
                "new snapshot.",
                {{"Context", true, "Context of the extension being removed."},
                 {"Extension", true, "Name of the extension being removed (may carry /callerid)."},
                 {"Priority", false, "If provided, only remove this priority (or hint)."}},
                {"DialplanExtensionAdd", "ShowDialPlan"}},
      [ctx](ResponderPtr r) { extension_remove(ctx, r); });
}

}  // namespace telephony::manager
