#include "telephony/spool/spooler.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_map>

#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/system_timer.hpp>

#include "spool/spool_files.hpp"

namespace telephony::spool {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using files::Clock;
using files::MoveResult;

struct CallFileSpooler::State : std::enable_shared_from_this<CallFileSpooler::State> {
  enum class Phase { Waiting, Ready, InFlight };
  struct Entry {
    Phase phase = Phase::Waiting;
    Clock::time_point due{};
    std::uint64_t gen = 0;  // bumped on every reschedule; queued copies with an old gen are stale
    std::shared_ptr<CallFile> file;  // while in flight
  };

  State(asio::io_context& io, SpoolerOptions o, Dialer d)
      : strand(asio::make_strand(io)),
        opt(std::move(o)),
        dialer(std::move(d)),
        outgoing(opt.spool_dir / "outgoing"),
        work(opt.spool_dir / "outgoing_work"),
        done_dir(opt.spool_dir / "outgoing_done"),
        failed(opt.spool_dir / "outgoing_failed"),
        due_timer(strand),
        poll_timer(strand) {}

  asio::strand<asio::io_context::executor_type> strand;
  SpoolerOptions opt;
  Dialer dialer;
  fs::path outgoing, work, done_dir, failed;
  asio::system_timer due_timer;
  asio::steady_timer poll_timer;
  std::optional<asio::posix::stream_descriptor> inotify;
  alignas(inotify_event) std::array<char, 64 * 1024> inotify_buf{};
  bool running = false;
  std::atomic<bool> stopped{false};

  std::unordered_map<std::string, Entry> entries;
  std::multimap<Clock::time_point, std::pair<std::string, std::uint64_t>> timeline;
  std::deque<std::pair<std::string, std::uint64_t>> ready;
  std::uint64_t next_gen = 1;
  std::size_t in_flight = 0;

  mutable std::mutex stats_mu;
  Stats counters;

  template <class F>
  void count(F&& f) {
    std::lock_guard lock(stats_mu);
    f(counters);
  }

  void log(SpoolLogLevel level, std::string msg) {
    if (opt.log) opt.log(level, std::move(msg));
  }

  // ---- start / stop -------------------------------------------------------------------------

  void do_start() {
    if (running || stopped) return;
    std::error_code ec;
    for (const auto& d : {outgoing, work, done_dir, failed}) {
      fs::create_directories(d, ec);
      if (ec) {
        log(SpoolLogLevel::Error, "cannot create " + d.string() + ": " + ec.message());
        return;
      }
    }
    running = true;
    reclaim();
    // Watch before scanning, so a file arriving during the scan is seen by one or the other.
    if (opt.use_inotify) open_inotify();
    scan();
    if (!inotify) arm_poll();
    pump();
  }

  void shutdown() {
    running = false;
    due_timer.cancel();
    poll_timer.cancel();
    if (inotify) {
      boost::system::error_code ec;
      inotify->close(ec);
      inotify.reset();
    }
    count([](Stats& s) { s.inotify = false; });
  }

  // ---- discovery ----------------------------------------------------------------------------

  void open_inotify() {
    int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
      log(SpoolLogLevel::Warning, "inotify unavailable, polling " + outgoing.string());
      return;
    }
    // IN_CREATE is deliberately absent: a file is only looked at once it was renamed in or its
    // writer closed it, so a half-written file is never parsed.
    if (::inotify_add_watch(fd, outgoing.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
      ::close(fd);
      log(SpoolLogLevel::Warning, "cannot watch " + outgoing.string() + ", polling instead");
      return;
    }
    inotify.emplace(strand, fd);
    count([](Stats& s) { s.inotify = true; });
    read_inotify();
  }

  void read_inotify() {
    std::weak_ptr<State> weak = weak_from_this();
    inotify->async_read_some(asio::buffer(inotify_buf),
                             [weak](boost::system::error_code ec, std::size_t n) {
                               if (auto self = weak.lock()) self->on_inotify(ec, n);
                             });
  }

