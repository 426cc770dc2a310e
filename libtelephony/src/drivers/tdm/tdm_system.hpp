// Internal: a running TDM system — the spans built from system.conf, the lines configured by
// chan_dahdi.conf, outbound line selection, alarms and device state. TdmPlan is everything the
// configuration files say, resolved and checked before anything is opened (--check-config runs
// only the plan).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kernel_span.hpp"
#include "line.hpp"
#include "soft_spans.hpp"
#include "telephony/engine.hpp"
#include "telephony/media/indications.hpp"
#include "telephony/tdm/chan_dahdi_conf.hpp"
#include "telephony/tdm/system_conf.hpp"

namespace telephony::tdm {

struct PlannedSpanSetup {
  int number = 0;
  enum class Kind { Kernel, Loc, Sock } kind = Kind::Kernel;
  LocAddress loc;
  std::filesystem::path socket_dir;
  int first_channel = 0;
  int channels = 0;
  Law law = Law::Ulaw;
  std::vector<Law> channel_laws;  // per channel of the span (system.conf alaw=/mulaw=)
  std::string framing = "CAS", coding = "AMI";
  int timing = 0;
};

struct TdmPlan {
  std::vector<PlannedSpanSetup> spans;
  std::map<int, std::shared_ptr<const LineConfig>> lines;  // by DAHDI channel number
  std::vector<Error> warnings;
  std::uint8_t reportalarms = kReportChannels;
  std::string layout_key;  // equal keys: the same spans and channels (a reload may apply)
};

// Reads system.conf (or dahdi/system.conf), chan_dahdi.conf(.yaml) and indications.conf (optional)
// from `config_dir`; relative socket span directories go under `run_dir`/tdm.
Result<TdmPlan, Errors> plan_tdm(const std::filesystem::path& config_dir, const std::filesystem::path& run_dir,
                                 const KernelInventory& kernel);

class TdmSystem : public std::enable_shared_from_this<TdmSystem> {
 public:
  TdmSystem(Engine& engine, TdmPlan plan);
  ~TdmSystem();
  Result<void, Errors> start();
  void stop();
  // New settings for the same layout: lines take them for their next call.
  void reconfigure(const TdmPlan& plan);

  std::shared_ptr<TdmLine> line(int channel) const;
  // "Red Alarm", "Yellow Alarm", "Blue Alarm" or "No Alarm" for the line's span.
  std::string alarm_of(const TdmLine& line) const;
  const std::vector<std::shared_ptr<TdmLine>>& lines() const { return lines_; }
  const std::vector<std::shared_ptr<Span>>& spans() const { return spans_; }
  const TdmPlan& plan() const { return plan_; }

  // Outbound selection, under one allocation lock (requests are rare compared with frames).
  std::mutex& allocation_mutex() { return alloc_mu_; }
  int& round_robin_last(int group) { return round_robin_[group]; }

  template <class E>
  void publish(const E& e) {
    engine_.events().emit(e.to_event());
  }
  void device_state_changed(const TdmLine& line);

 private:
  void on_span_alarm(Span& span, std::uint8_t before, std::uint8_t now);

  Engine& engine_;
  TdmPlan plan_;
  std::vector<std::shared_ptr<Span>> spans_;
  std::vector<std::shared_ptr<TdmLine>> lines_;
  std::map<int, std::shared_ptr<TdmLine>> by_number_;
  std::mutex alloc_mu_;
  std::map<int, int> round_robin_;
  std::mutex state_mu_;
  std::map<int, DeviceState> last_state_;
};

}  // namespace telephony::tdm
