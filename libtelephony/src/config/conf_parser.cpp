// The Asterisk .conf dialect: comments, section headers, entries and directives, line by line
// over one buffer per file. See docs/config-dialect.md for every rule and the choices made where
// Asterisk is silent.
#include <string>
#include <string_view>

#include "config/conf_sources.hpp"
#include "config/section_assembler.hpp"
#include "config/text.hpp"
#include "telephony/config/config.hpp"

namespace telephony::config {
namespace {

using detail::HeaderOptions;
using detail::SectionAssembler;
using detail::trim;
using detail::trim_front;

// `;--` opens a block comment, but `;---` (a decorative rule line) is an ordinary line comment,
// as in Asterisk.
bool opens_block(std::string_view line, std::size_t i) {
  return line.size() >= i + 3 && line[i + 1] == '-' && line[i + 2] == '-' &&
         (line.size() == i + 3 || line[i + 3] != '-');
}

std::string shorten(std::string_view s) {
  return s.size() <= 60 ? std::string(s) : std::string(s.substr(0, 57)) + "...";
}

// Per-file block-comment state: text before a `;--` waits in `carry` until the comment closes,
// then continues with whatever follows the `--;` (Asterisk joins the two pieces).
struct BlockComment {
  int depth = 0;
  int opened_line = 0;
  std::string carry;
  int carry_line = 0;  // line the carried text started on; 0 when the carry is only blanks
};

class ConfParser {
 public:
  ConfParser(const ParseOptions& options, std::string base_dir, ConfigFile& out, Errors& errors)
      : options_(options), base_dir_(std::move(base_dir)), out_(out), assembler_(out, errors) {}

  void parse_text(std::string_view text, const std::string& file, int depth);

 private:
  bool strip_slow(std::string_view line, int lineno, BlockComment& bc, std::string& out, int& at_line);
  void statement(std::string_view s, const std::string& file, int line, int depth);
  void header(std::string_view s, const Location& where);
  void directive(std::string_view s, const Location& where, int depth);
  void entry(std::string_view s, const std::string& file, int line);
  void include(std::string_view arg, bool optional, const Location& where, int depth);
  void exec(std::string_view command, const Location& where, int depth);
  std::string resolve(std::string_view arg) const;

  const ParseOptions& options_;
  std::string base_dir_;
  ConfigFile& out_;
  SectionAssembler assembler_;
};

void ConfParser::parse_text(std::string_view text, const std::string& file, int depth) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  // Sections are large values; growing the vector by doubling through a 100k-line file costs more
  // (copying plus fresh pages) than one quick pass counting the lines that open a section.
  std::size_t headers = !text.empty() && text.front() == '[';
  for (std::size_t p = text.find("\n["); p != std::string_view::npos; p = text.find("\n[", p + 2)) ++headers;
  out_.sections.reserve(out_.sections.size() + headers);
  assembler_.expect_sections(headers);
  BlockComment bc;
  std::string scratch;
  int lineno = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    std::string_view content;
    int at_line = lineno;
    std::size_t semi = bc.depth == 0 ? line.find(';') : 0;
    if (bc.depth == 0 && semi == std::string_view::npos) {
      content = line;  // the common case: no comment at all
    } else if (bc.depth == 0 && (semi == 0 || line[semi - 1] != '\\') && !opens_block(line, semi)) {
      content = line.substr(0, semi);  // a plain trailing `;` comment
    } else {
      if (!strip_slow(line, lineno, bc, scratch, at_line)) continue;
      content = scratch;
    }
    content = trim(content);
    if (content.empty()) continue;
    statement(content, file, at_line, depth);
  }
  if (bc.depth > 0)
    assembler_.error(Location{file, bc.opened_line}, "block comment ';--' is never closed with '--;'");
}

