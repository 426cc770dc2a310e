// TdmModule: chan_dahdi.conf + system.conf -> a running TDM system (see tdm/tdm_module.hpp).
#include "telephony/tdm/tdm_module.hpp"

#include "module_state.hpp"

namespace telephony::tdm {

namespace {

Errors one(Error e) {
  Errors errs;
  errs.items.push_back(std::move(e));
  return errs;
}

void log_warnings(Engine& engine, const TdmPlan& plan) {
  for (const auto& w : plan.warnings) engine.log().warning("chan_dahdi", w.to_string());
}

}  // namespace

TdmModule::TdmModule(Engine& engine) : state_(std::make_shared<State>(engine)) {}

TdmModule::~TdmModule() { unload(); }

Result<void, Errors> TdmModule::check(const std::filesystem::path& config_dir) {
  auto plan = plan_tdm(config_dir, state_->engine.options().dirs.run, probe_kernel());
  if (!plan) return Unexpected<Errors>{plan.error()};
  return {};
}

Result<void, Errors> TdmModule::load(const std::filesystem::path& config_dir) {
  auto& engine = state_->engine;
  if (state_->current()) return reload(config_dir);
  auto run_dir = engine.options().dirs.run;
  auto plan = plan_tdm(config_dir, run_dir, probe_kernel());
  if (!plan) return Unexpected<Errors>{plan.error()};
  log_warnings(engine, *plan);
  auto system = std::make_shared<TdmSystem>(engine, std::move(*plan));
  if (auto r = system->start(); !r) return r;
  {
    std::lock_guard lock(state_->mu);
    state_->system = system;
    state_->config_dir = config_dir;
    state_->run_dir = run_dir;
  }
  if (!state_->registered) {
    auto driver = make_dahdi_driver(state_);
    (void)engine.drivers().add("DAHDI", driver, true);
    (void)engine.drivers().add("Zap", driver, true);  // the old name, still in many call files
    register_dahdi_commands(engine, state_, *this);
    state_->registered = true;
  }
  register_dahdi_actions(engine, state_, *this);
  return {};
}

Result<void, Errors> TdmModule::reload(const std::filesystem::path& config_dir) {
  auto system = state_->current();
  if (!system) return load(config_dir);
  auto plan = plan_tdm(config_dir, state_->run_dir, probe_kernel());
  if (!plan) return Unexpected<Errors>{plan.error()};
  if (plan->layout_key != system->plan().layout_key)
    return Unexpected<Errors>{one(Error{"the span or channel layout changed; run 'dahdi restart' to apply it "
                                        "(the running configuration is kept)",
                                        (config_dir / "chan_dahdi.conf").string()})};
  log_warnings(state_->engine, *plan);
  system->reconfigure(*plan);
  register_dahdi_actions(state_->engine, state_, *this);
  return {};
}

Result<void, Errors> TdmModule::restart() {
  std::filesystem::path dir;
  {
    std::lock_guard lock(state_->mu);
    dir = state_->config_dir;
  }
  auto plan = plan_tdm(dir, state_->run_dir, probe_kernel());
  if (!plan) return Unexpected<Errors>{plan.error()};
  auto& engine = state_->engine;
  engine.log().notice("chan_dahdi", "Destroying channels and reloading DAHDI configuration.");
  std::shared_ptr<TdmSystem> old;
  {
    std::lock_guard lock(state_->mu);
    old = std::exchange(state_->system, nullptr);
  }
  if (old) old->stop();
  log_warnings(engine, *plan);
  auto fresh = std::make_shared<TdmSystem>(engine, std::move(*plan));
  if (auto r = fresh->start(); !r) return r;
  std::lock_guard lock(state_->mu);
  state_->system = std::move(fresh);
  return {};
}

void TdmModule::unload() {
  std::shared_ptr<TdmSystem> system;
  bool registered = false;
  {
    std::lock_guard lock(state_->mu);
    system = std::exchange(state_->system, nullptr);
    registered = std::exchange(state_->registered, false);
  }
  if (system) system->stop();
  if (registered) {
    auto& engine = state_->engine;
    engine.drivers().remove("DAHDI");
    engine.drivers().remove("Zap");
    unregister_dahdi_commands(engine);
  }
}

}  // namespace telephony::tdm
