// Operations costs (issue 14), each against a baseline measured in the same run:
//
// BM_CdrSqlite/<batch>: call detail records through the SQLite backend (cdr_sqlite3_custom's
//   15-column template, rendered per record, WAL, synchronous=NORMAL, one transaction per batch)
//   against a bare loop of the same INSERT through one prepared statement with the values already
//   bound as text, same transaction size, same pragmas, same disk. Batch 1 is a record per call
//   end with nobody else finishing; 64 is what the CDR writer takes in one go under load.
//   Counters: cdr_records_per_s, bare_records_per_s, cdr_over_bare.
// BM_MetricsScrape2000: one Prometheus scrape (MetricsModule::render) of an engine with 2000 live
//   channels, against taking the 2000 channel snapshots alone (the part no scrape can skip).
//   Counters: scrape_ms, snapshots_ms, scrape_over_snapshots, bytes.
#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "../libtelephony/src/cdr/cdr_backends.hpp"
#include "telephony/engine.hpp"
#include "telephony/metrics.hpp"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
constexpr int kRecords = 4000;

fs::path make_temp_dir() {
  std::string templ = (fs::temp_directory_path() / "bench-ops-XXXXXX").string();
  if (!::mkdtemp(templ.data())) std::abort();
  return templ;
}

const std::vector<std::string> kColumns = {"calldate", "clid",        "dcontext", "channel",  "dstchannel",
                                           "lastapp",  "lastdata",    "duration", "billsec",  "disposition",
                                           "amaflags", "accountcode", "uniqueid", "userfield", "test"};
const std::vector<std::string> kValues = {"${CDR(start)}",    "${CDR(clid)}",        "${CDR(dcontext)}", "${CDR(channel)}",
                                          "${CDR(dstchannel)}", "${CDR(lastapp)}",   "${CDR(lastdata)}", "${CDR(duration)}",
                                          "${CDR(billsec)}",  "${CDR(disposition)}", "${CDR(amaflags)}", "${CDR(accountcode)}",
                                          "${CDR(uniqueid)}", "${CDR(userfield)}",   "${CDR(test)}"};

telephony::CdrRecord sample(int i) {
  telephony::CdrRecord r;
  r.src = "100";
  r.dst = "200";
  r.dcontext = "default";
  r.clid = "\"Alice\" <100>";
  r.channel = "SIP/alice-" + std::to_string(i);
  r.dstchannel = "SIP/bob-" + std::to_string(i);
  r.lastapp = "Dial";
  r.lastdata = "SIP/bob,30";
  r.start = std::chrono::system_clock::now();
  r.answer = r.start;
  r.end = r.start + std::chrono::seconds(42);
  r.duration = 42;
  r.billsec = 40;
  r.disposition = telephony::CdrDisposition::Answered;
  r.uniqueid = "1700000000." + std::to_string(i);
  r.variables = {{"test", "t" + std::to_string(i)}};
  return r;
}

