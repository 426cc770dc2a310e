// Internal: the CDR backends and the template renderer they share. Not installed.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "telephony/cdr.hpp"
#include "telephony/dialplan/substitution.hpp"

namespace telephony {
class Engine;
}

namespace telephony::cdr {

// cdr.conf [csv].
struct CsvOptions {
  bool usegmtime = false;
  bool loguniqueid = false;
  bool loguserfield = false;
  bool accountlogs = true;
  bool newcdrcolumns = false;
};

// One cdr_custom.conf [mappings] line: `Master.csv => ${CSV_QUOTE(${CDR(clid)})},...`.
struct CustomMapping {
  std::string file;    // relative to logdir/cdr-custom
  std::string format;  // the template
};

// cdr_sqlite3_custom.conf [master]: table, columns, values (templates, one per column).
struct SqliteOptions {
  std::filesystem::path file;  // logdir/master.db by default
  std::string table = "cdr";
  std::vector<std::string> columns;
  std::vector<std::string> values;
  std::string where;  // config location, for errors
};

std::string csv_quote(std::string_view s);
std::string csv_line(const CdrRecord& r, const CsvOptions& o);

// ${CDR(field[,u])}, ${CSV_QUOTE(x)}, ${SQL_ESC(x)} and any read function of the engine (with
// no channel) over one record.
class RecordResolver : public dialplan::VariableResolver {
 public:
  RecordResolver(Engine* engine, const CdrRecord& r) : engine_(engine), record_(r) {}
  std::string render(std::string_view tmpl) const;
  std::optional<std::string> variable(std::string_view name) const override;
  std::optional<std::string> function(std::string_view name, std::string_view args) const override;

 private:
  Engine* engine_;
  const CdrRecord& record_;
};

std::shared_ptr<CdrBackend> make_csv_backend(std::filesystem::path dir, CsvOptions o);
std::shared_ptr<CdrBackend> make_custom_backend(Engine* engine, std::filesystem::path dir,
                                                std::vector<CustomMapping> maps);
Result<std::shared_ptr<CdrBackend>> make_sqlite_backend(Engine* engine, SqliteOptions o);

}  // namespace telephony::cdr
