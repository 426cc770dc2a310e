// Fuzz target: parse_call_file() on arbitrary bytes. Besides "no crash", it checks what a
// successful parse promises: a Tech/Resource channel and somewhere to send the answered call.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "telephony/spool/call_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto cf = telephony::spool::parse_call_file(text, "fuzz.call");
  if (cf) {
    auto slash = cf->channel.find('/');
    if (slash == std::string::npos || slash == 0) std::abort();
    if (cf->application.empty() && cf->extension.empty()) std::abort();
    if (cf->priority < 1 || cf->attempts < 0 || cf->max_retries < 0) std::abort();
    for (const auto& w : cf->warnings)
      if (w.where.rfind("fuzz.call:", 0) != 0) std::abort();
  } else if (cf.error().where.rfind("fuzz.call:", 0) != 0) {
    std::abort();
  }
  return 0;
}
