// AstDB over AMI: DBGet (an EventList of one DBGetResponse), DBGetTree (an EventList of every
// entry at or below a family/key tree), DBPut, DBDel, DBDelTree — on the
// engine's AstDb (telephony/astdb.hpp), so DB() in the dialplan, `database …` on the console and
// these actions see the same entries. Replies use Asterisk's wording. AstDb answers from one
// SQLite connection in microseconds, so the handlers call it directly on the session strand.
#include "action_context.hpp"
#include "telephony/astdb.hpp"

namespace telephony::manager {

namespace {

using ResponderPtr = std::shared_ptr<ActionResponder>;

// Family and Key are required by every action here except DBDelTree's Key.
bool family_and_key(const ResponderPtr& r, bool key_required) {
  if (header(*r, "Family").empty()) {
    r->error("No family specified.");
    return false;
  }
  if (key_required && header(*r, "Key").empty()) {
    r->error("No key specified.");
    return false;
  }
  return true;
}

void db_get(const ActionContextPtr& ctx, const ResponderPtr& r) {
  if (!family_and_key(r, true)) return;
  const auto family = header(*r, "Family");
  const auto key = header(*r, "Key");
  auto v = ctx->engine.astdb().get(family, key);
  if (!v) return r->error("Database error: " + v.error().to_string());
  if (!*v) return r->error("Database entry not found");
  r->list_start("Result will follow");
  ami::Message ev;
  ev.add("Event", "DBGetResponse").add("Family", family).add("Key", key).add("Val", **v);
  r->list_item(std::move(ev));
  r->list_complete("DBGetComplete");
}

// As Asterisk's main/db.c: every entry below /Family[/Key] (all of them without a Family; a Key
// alone is ignored), each a DBGetTreeResponse with the full path as Key; an empty tree is an empty
// list, not an error.
void db_get_tree(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const auto family = header(*r, "Family");
  const auto key = family.empty() ? std::string_view() : header(*r, "Key");
  auto entries = ctx->engine.astdb().show(family, key);
  if (!entries) return r->error("Unable to search database");
  r->list_start("Result will follow");
  for (const auto& e : *entries) {
    ami::Message ev;
    ev.add("Event", "DBGetTreeResponse").add("Key", e.key).add("Val", e.value);
    r->list_item(std::move(ev));
  }
  r->list_complete("DBGetTreeComplete");
}

void db_put(const ActionContextPtr& ctx, const ResponderPtr& r) {
  if (!family_and_key(r, true)) return;
  auto ok = ctx->engine.astdb().put(header(*r, "Family"), header(*r, "Key"), header(*r, "Val"));
  if (!ok) return r->error("Failed to update entry: " + ok.error().to_string());
  r->success("Updated database successfully");
}

void db_del(const ActionContextPtr& ctx, const ResponderPtr& r) {
  if (!family_and_key(r, true)) return;
  auto gone = ctx->engine.astdb().del(header(*r, "Family"), header(*r, "Key"));
  if (!gone) return r->error("Database error: " + gone.error().to_string());
  if (!*gone) return r->error("Database entry not found");
  r->success("Key deleted successfully");
}

void db_deltree(const ActionContextPtr& ctx, const ResponderPtr& r) {
  if (!family_and_key(r, false)) return;
  auto n = ctx->engine.astdb().deltree(header(*r, "Family"), header(*r, "Key"));
  if (!n) return r->error("Database error: " + n.error().to_string());
  if (*n == 0) return r->error("Database entry not found");
  r->success("Key tree deleted successfully");
}

}  // namespace

void register_db_actions(Server& server, const ActionContextPtr& ctx) {
  const PrivilegeSet system = Privilege::System;
  const PrivilegeSet reporting = Privilege::Reporting;
  server.register_action(
      "DBGet", system | reporting,
      ActionDoc{"Get DB Entry.",
                "Reads one AstDB entry: an EventList with one DBGetResponse (Family, Key, Val) and DBGetComplete.",
                {{"Family", true, "The AstDB family."}, {"Key", true, "The key within the family."}},
                {"DBPut", "DBDel", "DBDelTree"}},
      [ctx](ResponderPtr r) { db_get(ctx, r); });
  server.register_action(
      "DBGetTree", system | reporting,
      ActionDoc{"Get DB entries, optionally at a particular family/key.",
                "Reads every AstDB entry at or below /Family/Key (/Family without Key, the whole "
                "database without Family): an EventList of DBGetTreeResponse (Key: the full path, "
                "Val) and DBGetTreeComplete; an empty tree gives an empty list.",
                {{"Family", false, "The AstDB family."},
                 {"Key", false, "The key tree within the family (used only with Family)."}},
                {"DBGet", "DBDelTree"}},
      [ctx](ResponderPtr r) { db_get_tree(ctx, r); });
  server.register_action(
      "DBPut", system,
      ActionDoc{"Put DB entry.", "Creates or replaces one AstDB entry.",
                {{"Family", true, "The AstDB family."}, {"Key", true, "The key within the family."},
                 {"Val", false, "The value (empty when absent)."}},
                {"DBGet", "DBDel"}},
      [ctx](ResponderPtr r) { db_put(ctx, r); });
  server.register_action(
      "DBDel", system,
      ActionDoc{"Delete DB entry.", "Deletes one AstDB entry.",
                {{"Family", true, "The AstDB family."}, {"Key", true, "The key within the family."}},
                {"DBGet", "DBDelTree"}},
      [ctx](ResponderPtr r) { db_del(ctx, r); });
  server.register_action(
      "DBDelTree", system,
      ActionDoc{"Delete DB Tree.", "Deletes a whole AstDB family, or the key tree below Family/Key.",
                {{"Family", true, "The AstDB family."}, {"Key", false, "The key tree within the family."}},
                {"DBGet", "DBDel"}},
      [ctx](ResponderPtr r) { db_deltree(ctx, r); });
}

}  // namespace telephony::manager
