// The running dialplan over AMI: ShowDialPlan (EventList of ListDialplan items), and
// DialplanExtensionAdd / DialplanExtensionRemove, which change it the only way the executor allows:
// a complete new snapshot built from the current one (DialplanBuilder) and swapped in with
// DialplanPbx::replace(). Calls in progress keep the snapshot they read until they jump, exactly
// as after `dialplan reload`; a later reload of extensions.conf replaces AMI changes (Asterisk too).
#include <charconv>
#include <functional>
#include <mutex>
#include <optional>

#include "action_context.hpp"
#include "telephony/dialplan/executor.hpp"

namespace telephony::manager {

namespace {

using ResponderPtr = std::shared_ptr<ActionResponder>;
using dialplan::Dialplan;
using dialplan::DialplanBuilder;

// Serialises read-modify-replace of the snapshot so two AMI edits never lose one another.
std::mutex g_edit_mu;

std::shared_ptr<dialplan::DialplanPbx> dialplan_pbx(Engine& engine) {
  return std::dynamic_pointer_cast<dialplan::DialplanPbx>(engine.pbx());
}

std::string full_name(const dialplan::Extension& e) { return e.cid.empty() ? e.name : e.name + "/" + e.cid; }

// What an edit does to one extension while the snapshot is copied.
struct Edit {
  std::string context;
  std::string exten;                 // as written, with "/cid" when given
  std::optional<int> remove_priority;  // remove: this priority only; nullopt: the whole extension
  bool remove = false;
  bool remove_hint = false;
  int replace_priority = 0;          // add with Replace: drop this priority of the extension first
  bool matched = false;              // remove: something was removed
};

// A copy of `plan` with `edit` applied to the copied extensions. Globals are the running ones so
// that replace() re-applies the values the calls see now (not the file's).
Result<std::shared_ptr<const Dialplan>> copy_plan(const Dialplan& plan, dialplan::DialplanPbx& pbx, Edit* edit,
                                                  const std::function<Result<void>(DialplanBuilder&)>& extra) {
  DialplanBuilder b;
  b.general() = plan.general();
  for (const auto& [k, v] : pbx.globals().list()) b.set_global(k, v);
  for (const auto& c : plan.contexts()) {
    b.add_context(c.name, c.where, c.registrar);
    for (const auto& g : c.groups) {
      for (const auto& e : g.variants) {
        const std::string name = full_name(e);
        const bool target = edit && edit->context == c.name && edit->exten == name;
        if (e.hint && !(target && edit->remove && (edit->remove_hint || !edit->remove_priority))) {
          if (auto r = b.add_hint(c.name, name, *e.hint, e.where); !r) return Unexpected<Error>{r.error()};
        } else if (e.hint) {
          edit->matched = true;
        }
        for (const auto& p : e.priorities) {
          if (target && edit->remove && (!edit->remove_priority || *edit->remove_priority == p.number)) {
            edit->matched = true;
            continue;
          }
          if (target && !edit->remove && edit->replace_priority == p.number) continue;
          if (auto r = b.add_priority(c.name, name, p); !r) return Unexpected<Error>{r.error()};
        }
      }
    }
    for (const auto& inc : c.includes)
      if (auto r = b.add_include(c.name, inc.text, inc.where); !r) return Unexpected<Error>{r.error()};
    for (const auto& ig : c.ignore_patterns) b.add_ignore_pattern(c.name, ig);
    for (const auto& sw : c.switches) b.add_switch(c.name, sw);
  }
  if (extra)
    if (auto r = extra(b); !r) return Unexpected<Error>{r.error()};
  return b.build();
}

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

std::optional<int> parse_priority(std::string_view text) {
  int n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || p != text.data() + text.size() || n < 1) return std::nullopt;
  return n;
}

void extension_add(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const std::string context(header(*r, "Context"));
  const std::string exten(header(*r, "Extension"));
  const std::string prio(header(*r, "Priority"));
  const std::string app(header(*r, "Application"));
  const std::string data(header(*r, "ApplicationData"));
  if (context.empty() || exten.empty() || prio.empty() || app.empty())
    return r->error("Context, Extension, Priority, and Application must be defined.");
  const bool is_hint = ami::iequals(prio, "hint");
  const auto number = parse_priority(prio);
  if (!is_hint && !number) return r->error("Priority '" + prio + "' is not valid.");
  auto pbx = dialplan_pbx(ctx->engine);
  if (!pbx) return r->error("DialplanExtensionAdd needs the dialplan module (pbx_config), which is not loaded");

  std::lock_guard lock(g_edit_mu);
  auto plan = pbx->snapshot();
  const bool replace = header_true(*r, "Replace");
  // Does the exact priority (or hint) already exist on this very extension (not through includes)?
  bool exists = false;
  if (const auto* c = plan->context(context))
    for (const auto& g : c->groups)
      for (const auto& e : g.variants)
        if (full_name(e) == exten) exists = exists || (is_hint ? e.hint.has_value() : e.find(*number) != nullptr);
  if (exists && !replace) return r->error("That extension and priority already exist at that context");

  Edit edit;
  edit.context = context;
  edit.exten = exten;
  if (exists && is_hint) {
    edit.remove = true;
    edit.remove_hint = true;
    edit.remove_priority = -1;  // no priority matches: only the hint goes
  } else if (exists) {
    edit.replace_priority = *number;
  }
  const config::Location where{"manager", 0};
  auto next = copy_plan(*plan, *pbx, &edit, [&](DialplanBuilder& b) -> Result<void> {
    b.add_context(context, where, "pbx_config");
    if (is_hint) return b.add_hint(context, exten, app, where);
    dialplan::Priority p;
    p.number = *number;
    p.app = app;
    p.data = data;
    p.where = where;
    return b.add_priority(context, exten, std::move(p));
  });
  if (!next) return r->error("Failed to add extension: " + next.error().to_string());
  pbx->replace(std::move(*next));
  ctx->engine.log().verbose("manager", "Added extension " + exten + "@" + context + " priority " + prio + " by " +
                                           r->session().user);
  r->success("Added extension");
}

void extension_remove(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const std::string context(header(*r, "Context"));
  const std::string exten(header(*r, "Extension"));
  const std::string prio(header(*r, "Priority"));
  if (context.empty() || exten.empty()) return r->error("Context and Extension must be defined.");
  Edit edit;
  edit.context = context;
  edit.exten = exten;
  edit.remove = true;
  if (!prio.empty()) {
    if (ami::iequals(prio, "hint")) {
      edit.remove_hint = true;
      edit.remove_priority = -1;
    } else if (auto n = parse_priority(prio)) {
      edit.remove_priority = *n;
    } else {
      return r->error("Priority '" + prio + "' is not valid.");
    }
  }
  auto pbx = dialplan_pbx(ctx->engine);
  if (!pbx) return r->error("DialplanExtensionRemove needs the dialplan module (pbx_config), which is not loaded");
  std::lock_guard lock(g_edit_mu);
  auto plan = pbx->snapshot();
  if (!plan->context(context)) return r->error("Did not find context " + context);
  auto next = copy_plan(*plan, *pbx, &edit, nullptr);
  if (!next) return r->error("Failed to remove extension: " + next.error().to_string());
  if (!edit.matched) return r->error("Failed to remove extension: " + exten + "@" + context +
                                     (prio.empty() ? "" : " priority " + prio) + " does not exist");
  pbx->replace(std::move(*next));
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
