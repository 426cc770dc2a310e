// Console commands: the CLI vocabulary of `telephonyd -rx "…"` and the interactive console.
// Modules register commands the way they register applications; each carries its help as data.
// A command is matched by its words (case-insensitive); the longest registered prefix wins and the
// remaining words are its arguments, as Asterisk's CLI does for `core show channels concise`.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/documentation.hpp"
#include "telephony/result.hpp"

namespace telephony {

struct ConsoleResult {
  int status = 0;  // 0 success, 1 failure, 2 usage ("showusage" in Asterisk)
  std::string output;
};

struct ConsoleCommand {
  std::string command;  // "core show channels"
  Documentation doc;    // syntax = usage line, description = help text
  std::function<ConsoleResult(const std::vector<std::string>& args)> run;
};

class ConsoleCommands {
 public:
  Result<void> add(ConsoleCommand cmd);
  bool remove(std::string_view command);
  ConsoleResult execute(std::string_view line) const;
  std::vector<std::shared_ptr<const ConsoleCommand>> list() const;
  // Longest registered command whose words prefix `words`; `consumed` = words it used.
  std::shared_ptr<const ConsoleCommand> find(const std::vector<std::string>& words,
                                             std::size_t* consumed = nullptr) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const ConsoleCommand>> by_words_;  // lowercase key
};

std::vector<std::string> split_words(std::string_view line);

}  // namespace telephony
