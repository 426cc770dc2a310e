// The AGI command table: built once from the command families, looked up by words.
#include <strings.h>

#include <algorithm>
#include <cctype>

#include "agi/agi_command.hpp"
#include "telephony/agi/agi.hpp"

namespace telephony::agi {

const std::vector<AgiCommand>& agi_commands() {
  static const std::vector<AgiCommand> table = [] {
    std::vector<AgiCommand> t;
    add_channel_commands(t);
    add_variable_commands(t);
    add_media_commands(t);
    add_say_commands(t);
    // `agi show commands` lists them by name, as Asterisk's (nearly alphabetical) table reads.
    std::stable_sort(t.begin(), t.end(), [](const AgiCommand& a, const AgiCommand& b) { return a.words < b.words; });
    return t;
  }();
  return table;
}

const AgiCommand* find_agi_command(const std::vector<std::string>& words) {
  if (words.empty()) return nullptr;
  for (const auto& c : agi_commands()) {
    if (words.size() < c.words.size()) continue;
    bool match = true;
    for (std::size_t i = 0; match && i < c.words.size(); ++i)
      // Sizes first: a word with an embedded NUL ("RECORD\0…") is not the command word.
      match = words[i].size() == c.words[i].size() &&
              strncasecmp(words[i].data(), c.words[i].data(), words[i].size()) == 0;
    if (match) return &c;
  }
  return nullptr;
}

std::vector<const AgiCommand*> agi_commands_with_prefix(const std::vector<std::string>& words) {
  std::vector<const AgiCommand*> out;
  for (const auto& c : agi_commands()) {
    // Asterisk compares the joined text: "stream f" matches "stream file".
    std::string name = agi_command_name(c), want;
    for (const auto& w : words) want += (want.empty() ? "" : " ") + w;
    if (strncasecmp(name.c_str(), want.c_str(), want.size()) == 0) out.push_back(&c);
  }
  return out;
}

std::string agi_command_name(const AgiCommand& c) {
  std::string out;
  for (const auto& w : c.words) {
    if (!out.empty()) out.push_back(' ');
    for (char ch : w) out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
  }
  return out;
}

std::string agi_usage_text(const AgiCommand& c) {
  std::string text = " Usage: " + c.doc.syntax;
  if (!c.doc.description.empty()) text += "\n\t" + c.doc.description;
  return text;
}

namespace {
AgiCommandInfo info_of(const AgiCommand& c) {
  return AgiCommandInfo{agi_command_name(c), c.runs_dead, c.doc.synopsis, agi_usage_text(c)};
}
}  // namespace

std::optional<AgiCommandInfo> find_agi_command_info(const std::vector<std::string>& words) {
  const auto* c = find_agi_command(words);
  if (!c) return std::nullopt;
  return info_of(*c);
}

std::vector<AgiCommandInfo> agi_command_list() {
  std::vector<AgiCommandInfo> out;
  for (const auto& c : agi_commands()) out.push_back(info_of(c));
  return out;
}

bool scan_int(std::string_view text, long long* out) {
  std::size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  bool neg = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) neg = text[i++] == '-';
  if (i >= text.size() || !std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  long long v = 0;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
    if (v > 100000000000LL) return false;  // beyond %30d's range: refuse
    v = v * 10 + (text[i] - '0');
  }
  *out = neg ? -v : v;
  return true;
}

Documentation agi_doc(std::string synopsis, std::string syntax, std::string description,
                      std::vector<std::pair<std::string, std::string>> args, std::vector<std::string> see) {
  return Documentation{std::move(synopsis), std::move(syntax), std::move(description), std::move(args), std::move(see)};
}

}  // namespace telephony::agi
