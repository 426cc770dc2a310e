// Documentation attached as data to everything a user can name: applications, functions, AMI
// actions and console commands. `core show application X`, `manager show command X`, ListCommands
// and the reference pages are all rendered from it, so help never drifts from the code.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace telephony {

struct Documentation {
  std::string synopsis;
  std::string syntax;
  std::string description;
  std::vector<std::pair<std::string, std::string>> arguments;  // name -> meaning
  std::vector<std::string> see_also;
};

// Renders in the shape Asterisk users know: -= Info about X =- then [Synopsis] [Description]
// [Syntax] [Arguments] [See Also] blocks.
std::string render_help(std::string_view kind, std::string_view name, const Documentation& doc);

}  // namespace telephony
