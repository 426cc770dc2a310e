// Feeds arbitrary bytes to the extensions.conf loader (parser + dialplan model), then exercises
// the loaded snapshot: lookups with includes, overlap questions and `dialplan show`. Includes are
// cut off so the fuzzer explores the dialect, not the file system.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "telephony/dialplan/loader.hpp"
#include "telephony/dialplan/module.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  telephony::config::ParseOptions options;
  options.max_include_depth = 0;
  options.config_dir = "/nonexistent-fuzz-dir";
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = telephony::dialplan::load_dialplan_string(text, "extensions.conf", options);
  if (!r) {
    if (r.error().items.empty()) std::abort();  // rejected without saying why
    for (const auto& e : r.error().items)
      if (e.where.empty()) std::abort();  // every error names file:line
    return 0;
  }
  const auto& plan = **r;
  for (const auto& c : plan.contexts()) {
    for (std::string_view exten : {"s", "100", "h", "i", "5551234", ""}) {
      (void)plan.find(c.name, exten, 1, "200");
      (void)plan.find_label(c.name, exten, "x", "");
      (void)plan.can_match(c.name, exten, "");
      (void)plan.match_more(c.name, exten, "");
    }
    for (const auto& g : c.groups)
      for (const auto& v : g.variants)
        for (std::size_t i = 1; i < v.priorities.size(); ++i)
          if (v.priorities[i - 1].number >= v.priorities[i].number) std::abort();  // sorted, no duplicates
  }
  auto shown = telephony::dialplan::render_dialplan(plan, "");
  if (!shown) std::abort();
  return 0;
}
