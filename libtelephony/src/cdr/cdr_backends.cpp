// CDR backends: cdr_csv (Master.csv in Asterisk's column order), cdr_custom (templates from
// cdr_custom.conf) and the SQLite backend in the shape of cdr_sqlite3_custom.
#include "cdr_backends.hpp"

#include <sqlite3.h>

#include <cstdio>
#include <fstream>
#include <map>

#include "telephony/dialplan/substitution.hpp"
#include "telephony/engine.hpp"

namespace telephony::cdr {

namespace fs = std::filesystem;

std::string csv_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// ---- cdr_csv -------------------------------------------------------------------------------------

std::string csv_line(const CdrRecord& r, const CsvOptions& o) {
  std::string line;
  auto str = [&](std::string_view v) { line += csv_quote(v) + ","; };
  auto num = [&](long long v) { line += std::to_string(v) + ","; };
  auto date = [&](std::optional<std::chrono::system_clock::time_point> t) {
    if (!t) line += ",";
    else str(cdr_time(t, o.usegmtime));
  };
  str(r.accountcode);
  str(r.src);
  str(r.dst);
  str(r.dcontext);
  str(r.clid);
  str(r.channel);
  str(r.dstchannel);
  str(r.lastapp);
  str(r.lastdata);
  date(r.start);
  date(r.answer);
  date(r.end);
  num(r.duration);
  num(r.billsec);
  str(to_string(r.disposition));
  str(r.amaflags);
  if (o.loguniqueid) str(r.uniqueid);
  if (o.loguserfield) str(r.userfield);
  if (o.newcdrcolumns) {
    str(r.peeraccount);
    str(r.linkedid);
    num(static_cast<long long>(r.sequence));
  }
  line.pop_back();  // the trailing comma
  return line + "\n";
}

namespace {

Result<void> append_lines(const fs::path& file, const std::string& text) {
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  // O_APPEND writes of whole batches: concurrent readers never see half a record.
  std::FILE* f = std::fopen(file.c_str(), "ae");
  if (!f) return fail("cannot open for append", file.string());
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  const bool closed = std::fclose(f) == 0;
  if (!ok || !closed) return fail("write failed", file.string());
  return {};
}

class CsvBackend : public CdrBackend {
 public:
  CsvBackend(fs::path dir, CsvOptions o) : dir_(std::move(dir)), o_(o) {}
  std::string_view name() const override { return "csv"; }
  Result<void> write(const std::vector<CdrRecord>& records) override {
    std::string master;
    std::map<std::string, std::string> per_account;
    for (const auto& r : records) {
      auto line = csv_line(r, o_);
      if (o_.accountlogs && !r.accountcode.empty() && r.accountcode.find('/') == std::string::npos &&
          r.accountcode[0] != '.')
        per_account[r.accountcode] += line;
      master += line;
    }
    if (auto r = append_lines(dir_ / "Master.csv", master); !r) return r;
    for (const auto& [acct, text] : per_account)
      if (auto r = append_lines(dir_ / (acct + ".csv"), text); !r) return r;
    return {};
  }