  void on_inotify(boost::system::error_code ec, std::size_t n) {
    if (!running || !inotify) return;
    if (ec) {
      log(SpoolLogLevel::Error, "inotify read failed (" + ec.message() + "), polling instead");
      boost::system::error_code ignore;
      inotify->close(ignore);
      inotify.reset();
      count([](Stats& s) { s.inotify = false; });
      arm_poll();
      return;
    }
    bool rescan = false;
    bool watch_gone = false;
    std::size_t off = 0;
    while (off + sizeof(inotify_event) <= n) {
      const auto* ev = reinterpret_cast<const inotify_event*>(inotify_buf.data() + off);
      if (ev->mask & IN_Q_OVERFLOW) rescan = true;  // the kernel dropped events: trust the dir
      if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) watch_gone = true;
      if (ev->len > 0) {
        std::string_view name(ev->name, ::strnlen(ev->name, ev->len));
        consider(std::string(name));
      }
      off += sizeof(inotify_event) + ev->len;
    }
    if (watch_gone) {
      log(SpoolLogLevel::Error, outgoing.string() + " is no longer watchable, polling instead");
      boost::system::error_code ignore;
      inotify->close(ignore);
      inotify.reset();
      count([](Stats& s) { s.inotify = false; });
      arm_poll();
    } else {
      if (rescan) {
        log(SpoolLogLevel::Warning, "inotify queue overflowed; rescanning " + outgoing.string());
        scan();
      }
      read_inotify();
    }
    pump();
  }

  void arm_poll() {
    if (!running) return;
    poll_timer.expires_after(opt.poll_interval);
    std::weak_ptr<State> weak = weak_from_this();
    poll_timer.async_wait([weak](boost::system::error_code ec) {
      auto self = weak.lock();
      if (!self || ec || !self->running || self->inotify) return;
      self->scan();
      self->pump();
      self->arm_poll();
    });
  }

  void scan() {
    count([](Stats& s) { ++s.rescans; });
    std::error_code ec;
    for (fs::directory_iterator it(outgoing, ec), end; !ec && it != end; it.increment(ec))
      consider(it->path().filename().string());
    if (ec) log(SpoolLogLevel::Error, "cannot scan " + outgoing.string() + ": " + ec.message());
  }

  // A name was seen in outgoing (event or scan): schedule it by its mtime.
  void consider(const std::string& name) {
    if (files::is_hidden(name)) return;
    auto mtime = files::regular_file_mtime(outgoing / name);
    if (!mtime) return;  // gone already (claimed, deleted) or not a regular file
    auto it = entries.find(name);
    if (it != entries.end()) {
      Entry& e = it->second;
      if (e.phase == Phase::InFlight) {
        refuse_twin(name);
        return;
      }
      if (e.due == *mtime) return;  // same file seen again (scan after event)
    } else {
      it = entries.emplace(name, Entry{}).first;
      count([](Stats& s) { ++s.seen; });
    }
    schedule(it->first, it->second, *mtime);
  }

  void schedule(const std::string& name, Entry& e, Clock::time_point due) {
    e.phase = Phase::Waiting;
    e.due = due;
    e.gen = next_gen++;
    if (due <= Clock::now()) {
      e.phase = Phase::Ready;
      ready.emplace_back(name, e.gen);
    } else {
      bool earliest = timeline.empty() || due < timeline.begin()->first;
      timeline.emplace(due, std::make_pair(name, e.gen));
      if (earliest) arm_due_timer();
    }
  }

  void arm_due_timer() {
    if (timeline.empty() || !running) return;
    due_timer.expires_at(timeline.begin()->first);
    std::weak_ptr<State> weak = weak_from_this();
    due_timer.async_wait([weak](boost::system::error_code ec) {
      auto self = weak.lock();
      if (!self || ec == asio::error::operation_aborted || !self->running) return;
      self->release_due();
    });
  }

