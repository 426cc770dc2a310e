// Fuzz target: the URI, name-addr, Via and parameter grammar. Whatever parses must point inside
// the input and re-parse to the same parts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "telephony/sip/uri.hpp"

using namespace telephony::sip;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view s(reinterpret_cast<const char*>(data), size);
  auto inside = [&](std::string_view v) {
    if (!v.empty() && (v.data() < s.data() || v.data() + v.size() > s.data() + s.size())) std::abort();
  };
  if (auto u = parse_uri(s)) {
    inside(u->user);
    inside(u->host);
    auto again = parse_uri(u->text);
    if (!again || again->host != u->host || again->port != u->port || again->user != u->user) std::abort();
    u->params.for_each([&](std::string_view n, std::string_view v) {
      inside(n);
      inside(v);
    });
    (void)unescape(u->user);
  }
  if (auto na = parse_name_addr(s)) {
    inside(na->display);
    (void)na->tag();
    (void)unquote(na->display);
  }
  if (auto v = parse_via(s)) {
    inside(v->host);
    (void)v->branch();
    (void)is_rfc3261_branch(v->branch());
  }
  for_each_value(s, [&](std::string_view v) { inside(v); });
  if (auto r = parse_replaces(s)) {
    inside(r->call_id);
    inside(r->to_tag);
    inside(r->from_tag);
    if (r->call_id.empty() || r->to_tag.empty() || r->from_tag.empty()) std::abort();
  }
  if (auto h = uri_header(s, "Replaces")) inside(*h);
  (void)Params(s).well_formed();
  return 0;
}
