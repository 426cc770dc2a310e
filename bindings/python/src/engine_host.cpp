#include "engine_host.hpp"

#include "config_directory.hpp"
#include "daemon_config.hpp"
#include "errors.hpp"
#include "event_stream.hpp"
#include "telephony/astdb.hpp"
#include "telephony/confbridge.hpp"
#include "telephony/core_commands.hpp"
#include "telephony/dialplan/functions.hpp"
#include "telephony/dialplan/module.hpp"
#include "telephony/local/local_driver.hpp"
#include "telephony/originate.hpp"
#include "telephony/spool/module.hpp"

namespace telephony::python {

namespace fs = std::filesystem;

EngineHost::EngineHost(HostOptions options) : options_(std::move(options)) {}

std::shared_ptr<EngineHost> EngineHost::create(HostOptions options) {
  std::shared_ptr<EngineHost> host(new EngineHost(std::move(options)));
  auto& o = host->options_;
  if (o.config_dir) {
    auto cfg = telephonyd::load_daemon_config(*o.config_dir);
    if (!cfg) raise_config_error(cfg.error());
    if (o.threads) cfg->engine.threads = *o.threads;
    if (o.sounds_dir) cfg->engine.dirs.sounds = *o.sounds_dir;
    if (!o.system_name.empty()) cfg->engine.system_name = o.system_name;
    telephonyd::create_state_directories(*cfg);
    host->engine_ = std::make_unique<Engine>(cfg->engine);
    Result<void, Errors> wired;
    {
      EngineCall call;
      wired = telephonyd::load_config_directory(*host->engine_, *cfg, true);
    }
    if (!wired) raise_config_error(wired.error());
    return host;
  }
  EngineOptions eo;
  eo.threads = o.threads.value_or(0);
  eo.system_name = o.system_name;
  auto& d = eo.dirs;
  d.config = o.state_dir;
  d.spool = o.state_dir / "spool";
  d.run = o.state_dir / "run";
  d.db = o.state_dir / "db";
  d.log = o.state_dir / "log";
  d.recordings = d.spool / "monitor";
  d.data = o.state_dir / "data";
  if (o.sounds_dir) d.sounds = *o.sounds_dir;
  std::error_code ec;
  for (const auto& dir : {d.spool / "outgoing", d.run, d.db, d.log, d.recordings}) fs::create_directories(dir, ec);
  host->engine_ = std::make_unique<Engine>(eo);
  {
    EngineCall call;
    host->wire_from_code();
  }
  return host;
}

void EngineHost::wire_from_code() {
  Engine& e = *engine_;
  (void)e.drivers().add("Local", std::make_shared<LocalDriver>());
  register_core_commands(e);
  register_database_commands(e.commands(), e.astdb());
  dialplan::register_builtin_functions(e);
  dialplan::install_dialplan(e);
  confbridge::install_confbridge(e);
  auto originate_cli = make_cli_originate_module(e);
  (void)originate_cli->load(options_.state_dir);
  e.add_module(originate_cli);
  // Call files dropped into <state_dir>/spool/outgoing are dialed, as with telephonyd.
  auto spool = std::make_shared<spool::SpoolModule>(e);
  (void)spool->load(options_.state_dir);
  e.add_module(spool);
}

EngineHost::~EngineHost() {
  // Python drops the last reference with the GIL held; stopping joins engine threads, which never
  // need the GIL, so release it while they finish.
  if (Py_IsInitialized() && PyGILState_Check()) {
    dispatcher_ = py::object();
    py::gil_scoped_release release;
    stop(std::chrono::milliseconds(500));
    engine_.reset();
  } else {
    (void)dispatcher_.release();  // no interpreter to give the reference back to
    stop(std::chrono::milliseconds(500));
    engine_.reset();
  }
}

void EngineHost::start() { engine_->start(); }

bool EngineHost::stopped() const {
  std::lock_guard lock(mu_);
  return stopped_;
}

void EngineHost::stop(std::chrono::milliseconds grace) {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  if (engine_) {
    engine_->stop(grace);
    for (auto& m : engine_->modules()) m->unload();
  }
  std::map<const Operation*, std::shared_ptr<Operation>> ops;
  std::vector<std::weak_ptr<EventStream>> streams;
  std::shared_ptr<Inbox> apps;
  {
    std::lock_guard lock(mu_);
    ops.swap(operations_);
    streams.swap(streams_);
    apps = app_inbox_;
  }
  for (auto& [_, op] : ops) op->complete(error_result(exception_types().engine_stopped, "the engine stopped"));
  for (auto& w : streams)
    if (auto s = w.lock()) s->close();
  workers_->close();
  if (apps) apps->close();
}

std::shared_ptr<Inbox> EngineHost::app_inbox() const {
  std::lock_guard lock(mu_);
  return app_inbox_;
}

void EngineHost::set_app_inbox(std::shared_ptr<Inbox> inbox) {
  std::lock_guard lock(mu_);
  app_inbox_ = std::move(inbox);
}

void EngineHost::set_dispatcher(py::object fn) { dispatcher_ = std::move(fn); }
py::object EngineHost::dispatcher() const { return dispatcher_; }

std::shared_ptr<Operation> EngineHost::track(std::shared_ptr<Operation> op) {
  bool late = false;
  {
    std::lock_guard lock(mu_);
    if (stopped_) late = true;
    else operations_.emplace(op.get(), op);
  }
  if (late) op->complete(error_result(exception_types().engine_stopped, "the engine is stopped"));
  return op;
}

void EngineHost::untrack(const Operation* op) {
  std::lock_guard lock(mu_);
  operations_.erase(op);
}

void EngineHost::track_stream(const std::shared_ptr<EventStream>& stream) {
  bool late = false;
  {
    std::lock_guard lock(mu_);
    if (stopped_) late = true;
    else {
      std::erase_if(streams_, [](const auto& w) { return w.expired(); });
      streams_.push_back(stream);
    }
  }
  if (late) stream->close();
}

void EngineHost::log(LogLevel level, const std::string& message) { engine_->log().write(level, "python", message); }

}  // namespace telephony::python
