// indications.conf model (see media/indications.hpp).
#include "telephony/media/indications.hpp"

#include <charconv>

#include "config/text.hpp"
#include "telephony/media/tone.hpp"

namespace telephony::media {

using config::detail::iequals;
using config::detail::trim;

std::optional<std::string_view> ToneZoneData::tone(std::string_view name) const {
  for (const auto& [n, t] : tones)
    if (iequals(n, name)) return std::string_view(t);
  return std::nullopt;
}

const ToneZoneData* Indications::find(std::string_view country) const {
  for (const auto& z : zones) {
    if (iequals(z.country, country)) return &z;
    for (const auto& a : z.aliases)
      if (iequals(a, country)) return &z;
  }
  return nullptr;
}

const ToneZoneData& Indications::zone_or_default(std::string_view country) const {
  if (const auto* z = find(country)) return *z;
  if (const auto* z = find(default_country)) return *z;
  return zones.front();
}

Result<std::vector<int>> parse_ring_cadence(std::string_view text) {
  std::vector<int> out;
  while (true) {
    auto comma = text.find(',');
    auto item = trim(text.substr(0, comma));
    int ms = 0;
    auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), ms);
    if (item.empty() || ec != std::errc() || p != item.data() + item.size() || ms < 1 || ms > 60000)
      return fail("ring cadence item '" + std::string(item) + "' is not a duration of 1..60000 ms");
    out.push_back(ms);
    if (comma == std::string_view::npos) break;
    text = text.substr(comma + 1);
  }
  if (out.size() % 2 != 0) return fail("ring cadence needs on,off pairs (an even number of durations)");
  return out;
}

Indications builtin_indications() {
  Indications ind;
  for (const auto& z : builtin_tone_zones()) {
    ToneZoneData d;
    d.country = std::string(z.country);
    d.description = std::string(z.description);
    d.ringcadence = parse_ring_cadence(z.ringcadence).value_or(std::vector<int>{2000, 4000});
    for (const auto& i : z.indications) d.tones.emplace_back(std::string(i.name), std::string(i.tones));
    ind.zones.push_back(std::move(d));
  }
  return ind;
}

Result<Indications, Errors> parse_indications(const config::ConfigFile& file) {
  Indications ind = builtin_indications();
  Errors errs;
  auto error = [&](std::string m, const config::Location& w) { errs.items.push_back(Error{std::move(m), w.to_string()}); };
  const config::Entry* country = nullptr;
  for (const auto& s : file.sections) {
    if (s.is_template) continue;
    if (iequals(s.name, "general")) {
      for (const auto& e : s.entries) {
        if (iequals(e.name, "country")) country = &e;
        else error("unknown [general] option '" + e.name + "'", e.where);
      }
      continue;
    }
    ToneZoneData z;
    config::detail::assign_lower(z.country, s.name);
    for (const auto& e : s.entries) {
      if (iequals(e.name, "description")) {
        z.description = e.value;
      } else if (iequals(e.name, "ringcadence")) {
        auto c = parse_ring_cadence(e.value);
        if (!c) error(c.error().message, e.where);
        else z.ringcadence = std::move(*c);
      } else if (iequals(e.name, "alias")) {
        std::string_view rest = e.value;
        while (!rest.empty()) {
          auto comma = rest.find(',');
          auto a = trim(rest.substr(0, comma));
          if (!a.empty()) z.aliases.emplace_back(a);
          rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        }
      } else {
        auto spec = parse_tone_spec(e.value);
        if (!spec) error("tone '" + e.name + "': " + spec.error().to_string(), e.where);
        else z.tones.emplace_back(e.name, e.value);
      }
    }
    if (z.ringcadence.empty()) z.ringcadence = {2000, 4000};
    for (const auto& a : z.aliases)
      for (const auto& other : ind.zones)
        if (!iequals(other.country, z.country) && iequals(other.country, a))
          error("alias '" + a + "' of zone '" + z.country + "' names an existing zone", s.where);
    bool replaced = false;
    for (auto& other : ind.zones)
      if (iequals(other.country, z.country)) {
        other = z;
        replaced = true;
      }
    if (!replaced) ind.zones.push_back(std::move(z));
  }
  if (country) {
    ind.default_country = country->value;
    if (!ind.find(country->value)) error("country '" + country->value + "' is not a zone of this file or a built-in one", country->where);
  }
  if (!errs.items.empty()) return Unexpected<Errors>{std::move(errs)};
  return ind;
}

}  // namespace telephony::media
