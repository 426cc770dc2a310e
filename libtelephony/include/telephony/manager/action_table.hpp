// manager::ActionTable: the AMI actions a server answers, each with its privilege and its
// documentation as data (so ListCommands and `manager show command` cannot drift from the code).
//
// Lookup is case-insensitive (clients send "login", "PING", ...). Registering a name again
// replaces the earlier entry, which is how a host overrides a built-in.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/manager/privilege.hpp"

namespace telephony::manager {

class ActionResponder;
using ActionHandler = std::function<void(std::shared_ptr<ActionResponder>)>;

struct ActionArgument {
  std::string name;
  bool required = false;
  std::string description;
};

struct ActionDoc {
  std::string synopsis;
  std::string description;
  std::vector<ActionArgument> arguments;  // ActionID is implied and listed by syntax()
  std::vector<std::string> see_also;
};

struct ActionEntry {
  std::string name;
  PrivilegeSet privilege;  // write classes needed; empty = any logged-in user
  ActionDoc doc;
  ActionHandler handler;   // empty for actions the session implements itself (Login, Events, ...)
};

class ActionTable {
 public:
  void add(ActionEntry entry);
  bool remove(std::string_view name);
  std::shared_ptr<const ActionEntry> find(std::string_view name) const;
  // Sorted by name, as ListCommands shows them.
  std::vector<std::shared_ptr<const ActionEntry>> list() const;
  // The `manager show command` text: [Syntax] [Synopsis] [Description] [Arguments] [See Also].
  std::optional<std::string> help(std::string_view name) const;

 private:
  std::vector<std::shared_ptr<const ActionEntry>> entries_;
};

}  // namespace telephony::manager