  void release_due() {
    auto now = Clock::now();
    while (!timeline.empty() && timeline.begin()->first <= now) {
      auto [name, gen] = std::move(timeline.begin()->second);
      timeline.erase(timeline.begin());
      auto it = entries.find(name);
      if (it == entries.end() || it->second.gen != gen || it->second.phase != Phase::Waiting)
        continue;
      it->second.phase = Phase::Ready;
      ready.emplace_back(std::move(name), gen);
    }
    arm_due_timer();
    pump();
  }

  // ---- dialing ------------------------------------------------------------------------------

  void pump() {
    while (running && in_flight < opt.max_in_flight && !ready.empty()) {
      auto [name, gen] = std::move(ready.front());
      ready.pop_front();
      auto it = entries.find(name);
      if (it == entries.end() || it->second.gen != gen || it->second.phase != Phase::Ready)
        continue;
      claim(it);
    }
    publish_gauges();
  }

  void publish_gauges() {
    std::size_t waiting = entries.size() - in_flight;
    count([&](Stats& s) {
      s.waiting = waiting;
      s.in_flight = in_flight;
    });
  }

  void claim(std::unordered_map<std::string, Entry>::iterator it) {
    const std::string name = it->first;  // a copy: finishing may erase the entry
    // inotify does not report a `touch` of a waiting file; look once more before dialing.
    if (auto m = files::regular_file_mtime(outgoing / name); m && *m > Clock::now()) {
      schedule(name, it->second, *m);
      return;
    }
    std::string err;
    switch (files::move_no_replace(outgoing / name, work / name, &err)) {
      case MoveResult::Moved: break;
      case MoveResult::SourceMissing:  // removed by its owner before it was due
        entries.erase(it);
        return;
      case MoveResult::TargetExists:
        // Only a file left behind in outgoing_work that reclaim could not move can be there.
        log(SpoolLogLevel::Error, "cannot claim " + name + ": outgoing_work/" + name +
                                      " exists; refusing the newcomer");
        refuse_twin(name);
        entries.erase(it);
        return;
      case MoveResult::OtherError:
        log(SpoolLogLevel::Error, "cannot claim " + name + ": " + err + "; will retry next scan");
        entries.erase(it);
        return;
    }
    count([](Stats& s) { ++s.claimed; });
    it->second.phase = Phase::InFlight;
    ++in_flight;

    auto parsed = load(work / name, name);
    if (!parsed) {
      to_failed(name, parsed.error().to_string());
      return;
    }
    it->second.file = std::make_shared<CallFile>(std::move(*parsed));
    begin_attempt(name, it->second);
  }

  Result<CallFile> load(const fs::path& path, const std::string& name) {
    auto text = files::read_small_file(path, opt.max_file_size);
    if (!text) return fail(text.error().message, name);
    auto cf = parse_call_file(*text, name);
    if (cf)
      for (const auto& w : cf->warnings) log(SpoolLogLevel::Warning, w.to_string());
    return cf;
  }

  void begin_attempt(const std::string& name, Entry& e) {
    const CallFile& cf = *e.file;
    if (cf.attempts >= cf.max_retries + 1) {  // the file came back with its attempts used up
      verdict(name, "Expired");
      return;
    }
    int attempt = cf.attempts + 1;
    // The journal line goes to disk before the dial, so a crash mid-dial counts the attempt.
    if (auto r = files::append_journal_line(work / name, "StartRetry", attempt, opt.sync_journal);
        !r) {
      log(SpoolLogLevel::Error, r.error().to_string() + "; putting " + name + " back");
      files::move_no_replace(work / name, outgoing / name);
      e.file.reset();
      finish_slot(name, false);
      return;
    }
    count([](Stats& s) { ++s.attempts; });
    auto self = shared_from_this();
    auto file = e.file;
    auto once = std::make_shared<std::atomic<bool>>(false);
    auto done = [self, name, file, attempt, once](DialReason reason) {
      if (once->exchange(true)) return;  // "exactly once" is the Dialer's contract; be safe
      asio::post(self->strand, [self, name, file, attempt, reason] {
        self->on_attempt_done(name, *file, attempt, reason);
      });
    };
    DialAttempt a{cf, attempt, name, work / name};
    dialer(a, std::move(done));
  }

