// media_probe.conf: test probes for integration tests that need audio in and out of the dialplan
// before (or without) the media applications. The module loads ONLY when media_probe.conf exists in
// the configuration directory (an integration test writes one; a deployment never has it), and
// then registers two applications:
//   ProbeTone(freq[,seconds])      answer, send a continuous sine of `freq` Hz (tone generator)
//   ProbeRecord(file[,seconds[,tone]])  answer, write what the channel hears to `file` (.wav …),
//                                  saying `tone` meanwhile when given
// Both end after `seconds` (default 30) or at hangup. The file has no sections that matter; an
// empty file enables the probes.
#pragma once

#include "telephony/engine.hpp"
#include "telephony/module.hpp"

namespace telephonyd {

class MediaProbeModule : public telephony::Module {
 public:
  explicit MediaProbeModule(telephony::Engine& engine) : engine_(engine) {}
  std::string_view name() const override { return "media_probe"; }
  std::string_view config_file() const override { return "media_probe.conf"; }
  telephony::Result<void, telephony::Errors> check(const std::filesystem::path& dir) override;
  telephony::Result<void, telephony::Errors> load(const std::filesystem::path& dir) override;

 private:
  telephony::Engine& engine_;
};

}  // namespace telephonyd
