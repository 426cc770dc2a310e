// The configuration model: what every Asterisk-style .conf file (and its YAML equivalent) becomes.
//
// A file is an ordered list of sections ("categories" in Asterisk), each an ordered list of
// name/value entries. Order and repeats matter (extensions.conf is nothing but repeated `exten`),
// so entries are a vector, not a map; lookups scan it. Templates and inheritance are resolved at
// parse time: a section's `entries` already holds the copied-in entries of its parents, so
// consumers never walk a template chain themselves.
//
// The .conf parser (parse_file / parse_string) accepts the Asterisk dialect described in
// docs/config-dialect.md: `;` comments, nesting `;-- --;` block comments, `\;` escapes,
// `[name](!,parent,+)` headers, `=`, `=>` and `+=` entries, #include / #tryinclude with globs,
// and #exec when explicitly allowed. It rejects, with "file:line: message" for each problem and
// all problems reported at once: entries outside a section, unterminated headers or block
// comments, unknown parents, `(+)` without an earlier section, lines that are not an entry,
// missing #include files, include nesting deeper than max_include_depth, #exec when not allowed.
// It reads every file once into one buffer and slices it with string_views; the only allocations
// are the model's own strings (one per section name, entry name and entry value).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/result.hpp"

namespace telephony::config {

// Where a section or entry was written; for messages that send the user to the right line.
struct Location {
  std::string file;
  int line = 0;
  std::string to_string() const;  // "file:line"
  bool operator==(const Location&) const = default;
};

struct Entry {
  std::string name;      // as written (case preserved)
  std::string value;     // trimmed; `\;` unescaped to `;`; `+=` already appended onto the earlier value
  bool object = false;   // written with `=>` instead of `=`
  Location where;
};

struct Section {
  std::string name;
  bool is_template = false;           // [x](!)
  std::vector<std::string> inherits;  // [x](a,b) names, in order
  Location where;
  std::vector<Entry> entries;         // inherited entries first (in template order), then own

  // LAST entry with that name (case-insensitive, as ast_variable_retrieve), or nullptr.
  const Entry* find(std::string_view name) const;
  // All entries with that name, in order.
  std::vector<const Entry*> find_all(std::string_view name) const;
  std::optional<std::string> get(std::string_view name) const;
  // Asterisk ast_true/ast_false words: yes/true/y/t/1/on, no/false/n/f/0/off (case-insensitive);
  // anything else (or a missing entry) gives the fallback.
  bool get_bool(std::string_view name, bool fallback) const;
  // Decimal integer, surrounding blanks allowed; a missing, empty or malformed value gives fallback.
  int get_int(std::string_view name, int fallback) const;
};

struct ConfigFile {
  std::string path;                     // the top file
  // File order; a repeated [name] is a separate Section (as Asterisk keeps categories);
  // (+) merges into the earlier one.
  std::vector<Section> sections;
  // Top file + every #include'd file actually read (parse_string: only the included ones;
  // load_yaml_bundle: the bundle file).
  std::vector<std::string> files_read;

  // First non-template section with that name (case-insensitive), or nullptr.
  const Section* section(std::string_view name) const;
  // Every non-template section with that name, in file order (templates are not categories a
  // consumer browses, as in Asterisk's ast_category_browse).
  std::vector<const Section*> sections_named(std::string_view name) const;
};

struct ParseOptions {
  std::filesystem::path config_dir;  // base for relative #include paths; default: directory of the file
  bool allow_exec = false;           // #exec only when true (else an error names file:line)
  int max_include_depth = 10;
};

// All errors at once (each "file:line: message"); the result is invalid if any error.
Result<ConfigFile, Errors> parse_file(const std::filesystem::path& file, const ParseOptions& = {});
// `name` is the file name used in locations and messages. Relative #include paths resolve against
// options.config_dir, or the current directory when it is empty.
Result<ConfigFile, Errors> parse_string(std::string_view text, std::string_view name,
                                        const ParseOptions& = {});

// Compares what two models configure: section names, template flags, parents, and every entry's
// name, value and `=>` flag, in order. Locations, paths and files_read are ignored, so a .conf
// file and its YAML rendering compare equal. Returns a description of the first difference, or
// nullopt when they are the same (used by reload to skip no-op changes, and by tests).
std::optional<std::string> first_difference(const ConfigFile& a, const ConfigFile& b);

// Asterisk's ast_true / ast_false word lists, for consumers parsing values outside a Section.
bool is_true_word(std::string_view value);
bool is_false_word(std::string_view value);

}  // namespace telephony::config
