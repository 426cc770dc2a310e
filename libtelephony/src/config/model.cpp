// Lookups over the configuration model and the model comparison used by reload and tests.
#include <charconv>

#include "config/text.hpp"
#include "telephony/config/config.hpp"

namespace telephony::config {

using detail::iequals;
using detail::trim;

std::string Location::to_string() const { return file + ":" + std::to_string(line); }

const Entry* Section::find(std::string_view name) const {
  for (auto it = entries.rbegin(); it != entries.rend(); ++it)
    if (iequals(it->name, name)) return &*it;
  return nullptr;
}

std::vector<const Entry*> Section::find_all(std::string_view name) const {
  std::vector<const Entry*> out;
  for (const auto& e : entries)
    if (iequals(e.name, name)) out.push_back(&e);
  return out;
}

std::optional<std::string> Section::get(std::string_view name) const {
  if (const Entry* e = find(name)) return e->value;
  return std::nullopt;
}

bool is_true_word(std::string_view v) {
  v = trim(v);
  return iequals(v, "yes") || iequals(v, "true") || iequals(v, "y") || iequals(v, "t") || v == "1" ||
         iequals(v, "on");
}

bool is_false_word(std::string_view v) {
  v = trim(v);
  return iequals(v, "no") || iequals(v, "false") || iequals(v, "n") || iequals(v, "f") || v == "0" ||
         iequals(v, "off");
}

bool Section::get_bool(std::string_view name, bool fallback) const {
  const Entry* e = find(name);
  if (!e) return fallback;
  if (is_true_word(e->value)) return true;
  if (is_false_word(e->value)) return false;
  return fallback;
}

int Section::get_int(std::string_view name, int fallback) const {
  const Entry* e = find(name);
  if (!e) return fallback;
  std::string_view v = trim(e->value);
  if (!v.empty() && v.front() == '+') v.remove_prefix(1);
  int out = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc{} || ptr != v.data() + v.size()) return fallback;
  return out;
}

const Section* ConfigFile::section(std::string_view name) const {
  for (const auto& s : sections)
    if (!s.is_template && iequals(s.name, name)) return &s;
  return nullptr;
}

std::vector<const Section*> ConfigFile::sections_named(std::string_view name) const {
  std::vector<const Section*> out;
  for (const auto& s : sections)
    if (!s.is_template && iequals(s.name, name)) out.push_back(&s);
  return out;
}

namespace {
std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }
}  // namespace

std::optional<std::string> first_difference(const ConfigFile& a, const ConfigFile& b) {
  const std::size_t n = std::min(a.sections.size(), b.sections.size());
  for (std::size_t i = 0; i < n; ++i) {
    const Section& x = a.sections[i];
    const Section& y = b.sections[i];
    const std::string at = "section #" + std::to_string(i + 1) + " " + in_quotes(x.name);
    if (x.name != y.name) return at + ": name differs from " + in_quotes(y.name);
    if (x.is_template != y.is_template) return at + ": template flag differs";
    if (x.inherits != y.inherits) return at + ": inherited sections differ";
    const std::size_t m = std::min(x.entries.size(), y.entries.size());
    for (std::size_t j = 0; j < m; ++j) {
      const Entry& e = x.entries[j];
      const Entry& f = y.entries[j];
      const std::string eat = at + " entry #" + std::to_string(j + 1) + " ";
      if (e.name != f.name) return eat + in_quotes(e.name) + " vs " + in_quotes(f.name);
      if (e.value != f.value) return eat + in_quotes(e.name) + ": value " + in_quotes(e.value) + " vs " + in_quotes(f.value);
      if (e.object != f.object) return eat + in_quotes(e.name) + ": '=>' vs '=' differs";
    }
    if (x.entries.size() != y.entries.size())
      return at + ": " + std::to_string(x.entries.size()) + " entries vs " + std::to_string(y.entries.size());
  }
  if (a.sections.size() != b.sections.size())
    return std::to_string(a.sections.size()) + " sections vs " + std::to_string(b.sections.size());
  return std::nullopt;
}

}  // namespace telephony::config
