// EngineHost: the C++ object behind `telephony.Engine`. It owns the telephony::Engine, builds it
// from a configuration directory (the same wiring as telephonyd: host/config_directory.hpp) or
// from code (Local channels, the dialplan executor and its applications, ConfBridge/Page, the
// call-file spooler on a state directory), and keeps what the Python boundary needs: the inbox of
// the worker threads that run plain Python callbacks, the inbox of the asyncio loop that runs
// coroutine applications, and the operations and event streams to end when the engine stops.
//
// Lifetime: Python objects (Engine, Channel, event iterators) hold the host by shared_ptr, so the
// engine outlives every Python handle to its channels. Engine threads only ever hold weak_ptrs:
// the last reference is always dropped by Python, never by an engine thread (which could not join
// itself).
#pragma once

#include <pybind11/pybind11.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <map>
#include <string>
#include <vector>

#include "inbox.hpp"
#include "telephony/engine.hpp"

namespace telephony::python {

class EventStream;

struct HostOptions {
  std::optional<std::filesystem::path> config_dir;
  std::optional<unsigned> threads;
  // Engines made from code keep their state here (spool/, run/, db/, log/); Python passes a
  // temporary directory when the script names none.
  std::filesystem::path state_dir;
  std::optional<std::filesystem::path> sounds_dir;
  std::string system_name;
  std::chrono::milliseconds function_timeout{1000};
};

class EngineHost : public std::enable_shared_from_this<EngineHost> {
 public:
  // Raises ConfigError (every error with file:line) when the configuration is refused. GIL held.
  static std::shared_ptr<EngineHost> create(HostOptions options);
  ~EngineHost();
  EngineHost(const EngineHost&) = delete;
  EngineHost& operator=(const EngineHost&) = delete;

  Engine& engine() { return *engine_; }
  const HostOptions& options() const { return options_; }
  void start();
  // Hangs every channel up (grace, then forced), stops the engine threads, ends every pending
  // operation with EngineStoppedError and every event stream. Idempotent.
  void stop(std::chrono::milliseconds grace);
  bool running() const { return engine_->running(); }
  bool stopped() const;

  // Plain Python callbacks (sync applications, functions) go here.
  const std::shared_ptr<Inbox>& workers() const { return workers_; }
  // Coroutine applications go to the inbox of the loop that runs them; null until Python sets it.
  std::shared_ptr<Inbox> app_inbox() const;
  void set_app_inbox(std::shared_ptr<Inbox> inbox);
  // The Python function that runs one FunctionCall inline (on a Python thread that called into
  // the engine). GIL held for both.
  void set_dispatcher(py::object fn);
  py::object dispatcher() const;

  // Registers `op` so that stop() can end it; returns it. An operation started after stop() is
  // ended at once.
  std::shared_ptr<Operation> track(std::shared_ptr<Operation> op);
  void untrack(const Operation* op);
  void track_stream(const std::shared_ptr<EventStream>& stream);

  // Writes to the engine log (Python tracebacks go through here, source "python").
  void log(LogLevel level, const std::string& message);

 private:
  explicit EngineHost(HostOptions options);
  void wire_from_code();

  HostOptions options_;
  std::unique_ptr<Engine> engine_;
  std::shared_ptr<Inbox> workers_ = std::make_shared<Inbox>();
  mutable std::mutex mu_;
  std::shared_ptr<Inbox> app_inbox_;
  py::object dispatcher_;  // GIL-guarded
  std::map<const Operation*, std::shared_ptr<Operation>> operations_;
  std::vector<std::weak_ptr<EventStream>> streams_;
  bool stopped_ = false;
};

}  // namespace telephony::python
