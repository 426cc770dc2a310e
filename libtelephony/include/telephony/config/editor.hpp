// config::EditableConfig: a .conf file as text that can be changed and written back — the model
// AMI UpdateConfig edits. Unlike parse_file() (which resolves #include and templates into what a
// module consumes), this keeps the file as written: comments, blank lines, #include/#exec lines,
// block comments and the `(!,parent)` options of each header stay where they were, so an edit
// changes only the lines it names.
//
// Accepted: the same line shapes as parse_file(). Rejected (with file:line): a header without
// `]`, an entry outside any category, a line that is not an entry, an unterminated block comment.
// Allocates one string per line.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/result.hpp"

namespace telephony::config {

struct EditLine {
  enum class Kind { Entry, Comment, Blank, Directive };
  Kind kind = Kind::Entry;
  std::string name;     // Entry
  std::string value;    // Entry
  bool object = false;  // `=>`
  std::string comment;  // Entry: the inline `;comment` after the value (with its ';')
  std::string raw;      // Comment / Blank / Directive: the line as written
};

struct EditCategory {
  std::string name;
  bool is_template = false;
  std::vector<std::string> inherits;
  bool append_to_previous = false;  // `(+)`
  std::vector<EditLine> lines;      // in file order, comments included
  // Entries only (what Line-NNNNNN numbers count), in order.
  std::vector<EditLine*> entries();
};

class EditableConfig {
 public:
  static Result<EditableConfig, Errors> parse(std::string_view text, std::string_view name);
  static Result<EditableConfig, Errors> load(const std::filesystem::path& file);
  std::string render() const;
  // Writes to `file` through a temporary file in the same directory and a rename, so a reader
  // (or a crash) sees the old file or the new one, never half of one.
  Result<void> save_atomically(const std::filesystem::path& file) const;

  std::vector<std::string> preamble;  // lines before the first header
  std::vector<EditCategory> categories;
};

}  // namespace telephony::config
