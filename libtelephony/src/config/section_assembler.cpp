#include "config/section_assembler.hpp"

#include "config/text.hpp"

namespace telephony::config::detail {

void SectionAssembler::error(const Location& where, std::string message) {
  errors_.items.push_back(Error{std::move(message), where.to_string()});
}

std::uint32_t SectionAssembler::hash(std::string_view name) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a over the lower-cased name
  for (char c : name) h = (h ^ static_cast<unsigned char>(lower(c))) * 1099511628211ull;
  // FNV's low bits cluster for names that differ only in trailing digits (peer1001, peer1002...);
  // a finalizer spreads them before the table masks the low bits off.
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return static_cast<std::uint32_t>(h);
}

// Asterisk's ast_category_get: case-insensitive, first category of that name (templates too).
std::size_t SectionAssembler::find_first(std::string_view name) const {
  if (slots_.empty()) return kNone;
  const std::uint32_t h = hash(name);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.index_plus_1 == 0) return kNone;
    if (s.hash == h && iequals(out_.sections[s.index_plus_1 - 1].name, name)) return s.index_plus_1 - 1;
  }
}

void SectionAssembler::grow(std::size_t capacity) {
  std::size_t size = 64;
  while (size < capacity * 2) size *= 2;
  if (size <= slots_.size()) return;
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(size, Slot{});
  named_ = 0;
  for (const Slot& s : old)
    if (s.index_plus_1 != 0) remember(s.index_plus_1 - 1, s.hash);
}

void SectionAssembler::expect_sections(std::size_t sections) { grow(named_ + sections); }

void SectionAssembler::remember(std::size_t index, std::uint32_t h) {
  if ((named_ + 1) * 2 > slots_.size()) grow(named_ + 1);
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = h & mask;
  while (slots_[i].index_plus_1 != 0) i = (i + 1) & mask;
  slots_[i] = Slot{static_cast<std::uint32_t>(index + 1), h};
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
    if (first_of_name) remember(target, hash(name));
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

void SectionAssembler::add(std::string_view name, std::string_view value, bool object, Location where) {
  Section& s = out_.sections[current_];
  Entry& e = s.entries.emplace_back();
  e.name.assign(name);
  e.value.assign(value);
  e.object = object;
  e.where = std::move(where);
}

void SectionAssembler::append_to(std::string_view name, std::string_view text, Location where) {
  Section& s = out_.sections[current_];
  for (auto it = s.entries.rbegin(); it != s.entries.rend(); ++it) {
    // Exact-case match, as Asterisk's `+=` does (strcmp), unlike lookups which ignore case.
    if (it->name != name) continue;
    std::string joined = it->value;
    joined.append(text);
    it->value.assign(trim(joined));
    return;
  }
  add(name, trim(text), false, std::move(where));
}

}  // namespace telephony::config::detail
