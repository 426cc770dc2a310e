// CallFileSpooler: Asterisk's outgoing call spool (pbx_spool) as an asio service.
//
// Files dropped into `<spool_dir>/outgoing` are picked up (inotify, or polling), held until their
// mtime, claimed by an atomic rename into `<spool_dir>/outgoing_work`, dialed through the Dialer
// seam, retried as the file says, and finally archived to `outgoing_done` (Archive: yes),
// deleted, or kept for reuse (AlwaysDelete: no with a future mtime). Unparseable files go to
// `outgoing_failed` with a `<name>.reason` sidecar. The file itself is the journal (StartRetry/
// EndRetry/Status lines), so after a crash start() can finish or retry whatever was in
// outgoing_work without ever redialing an attempt recorded as answered. docs/callfiles.md has
// the full life cycle and the crash rules.
//
// Threading: all spooler state and all file operations run on one strand of the io_context the
// spooler was built with. The Dialer is called on that strand; its `done` may be called from any
// thread, exactly once.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "telephony/spool/call_file.hpp"

namespace telephony::spool {

// How a dial attempt ended; the values are Asterisk's originate reasons (AST_CONTROL_*).
enum class DialReason { Failure = 0, Hangup = 1, NoAnswer = 3, Answered = 4, Busy = 5, Congestion = 8 };

struct DialAttempt {
  const CallFile& file;
  int attempt;  // 1-based; MaxRetries+1 is the last
  std::string file_name;  // the name in the spool ("wakeup-101.call")
  // Where the file lives while dialing (outgoing_work/<name>). Dialplan that wants Asterisk's
  // "reuse the file" trick sets this file's mtime into the future before reporting done.
  std::filesystem::path work_path;
};

using Dialer = std::function<void(const DialAttempt&, std::function<void(DialReason)> done)>;

enum class SpoolLogLevel { Debug, Notice, Warning, Error };
using SpoolLogger = std::function<void(SpoolLogLevel, std::string)>;

struct SpoolerOptions {
  std::filesystem::path spool_dir;
  bool use_inotify = true;
  std::chrono::milliseconds poll_interval{1000};
  std::size_t max_in_flight = 1000;
  // fdatasync() each journal line. Off by default: appended lines already survive kill -9 (they
  // are in the page cache); turn it on to survive power loss at the cost of one sync per line.
  bool sync_journal = false;
  // Files bigger than this are not call files; they go to outgoing_failed unread.
  std::size_t max_file_size = 64 * 1024;
  SpoolLogger log;  // may be empty
};

class CallFileSpooler {
 public:
  CallFileSpooler(boost::asio::io_context& io, SpoolerOptions options, Dialer dialer);
  ~CallFileSpooler();  // stop()s; attempts still dialing finish their bookkeeping later
  CallFileSpooler(const CallFileSpooler&) = delete;
  CallFileSpooler& operator=(const CallFileSpooler&) = delete;

  // Creates the spool directories, reclaims outgoing_work, scans outgoing, starts watching.
  // Asynchronous: the work happens on the spooler's strand once the io_context runs.
  void start();
  // Stops watching and dialing new files. Attempts in flight still complete when their Dialer
  // calls done; files not yet claimed stay in outgoing for the next start().
  void stop();

  struct Stats {
    std::uint64_t seen = 0;          // distinct (file, mtime) sightings scheduled
    std::uint64_t claimed = 0;       // renames into outgoing_work
    std::uint64_t attempts = 0;      // Dialer calls
    std::uint64_t completed = 0;     // Status: Completed
    std::uint64_t expired = 0;       // Status: Expired
    std::uint64_t failed = 0;        // moved to outgoing_failed
    std::uint64_t retries_scheduled = 0;
    std::uint64_t reused = 0;        // AlwaysDelete: no, kept in outgoing
    std::uint64_t twins_refused = 0;
    std::uint64_t reclaimed = 0;     // files found in outgoing_work at start()
    std::uint64_t rescans = 0;       // full directory scans (start, poll, inotify overflow)
    std::size_t waiting = 0;         // known files not yet due or waiting for a slot
    std::size_t in_flight = 0;
    bool inotify = false;            // whether inotify is what is watching now
  };
  // Safe from any thread.
  Stats stats() const;

  struct State;  // implementation, shared with callbacks that may outlive this object

 private:
  std::shared_ptr<State> state_;
};

}  // namespace telephony::spool
