// Dialplan applications and functions written in Python.
//
// An application's engine side is a C++ coroutine on the channel's strand that pushes an AppCall
// into an inbox — the worker threads' for a plain function, the asyncio loop's for a coroutine
// function — and waits, without blocking any thread, until Python finishes it or the channel is
// hung up (Channel::wait_until; hangup wakes it). On hangup the call is abandoned: the dialplan
// goes on to `h` at once, a coroutine application is cancelled, and channel operations the
// Python code still makes raise HangupError. A slow application therefore never holds an engine
// thread, and a raising one is logged with its traceback and ends the call (like an Asterisk
// application returning -1).
//
// Dialplan functions are synchronous in the engine (substitution calls them inline), so a Python
// function's read/write runs on a worker thread while the engine thread waits for it, at most
// HostOptions::function_timeout; past that the function fails with a logged error. When the
// caller is itself a Python thread (get_variable("MYFUNC()") from a script), the callback runs
// inline on it.
#pragma once

#include <pybind11/pybind11.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "engine_host.hpp"
#include "inbox.hpp"
#include "telephony/channel.hpp"
#include "telephony/documentation.hpp"

namespace telephony::python {

class AppCall : public InboxItem {
 public:
  AppCall(std::uint64_t id, std::weak_ptr<EngineHost> host, Channel::Ptr chan, std::string app, std::string data,
          bool coroutine);

  std::uint64_t id() const { return id_; }
  const std::string& application() const { return app_; }
  const std::string& data() const { return data_; }
  bool coroutine() const { return coroutine_; }
  const Channel::Ptr& channel() const { return chan_; }
  std::shared_ptr<EngineHost> host() const { return host_.lock(); }

  // Python: the application returned (hangup: it asked to end the dialplan, or raised).
  void finish(bool hangup);
  bool finished() const { return done_.load(); }
  bool hangup_requested() const { return hangup_.load(); }
  // Engine: the channel went away first.
  void abandon() { abandoned_ = true; }
  bool abandoned() const { return abandoned_.load(); }

 private:
  const std::uint64_t id_;
  std::weak_ptr<EngineHost> host_;
  Channel::Ptr chan_;
  const std::string app_;
  const std::string data_;
  const bool coroutine_;
  std::atomic<bool> done_{false};
  std::atomic<bool> hangup_{false};
  std::atomic<bool> abandoned_{false};
};

class FunctionCall : public InboxItem {
 public:
  FunctionCall(std::weak_ptr<EngineHost> host, Channel::Ptr chan, std::string name, std::string args,
               std::optional<std::string> value);

  const std::string& name() const { return name_; }
  const std::string& args() const { return args_; }
  // Set for a write.
  const std::optional<std::string>& value() const { return value_; }
  const Channel::Ptr& channel() const { return chan_; }
  std::shared_ptr<EngineHost> host() const { return host_.lock(); }

  void succeed(std::string result);
  void fail(std::string message);
  // Engine side: waits for succeed/fail; false on timeout.
  bool wait(std::chrono::milliseconds timeout);
  bool ok() const { return ok_; }
  const std::string& result() const { return result_; }

 private:
  std::weak_ptr<EngineHost> host_;
  Channel::Ptr chan_;
  const std::string name_;
  const std::string args_;
  const std::optional<std::string> value_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  bool ok_ = false;
  std::string result_;
};

// Registers (or replaces) a dialplan application that hands each call to Python.
void register_python_application(EngineHost& host, const std::string& name, bool coroutine, Documentation doc);
// Registers (or replaces) a dialplan function; `readable`/`writable` say which halves Python has.
void register_python_function(EngineHost& host, const std::string& name, bool readable, bool writable,
                              Documentation doc);

}  // namespace telephony::python
