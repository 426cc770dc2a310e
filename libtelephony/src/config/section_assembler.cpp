#include "config/section_assembler.hpp"

#include "config/text.hpp"

namespace telephony::config::detail {

void SectionAssembler::error(const Location& where, std::string message) {
  errors_.items.push_back(Error{std::move(message), where.to_string()});
}

// Asterisk's ast_category_get: case-insensitive, first category of that name (templates too).
std::size_t SectionAssembler::find_first(std::string_view name) {
  assign_lower(key_, name);
  auto it = first_by_name_.find(key_);
  return it == first_by_name_.end() ? kNone : it->second;
}

void SectionAssembler::open(std::string_view name, const HeaderOptions& options, const Location& where) {
  std::size_t target = kNone;
  if (options.append) {
    target = find_first(name);
    if (target == kNone)
      error(where, "section '" + std::string(name) + "' to append to does not exist");
  }
  if (target == kNone) {
    Section s;
    s.name = std::string(name);
    s.where = where;
    out_.sections.push_back(std::move(s));
    target = out_.sections.size() - 1;
    assign_lower(key_, name);
    first_by_name_.try_emplace(key_, target);
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
