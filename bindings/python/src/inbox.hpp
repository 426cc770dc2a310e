// The boundary between engine threads and Python. Engine threads never take the GIL: whatever
// they have for Python (an application call, a function call, the outcome of an operation) is
// pushed into an Inbox, and Python threads take it from there and run the Python side with the
// GIL held. An Inbox is drained either by blocking takers (the worker threads that run plain
// Python callbacks) or by an asyncio loop that watches its eventfd (add_reader) — the eventfd is
// readable exactly while items are queued.
//
// Operation is the outcome of one engine call made from Python (answer, play, originate …): the
// engine completes it once, from any thread, with a C++ closure that builds the Python value
// later under the GIL; Python either waits for it (GIL released, Ctrl-C checked) or watches it
// through a loop's Inbox, which is how asyncio futures get completed without engine threads
// touching Python objects.
#pragma once

#include <pybind11/pybind11.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace telephony::python {

namespace py = pybind11;

// Anything an Inbox carries; the concrete types are bound to Python (AppCall, FunctionCall,
// Operation), so Python sees the most derived type.
class InboxItem {
 public:
  virtual ~InboxItem() = default;
};

class Inbox {
 public:
  Inbox();
  ~Inbox();
  Inbox(const Inbox&) = delete;
  Inbox& operator=(const Inbox&) = delete;

  // Any thread, never blocks on Python. Dropped when the inbox is closed.
  void push(std::shared_ptr<InboxItem> item);
  // Up to `max` items, waiting up to `timeout` (nullopt: no limit) for the first; empty when the
  // inbox is closed or the wait timed out. Call without the GIL.
  std::vector<std::shared_ptr<InboxItem>> take(std::size_t max, std::optional<std::chrono::milliseconds> timeout);
  // Readable while items are queued.
  int fileno() const { return fd_; }
  void close();
  bool closed() const;
  std::size_t queued() const;
  // Takers blocked in take() right now.
  std::size_t waiting() const { return waiting_.load(); }
  // How a worker pool decides to grow (call without the GIL): blocks until the oldest queued item
  // has waited `threshold` while no taker waits or is on its way (every worker is busy), true;
  // false when the inbox closes or `timeout` passes first.
  bool wait_stalled(std::chrono::milliseconds threshold, std::chrono::milliseconds timeout);
  // A taker is on its way (a worker thread being started): no stall is reported until it, or any
  // taker, enters take().
  void expect_taker();

 private:
  void reset_fd_locked();

  int fd_ = -1;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<InboxItem>> items_;
  std::deque<std::chrono::steady_clock::time_point> pushed_at_;  // beside items_
  std::condition_variable stall_cv_;  // wait_stalled(): pushes, takes and close
  std::size_t arriving_ = 0;          // expect_taker() not yet matched by a take()
  bool closed_ = false;
  bool signalled_ = false;
  std::atomic<std::size_t> waiting_{0};
};

class Operation : public InboxItem, public std::enable_shared_from_this<Operation> {
 public:
  // Builds the Python value with the GIL held, or throws the Python exception to raise. Must
  // capture C++ values only: it may be destroyed on an engine thread.
  using Maker = std::function<py::object()>;

  // Any thread; the first completion wins.
  void complete(Maker make);
  bool done() const;
  // Blocks until done, releasing the GIL, checking for Ctrl-C every 100 ms; then result().
  py::object wait();
  // Waits up to `seconds` (GIL released); false on timeout.
  bool wait_for(double seconds);
  // The value (GIL held). Raises the stored exception.
  py::object result();
  // Pushes this operation into `inbox` when done (at once if it is), tagged with `token`.
  void watch(std::shared_ptr<Inbox> inbox, std::uint64_t token);
  std::uint64_t token() const { return token_; }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  Maker make_;
  std::shared_ptr<Inbox> watcher_;
  std::uint64_t token_ = 0;
};

// A completion with no value (None).
Operation::Maker none_result();
// Raises `type(message)` when the result is read; `type` is a borrowed module-level exception.
Operation::Maker error_result(PyObject* type, std::string message);

// Marks the current thread as a Python thread that released the GIL to call into the engine, so
// that engine code calling back into Python on this very thread (a Python dialplan function read
// through get_variable) runs the callback inline instead of handing it to a worker and waiting.
class EngineCall {
 public:
  EngineCall();
  ~EngineCall();
  EngineCall(const EngineCall&) = delete;
  EngineCall& operator=(const EngineCall&) = delete;
  static bool active();

 private:
  py::gil_scoped_release release_;
  bool previous_;
};

}  // namespace telephony::python
