#include "telephony/config/editor.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace telephony::config {

namespace fs = std::filesystem;

namespace {

std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// The position of the first ';' that starts a comment (not escaped as "\;"), or npos.
std::size_t comment_start(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      ++i;
      continue;
    }
    if (s[i] == ';') return i;
  }
  return std::string_view::npos;
}

}  // namespace

std::vector<EditLine*> EditCategory::entries() {
  std::vector<EditLine*> out;
  for (auto& l : lines)
    if (l.kind == EditLine::Kind::Entry) out.push_back(&l);
  return out;
}

Result<EditableConfig, Errors> EditableConfig::parse(std::string_view text, std::string_view name) {
  EditableConfig cfg;
  Errors errors;
  int lineno = 0;
  bool in_block = false;
  auto where = [&] { return std::string(name) + ":" + std::to_string(lineno); };
  auto push_raw = [&](EditLine::Kind kind, std::string_view raw) {
    if (cfg.categories.empty()) cfg.preamble.emplace_back(raw);
    else cfg.categories.back().lines.push_back(EditLine{kind, {}, {}, false, {}, std::string(raw)});
  };
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view raw = text.substr(pos, nl - pos);
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    pos = nl + 1;
    ++lineno;
    const std::string_view t = trim_blanks(raw);
    if (in_block) {
      push_raw(EditLine::Kind::Comment, raw);
      if (t.find("--;") != std::string_view::npos) in_block = false;
      continue;
    }
    if (t.rfind(";--", 0) == 0) {
      push_raw(EditLine::Kind::Comment, raw);
      in_block = t.find("--;", 3) == std::string_view::npos;
      continue;
    }
    if (t.empty()) {
      push_raw(EditLine::Kind::Blank, raw);
      continue;
    }
    if (t.front() == ';') {
      push_raw(EditLine::Kind::Comment, raw);
      continue;
    }
    if (t.front() == '#') {
      push_raw(EditLine::Kind::Directive, raw);
      continue;
    }
    if (t.front() == '[') {
      const auto close = t.find(']');
      if (close == std::string_view::npos) {
        errors.items.push_back({"category header without ']'", where()});
        continue;
      }
      EditCategory c;
      c.name = std::string(trim_blanks(t.substr(1, close - 1)));
      std::string_view rest = trim_blanks(t.substr(close + 1));
      if (auto sc = comment_start(rest); sc != std::string_view::npos) rest = trim_blanks(rest.substr(0, sc));
      if (!rest.empty()) {
        if (rest.front() != '(' || rest.back() != ')') {
          errors.items.push_back({"bad category options '" + std::string(rest) + "'", where()});
          continue;
        }
        std::string_view opts = rest.substr(1, rest.size() - 2);
        while (!opts.empty()) {
          auto comma = opts.find(',');
          const auto o = trim_blanks(opts.substr(0, comma));
          if (o == "!") c.is_template = true;
          else if (o == "+") c.append_to_previous = true;
          else if (!o.empty()) c.inherits.emplace_back(o);
          opts = comma == std::string_view::npos ? std::string_view() : opts.substr(comma + 1);
        }
      }
      cfg.categories.push_back(std::move(c));
      continue;
    }
    if (cfg.categories.empty()) {
      errors.items.push_back({"entry outside of any category", where()});
      continue;
    }
    std::string_view body = t, comment;
    if (auto sc = comment_start(t); sc != std::string_view::npos) {
      body = trim_blanks(t.substr(0, sc));
      comment = t.substr(sc);
    }
    const auto eq = body.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      errors.items.push_back({"not an entry (name = value)", where()});
      continue;
    }
    EditLine l;
    l.name = std::string(trim_blanks(body.substr(0, eq)));
    std::string_view v = body.substr(eq + 1);
    if (!v.empty() && v.front() == '>') {
      l.object = true;
      v.remove_prefix(1);
    }
    if (!l.name.empty() && l.name.back() == '+') {  // `+=` kept as written
      l.name.pop_back();
      l.name = std::string(trim_blanks(l.name)) + " +";
    }
    l.value = std::string(trim_blanks(v));
    l.comment = std::string(comment);
    cfg.categories.back().lines.push_back(std::move(l));
  }
  if (in_block) errors.items.push_back({"block comment ';--' is not closed", std::string(name) + ":" + std::to_string(lineno)});
  if (!errors.items.empty()) return Unexpected<Errors>{errors};
  return cfg;
}

Result<EditableConfig, Errors> EditableConfig::load(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Unexpected<Errors>{Errors{{{"cannot read", file.string()}}}};
  std::stringstream ss;
  ss << in.rdbuf();
  return parse(ss.str(), file.filename().string());
}

std::string EditableConfig::render() const {
  std::string out;
  for (const auto& p : preamble) out += p + "\n";
  for (const auto& c : categories) {
    out += "[" + c.name + "]";
    std::vector<std::string> opts;
    if (c.is_template) opts.emplace_back("!");
    if (c.append_to_previous) opts.emplace_back("+");
    for (const auto& i : c.inherits) opts.push_back(i);
    if (!opts.empty()) {
      out += "(";
      for (std::size_t i = 0; i < opts.size(); ++i) out += (i ? "," : "") + opts[i];
      out += ")";
    }
    out += "\n";
    for (const auto& l : c.lines) {
      if (l.kind != EditLine::Kind::Entry) {
        out += l.raw + "\n";
        continue;
      }
      std::string name = l.name;
      std::string op = l.object ? " => " : " = ";
      if (name.size() > 2 && name.compare(name.size() - 2, 2, " +") == 0) {
        name.resize(name.size() - 2);
        op = " += ";
      }
      out += name + op + l.value;
      if (!l.comment.empty()) out += " " + l.comment;
      out += "\n";
    }
  }
  return out;
}

Result<void> EditableConfig::save_atomically(const fs::path& file) const {
  const std::string text = render();
  std::string tmpl = (file.parent_path() / ("." + file.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return fail("cannot create a temporary file beside it", file.string());
  bool ok = true;
  std::size_t done = 0;
  while (ok && done < text.size()) {
    const auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) ok = false;
    else done += static_cast<std::size_t>(n);
  }
  // Keep the mode of the file it replaces (a new file: rw-r-----).
  std::error_code ec;
  const auto perms = fs::exists(file, ec) ? fs::status(file, ec).permissions() : fs::perms(0640);
  ok = ok && ::fchmod(fd, static_cast<mode_t>(perms) & 07777) == 0 && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok || std::rename(tmpl.c_str(), file.c_str()) != 0) {
    ::unlink(tmpl.c_str());
    return fail("cannot write", file.string());
  }
  return {};
}

}  // namespace telephony::config
