// Arbitrary text as console.conf: every accepted configuration has an active device that exists.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "telephony/config/config.hpp"
#include "telephony/console/console_conf.hpp"

using namespace telephony;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  config::ParseOptions options;
  options.max_include_depth = 0;
  options.config_dir = "/nonexistent-fuzz-dir";
  auto file = config::parse_string(std::string_view(reinterpret_cast<const char*>(data), size), "console.conf", options);
  if (!file) return 0;
  auto c = console::parse_console_conf(*file);
  if (c && (c->devices.empty() || !c->find(c->active))) std::abort();
  return 0;
}