// Escapes and block comments. Returns false while the line ends inside a block comment.
bool ConfParser::strip_slow(std::string_view line, int lineno, BlockComment& bc, std::string& out,
                            int& at_line) {
  out.clear();
  at_line = lineno;
  if (bc.depth > 0) {
    out.swap(bc.carry);
    if (bc.carry_line != 0) at_line = bc.carry_line;
  }
  // A closing `--;` may not reuse the dashes of the `;--` that opened it (`;--;` is no comment pair).
  std::size_t scan_start = 0;
  std::size_t i = 0;
  while (i < line.size()) {
    char c = line[i];
    if (c == '\\' && i + 1 < line.size() && line[i + 1] == ';') {
      if (bc.depth == 0) out += ';';
      i += 2;
      continue;
    }
    if (c != ';') {
      if (bc.depth == 0) out += c;
      ++i;
      continue;
    }
    if (opens_block(line, i)) {
      if (bc.depth == 0) bc.opened_line = lineno;
      ++bc.depth;
      i += 3;
      scan_start = i;
      continue;
    }
    if (bc.depth > 0) {
      if (i >= scan_start + 2 && line[i - 1] == '-' && line[i - 2] == '-') {
        --bc.depth;
        scan_start = i + 1;
      }
      ++i;
      continue;
    }
    break;  // `;` outside a block comment: the rest of the line is a comment
  }
  if (bc.depth > 0) {
    bc.carry_line = trim(out).empty() ? 0 : at_line;
    bc.carry.swap(out);
    return false;
  }
  return true;
}

void ConfParser::statement(std::string_view s, const std::string& file, int line, int depth) {
  if (s.front() == '[') {
    header(s, Location{file, line});
  } else if (s.front() == '#') {
    directive(s, Location{file, line}, depth);
  } else {
    entry(s, file, line);
  }
}

void ConfParser::header(std::string_view s, const Location& where) {
  std::size_t close = s.find(']');
  if (close == std::string_view::npos) {
    assembler_.error(where, "section header '" + shorten(s) + "' has no closing ']'");
    // Open it anyway so the entries below are not each reported as outside any section.
    assembler_.open(trim(s.substr(1)), HeaderOptions{}, where);
    return;
  }
  std::string_view name = trim(s.substr(1, close - 1));
  if (name.empty()) assembler_.error(where, "empty section name '[]'");
  HeaderOptions opts;
  std::string_view rest = trim_front(s.substr(close + 1));
  if (!rest.empty() && rest.front() == '(') {
    std::size_t paren = rest.find(')');
    if (paren == std::string_view::npos) {
      assembler_.error(where, "options of section '" + std::string(name) + "' have no closing ')'");
      paren = rest.size();
    }
    std::string_view list = rest.substr(1, paren - 1);
    while (!list.empty()) {
      std::size_t comma = list.find(',');
      std::string_view opt = trim(list.substr(0, comma));
      list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
      if (opt.empty()) continue;
      if (opt == "!") {
        opts.is_template = true;
      } else if (opt == "+") {
        opts.append = true;
      } else {
        opts.parents.push_back(opt);
      }
    }
    rest = paren < rest.size() ? trim(rest.substr(paren + 1)) : std::string_view{};
  }
  if (!rest.empty())
    assembler_.error(where, "unexpected text '" + shorten(rest) + "' after section header '[" +
                                std::string(name) + "]'");
  assembler_.open(name, opts, where);
}

void ConfParser::directive(std::string_view s, const Location& where, int depth) {
  std::size_t end = 1;
  while (end < s.size() && !detail::is_blank(s[end]) && s[end] != '"' && s[end] != '<') ++end;
  std::string_view word = s.substr(1, end - 1);
  std::string_view arg = trim(s.substr(end));
  // Asterisk accepts "file", <file> and bare file alike; it strips quote characters at both ends.
  while (!arg.empty() && (arg.front() == '"' || arg.front() == '<')) arg.remove_prefix(1);
  while (!arg.empty() && (arg.back() == '"' || arg.back() == '>')) arg.remove_suffix(1);
  arg = trim(arg);

  const bool is_include = word == "include" || word == "tryinclude";
  const bool is_exec = word == "exec";
  if (!is_include && !is_exec) {
    assembler_.error(where, "unknown directive '#" + std::string(word) +
                                "' (expected #include, #tryinclude or #exec)");
    return;
  }
  if (arg.empty()) {
    assembler_.error(where, "#" + std::string(word) + " needs " + (is_exec ? "a command" : "a file name"));
    return;
  }
  if (depth + 1 > options_.max_include_depth) {
    assembler_.error(where, "#" + std::string(word) + " '" + std::string(arg) + "' nests deeper than " +
                                std::to_string(options_.max_include_depth) + " levels (an include cycle?)");
    return;
  }
  if (is_exec) {
    exec(arg, where, depth);
  } else {
    include(arg, word == "tryinclude", where, depth);
  }
}

