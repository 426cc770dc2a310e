// pbx_spool as a Module: runs a CallFileSpooler on `<dirs.spool>/outgoing` of the engine and
// dials each call file through the originate core (telephony/originate.hpp). It has no config
// file, so a host always loads it. The spooler starts once the engine is fully booted (or at
// once when loaded into a running engine); its log lines go to engine.log() as "pbx_spool".
#pragma once

#include <memory>
#include <mutex>
#include <optional>

#include "telephony/engine.hpp"
#include "telephony/module.hpp"
#include "telephony/originate.hpp"
#include "telephony/spool/spooler.hpp"

namespace telephony::spool {

// The originate request a call file describes: Channel -> dial, WaitTime -> timeout, CallerID,
// Account, Set:/SetVar: variables (in order), Codecs, EarlyMedia, then Application/Data or
// Context/Extension/Priority. Unknown codec names are reported in `warnings` and skipped.
OriginateRequest originate_request_for(const CallFile& file, std::vector<std::string>* warnings = nullptr);
// OriginateReason and DialReason share Asterisk's numbers.
DialReason dial_reason_for(OriginateReason reason);

class SpoolModule : public Module {
 public:
  // `options.spool_dir` empty: the engine's dirs.spool. `options.log` is replaced by engine.log().
  explicit SpoolModule(Engine& engine, SpoolerOptions options = {});
  ~SpoolModule() override;

  std::string_view name() const override { return "pbx_spool"; }
  std::string_view config_file() const override { return {}; }
  Result<void, Errors> check(const std::filesystem::path&) override { return {}; }
  Result<void, Errors> load(const std::filesystem::path& config_dir) override;
  // Nothing to re-read: the spooler keeps running.
  Result<void, Errors> reload(const std::filesystem::path&) override { return {}; }
  void unload() override;

  // Null until the spooler has started.
  std::optional<CallFileSpooler::Stats> stats() const;

 private:
  void start_spooler();

  Engine& engine_;
  SpoolerOptions options_;
  mutable std::mutex mu_;
  std::unique_ptr<CallFileSpooler> spooler_;
  EventBus::Subscription booted_;
};

}  // namespace telephony::spool
