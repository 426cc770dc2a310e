#include "telephony/dialplan/edit.hpp"

#include <charconv>
#include <functional>
#include <mutex>
#include <optional>
#include <strings.h>

#include "telephony/dialplan/executor.hpp"

namespace telephony::dialplan {

namespace {

// Serialises read-modify-replace of the snapshot so two edits never lose one another.
std::mutex g_edit_mu;

std::string full_name(const Extension& e) { return e.cid.empty() ? e.name : e.name + "/" + e.cid; }

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
Result<std::shared_ptr<const Dialplan>> copy_plan(const Dialplan& plan, DialplanPbx& pbx, Edit* edit,
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

std::optional<int> parse_priority(std::string_view text) {
  int n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || p != text.data() + text.size() || n < 1) return std::nullopt;
  return n;
}

bool is_hint_word(std::string_view s) { return s.size() == 4 && ::strncasecmp(s.data(), "hint", 4) == 0; }

}  // namespace

Result<void> add_extension(DialplanPbx& pbx, const ExtensionAdd& add, const config::Location& where) {
  const bool is_hint = is_hint_word(add.priority);
  const auto number = parse_priority(add.priority);
  if (!is_hint && !number) return fail("Priority '" + add.priority + "' is not valid.");
  std::lock_guard lock(g_edit_mu);
  auto plan = pbx.snapshot();
  // Does the exact priority (or hint) already exist on this very extension (not through includes)?
  bool exists = false;
  if (const auto* c = plan->context(add.context))
    for (const auto& g : c->groups)
      for (const auto& e : g.variants)
        if (full_name(e) == add.exten) exists = exists || (is_hint ? e.hint.has_value() : e.find(*number) != nullptr);
  if (exists && !add.replace) return fail("That extension and priority already exist at that context");
  Edit edit;
  edit.context = add.context;
  edit.exten = add.exten;
  if (exists && is_hint) {
    edit.remove = true;
    edit.remove_hint = true;
    edit.remove_priority = -1;  // no priority matches: only the hint goes
  } else if (exists) {
    edit.replace_priority = *number;
  }
  auto next = copy_plan(*plan, pbx, &edit, [&](DialplanBuilder& b) -> Result<void> {
    b.add_context(add.context, where, "pbx_config");
    if (is_hint) return b.add_hint(add.context, add.exten, add.app, where);
    Priority p;
    p.number = *number;
    p.app = add.app;
    p.data = add.data;
    p.where = where;
    return b.add_priority(add.context, add.exten, std::move(p));
  });
  if (!next) return fail("Failed to add extension: " + next.error().to_string());
  pbx.replace(std::move(*next));
  return {};
}

Result<void> remove_extension(DialplanPbx& pbx, std::string_view context, std::string_view exten,
                              std::string_view priority) {
  Edit edit;
  edit.context = std::string(context);
  edit.exten = std::string(exten);
  edit.remove = true;
  if (!priority.empty()) {
    if (is_hint_word(priority)) {
      edit.remove_hint = true;
      edit.remove_priority = -1;
    } else if (auto n = parse_priority(priority)) {
      edit.remove_priority = *n;
    } else {
      return fail("Priority '" + std::string(priority) + "' is not valid.");
    }
  }
  std::lock_guard lock(g_edit_mu);
  auto plan = pbx.snapshot();
  if (!plan->context(context)) return fail("Did not find context " + std::string(context));
  auto next = copy_plan(*plan, pbx, &edit, nullptr);
  if (!next) return fail("Failed to remove extension: " + next.error().to_string());
  if (!edit.matched)
    return fail("Failed to remove extension: " + std::string(exten) + "@" + std::string(context) +
                (priority.empty() ? "" : " priority " + std::string(priority)) + " does not exist");
  pbx.replace(std::move(*next));
  return {};
}

}  // namespace telephony::dialplan
