#include "config/section_assembler.hpp"

#include "config/text.hpp"

namespace telephony::config::detail {

void SectionAssembler::error(const Location& where, std::string message) {
  errors_.items.push_back(Error{std::move(message), where.to_string()});
}

std::size_t SectionAssembler::hash(std::string_view name) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a over the lower-cased name
  for (char c : name) h = (h ^ static_cast<unsigned char>(lower(c))) * 1099511628211ull;
  return static_cast<std::size_t>(h ^ (h >> 29));
}

// Asterisk's ast_category_get: case-insensitive, first category of that name (templates too).
std::size_t SectionAssembler::find_first(std::string_view name) const {
  if (slots_.empty()) return kNone;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash(name) & mask;; i = (i + 1) & mask) {
    if (slots_[i] == 0) return kNone;
    if (iequals(out_.sections[slots_[i] - 1].name, name)) return slots_[i] - 1;
  }
}

void SectionAssembler::remember(std::size_t index) {
  if ((named_ + 1) * 2 > slots_.size()) {
    std::vector<std::uint32_t> old = std::move(slots_);
    slots_.assign(old.empty() ? 64 : old.size() * 2, 0);
    named_ = 0;
    for (std::uint32_t v : old)
      if (v != 0) remember(v - 1);
  }
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = hash(out_.sections[index].name) & mask;
  while (slots_[i] != 0) i = (i + 1) & mask;
  slots_[i] = static_cast<std::uint32_t>(index + 1);
  ++named_;
}

void SectionAssembler::open(std::string_view name, const HeaderOptions& options, const Location& where) {
  std::size_t target = kNone;
  if (options.append) {
    target = find_first(name);
    if (target == kNone)
      error(where, "section '" + std::string(name) + "' to append to does not exist");
  }
  if (target == kNone) {
    const bool first_of_name = find_first(name) == kNone;
    Section& s = out_.sections.emplace_back();
    s.name.assign(name);
    s.where = where;
    target = out_.sections.size() - 1;
    if (first_of_name) remember(target);
  }
  current_ = target;
  if (options.is_template) out_.sections[target].is_template = true;

  for (std::string_view parent : options.parents) {
    std::size_t p = find_first(parent);
    if (p == kNone || p == target) {
      error(where, "section '" + std::string(name) + "' inherits from '" + std::string(parent) +
                       "', which is not defined before it");
      continue;
    }
    Section& self = out_.sections[target];
    const Section& base = out_.sections[p];
    self.inherits.emplace_back(parent);
    self.entries.insert(self.entries.end(), base.entries.begin(), base.entries.end());
  }
}

void SectionAssembler::add(std::string_view name, std::string_view value, bool object, const Location& where) {
  Section& s = out_.sections[current_];
  Entry& e = s.entries.emplace_back();
  e.name.assign(name);
  e.value.assign(value);
  e.object = object;
  e.where = where;
}

void SectionAssembler::append_to(std::string_view name, std::string_view text, const Location& where) {
  Section& s = out_.sections[current_];
  for (auto it = s.entries.rbegin(); it != s.entries.rend(); ++it) {
    // Exact-case match, as Asterisk's `+=` does (strcmp), unlike lookups which ignore case.
    if (it->name != name) continue;
    std::string joined = it->value;
    joined.append(text);
    it->value.assign(trim(joined));
    return;
  }
  add(name, trim(text), false, where);
}

}  // namespace telephony::config::detail
