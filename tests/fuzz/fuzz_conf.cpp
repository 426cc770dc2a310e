// Feeds arbitrary bytes to the .conf parser. Includes are cut off (max_include_depth = 0) so the
// fuzzer explores the dialect, not the file system; #exec stays disabled.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "telephony/config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  telephony::config::ParseOptions options;
  options.max_include_depth = 0;
  options.config_dir = "/nonexistent-fuzz-dir";
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = telephony::config::parse_string(text, "fuzz.conf", options);
  if (r) {
    // Every accepted statement must point at a real line of the input.
    for (const auto& s : r->sections) {
      if (s.where.line < 1) std::abort();
      for (const auto& e : s.entries)
        if (e.where.line < 1 || e.name.empty()) std::abort();
    }
  } else if (r.error().items.empty()) {
    std::abort();  // rejected without saying why
  }
  return 0;
}
