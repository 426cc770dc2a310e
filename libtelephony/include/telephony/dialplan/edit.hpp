// Editing the running dialplan: one priority (or hint) added or removed, as a complete new
// snapshot built from the running one and swapped in with DialplanPbx::replace() — the only way
// the executor allows a change. Calls in progress keep their snapshot until they jump. Edits are
// serialised, so two of them never lose one another. Used by AMI DialplanExtensionAdd/Remove and
// the console's `dialplan add|remove extension`; a later `dialplan reload` replaces such changes
// with extensions.conf (as in Asterisk). Errors carry Asterisk's AMI messages.
#pragma once

#include <string>
#include <string_view>

#include "telephony/config/config.hpp"
#include "telephony/result.hpp"

namespace telephony::dialplan {

class DialplanPbx;

struct ExtensionAdd {
  std::string context;
  std::string exten;     // may carry "/callerid"
  std::string priority;  // a number, or "hint"
  std::string app;       // the hint text for a hint
  std::string data;
  bool replace = false;  // replace an existing priority (or hint) instead of failing
};

// "That extension and priority already exist at that context", "Priority 'x' is not valid.",
// "Failed to add extension: ...". The context is created when missing.
Result<void> add_extension(DialplanPbx& pbx, const ExtensionAdd& add, const config::Location& where);
// `priority` empty: the whole extension with its hint; "hint": only the hint; a number: that
// priority. "Did not find context X", "Failed to remove extension: ... does not exist".
Result<void> remove_extension(DialplanPbx& pbx, std::string_view context, std::string_view exten,
                              std::string_view priority);

}  // namespace telephony::dialplan
