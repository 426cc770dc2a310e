// Arbitrary text as system.conf: parsing, then span planning with and without kernel spans.
// Every accepted channel must lie on a span of the plan; every error must name a line.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "telephony/tdm/system_conf.hpp"

using namespace telephony::tdm;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto cfg = parse_system_conf(std::string_view(reinterpret_cast<const char*>(data), size), "system.conf");
  if (!cfg) {
    for (const auto& e : cfg.error().items)
      if (e.where.rfind("system.conf:", 0) != 0) std::abort();
    return 0;
  }
  for (const auto& kernel : {std::vector<int>{}, std::vector<int>{4, 24}}) {
    auto plan = plan_spans(*cfg, kernel);
    if (!plan) {
      if (plan.error().items.empty()) std::abort();
      continue;
    }
    for (const auto& [c, decl] : cfg->channels)
      if (!plan->span_of(c)) std::abort();
  }
  return 0;
}
