#include "line_editor.hpp"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace telephonyd {

namespace {

struct RawMode {
  termios saved{};
  bool ok = false;
  RawMode() {
    if (::tcgetattr(0, &saved) != 0) return;
    termios raw = saved;
    raw.c_lflag &= static_cast<tcflag_t>(~(ICANON | ECHO | ISIG | IEXTEN));
    raw.c_iflag &= static_cast<tcflag_t>(~(IXON | ICRNL));
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    ok = ::tcsetattr(0, TCSAFLUSH, &raw) == 0;
  }
  ~RawMode() {
    if (ok) ::tcsetattr(0, TCSAFLUSH, &saved);
  }
};

void out(const std::string& s) {
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fflush(stdout);
}

int read_byte() {
  unsigned char c = 0;
  const auto n = ::read(0, &c, 1);
  return n == 1 ? c : -1;
}

}  // namespace

std::string common_prefix(const std::vector<std::string>& words) {
  if (words.empty()) return {};
  std::string p = words.front();
  for (const auto& w : words) {
    std::size_t i = 0;
    while (i < p.size() && i < w.size() && p[i] == w[i]) ++i;
    p.resize(i);
  }
  return p;
}

LineEditor::LineEditor(std::string prompt, Completer completer, std::filesystem::path history_file)
    : prompt_(std::move(prompt)), completer_(std::move(completer)), history_file_(std::move(history_file)) {
  std::ifstream in(history_file_);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) history_.push_back(line);
  if (history_.size() > kHistoryMax) history_.erase(history_.begin(), history_.end() - kHistoryMax);
}

LineEditor::~LineEditor() {
  // Keep the file bounded: rewrite it with the last kHistoryMax lines.
  std::ofstream o(history_file_, std::ios::trunc);
  for (const auto& l : history_) o << l << '\n';
}

void LineEditor::add_history(const std::string& line) {
  if (line.empty() || (!history_.empty() && history_.back() == line)) return;
  history_.push_back(line);
  if (history_.size() > kHistoryMax) history_.erase(history_.begin());
}

void LineEditor::redraw() {
  std::string s = "\r" + prompt_ + buf_ + "\x1b[K";
  if (cursor_ < buf_.size()) s += "\x1b[" + std::to_string(buf_.size() - cursor_) + "D";
  out(s);
}

void LineEditor::complete() {
  if (!completer_) return;
  const std::string before = buf_.substr(0, cursor_);
  auto cands = completer_(before);
  if (cands.empty()) return;
  const auto start = before.find_last_of(" \t") == std::string::npos ? 0 : before.find_last_of(" \t") + 1;
  const std::string typed = before.substr(start);
  std::string insert;
  if (cands.size() == 1) {
    insert = cands.front() + " ";
  } else {
    insert = common_prefix(cands);
    if (insert.size() <= typed.size()) {
      std::string list = "\r\n";
      for (const auto& c : cands) list += c + "  ";
      out(list + "\r\n");
      redraw();
      return;
    }
  }
  buf_.replace(start, cursor_ - start, insert);
  cursor_ = start + insert.size();
  redraw();
}

std::optional<std::string> LineEditor::read_line() {
  RawMode raw;
  buf_.clear();
  cursor_ = 0;
  std::size_t hist = history_.size();
  std::string pending;  // the line being typed while browsing history
  out(prompt_);
  for (;;) {
    const int c = read_byte();
    if (c < 0) return std::nullopt;
    if (c == '\r' || c == '\n') {
      out("\r\n");
      return buf_;
    }
    if (c == 4) {  // Ctrl-D
      if (buf_.empty()) {
        out("\r\n");
        return std::nullopt;
      }
      if (cursor_ < buf_.size()) buf_.erase(cursor_, 1);
    } else if (c == 3) {  // Ctrl-C
      out("^C\r\n");
      buf_.clear();
      cursor_ = 0;
    } else if (c == 127 || c == 8) {
      if (cursor_ > 0) buf_.erase(--cursor_, 1);
    } else if (c == '\t') {
      complete();
      continue;
    } else if (c == 1) {
      cursor_ = 0;
    } else if (c == 5) {
      cursor_ = buf_.size();
    } else if (c == 21) {
      buf_.clear();
      cursor_ = 0;
    } else if (c == 27) {
      if (read_byte() != '[') continue;
      const int k = read_byte();
      if (k == 'A' || k == 'B') {
        if (hist == history_.size()) pending = buf_;
        if (k == 'A' && hist > 0) --hist;
        else if (k == 'B' && hist < history_.size()) ++hist;
        buf_ = hist == history_.size() ? pending : history_[hist];
        cursor_ = buf_.size();
      } else if (k == 'C') {
        if (cursor_ < buf_.size()) ++cursor_;
      } else if (k == 'D') {
        if (cursor_ > 0) --cursor_;
      } else if (k == 'H') {
        cursor_ = 0;
      } else if (k == 'F') {
        cursor_ = buf_.size();
      } else if (k == '3') {
        if (read_byte() == '~' && cursor_ < buf_.size()) buf_.erase(cursor_, 1);
      }
    } else if (c >= 32) {
      buf_.insert(cursor_++, 1, static_cast<char>(c));
    }
    redraw();
  }
}

}  // namespace telephonyd
