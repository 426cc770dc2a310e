#include "telephony/astdb.hpp"

#include <sqlite3.h>

#include <cstdio>
#include <set>
#include <system_error>

#include "telephony/console.hpp"

namespace telephony {

namespace {

// Owns a prepared statement for one call; binds text parameters by position.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  bool ok() const { return rc_ == SQLITE_OK; }
  void bind(int index, std::string_view text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  int step() { return sqlite3_step(stmt_); }
  std::string column(int i) const {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i))) : std::string();
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_ERROR;
};

std::string path_of(std::string_view family, std::string_view key) {
  std::string p = "/";
  p += family;
  p += '/';
  p += key;
  return p;
}

// Matches `prefix` itself and everything below it. A range on the primary key instead of LIKE:
// family names may contain '%' or '_', and the range uses the index. '0' is the byte after '/'.
constexpr const char* kTreeWhere = "(?1 = '' OR key = ?1 OR (key >= ?1 || '/' AND key < ?1 || '0'))";

}  // namespace

AstDb::AstDb(std::filesystem::path file) : file_(std::move(file)) {}

AstDb::~AstDb() {
  if (db_) sqlite3_close(db_);
}

Result<void> AstDb::open_locked() {
  if (db_) return {};
  std::error_code ec;
  if (file_.has_parent_path()) std::filesystem::create_directories(file_.parent_path(), ec);
  const std::string where = file_.string();
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(where.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return fail("astdb: cannot open database: " + msg, where);
  }
  sqlite3_busy_timeout(db, 2000);
  char* err = nullptr;
  rc = sqlite3_exec(db,
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "CREATE TABLE IF NOT EXISTS astdb(key VARCHAR(256) PRIMARY KEY, value VARCHAR(256));",
                    nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    sqlite3_close(db);
    return fail("astdb: cannot initialise database: " + msg, where);
  }
  db_ = db;
  return {};
}

std::string AstDb::tree_prefix(std::string_view family, std::string_view keytree) {
  if (family.empty()) return {};
  std::string p = "/";
  p += family;
  if (!keytree.empty()) {
    p += '/';
    p += keytree;
  }
  return p;
}

Result<std::pair<std::string, std::string>> AstDb::split_path(std::string_view path) {
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  auto slash = path.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == path.size())
    return fail("expected <family>/<key>, got '" + std::string(path) + "'");
  return std::pair{std::string(path.substr(0, slash)), std::string(path.substr(slash + 1))};
}

Result<std::optional<std::string>> AstDb::get(std::string_view family, std::string_view key) {
  std::lock_guard lock(mu_);
  if (auto r = open_locked(); !r) return Unexpected<Error>{r.error()};
  Statement st(db_, "SELECT value FROM astdb WHERE key = ?1");
  if (!st.ok()) return fail(std::string("astdb: ") + sqlite3_errmsg(db_), file_.string());
  st.bind(1, path_of(family, key));
  int rc = st.step();
  if (rc == SQLITE_ROW) return std::optional<std::string>(st.column(0));
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  return fail(std::string("astdb: ") + sqlite3_errmsg(db_), file_.string());
}

Result<void> AstDb::put(std::string_view family, std::string_view key, std::string_view value) {
  if (family.empty() || key.empty()) return fail("astdb: family and key must not be empty");
  std::lock_guard lock(mu_);
  if (auto r = open_locked(); !r) return r;
  Statement st(db_, "INSERT OR REPLACE INTO astdb(key, value) VALUES(?1, ?2)");
  if (!st.ok()) return fail(std::string("astdb: ") + sqlite3_errmsg(db_), file_.string());
  st.bind(1, path_of(family, key));
  st.bind(2, value);
  if (st.step() != SQLITE_DONE) return fail(std::string("astdb: write failed: ") + sqlite3_errmsg(db_), file_.string());
  return {};
}

Result<bool> AstDb::del(std::string_view family, std::string_view key) {
  std::lock_guard lock(mu_);
  if (auto r = open_locked(); !r) return Unexpected<Error>{r.error()};
  Statement st(db_, "DELETE FROM astdb WHERE key = ?1");
  if (!st.ok()) return fail(std::string("astdb: ") + sqlite3_errmsg(db_), file_.string());
  st.bind(1, path_of(family, key));
  if (st.step() != SQLITE_DONE) return fail(std::string("astdb: delete failed: ") + sqlite3_errmsg(db_), file_.string());
  return sqlite3_changes(db_) > 0;
}

Result<std::size_t> AstDb::deltree(std::string_view family, std::string_view keytree) {
  std::lock_guard lock(mu_);
  if (auto r = open_locked(); !r) return Unexpected<Error>{r.error()};
  std::string sql = std::string("DELETE FROM astdb WHERE ") + kTreeWhere;
  Statement st(db_, sql.c_str());
  if (!st.ok()) return fail(std::string("astdb: ") + sqlite3_errmsg(db_), file_.string());
  st.bind(1, tree_prefix(family, keytree));
  if (st.step() != SQLITE_DONE) return fail(std::string("astdb: delete failed: ") + sqlite3_errmsg(db_), file_.string());
  return static_cast<std::size_t>(sqlite3_changes(db_));
}

Result<std::vector<AstDb::Entry>> AstDb::show(std::string_view family, std::string_view keytree) {
  std::lock_guard lock(mu_);
  if (auto r = open_locked(); !r) return Unexpected<Error>{r.error()};
  std::string sql = std::string("SELECT key, value FROM astdb WHERE ") + kTreeWhere + " ORDER BY key";
  Statement st(db_, sql.c_str());
  if (!st.ok()) return fail(std::string("astdb: ") + sqlite3_errmsg(db_), file_.string());
  st.bind(1, tree_prefix(family, keytree));
  std::vector<Entry> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) out.push_back(Entry{st.column(0), st.column(1)});
  if (rc != SQLITE_DONE) return fail(std::string("astdb: ") + sqlite3_errmsg(db_), file_.string());
  return out;
}

