#include "telephony/manager/action_table.hpp"

#include <algorithm>

#include "telephony/manager/message.hpp"

namespace telephony::manager {

void ActionTable::add(ActionEntry entry) {
  remove(entry.name);
  entries_.push_back(std::make_shared<const ActionEntry>(std::move(entry)));
}

bool ActionTable::remove(std::string_view name) {
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const auto& e) { return ami::iequals(e->name, name); });
  if (it == entries_.end()) return false;
  entries_.erase(it);
  return true;
}

std::shared_ptr<const ActionEntry> ActionTable::find(std::string_view name) const {
  for (const auto& e : entries_)
    if (ami::iequals(e->name, name)) return e;
  return nullptr;
}

std::vector<std::shared_ptr<const ActionEntry>> ActionTable::list() const {
  auto out = entries_;
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a->name < b->name; });
  return out;
}

std::optional<std::string> ActionTable::help(std::string_view name) const {
  auto e = find(name);
  if (!e) return std::nullopt;
  std::string out = "[Syntax]\nAction: " + e->name + "\n[ActionID:] <value>\n";
  for (const auto& a : e->doc.arguments)
    out += (a.required ? "" : "[") + a.name + ":" + (a.required ? "" : "]") + " <value>\n";
  out += "\n[Synopsis]\n" + e->doc.synopsis + "\n\n[Description]\n" + e->doc.description + "\n\n[Arguments]\n";
  out += "ActionID\n    ActionID for this transaction. Will be returned.\n";
  for (const auto& a : e->doc.arguments) out += a.name + "\n    " + a.description + "\n";
  out += "\n[Privilege]\n" + (e->privilege.empty() ? std::string("<none>") : e->privilege.to_string()) + "\n";
  out += "\n[See Also]\n";
  for (std::size_t i = 0; i < e->doc.see_also.size(); ++i) out += (i ? ", " : "") + e->doc.see_also[i];
  out += "\n";
  return out;
}

}  // namespace telephony::manager
