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
  // Tab completion of the arguments: candidates for the word being typed (args.back(), possibly
  // empty) given the words before it. Optional.
  std::function<std::vector<std::string>(const std::vector<std::string>& args)> complete;
};

class ConsoleCommands {
 public:
  Result<void> add(ConsoleCommand cmd);
  bool remove(std::string_view command);
  ConsoleResult execute(std::string_view line) const;
  std::vector<std::shared_ptr<const ConsoleCommand>> list() const;
  // Tab completion: the candidates for the last word of `line` (the word being typed; a line
  // ending in a blank completes a new empty word): next command words, then the command's own
  // argument completer. Sorted, unique.
  std::vector<std::string> complete(std::string_view line) const;
  // Longest registered command whose words prefix `words`; `consumed` = words it used.
  std::shared_ptr<const ConsoleCommand> find(const std::vector<std::string>& words,
                                             std::size_t* consumed = nullptr) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const ConsoleCommand>> by_words_;  // lowercase key
};

std::vector<std::string> split_words(std::string_view line);

}  // namespace telephony