void bare_loop(const fs::path& file, int batch, const std::vector<std::vector<std::string>>& rows) {
  sqlite3* db = nullptr;
  sqlite3_open(file.c_str(), &db);
  sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
  sqlite3_exec(db, "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr);
  std::string create = "CREATE TABLE cdr (AcctId INTEGER PRIMARY KEY AUTOINCREMENT", cols, marks;
  for (std::size_t i = 0; i < kColumns.size(); ++i) {
    create += ", " + kColumns[i] + " TEXT";
    cols += (i ? ", " : "") + kColumns[i];
    marks += i ? ", ?" : "?";
  }
  sqlite3_exec(db, (create + ")").c_str(), nullptr, nullptr, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, ("INSERT INTO cdr (" + cols + ") VALUES (" + marks + ")").c_str(), -1, &st, nullptr);
  for (int i = 0; i < kRecords; i += batch) {
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    for (int j = i; j < std::min(kRecords, i + batch); ++j) {
      sqlite3_reset(st);
      for (std::size_t c = 0; c < rows[j].size(); ++c)
        sqlite3_bind_text(st, static_cast<int>(c + 1), rows[j][c].data(), static_cast<int>(rows[j][c].size()), SQLITE_TRANSIENT);
      if (sqlite3_step(st) != SQLITE_DONE) std::abort();
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
}

void BM_CdrSqlite(benchmark::State& state) {
  const int batch = static_cast<int>(state.range(0));
  std::vector<telephony::CdrRecord> records;
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < kRecords; ++i) {
    records.push_back(sample(i));
    std::vector<std::string> row;
    telephony::cdr::RecordResolver res(nullptr, records.back());
    for (const auto& v : kValues) row.push_back(res.render(v));
    rows.push_back(std::move(row));
  }
  double cdr_s = 0, bare_s = 0;
  for (auto _ : state) {
    const fs::path dir = make_temp_dir();
    telephony::cdr::SqliteOptions o;
    o.file = dir / "master.db";
    o.columns = kColumns;
    o.values = kValues;
    auto backend = telephony::cdr::make_sqlite_backend(nullptr, o);
    if (!backend) {
      state.SkipWithError(backend.error().to_string().c_str());
      return;
    }
    auto t0 = Clock::now();
    for (int i = 0; i < kRecords; i += batch) {
      std::vector<telephony::CdrRecord> chunk(records.begin() + i, records.begin() + std::min(kRecords, i + batch));
      if (!(*backend)->write(chunk)) std::abort();
    }
    auto t1 = Clock::now();
    bare_loop(dir / "bare.db", batch, rows);
    auto t2 = Clock::now();
    cdr_s += std::chrono::duration<double>(t1 - t0).count();
    bare_s += std::chrono::duration<double>(t2 - t1).count();
    state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
    backend->reset();
    fs::remove_all(dir);
  }
  const double n = static_cast<double>(state.iterations()) * kRecords;
  state.counters["cdr_records_per_s"] = n / cdr_s;
  state.counters["bare_records_per_s"] = n / bare_s;
  state.counters["cdr_over_bare"] = cdr_s / bare_s;
}
BENCHMARK(BM_CdrSqlite)->Arg(1)->Arg(64)->UseManualTime()->Iterations(2)->Unit(benchmark::kMillisecond);

void BM_MetricsScrape2000(benchmark::State& state) {
  telephony::Engine engine({.threads = 1});
  std::vector<telephony::Channel::Ptr> chans;
  for (int i = 0; i < 2000; ++i) {
    telephony::Engine::ChannelInit init;
    init.tech = "Bench";
    init.resource = "dev" + std::to_string(i);
    init.impl = std::make_unique<telephony::ChannelTech>();
    chans.push_back(engine.create_channel(std::move(init)));
    chans.back()->set_state(telephony::ChannelState::Up);
  }
  auto metrics = std::make_shared<telephony::MetricsModule>(engine);
  telephony::MetricsConfig cfg;  // not served: render() only
  (void)metrics->apply(cfg);
  double scrape_s = 0, snap_s = 0;
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto t0 = Clock::now();
    auto text = metrics->render();
    auto t1 = Clock::now();
    std::size_t sink = 0;
    for (const auto& c : engine.channels()) sink += c->snapshot().name.size();
    auto t2 = Clock::now();
    benchmark::DoNotOptimize(sink);
    bytes = text.size();
    scrape_s += std::chrono::duration<double>(t1 - t0).count();
    snap_s += std::chrono::duration<double>(t2 - t1).count();
    state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["scrape_ms"] = 1000 * scrape_s / n;
  state.counters["snapshots_ms"] = 1000 * snap_s / n;
  state.counters["scrape_over_snapshots"] = scrape_s / snap_s;
  state.counters["bytes"] = static_cast<double>(bytes);
  metrics->unload();
}
BENCHMARK(BM_MetricsScrape2000)->UseManualTime()->Iterations(20)->Unit(benchmark::kMillisecond);

}  // namespace
