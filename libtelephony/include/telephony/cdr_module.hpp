// CdrModule: call detail records for a host, configured as Asterisk configures them.
//
//   cdr.conf                 [general] enable, unanswered, congestion, endbeforehexten,
//                            initiatedseconds (batch/size/time/scheduleronly/safeshutdown
//                            accepted: records are always written at once on a worker);
//                            [csv] usegmtime, loguniqueid, loguserfield, accountlogs,
//                            newcdrcolumns -> logdir/cdr-csv/Master.csv
//   cdr_custom.conf          [mappings] File.csv => template -> logdir/cdr-custom/File.csv
//   cdr_sqlite3_custom.conf  [master] table, columns, values -> logdir/master.db (WAL)
//
// The module owns the CdrEngine; its first load registers the dialplan side (CDR(), CDR_PROP(),
// NoCDR, ResetCDR, ForkCDR) and `cdr show status`. A reload builds every backend first and swaps
// them in only if all of them came up; a broken file keeps the running backends.
#pragma once

#include <filesystem>
#include <memory>

#include "telephony/cdr.hpp"
#include "telephony/module.hpp"

namespace telephony {

class CdrModule : public Module {
 public:
  explicit CdrModule(Engine& engine);
  ~CdrModule() override;
  std::string_view name() const override { return "cdr"; }
  std::string_view config_file() const override { return "cdr.conf"; }
  Result<void, Errors> check(const std::filesystem::path& config_dir) override;
  Result<void, Errors> load(const std::filesystem::path& config_dir) override;
  void unload() override;
  std::shared_ptr<CdrEngine> cdr() const { return cdr_; }

 private:
  Engine& engine_;
  std::shared_ptr<CdrEngine> cdr_;
  bool registered_ = false;
};

}  // namespace telephony