 private:
  fs::path dir_;
  CsvOptions o_;
};

}  // namespace

// ---- templates (cdr_custom, cdr_sqlite3_custom values) -----------------------------------------

std::string RecordResolver::render(std::string_view tmpl) const { return dialplan::substitute(tmpl, *this); }

std::optional<std::string> RecordResolver::variable(std::string_view name) const { return record_.field(name); }

std::optional<std::string> RecordResolver::function(std::string_view name, std::string_view args) const {
  auto upper = [](std::string_view s) {
    std::string u(s);
    for (auto& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return u;
  };
  const std::string fn = upper(name);
  if (fn == "CDR") {
    std::string_view field = args;
    bool raw = false;
    if (auto comma = args.find(','); comma != std::string_view::npos) {
      field = args.substr(0, comma);
      raw = args.substr(comma + 1).find('u') != std::string_view::npos;
    }
    return record_.field(field, raw).value_or("");
  }
  if (fn == "CSV_QUOTE") return csv_quote(args);
  if (fn == "SQL_ESC") {
    std::string out;
    for (char c : args) {
      if (c == '\'') out += '\'';
      out += c;
    }
    return out;
  }
  // Other functions (STRFTIME, LEN, ...) from the engine's registry, with no channel.
  if (!engine_) return std::nullopt;
  auto f = engine_->functions().find(name);
  if (!f || !f->read) return std::nullopt;
  auto r = f->read(dialplan::FunctionCall{*engine_, nullptr, name, args});
  if (!r) return std::nullopt;
  return *r;
}

namespace {

class CustomBackend : public CdrBackend {
 public:
  CustomBackend(Engine* engine, fs::path dir, std::vector<CustomMapping> maps)
      : engine_(engine), dir_(std::move(dir)), maps_(std::move(maps)) {}
  std::string_view name() const override { return "custom"; }
  Result<void> write(const std::vector<CdrRecord>& records) override {
    for (const auto& m : maps_) {
      std::string text;
      for (const auto& r : records) text += RecordResolver(engine_, r).render(m.format) + "\n";
      const fs::path file = fs::path(m.file).is_absolute() ? fs::path(m.file) : dir_ / m.file;
      if (auto r = append_lines(file, text); !r) return r;
    }
    return {};
  }

 private:
  Engine* engine_;
  fs::path dir_;
  std::vector<CustomMapping> maps_;
};

// cdr_sqlite3_custom: one row per record, the columns and value templates of the config, in a
// WAL database with synchronous=NORMAL (a commit survives a crash of the process), one
// transaction per batch through one prepared statement.
class SqliteBackend : public CdrBackend {
 public:
  SqliteBackend(Engine* engine, SqliteOptions o) : engine_(engine), o_(std::move(o)) {}
  ~SqliteBackend() override {
    if (insert_) sqlite3_finalize(insert_);
    if (db_) sqlite3_close(db_);
  }
  std::string_view name() const override { return "sqlite3_custom"; }

  Result<void> open() {
    std::error_code ec;
    fs::create_directories(o_.file.parent_path(), ec);
    if (sqlite3_open_v2(o_.file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK)
      return fail(std::string("cannot open: ") + (db_ ? sqlite3_errmsg(db_) : "out of memory"), o_.file.string());
    sqlite3_busy_timeout(db_, 2000);
    std::string cols, marks;
    for (std::size_t i = 0; i < o_.columns.size(); ++i) {
      cols += (i ? ", " : "") + o_.columns[i];
      marks += i ? ", ?" : "?";
    }
    std::string create = "CREATE TABLE IF NOT EXISTS " + o_.table + " (AcctId INTEGER PRIMARY KEY AUTOINCREMENT";
    for (const auto& c : o_.columns) create += ", " + c + " TEXT";
    create += ")";
    for (const std::string& sql : {std::string("PRAGMA journal_mode=WAL"), std::string("PRAGMA synchronous=NORMAL"), create})
      if (auto r = exec(sql); !r) return r;
    const std::string insert = "INSERT INTO " + o_.table + " (" + cols + ") VALUES (" + marks + ")";
    if (sqlite3_prepare_v2(db_, insert.c_str(), -1, &insert_, nullptr) != SQLITE_OK)
      return fail(std::string("cannot prepare insert: ") + sqlite3_errmsg(db_), o_.file.string());
    return {};
  }

  Result<void> write(const std::vector<CdrRecord>& records) override {
    if (auto r = exec("BEGIN"); !r) return r;
    for (const auto& rec : records) {
      RecordResolver res(engine_, rec);
      sqlite3_reset(insert_);
      for (std::size_t i = 0; i < o_.values.size(); ++i) {
        const std::string v = res.render(o_.values[i]);
        sqlite3_bind_text(insert_, static_cast<int>(i + 1), v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
      }
      if (sqlite3_step(insert_) != SQLITE_DONE) {
        const std::string err = sqlite3_errmsg(db_);
        (void)exec("ROLLBACK");
        return fail("insert failed: " + err, o_.file.string());
      }
    }
    return exec("COMMIT");
  }

 private:
  Result<void> exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "error";
      sqlite3_free(err);
      return fail(sql + ": " + msg, o_.file.string());
    }
    return {};
  }
  Engine* engine_;
  SqliteOptions o_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
};

}  // namespace

std::shared_ptr<CdrBackend> make_csv_backend(fs::path dir, CsvOptions o) {
  return std::make_shared<CsvBackend>(std::move(dir), o);
}

std::shared_ptr<CdrBackend> make_custom_backend(Engine* engine, fs::path dir, std::vector<CustomMapping> maps) {
  return std::make_shared<CustomBackend>(engine, std::move(dir), std::move(maps));
}

Result<std::shared_ptr<CdrBackend>> make_sqlite_backend(Engine* engine, SqliteOptions o) {
  if (o.columns.size() != o.values.size())
    return fail("columns (" + std::to_string(o.columns.size()) + ") and values (" + std::to_string(o.values.size()) +
                    ") differ in number",
                o.where);
  if (o.columns.empty()) return fail("no columns", o.where);
  auto b = std::make_shared<SqliteBackend>(engine, std::move(o));
  if (auto r = b->open(); !r) return Unexpected<Error>{r.error()};
  return std::shared_ptr<CdrBackend>(std::move(b));
}

}  // namespace telephony::cdr