  void on_attempt_done(const std::string& name, const CallFile& cf, int attempt, DialReason reason) {
    if (reason == DialReason::Answered) {
      verdict(name, "Completed");
      return;
    }
    auto path = work / name;
    if (auto r = files::append_journal_line(path, "EndRetry", attempt, opt.sync_journal); !r)
      log(SpoolLogLevel::Error, r.error().to_string());
    if (attempt >= cf.max_retries + 1) {
      verdict(name, "Expired");
      return;
    }
    auto due = Clock::now() + std::chrono::seconds(cf.retry_time);
    files::set_mtime(path, due);
    count([](Stats& s) { ++s.retries_scheduled; });
    log(SpoolLogLevel::Notice, name + ": attempt " + std::to_string(attempt) + " of " +
                                   std::to_string(cf.max_retries + 1) + " failed (reason " +
                                   std::to_string(static_cast<int>(reason)) + "), retry in " +
                                   std::to_string(cf.retry_time) + " s");
    put_back(name, due);
  }

  // Writes the verdict into the journal, then archives, deletes, or keeps the file for reuse.
  void verdict(const std::string& name, std::string_view status) {
    auto path = work / name;
    auto it = entries.find(name);
    bool archive = false, always_delete = true;
    if (it != entries.end() && it->second.file) {
      archive = it->second.file->archive;
      always_delete = it->second.file->always_delete;
    }
    // Read before the append: the Status line itself would move the mtime to now.
    auto mtime = files::regular_file_mtime(path);
    if (auto r = files::append_line(path, "Status: " + std::string(status), opt.sync_journal); !r)
      log(SpoolLogLevel::Error, r.error().to_string());
    count([&](Stats& s) { ++(status == "Completed" ? s.completed : s.expired); });
    dispose(name, archive, always_delete, mtime);
  }

  void dispose(const std::string& name, bool archive, bool always_delete,
               std::optional<Clock::time_point> mtime) {
    auto path = work / name;
    if (!always_delete && mtime && *mtime > Clock::now()) {
      // Asterisk's "reuse the file": dialplan pushed the mtime into the future.
      files::set_mtime(path, *mtime);
      count([](Stats& s) { ++s.reused; });
      put_back(name, *mtime);
      return;
    }
    std::error_code ec;
    if (archive) {
      fs::rename(path, done_dir / name, ec);
      if (ec) log(SpoolLogLevel::Error, "cannot archive " + name + ": " + ec.message());
    } else {
      fs::remove(path, ec);
      if (ec) log(SpoolLogLevel::Error, "cannot delete " + path.string() + ": " + ec.message());
    }
    finish_slot(name, false);
  }

  // work/<name> goes back to outgoing to wait for `due`. A newcomer of the same name that
  // arrived meanwhile is a twin: it is refused so the file with the history is never clobbered.
  void put_back(const std::string& name, Clock::time_point due) {
    for (int tries = 0; tries < 3; ++tries) {
      std::string err;
      auto r = files::move_no_replace(work / name, outgoing / name, &err);
      if (r == MoveResult::Moved) {
        finish_slot(name, true, due);
        return;
      }
      if (r == MoveResult::TargetExists) {
        refuse_twin(name);
        continue;
      }
      log(SpoolLogLevel::Error, "cannot put " + name + " back in outgoing: " +
                                    (r == MoveResult::SourceMissing ? "it vanished" : err));
      break;
    }
    finish_slot(name, false);
  }

  // The attempt's slot is free; the entry either waits again in outgoing or is forgotten.
  void finish_slot(const std::string& name, bool waiting_again, Clock::time_point due = {}) {
    auto it = entries.find(name);
    if (it != entries.end()) {
      if (it->second.phase == Phase::InFlight && in_flight > 0) --in_flight;
      it->second.file.reset();
      if (waiting_again)
        schedule(it->first, it->second, due);
      else
        entries.erase(it);
    }
    pump();
  }

