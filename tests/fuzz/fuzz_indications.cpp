// Arbitrary text as indications.conf: every zone of an accepted file has an even ring cadence and
// tones that parse as tonelists.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "telephony/config/config.hpp"
#include "telephony/media/indications.hpp"
#include "telephony/media/tone.hpp"

using namespace telephony;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  config::ParseOptions options;
  options.max_include_depth = 0;
  options.config_dir = "/nonexistent-fuzz-dir";
  auto file = config::parse_string(std::string_view(reinterpret_cast<const char*>(data), size), "indications.conf", options);
  if (!file) return 0;
  auto ind = media::parse_indications(*file);
  if (!ind) return 0;
  for (const auto& z : ind->zones) {
    if (z.ringcadence.size() % 2) std::abort();
    for (const auto& [name, list] : z.tones)
      if (!media::parse_tone_spec(list)) std::abort();
  }
  if (!ind->find(ind->default_country)) std::abort();
  return 0;
}