std::string ConfParser::resolve(std::string_view arg) const {
  if (arg.front() == '/' || base_dir_.empty()) return std::string(arg);
  std::string out = base_dir_;
  if (out.back() != '/') out += '/';
  out += arg;
  return out;
}

void ConfParser::include(std::string_view arg, bool optional, const Location& where, int depth) {
  const std::string target = resolve(arg);
  std::vector<std::string> files;
  if (detail::has_glob_chars(arg)) {
    files = detail::expand_glob(target);
    if (files.empty() && !optional)
      assembler_.error(where, "#include \"" + std::string(arg) + "\": no file matches '" + target + "'");
  } else {
    files.push_back(target);
  }
  for (const std::string& f : files) {
    detail::FileText ft = detail::read_whole_file(f);
    if (!ft.error.empty()) {
      if (!optional)
        assembler_.error(where, "#include \"" + std::string(arg) + "\": cannot read '" + f + "': " + ft.error);
      continue;
    }
    out_.files_read.push_back(f);
    parse_text(ft.text, f, depth + 1);
  }
}

void ConfParser::exec(std::string_view command, const Location& where, int depth) {
  if (!options_.allow_exec) {
    assembler_.error(where, "#exec is not allowed (ParseOptions::allow_exec is off)");
    return;
  }
  const std::string cmd(command);
  detail::CommandOutput co = detail::run_command(cmd);
  if (!co.error.empty()) {
    assembler_.error(where, "#exec '" + cmd + "': " + co.error);
    return;
  }
  parse_text(co.text, "#exec " + cmd, depth + 1);
}

void ConfParser::entry(std::string_view s, const std::string& file, int line) {
  std::size_t eq = s.find('=');
  if (eq == std::string_view::npos) {
    assembler_.error(Location{file, line}, "expected 'name = value', '[section]' or a #directive, got '" +
                                               shorten(s) + "'");
    return;
  }
  const bool append = eq > 0 && s[eq - 1] == '+';
  std::string_view name = trim(s.substr(0, append ? eq - 1 : eq));
  if (name.empty()) {
    assembler_.error(Location{file, line}, "entry '" + shorten(s) + "' has no name before '='");
    return;
  }
  if (!assembler_.in_section()) {
    assembler_.error(Location{file, line},
                     "entry '" + std::string(name) + "' is outside any section (no [section] above it)");
    return;
  }
  std::string_view rest = s.substr(eq + 1);
  if (append) {
    assembler_.append_to(name, rest, Location{file, line});
    return;
  }
  const bool object = !rest.empty() && rest.front() == '>';
  if (object) rest.remove_prefix(1);
  assembler_.add(name, trim(rest), object, Location{file, line});
}

Result<ConfigFile, Errors> finish(ConfigFile&& out, Errors&& errors) {
  if (!errors.items.empty()) return Unexpected<Errors>{std::move(errors)};
  return std::move(out);
}

}  // namespace

Result<ConfigFile, Errors> parse_file(const std::filesystem::path& file, const ParseOptions& options) {
  ConfigFile out;
  Errors errors;
  out.path = file.string();
  detail::FileText ft = detail::read_whole_file(out.path);
  if (!ft.error.empty()) {
    errors.items.push_back(Error{"cannot read config file: " + ft.error, out.path});
    return Unexpected<Errors>{std::move(errors)};
  }
  out.files_read.push_back(out.path);
  std::string base = options.config_dir.empty() ? file.parent_path().string() : options.config_dir.string();
  ConfParser parser(options, std::move(base), out, errors);
  parser.parse_text(ft.text, out.path, 0);
  return finish(std::move(out), std::move(errors));
}

Result<ConfigFile, Errors> parse_string(std::string_view text, std::string_view name, const ParseOptions& options) {
  ConfigFile out;
  Errors errors;
  out.path = std::string(name);
  ConfParser parser(options, options.config_dir.string(), out, errors);
  parser.parse_text(text, out.path, 0);
  return finish(std::move(out), std::move(errors));
}

}  // namespace telephony::config