  void to_failed(const std::string& name, const std::string& reason) {
    log(SpoolLogLevel::Error, reason + " (moved to outgoing_failed)");
    // Status: Failed is the verdict, as Asterisk writes it; the file is otherwise untouched.
    if (auto r = files::append_line(work / name, "Status: Failed", opt.sync_journal); !r)
      log(SpoolLogLevel::Error, r.error().to_string());
    if (auto r = files::move_to_failed(work / name, failed, reason); !r)
      log(SpoolLogLevel::Error, r.error().to_string());
    count([](Stats& s) { ++s.failed; });
    finish_slot(name, false);
  }

  void refuse_twin(const std::string& name) {
    std::string reason = name + ": a call file of this name is being dialed; refusing the "
                                "newcomer so neither is lost or dialed twice";
    log(SpoolLogLevel::Warning, reason);
    if (auto r = files::move_to_failed(outgoing / name, failed, reason); !r)
      log(SpoolLogLevel::Error, r.error().to_string());
    else
      count([](Stats& s) { ++s.twins_refused; });
  }

  // ---- crash recovery -----------------------------------------------------------------------

  // Everything in outgoing_work was claimed by a spooler that did not finish it.
  void reclaim() {
    std::error_code ec;
    std::vector<std::string> names;
    for (fs::directory_iterator it(work, ec), end; !ec && it != end; it.increment(ec))
      if (!files::is_hidden(it->path().filename().string()))
        names.push_back(it->path().filename().string());
    for (const auto& name : names) {
      count([](Stats& s) { ++s.reclaimed; });
      auto path = work / name;
      Entry& e = entries[name];
      e.phase = Phase::InFlight;
      ++in_flight;
      auto parsed = load(path, name);
      if (!parsed) {
        to_failed(name, parsed.error().to_string());
        continue;
      }
      e.file = std::make_shared<CallFile>(std::move(*parsed));
      const CallFile& cf = *e.file;
      switch (cf.tail) {
        case JournalTail::Finished: {
          // The verdict was written; only the move/delete was lost.
          log(SpoolLogLevel::Notice, name + ": finishing (Status: " + cf.status + ") after restart");
          dispose(name, cf.archive, cf.always_delete, files::regular_file_mtime(path));
          break;
        }
        case JournalTail::AttemptOpen: {
          // The daemon died while this attempt was dialing (or before its verdict reached the
          // file): its outcome is unknown, so it is not counted against MaxRetries and the file
          // is dialed again at once. Losing a wake-up call is worse than ringing twice; a call
          // whose verdict was written (Finished above) is never redialed.
          if (auto r = files::append_journal_line(path, "AbortRetry", cf.attempts, opt.sync_journal);
              !r)
            log(SpoolLogLevel::Error, r.error().to_string());
          log(SpoolLogLevel::Notice, name + ": attempt " + std::to_string(cf.attempts) +
                                         " was interrupted by a restart; dialing it again");
          auto now = Clock::now();
          files::set_mtime(path, now);
          put_back(name, now);
          break;
        }
        case JournalTail::AttemptEnded:
        case JournalTail::None: {
          auto mtime = files::regular_file_mtime(path).value_or(Clock::now());
          put_back(name, mtime);
          break;
        }
      }
    }
  }
};

// ---- public face ------------------------------------------------------------------------------

CallFileSpooler::CallFileSpooler(asio::io_context& io, SpoolerOptions options, Dialer dialer)
    : state_(std::make_shared<State>(io, std::move(options), std::move(dialer))) {}

CallFileSpooler::~CallFileSpooler() {
  // Called with the io_context idle or from its own thread (the asio rule for destroying I/O
  // objects); in-flight attempts keep the state alive until their done is called.
  state_->stopped = true;
  state_->shutdown();
}

void CallFileSpooler::start() {
  asio::post(state_->strand, [s = state_] { s->do_start(); });
}

void CallFileSpooler::stop() {
  state_->stopped = true;
  asio::post(state_->strand, [s = state_] { s->shutdown(); });
}

CallFileSpooler::Stats CallFileSpooler::stats() const {
  std::lock_guard lock(state_->stats_mu);
  return state_->counters;
}

}  // namespace telephony::spool
