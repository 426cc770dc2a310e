#include "telephony/console.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace telephony {

namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
std::string join_lower(const std::vector<std::string>& words, std::size_t n) {
  std::string key;
  for (std::size_t i = 0; i < n; ++i) {
    if (i) key += ' ';
    key += lower(words[i]);
  }
  return key;
}
}  // namespace

std::vector<std::string> split_words(std::string_view line) {
  std::vector<std::string> out;
  std::string cur;
  bool in_quote = false, have = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '\\' && i + 1 < line.size()) {
      cur += line[++i];
      have = true;
    } else if (c == '"') {
      in_quote = !in_quote;
      have = true;
    } else if (!in_quote && (c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
      if (have) out.push_back(std::move(cur));
      cur.clear();
      have = false;
    } else {
      cur += c;
      have = true;
    }
  }
  if (have) out.push_back(std::move(cur));
  return out;
}

Result<void> ConsoleCommands::add(ConsoleCommand cmd) {
  auto key = join_lower(split_words(cmd.command), split_words(cmd.command).size());
  if (key.empty()) return fail("empty console command");
  std::lock_guard lock(mu_);
  if (by_words_.count(key)) return fail("console command '" + key + "' is already registered");
  by_words_[key] = std::make_shared<const ConsoleCommand>(std::move(cmd));
  return {};
}

bool ConsoleCommands::remove(std::string_view command) {
  auto w = split_words(command);
  std::lock_guard lock(mu_);
  return by_words_.erase(join_lower(w, w.size())) > 0;
}

std::shared_ptr<const ConsoleCommand> ConsoleCommands::find(const std::vector<std::string>& words,
                                                            std::size_t* consumed) const {
  std::lock_guard lock(mu_);
  for (std::size_t n = words.size(); n > 0; --n) {
    auto it = by_words_.find(join_lower(words, n));
    if (it != by_words_.end()) {
      if (consumed) *consumed = n;
      return it->second;
    }
  }
  return nullptr;
}

ConsoleResult ConsoleCommands::execute(std::string_view line) const {
  auto words = split_words(line);
  if (words.empty()) return {0, ""};
  std::size_t used = 0;
  auto cmd = find(words, &used);
  if (!cmd) return {1, "No such command '" + std::string(line) + "' (type 'core show help " + words[0] + "' for other possible commands)\n"};
  std::vector<std::string> args(words.begin() + static_cast<long>(used), words.end());
  auto r = cmd->run(args);
  if (r.status == 2 && r.output.empty()) r.output = "Usage: " + cmd->doc.syntax + "\n";
  return r;
}

std::vector<std::string> ConsoleCommands::complete(std::string_view line) const {
  auto words = split_words(line);
  if (line.empty() || line.back() == ' ' || line.back() == '\t') words.emplace_back();
  const std::string partial = lower(words.back());
  std::set<std::string> out;
  std::vector<std::pair<std::vector<std::string>, std::shared_ptr<const ConsoleCommand>>> cmds;
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, cmd] : by_words_) cmds.emplace_back(split_words(key), cmd);
  }
  const std::size_t typed = words.size() - 1;  // complete words before the partial one
  for (const auto& [cw, cmd] : cmds) {
    bool prefix_ok = true;
    for (std::size_t i = 0; i < typed && prefix_ok; ++i) prefix_ok = i < cw.size() && cw[i] == lower(words[i]);
    if (!prefix_ok) continue;
    if (typed < cw.size()) {
      if (cw[typed].rfind(partial, 0) == 0) out.insert(cw[typed]);
    } else if (cmd->complete) {
      std::vector<std::string> args(words.begin() + static_cast<long>(cw.size()), words.end());
      for (auto& c : cmd->complete(args))
        if (lower(c).rfind(partial, 0) == 0) out.insert(c);
    }
  }
  return {out.begin(), out.end()};
}

std::vector<std::shared_ptr<const ConsoleCommand>> ConsoleCommands::list() const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<const ConsoleCommand>> out;
  for (auto& [k, v] : by_words_) out.push_back(v);
  return out;
}

}  // namespace telephony
