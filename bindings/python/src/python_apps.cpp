#include "python_apps.hpp"

#include "telephony/dialplan/application.hpp"
#include "telephony/dialplan/executor.hpp"

namespace telephony::python {

namespace asio = boost::asio;

AppCall::AppCall(std::uint64_t id, std::weak_ptr<EngineHost> host, Channel::Ptr chan, std::string app,
                 std::string data, bool coroutine)
    : id_(id), host_(std::move(host)), chan_(std::move(chan)), app_(std::move(app)), data_(std::move(data)),
      coroutine_(coroutine) {}

void AppCall::finish(bool hangup) {
  hangup_ = hangup;
  done_ = true;
  // Re-checks the dialplan coroutine's wait (posted to the strand; no GIL involved).
  chan_->wake();
}

FunctionCall::FunctionCall(std::weak_ptr<EngineHost> host, Channel::Ptr chan, std::string name, std::string args,
                           std::optional<std::string> value)
    : host_(std::move(host)), chan_(std::move(chan)), name_(std::move(name)), args_(std::move(args)),
      value_(std::move(value)) {}

void FunctionCall::succeed(std::string result) {
  {
    std::lock_guard lock(mu_);
    if (done_) return;
    done_ = ok_ = true;
    result_ = std::move(result);
  }
  cv_.notify_all();
}

void FunctionCall::fail(std::string message) {
  {
    std::lock_guard lock(mu_);
    if (done_) return;
    done_ = true;
    ok_ = false;
    result_ = std::move(message);
  }
  cv_.notify_all();
}

bool FunctionCall::wait(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return done_; });
}

namespace {

std::atomic<std::uint64_t> next_call_id{1};

// `host` is a raw pointer on purpose: engine threads never own the host (an engine thread that
// dropped the last reference would have to join itself), and the host cannot go away while this
// runs, since destroying it stops — joins — the engine threads first.
asio::awaitable<dialplan::AppResult> run_python_app(EngineHost* host, std::string name, bool coroutine,
                                                    dialplan::Execution& x, std::string data) {
  auto chan = x.channel_ptr();
  std::shared_ptr<Inbox> inbox = coroutine ? host->app_inbox() : host->workers();
  if (!inbox || inbox->closed()) {
    host->log(LogLevel::Error, name + ": no Python " + (coroutine ? "event loop" : "worker") +
                                   " is running for this application (" + chan->name() + ")");
    co_return dialplan::AppResult::Hangup;
  }
  auto call = std::make_shared<AppCall>(next_call_id++, host->weak_from_this(), chan, name, std::move(data), coroutine);
  inbox->push(call);
  // A named std::function, not a lambda temporary inside the co_await: GCC 12 destroys such
  // temporaries twice (the captured shared_ptr would lose a reference).
  std::function<bool()> python_done = [call] { return call->finished(); };
  const bool finished = co_await chan->wait_until(python_done, std::chrono::milliseconds(-1));
  if (!finished) {
    // Hung up (or redirected) while Python still runs: the dialplan moves on now.
    call->abandon();
    if (coroutine) inbox->push(call);  // the loop cancels the task
    co_return dialplan::AppResult::Hangup;
  }
  co_return call->hangup_requested() ? dialplan::AppResult::Hangup : dialplan::AppResult::Continue;
}

// Runs one function call through Python: inline when this thread is a Python thread that called
// into the engine, else on a worker while this (engine) thread waits up to the timeout.
void call_python_function(EngineHost* host, const std::shared_ptr<FunctionCall>& call) {
  if (EngineCall::active()) {
    py::gil_scoped_acquire gil;
    try {
      host->dispatcher()(call);
    } catch (py::error_already_set& e) {
      call->fail(e.what());
    }
    return;
  }
  host->workers()->push(call);
  const auto timeout = host->options().function_timeout;
  if (!call->wait(timeout)) {
    call->fail("timed out");
    host->log(LogLevel::Error, call->name() + ": the Python function did not return within " +
                                   std::to_string(timeout.count()) + " ms; the dialplan got an error");
  }
}

Channel::Ptr shared_channel(Channel* c) { return c ? c->shared_from_this() : nullptr; }

}  // namespace

void register_python_application(EngineHost& host, const std::string& name, bool coroutine, Documentation doc) {
  EngineHost* self = &host;
  auto app = std::make_shared<dialplan::Application>();
  app->name = name;
  app->doc = std::move(doc);
  app->run = [self, name, coroutine](dialplan::Execution& x, std::string_view data) {
    return run_python_app(self, name, coroutine, x, std::string(data));
  };
  (void)host.engine().applications().add(name, std::move(app), true);
}

void register_python_function(EngineHost& host, const std::string& name, bool readable, bool writable,
                              Documentation doc) {
  // Raw pointer: see run_python_app. Functions run on engine threads or on a Python thread that
  // holds the host through the object it called.
  EngineHost* self = &host;
  auto fn = std::make_shared<dialplan::Function>();
  fn->name = name;
  fn->doc = std::move(doc);
  if (readable) {
    fn->read = [self](const dialplan::FunctionCall& c) -> Result<std::string> {
      auto call = std::make_shared<FunctionCall>(self->weak_from_this(), shared_channel(c.channel),
                                                 std::string(c.name), std::string(c.args), std::nullopt);
      call_python_function(self, call);
      if (!call->ok()) return fail(std::string(c.name) + ": " + call->result());
      return call->result();
    };
  }
  if (writable) {
    fn->write = [self](const dialplan::FunctionCall& c, std::string_view value) -> Result<void> {
      auto call = std::make_shared<FunctionCall>(self->weak_from_this(), shared_channel(c.channel),
                                                 std::string(c.name), std::string(c.args), std::string(value));
      call_python_function(self, call);
      if (!call->ok()) return fail(std::string(c.name) + ": " + call->result());
      return {};
    };
  }
  (void)host.engine().functions().add(name, std::move(fn), true);
}

}  // namespace telephony::python
