// Call detail records, as Asterisk 12+ writes them.
//
// CdrEngine follows the engine's event bus (its own bounded subscriber) and keeps, for every
// channel that is a "Party A", an open record: who called (src, clid), where the dialplan took it
// (dcontext, dst, lastapp, lastdata), who it reached (dstchannel: the Party B a Dial or a bridge
// gave it), start/answer/end and the disposition (ANSWERED, NO ANSWER, BUSY, FAILED,
// CONGESTION). A channel dialed by another is that channel's Party B, not a record of its own, so
// a plain A->B call gives ONE record. Each Party B of a parallel Dial gets its own record (A->B
// NO ANSWER, A->C ANSWERED); a second Dial after the first ended starts a new record; when a
// bridge ends and Party A continues in the dialplan, a new record starts at its next step. A
// Local channel pair gives the two records Asterisk writes without optimisation (A->Local;1 and
// Local;2->B). Details and the differences from Asterisk: docs/cdr.md.
//
// Finished records go to every registered CdrBackend (csv, custom templates, SQLite) on the
// engine's blocking pool, in posting order, and are announced on the bus as CdrPosted (the AMI
// `Cdr` event). The dialplan reaches records through CDR(), CDR_PROP(), NoCDR(), ResetCDR() and
// ForkCDR(); their changes travel as CdrControl events so they apply in order with the call's
// own events.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "telephony/events.hpp"
#include "telephony/result.hpp"

namespace telephony {

class Engine;

enum class CdrDisposition { NoAnswer, Failed, Busy, Answered, Congestion };
std::string_view to_string(CdrDisposition d);  // "NO ANSWER", "FAILED", "BUSY", "ANSWERED", "CONGESTION"

struct CdrRecord {
  std::string accountcode;
  std::string src;        // caller id number
  std::string dst;        // extension
  std::string dcontext;   // context
  std::string clid;       // "Name" <number>
  std::string channel;
  std::string dstchannel;
  std::string lastapp;
  std::string lastdata;
  std::chrono::system_clock::time_point start;
  std::optional<std::chrono::system_clock::time_point> answer;
  std::chrono::system_clock::time_point end;
  long long duration = 0;  // seconds, end - start (rounded)
  long long billsec = 0;   // seconds, end - answer (rounded); 0 when not answered
  CdrDisposition disposition = CdrDisposition::NoAnswer;
  std::string amaflags = "DOCUMENTATION";
  std::string uniqueid;
  std::string linkedid;
  std::string userfield;
  std::string peeraccount;
  std::uint64_t sequence = 0;
  std::vector<std::pair<std::string, std::string>> variables;  // CDR(name)=value

  // A field by its CDR() name (start, answer, end as "YYYY-MM-DD HH:MM:SS"; `raw` gives epoch
  // seconds with microseconds and the numeric disposition/amaflags, as CDR(x,u)).
  std::optional<std::string> field(std::string_view name, bool raw = false) const;
};

// "YYYY-MM-DD HH:MM:SS" local time (or UTC), "" for an absent time.
std::string cdr_time(std::optional<std::chrono::system_clock::time_point> t, bool utc = false);

// A place records go. write() runs on the engine's blocking pool, one call at a time and in
// posting order; it may batch. A failing write is logged by the engine and counted.
class CdrBackend {
 public:
  virtual ~CdrBackend() = default;
  virtual std::string_view name() const = 0;  // "csv", "custom", "sqlite3_custom"
  virtual Result<void> write(const std::vector<CdrRecord>& records) = 0;
};

struct CdrSettings {
  bool enabled = true;
  bool unanswered = false;        // log records with no answer and no Party B
  bool congestion = false;        // CONGESTION instead of FAILED for congestion causes
  bool endbeforehexten = true;    // end time set before the h extension runs (its apps do not show)
  bool initiatedseconds = false;  // billsec counts a started second
};

// Announced after a record is final (the AMI `Cdr` event, metrics).
struct CdrPosted : Event {
  static constexpr std::string_view kType = "CdrPosted";
  std::string_view type() const override { return kType; }
  CdrRecord record;
};

// What CDR()/CDR_PROP()/NoCDR/ResetCDR/ForkCDR ask of a channel's records, in event order.
struct CdrControl : Event {
  static constexpr std::string_view kType = "CdrControl";
  std::string_view type() const override { return kType; }
  enum class Op { SetField, Disable, Enable, Reset, Fork, PartyA };
  std::string uniqueid;
  Op op = Op::SetField;
  std::string name;   // SetField: the field or variable
  std::string value;
  std::string options;  // ResetCDR/ForkCDR options
};

struct CdrStats {
  std::uint64_t posted = 0;       // records handed to the backends
  std::uint64_t written = 0;      // records every backend accepted
  std::uint64_t write_errors = 0;
  std::uint64_t by_disposition[5] = {};  // indexed by CdrDisposition
};

class CdrEngine : public std::enable_shared_from_this<CdrEngine> {
 public:
  explicit CdrEngine(Engine& engine);
  ~CdrEngine();
  void start();
  void stop();
  void set_settings(CdrSettings s);
  CdrSettings settings() const;

  void add_backend(std::shared_ptr<CdrBackend> b);
  void clear_backends();
  std::vector<std::string> backend_names() const;

  // The channel's current record (the open one, else the last posted), after every event
  // published so far has been applied (waits up to 200 ms for the CDR queue to catch up).
  std::optional<CdrRecord> current(std::string_view uniqueid);
  // Blocks until every record posted so far has been written (tests, shutdown); false on timeout.
  bool flush(std::chrono::milliseconds timeout);
  CdrStats stats() const;

  struct State;  // per-channel bookkeeping, defined in src/cdr

 private:
  void on_event(const EventPtr& ev);
  void post(CdrRecord r);
  void drain_writes();

  Engine& engine_;
  EventBus::Subscription sub_;
  std::unique_ptr<State> state_;  // strand-only (the subscription's)
  mutable std::mutex mu_;
  std::condition_variable cv_;
  CdrSettings settings_;
  std::vector<std::shared_ptr<CdrBackend>> backends_;
  std::vector<CdrRecord> pending_;  // posted, not yet handed to a writer
  bool writing_ = false;
  std::uint64_t applied_seq_ = 0;   // last bus seq applied
  std::map<std::string, CdrRecord, std::less<>> current_;  // by uniqueid, for CDR() reads
  CdrStats stats_;
  std::uint64_t sequence_ = 0;
};

}  // namespace telephony
