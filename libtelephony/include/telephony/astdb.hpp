// AstDb: the persistent key/value store of the dialplan (DB(), DB_EXISTS(), `database …` console
// commands), with Asterisk's family/key model: every entry lives at a path "/family/key" where
// the key may itself contain '/' (a key tree), so "/cf/1001/busy" is key "1001/busy" of family
// "cf" and also part of the tree "/cf/1001".
//
// Storage is one SQLite file (default `<dirs.db>/astdb.sqlite3`) in WAL mode, opened lazily on
// the first call so that an engine that never touches the database never creates the file. A
// single connection serves every caller under a mutex: dialplan functions are synchronous (a
// FunctionRead returns its value), entries are tiny, and with WAL a read or a one-row write takes
// microseconds, so queuing on a mutex is cheaper than a hop to the worker pool and keeps the
// ordering of writes from one channel obvious. A failure to open (unwritable directory, not a
// database) is returned by every call as an Error naming the file, and the open is retried on
// the next call, so fixing the directory needs no restart.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "telephony/result.hpp"

struct sqlite3;

namespace telephony {

class ConsoleCommands;

class AstDb {
 public:
  struct Entry {
    std::string key;    // full path, "/family/key"
    std::string value;
  };

  explicit AstDb(std::filesystem::path file);
  ~AstDb();
  AstDb(const AstDb&) = delete;
  AstDb& operator=(const AstDb&) = delete;

  const std::filesystem::path& file() const { return file_; }

  // nullopt when the entry does not exist.
  Result<std::optional<std::string>> get(std::string_view family, std::string_view key);
  Result<void> put(std::string_view family, std::string_view key, std::string_view value);
  // false when there was nothing to delete.
  Result<bool> del(std::string_view family, std::string_view key);
  // Deletes "/family" (and "/family/keytree" when given) and everything below it; an empty family
  // deletes every entry. Returns how many entries went.
  Result<std::size_t> deltree(std::string_view family, std::string_view keytree = {});
  // Entries at or below "/family[/keytree]" (everything when family is empty), sorted by path.
  Result<std::vector<Entry>> show(std::string_view family = {}, std::string_view keytree = {});
  // The names one level below `prefix` ("" lists families; "cf" lists the keys of family cf,
  // "cf/1001" the next level of that tree), unique and sorted, as DB_KEYS returns them.
  Result<std::vector<std::string>> keys(std::string_view prefix = {});

  // "family/key" (leading '/' optional) -> {family, key}; the key is everything after the first
  // '/'. Fails when either part is missing.
  static Result<std::pair<std::string, std::string>> split_path(std::string_view path);

 private:
  Result<void> open_locked();
  static std::string tree_prefix(std::string_view family, std::string_view keytree);

  std::filesystem::path file_;
  std::mutex mu_;
  sqlite3* db_ = nullptr;
};

// `database show|put|get|del|deltree|showkey` with Asterisk's output, on `db`.
void register_database_commands(ConsoleCommands& commands, AstDb& db);

}  // namespace telephony
