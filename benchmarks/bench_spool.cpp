// Call-file spooler throughput for a burst of 10,000 files, against the bare cost of the one
// rename(2) per file that every delivery needs anyway, measured in the same iteration.
//
// Each iteration: a started, idle spooler (inotify armed) on a fresh spool dir; 10,000 call files
// written as dotfiles in outgoing/; then
//   baseline  = time to rename() the 10,000 dotfiles to their real names (what a tool does),
//   spool     = time until the spooler has claimed, dialed (instant Answered) and archived all.
// Counters: spool_files_per_s, rename_files_per_s, spool_over_rename (cost ratio).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <boost/asio/io_context.hpp>

#include "telephony/spool/spooler.hpp"

namespace {

namespace fs = std::filesystem;
using telephony::spool::CallFileSpooler;
using telephony::spool::DialReason;
constexpr int kFiles = 10000;

fs::path make_temp_dir() {
  std::string templ = (fs::temp_directory_path() / "bench-spool-XXXXXX").string();
  if (!::mkdtemp(templ.data())) std::abort();
  return templ;
}

void BM_SpoolBurst(benchmark::State& state) {
  double spool_total = 0, rename_total = 0;
  for (auto _ : state) {
    fs::path dir = make_temp_dir();
    boost::asio::io_context io;
    telephony::spool::SpoolerOptions opt;
    opt.spool_dir = dir;
    opt.max_in_flight = 1000;
    std::size_t dialed = 0;
    CallFileSpooler spooler(io, opt, [&](const auto&, auto done) {
      ++dialed;
      done(DialReason::Answered);
    });
    spooler.start();
    while (!spooler.stats().inotify) io.run_one();

    auto out = dir / "outgoing";
    for (int i = 0; i < kFiles; ++i) {
      std::ofstream(out / (".c" + std::to_string(i))) << "Channel: SIP/" << i
                                                     << "\nApplication: Echo\nArchive: yes\n";
    }
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < kFiles; ++i) {
      auto name = std::to_string(i);
      if (std::rename((out / (".c" + name)).c_str(), (out / ("c" + name + ".call")).c_str()) != 0)
        std::abort();
    }
    auto t1 = std::chrono::steady_clock::now();
    while (spooler.stats().completed < static_cast<std::uint64_t>(kFiles)) io.run_one();
    auto t2 = std::chrono::steady_clock::now();

    double rename_s = std::chrono::duration<double>(t1 - t0).count();
    double spool_s = std::chrono::duration<double>(t2 - t1).count();
    state.SetIterationTime(spool_s);
    rename_total += rename_s;
    spool_total += spool_s;
    if (dialed != static_cast<std::size_t>(kFiles)) state.SkipWithError("a file was not dialed once");
    fs::remove_all(dir);
  }
  double n = static_cast<double>(state.iterations()) * kFiles;
  state.counters["spool_files_per_s"] = n / spool_total;
  state.counters["rename_files_per_s"] = n / rename_total;
  state.counters["spool_over_rename"] = spool_total / rename_total;
}
BENCHMARK(BM_SpoolBurst)->UseManualTime()->Iterations(3)->Unit(benchmark::kMillisecond);

}  // namespace
