// Fuzzes $[...] evaluation and the substitution that feeds it: any input must give a value or an
// Error, never a crash, hang or unbounded output.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "telephony/dialplan/expression.hpp"
#include "telephony/dialplan/substitution.hpp"

namespace {
struct EchoResolver : telephony::dialplan::VariableResolver {
  std::optional<std::string> variable(std::string_view name) const override {
    if (name.size() > 8) return std::nullopt;
    return std::string(name) + "1";
  }
  std::optional<std::string> function(std::string_view, std::string_view args) const override {
    return std::string(args.substr(0, 64));
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = telephony::dialplan::evaluate_expression(text);
  if (!r && r.error().where.rfind("offset ", 0) != 0) std::abort();  // errors always say where
  EchoResolver resolver;
  telephony::dialplan::SubstitutionLimits limits;
  auto s = telephony::dialplan::substitute_checked(text, resolver, limits);
  if (s.text.size() > limits.max_output) std::abort();
  return 0;
}
