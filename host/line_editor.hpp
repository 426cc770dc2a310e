// The remote console's line editor (`telephonyd -r` on a terminal): editing keys, history and
// tab completion, without readline (GPL) or libedit as a dependency.
//
// Keys: printable text inserts at the cursor; Backspace/Delete; Left/Right, Home/End (and
// Ctrl-A/Ctrl-E); Up/Down walk the history; Ctrl-U clears; Ctrl-C abandons the line; Ctrl-D on an
// empty line ends input; Tab completes the word before the cursor through the completer (one
// candidate: completed plus a blank; several: extended to their common prefix, or listed when
// that adds nothing). History is kept in a file, one line each, the last `kHistoryMax` lines.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace telephonyd {

class LineEditor {
 public:
  using Completer = std::function<std::vector<std::string>(const std::string& line)>;
  static constexpr std::size_t kHistoryMax = 1000;

  LineEditor(std::string prompt, Completer completer, std::filesystem::path history_file);
  ~LineEditor();
  // Next line (without the newline), nullopt at end of input. Raw mode only while reading.
  std::optional<std::string> read_line();
  void add_history(const std::string& line);  // also appends to the history file

 private:
  void redraw();
  void complete();
  std::string prompt_;
  Completer completer_;
  std::filesystem::path history_file_;
  std::vector<std::string> history_;
  std::string buf_;
  std::size_t cursor_ = 0;
};

// Longest common prefix of the candidates.
std::string common_prefix(const std::vector<std::string>& words);

}  // namespace telephonyd
