// indications.conf: the tone zones of the countries a system serves — each zone's ring cadence
// (the on/off pattern of the bell on an analog phone) and its named tones (dial, busy, ring,
// congestion, callwaiting, ...) as tonelists (tone.hpp).
//
// The built-in zones (media/tone.hpp, values from Asterisk's indications.conf.sample) are the
// base; an indications.conf section replaces the zone of that name whole, or adds a new one.
// Accepted: `[general] country = <zone>` (the default zone), per zone `description`,
// `ringcadence = on,off[,on,off...]` (ms, even count, each 1..60000), `alias = a,b` (other
// names for the zone) and any other key as a tone name whose value must parse as a tonelist.
// Errors name file:line: a bad tonelist (with its character offset), a bad cadence, an alias
// naming an existing zone, a default country that no zone defines. Parsing allocates the model's
// strings; lookups allocate nothing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "telephony/config/config.hpp"
#include "telephony/result.hpp"

namespace telephony::media {

struct ToneZoneData {
  std::string country;
  std::string description;
  std::vector<int> ringcadence;  // ms: on, off, on, off ...
  std::vector<std::pair<std::string, std::string>> tones;  // name -> tonelist, file order
  std::vector<std::string> aliases;

  std::optional<std::string_view> tone(std::string_view name) const;
};

struct Indications {
  std::string default_country = "us";
  std::vector<ToneZoneData> zones;

  // By country code or alias, case-insensitive; null when unknown.
  const ToneZoneData* find(std::string_view country) const;
  // find(country), else the default zone, else the first zone.
  const ToneZoneData& zone_or_default(std::string_view country) const;
};

// The built-in zones only.
Indications builtin_indications();
// Built-ins overlaid with the file's sections.
Result<Indications, Errors> parse_indications(const config::ConfigFile& file);
// "2000,4000" -> {2000, 4000}; errors name the bad item.
Result<std::vector<int>> parse_ring_cadence(std::string_view text);

}  // namespace telephony::media