Result<std::vector<std::string>> AstDb::keys(std::string_view prefix) {
  while (!prefix.empty() && prefix.front() == '/') prefix.remove_prefix(1);
  while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
  std::string base = prefix.empty() ? std::string() : "/" + std::string(prefix);
  std::lock_guard lock(mu_);
  if (auto r = open_locked(); !r) return Unexpected<Error>{r.error()};
  // Only entries strictly below the prefix: the prefix itself has no "next level".
  Statement st(db_, "SELECT key FROM astdb WHERE key >= ?1 || '/' AND key < ?1 || '0' ORDER BY key");
  if (!st.ok()) return fail(std::string("astdb: ") + sqlite3_errmsg(db_), file_.string());
  st.bind(1, base);
  std::set<std::string> names;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) {
    std::string key = st.column(0);
    std::string_view rest = std::string_view(key).substr(base.size() + 1);
    auto slash = rest.find('/');
    names.emplace(rest.substr(0, slash));
  }
  if (rc != SQLITE_DONE) return fail(std::string("astdb: ") + sqlite3_errmsg(db_), file_.string());
  return std::vector<std::string>(names.begin(), names.end());
}

// --- console -------------------------------------------------------------------------------

namespace {

std::string entry_line(const AstDb::Entry& e) {
  std::string out = e.key;
  if (out.size() < 50) out.resize(50, ' ');
  out += ": ";
  std::string value = e.value;
  if (value.size() < 25) value.resize(25, ' ');
  out += value;
  out += '\n';
  return out;
}

ConsoleResult db_error(const Error& e) { return {1, e.to_string() + "\n"}; }

}  // namespace

void register_database_commands(ConsoleCommands& commands, AstDb& db) {
  AstDb* d = &db;
  auto add = [&](std::string cmd, std::string synopsis, std::string syntax, std::string desc,
                 std::function<ConsoleResult(const std::vector<std::string>&)> run) {
    Documentation doc;
    doc.synopsis = std::move(synopsis);
    doc.syntax = std::move(syntax);
    doc.description = std::move(desc);
    doc.see_also = {"database show", "database put", "database get", "database del", "database deltree"};
    (void)commands.add(ConsoleCommand{std::move(cmd), std::move(doc), std::move(run)});
  };

  add("database show", "Shows database contents", "database show [family [keytree]]",
      "Shows Asterisk database contents, optionally restricted to a given family, or family and keytree.",
      [d](const std::vector<std::string>& a) -> ConsoleResult {
        if (a.size() > 2) return {2, ""};
        auto rows = d->show(a.empty() ? "" : a[0], a.size() > 1 ? a[1] : "");
        if (!rows) return db_error(rows.error());
        std::string out;
        for (const auto& e : *rows) out += entry_line(e);
        out += std::to_string(rows->size()) + " results found.\n";
        return {0, out};
      });
  add("database showkey", "Shows database contents", "database showkey <keytree>",
      "Shows Asterisk database contents, restricted to a given key.",
      [d](const std::vector<std::string>& a) -> ConsoleResult {
        if (a.size() != 1) return {2, ""};
        auto rows = d->show();
        if (!rows) return db_error(rows.error());
        std::string out;
        std::size_t n = 0;
        const std::string tail = "/" + a[0];
        for (const auto& e : *rows) {
          // The key part (after the family) must be exactly the given key.
          auto second = e.key.find('/', 1);
          if (second == std::string::npos || e.key.compare(second, std::string::npos, tail) != 0) continue;
          out += entry_line(e);
          ++n;
        }
        out += std::to_string(n) + " results found.\n";
        return {0, out};
      });
  add("database put", "Adds/updates database value", "database put <family> <key> <value>",
      "Adds or updates an entry in the Asterisk database for a given family, key, and value.",
      [d](const std::vector<std::string>& a) -> ConsoleResult {
        if (a.size() != 3) return {2, ""};
        auto r = d->put(a[0], a[1], a[2]);
        if (!r) return {1, "Failed to update entry\n"};
        return {0, "Updated database successfully\n"};
      });
  add("database get", "Gets database value", "database get <family> <key>",
      "Retrieves an entry in the Asterisk database for a given family and key.",
      [d](const std::vector<std::string>& a) -> ConsoleResult {
        if (a.size() != 2) return {2, ""};
        auto r = d->get(a[0], a[1]);
        if (!r) return db_error(r.error());
        if (!*r) return {1, "Database entry not found.\n"};
        return {0, "Value: " + **r + "\n"};
      });
  add("database del", "Removes database key/value", "database del <family> <key>",
      "Deletes an entry in the Asterisk database for a given family and key.",
      [d](const std::vector<std::string>& a) -> ConsoleResult {
        if (a.size() != 2) return {2, ""};
        auto r = d->del(a[0], a[1]);
        if (!r) return db_error(r.error());
        if (!*r) return {1, "Database entry does not exist.\n"};
        return {0, "Database entry removed.\n"};
      });
  add("database deltree", "Removes database keytree/values", "database deltree <family> [keytree]",
      "Deletes a family or specific keytree within a family in the Asterisk database.",
      [d](const std::vector<std::string>& a) -> ConsoleResult {
        if (a.empty() || a.size() > 2) return {2, ""};
        auto r = d->deltree(a[0], a.size() > 1 ? a[1] : "");
        if (!r) return {1, "Database unavailable.\n"};
        if (*r == 0) return {1, "Database entries do not exist.\n"};
        return {0, std::to_string(*r) + " database entries removed.\n"};
      });
}

}  // namespace telephony
