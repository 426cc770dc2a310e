// Prometheus metrics over HTTP, configured as Asterisk's res_prometheus is.
//
//   http.conf        [general] enabled (default no), bindaddr (default 127.0.0.1 — Asterisk's
//                    is every address; we keep statistics on loopback unless told), bindport
//                    (default 8088), prefix (URI prefix, default none)
//   prometheus.conf  [general] enabled (default no), core_metrics_enabled (default yes),
//                    uri (default metrics), auth_username + auth_password (both or neither:
//                    HTTP Basic auth), auth_realm (default "Asterisk Prometheus Metrics")
//
// GET http://bindaddr:bindport/[prefix/]uri answers the text exposition format (version 0.0.4).
// Names are res_prometheus's where it has one (asterisk_core_uptime_seconds,
// asterisk_channels_count, asterisk_calls_sum, asterisk_bridges_count, asterisk_endpoints_count,
// per-channel asterisk_channels_state / asterisk_channels_duration_seconds ...) and ours under
// telephony_ for the rest (calls by result, dialplan steps, event-bus queues, AMI sessions, call
// file spool, CDR, log lines). Other modules (the SIP and RTP drivers) add their own families by
// registering a collector. The HTTP server runs on the engine's io_context with Boost.Beast; the
// collection itself runs on the blocking pool so a scrape never holds a call thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "telephony/module.hpp"

namespace telephony {

class Engine;

// Appends metric families in the text format. Use MetricWriter to keep the format right.
using MetricsCollector = std::function<void(std::string& out)>;

// Writes "# HELP", "# TYPE" and samples; label values are escaped (\\, \", \n).
class MetricWriter {
 public:
  explicit MetricWriter(std::string& out) : out_(out) {}
  MetricWriter& family(std::string_view name, std::string_view type, std::string_view help);
  MetricWriter& sample(std::string_view name, double value,
                       std::initializer_list<std::pair<std::string_view, std::string_view>> labels = {});
  MetricWriter& sample(std::string_view name, double value,
                       const std::vector<std::pair<std::string, std::string>>& labels);

 private:
  std::string& out_;
};

struct MetricsConfig {
  bool http_enabled = false;
  std::string bindaddr = "127.0.0.1";
  std::uint16_t bindport = 8088;
  std::string prefix;
  bool enabled = false;
  bool core_metrics = true;
  std::string uri = "metrics";
  std::string auth_username;
  std::string auth_password;
  std::string auth_realm = "Asterisk Prometheus Metrics";
};

class MetricsModule : public Module {
 public:
  explicit MetricsModule(Engine& engine);
  ~MetricsModule() override;
  std::string_view name() const override { return "res_prometheus"; }
  std::string_view config_file() const override { return "prometheus.conf"; }
  Result<void, Errors> check(const std::filesystem::path& config_dir) override;
  Result<void, Errors> load(const std::filesystem::path& config_dir) override;
  void unload() override;

  // Embedders without config files.
  Result<void, Errors> apply(MetricsConfig cfg);
  // The port actually bound (bindport 0 picks a free one); 0 when not serving.
  std::uint16_t port() const;
  // Renders every metric now (what a scrape returns).
  std::string render() const;
  // A module's own families, rendered after ours on every scrape; empty fn removes.
  void set_collector(const std::string& key, MetricsCollector fn);

  struct State;

 private:
  Engine& engine_;
  std::shared_ptr<State> state_;
};

// Parses http.conf and prometheus.conf of a directory (all errors at once, file:line each).
Result<MetricsConfig, Errors> load_metrics_config(const std::filesystem::path& config_dir);

}  // namespace telephony
