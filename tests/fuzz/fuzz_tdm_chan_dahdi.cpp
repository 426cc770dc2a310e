// Arbitrary text as chan_dahdi.conf (through the .conf parser, includes cut off), then Asterisk's
// reading of it; and the same bytes as a DAHDI dial string.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "telephony/config/config.hpp"
#include "telephony/tdm/chan_dahdi_conf.hpp"
#include "telephony/tdm/dial_string.hpp"

using namespace telephony;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  config::ParseOptions options;
  options.max_include_depth = 0;
  options.config_dir = "/nonexistent-fuzz-dir";
  if (auto file = config::parse_string(text, "chan_dahdi.conf", options)) {
    auto c = tdm::parse_chan_dahdi(*file);
    if (c) {
      for (const auto& [n, s] : c->channels)
        if (n < 1 || n > tdm::kMaxChannels || s.where.line < 1) std::abort();
    } else if (c.error().items.empty()) {
      std::abort();
    }
  }
  auto ds = tdm::parse_dahdi_dial_string(text);
  if (ds && ds->kind != tdm::DahdiDialString::Kind::Pseudo && ds->number < 0) std::abort();
  return 0;
}
