// Fuzz target: MessageSend's SIP destination forms (endpoint, endpoint@domain, PJSIP/user@endpoint,
// endpoint/URI, bare URI or host) against a fixed pjsip.conf with endpoints alice and bob. Whatever
// parses names an endpoint or a sip:/sips: Request-URI, a user only with an endpoint, and parses
// the same way twice.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "drivers/sip/out_of_dialog.hpp"
#include "telephony/config/config.hpp"
#include "telephony/sip/uri.hpp"

using namespace telephony;
using namespace telephony::sip;

namespace {

const SipConfig& fixed_config() {
  static const SipConfig cfg = [] {
    auto file =
        config::parse_string("[alice]\ntype=endpoint\n[bob]\ntype=endpoint\n", "pjsip.conf");
    if (!file) std::abort();
    auto c = parse_sip_config(*file);
    if (!c) std::abort();
    return *c;
  }();
  return cfg;
}

bool sip_scheme(std::string_view uri) {
  auto starts = [&](std::string_view p) {
    return uri.size() >= p.size() && iequals(uri.substr(0, p.size()), p);
  };
  return starts("sip:") || starts("sips:");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view s(reinterpret_cast<const char*>(data), size);
  const auto& cfg = fixed_config();
  auto d = parse_message_destination(s, cfg);
  auto again = parse_message_destination(s, cfg);
  if (static_cast<bool>(d) != static_cast<bool>(again)) std::abort();
  if (!d) {
    if (d.error().to_string().empty()) std::abort();  // every refusal says why
    return 0;
  }
  if (!d->endpoint && d->uri.empty()) std::abort();
  if (!d->uri.empty() && !sip_scheme(d->uri)) std::abort();
  if (!d->user.empty() && !d->endpoint) std::abort();
  if (d->endpoint != again->endpoint || d->uri != again->uri || d->user != again->user)
    std::abort();
  if (!d->uri.empty()) (void)parse_uri(d->uri);  // what send_sip_message does next
  return 0;
}
