// DAHDI dial string parsing (see tdm/dial_string.hpp).
#include "telephony/tdm/dial_string.hpp"

#include <charconv>

namespace telephony::tdm {

namespace {

// Reads a decimal number at the front of `s`; false when there is none.
bool take_number(std::string_view& s, int& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || p == s.data()) return false;
  s.remove_prefix(static_cast<std::size_t>(p - s.data()));
  return true;
}

}  // namespace

Result<DahdiDialString> parse_dahdi_dial_string(std::string_view resource) {
  DahdiDialString d;
  std::string_view head = resource;
  if (auto slash = resource.find('/'); slash != std::string_view::npos) {
    head = resource.substr(0, slash);
    auto rest = resource.substr(slash + 1);
    auto slash2 = rest.find('/');
    d.dial = std::string(rest.substr(0, slash2));
    if (slash2 != std::string_view::npos) d.options = std::string(rest.substr(slash2 + 1));
  }
  if (head.empty()) return fail("no channel or group in DAHDI dial string '" + std::string(resource) + "'");
  if (head == "pseudo") {
    d.kind = DahdiDialString::Kind::Pseudo;
    return d;
  }
  std::string_view s = head;
  switch (s.front()) {
    case 'g': d.kind = DahdiDialString::Kind::GroupForward; break;
    case 'G': d.kind = DahdiDialString::Kind::GroupBackward; break;
    case 'r': d.kind = DahdiDialString::Kind::RoundRobinForward; break;
    case 'R': d.kind = DahdiDialString::Kind::RoundRobinBackward; break;
    default: d.kind = DahdiDialString::Kind::Channel; break;
  }
  const bool group = d.kind != DahdiDialString::Kind::Channel;
  if (group) s.remove_prefix(1);
  if (!take_number(s, d.number))
    return fail(std::string(group ? "group" : "channel") + " number missing in DAHDI dial string '" + std::string(resource) + "'");
  if (group && (d.number < 0 || d.number > 63)) return fail("group " + std::to_string(d.number) + " outside 0..63");
  if (!group && d.number < 1) return fail("channel " + std::to_string(d.number) + " is not a DAHDI channel");
  if (!s.empty()) {
    const char opt = s.front();
    s.remove_prefix(1);
    if (opt == 'c') {
      d.confirm_answer = true;
    } else if (opt == 'r') {
      if (!take_number(s, d.cadence) || d.cadence < 1) return fail("distinctive ring missing its cadence number in '" + std::string(resource) + "'");
    } else if (opt != 'd') {
      return fail(std::string("unknown option '") + opt + "' in DAHDI dial string '" + std::string(resource) + "'");
    }
    if (!s.empty()) return fail("unexpected '" + std::string(s) + "' in DAHDI dial string '" + std::string(resource) + "'");
  }
  return d;
}

}  // namespace telephony::tdm
