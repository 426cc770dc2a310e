// Builds a ConfigFile section by section with Asterisk's category semantics, so the .conf parser
// and the YAML loader cannot drift apart: templates, inheritance by copying the parents' entries
// at the point of the header, `(+)` re-opening an earlier section, and `+=` concatenation.
// Internal: not installed.
#pragma once

#include <string>
#include <string_view>
#include <cstdint>
#include <vector>

#include "telephony/config/config.hpp"

namespace telephony::config::detail {

struct HeaderOptions {
  bool is_template = false;                // `!`
  bool append = false;                     // `+`
  std::vector<std::string_view> parents;   // every other option, in order
};

class SectionAssembler {
 public:
  SectionAssembler(ConfigFile& out, Errors& errors) : out_(out), errors_(errors) {}

  // Starts (or with `append`, re-opens) a section. Problems (unknown parent, nothing to append
  // to) are recorded as errors at `where`, and a section is still opened so that the entries that
  // follow land somewhere and do not each produce a second, misleading error.
  void open(std::string_view name, const HeaderOptions& options, const Location& where);

  bool in_section() const { return current_ != kNone; }

  // Sizes the name index for about `sections` more sections (a hint; it grows anyway).
  void expect_sections(std::size_t sections);

  // `name = value` / `name => value`. Requires in_section().
  void add(std::string_view name, std::string_view value, bool object, Location where);

  // `name += text`: Asterisk concatenates `text` (leading blanks included) onto the last earlier
  // entry with exactly that name, then trims; with no earlier entry it is a plain `name = text`.
  void append_to(std::string_view name, std::string_view text, Location where);

  void error(const Location& where, std::string message);

 private:
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::size_t find_first(std::string_view name) const;
  void remember(std::size_t index, std::uint32_t hash);
  void grow(std::size_t capacity);
  static std::uint32_t hash(std::string_view name);

  ConfigFile& out_;
  Errors& errors_;
  std::size_t current_ = kNone;
  // First section of each name (case-insensitive), open addressing over section indexes + 1
  // (0 = empty): no key strings are allocated, the names live in the sections themselves. The hash
  // is kept beside the index so growing and probing do not touch (cache-cold) sections.
  struct Slot {
    std::uint32_t index_plus_1 = 0;
    std::uint32_t hash = 0;
  };
  std::vector<Slot> slots_;
  std::size_t named_ = 0;
};

}  // namespace telephony::config::detail
