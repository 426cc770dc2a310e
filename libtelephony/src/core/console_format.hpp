// Internal: the column layout of Asterisk's CLI tables (printf "%-N.Ns" / "%Ns") and its duration
// words, shared by the console commands. Not installed.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace telephony {

// Cells joined by one space; width > 0: left-aligned and cut at width ("%-N.Ns"); width < 0:
// right-aligned in -width ("%Ns"); the last cell is not padded.
inline std::string cols(const std::vector<std::pair<std::string, int>>& cells) {
  std::string out;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const auto& [text, width] = cells[i];
    if (i) out += ' ';
    if (width >= 0) {
      std::string cell = text.substr(0, static_cast<std::size_t>(width));
      if (i + 1 < cells.size()) cell.resize(static_cast<std::size_t>(width), ' ');
      out += cell;
    } else {
      const auto w = static_cast<std::size_t>(-width);
      if (text.size() < w) out.append(w - text.size(), ' ');
      out += text;
    }
  }
  return out;
}

// "2 hours, 3 minutes, 1 second" as Asterisk's `core show uptime` prints it.
std::string describe_duration(long long secs);

}  // namespace telephony
