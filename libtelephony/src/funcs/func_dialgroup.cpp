// DIALGROUP: named lists of devices to Dial, kept in AstDB (family "dialgroup", as Asterisk) so
// that they survive a restart. Entries keep the order they were added; duplicates are ignored.
#include <algorithm>
#include <mutex>

#include "funcs/function_support.hpp"
#include "telephony/astdb.hpp"
#include "telephony/dialplan/args.hpp"

namespace telephony::funcs {

namespace {

constexpr std::string_view kFamily = "dialgroup";

std::vector<std::string> split_amp(std::string_view text) {
  std::vector<std::string> out;
  for (auto& s : dialplan::split_args(text, '&'))
    if (!s.empty()) out.push_back(std::move(s));
  return out;
}

std::string join_amp(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += '&';
    out += s;
  }
  return out;
}

// The AstDB row is the list; one mutex keeps read-modify-write of a group atomic.
struct DialGroups {
  std::mutex mu;
};

}  // namespace

void register_dialgroup_functions(Engine& engine) {
  auto groups = std::make_shared<DialGroups>();
  add_function(
      engine, "DIALGROUP",
      {"Manages a group of users for dialing.", "DIALGROUP(group[,op])",
       "Reading gives the group's interfaces joined with '&', ready for Dial(${DIALGROUP(mygroup)}); a group that "
       "does not exist is an error (empty). Writing without op replaces the whole list with the value (interfaces "
       "separated by '&'); op add adds them (duplicates ignored), op del removes them. Groups are stored in AstDB "
       "under dialgroup/<group> and survive restarts. Example: Set(DIALGROUP(mygroup,add)=SIP/10).",
       {{"group", "group name"}, {"op", "add or del (write only)"}},
       {"Dial"}},
      [groups](const FunctionCall& c) -> Result<std::string> {
        const std::string name(trim(c.args));
        if (name.empty()) return func_error(c, "missing group name");
        std::lock_guard lock(groups->mu);
        auto v = c.engine.astdb().get(kFamily, name);
        if (!v) return func_error(c, v.error().message);
        if (!*v) return func_error(c, "no such dialgroup '" + name + "'");
        return **v;
      },
      [groups](const FunctionCall& c, std::string_view value) -> Result<void> {
        auto a = dialplan::split_args(c.args);
        if (a.empty() || trim(a[0]).empty()) return func_error(c, "missing group name");
        const std::string name(trim(a[0]));
        const std::string op = a.size() > 1 ? to_lower(trim(a[1])) : "";
        auto& db = c.engine.astdb();
        std::lock_guard lock(groups->mu);
        std::vector<std::string> list;
        if (!op.empty()) {
          auto current = db.get(kFamily, name);
          if (!current) return func_error(c, current.error().message);
          if (*current) list = split_amp(**current);
        }
        if (op.empty() || op == "add") {
          for (auto& iface : split_amp(value))
            if (std::find(list.begin(), list.end(), iface) == list.end()) list.push_back(std::move(iface));
        } else if (op.rfind("del", 0) == 0) {
          for (const auto& iface : split_amp(value)) {
            auto it = std::find(list.begin(), list.end(), iface);
            if (it == list.end()) c.engine.log().warning("func_dialgroup", "Interface '" + iface + "' not found in dialgroup '" + name + "'");
            else list.erase(it);
          }
        } else {
          return func_error(c, "unrecognized operation '" + a[1] + "' (add or del)");
        }
        if (list.empty()) {
          if (auto r = db.del(kFamily, name); !r) return func_error(c, r.error().message);
          return {};
        }
        if (auto r = db.put(kFamily, name, join_amp(list)); !r) return func_error(c, r.error().message);
        return {};
      });
}

}  // namespace telephony::funcs
