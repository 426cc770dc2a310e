// Internal: what the metrics module keeps between scrapes. Not installed.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "telephony/events.hpp"
#include "telephony/metrics.hpp"

namespace telephony {

struct MetricsModule::State : std::enable_shared_from_this<MetricsModule::State> {
  explicit State(Engine& e) : engine(e) {}
  Engine& engine;

  mutable std::mutex mu;
  MetricsConfig config;
  std::map<std::string, MetricsCollector> collectors;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor;

  // Counted from the event bus (our own subscriber, DropOldest: metrics never slow a call).
  EventBus::Subscription sub;
  std::map<std::string, std::uint64_t> dial_results;   // DialEnd DialStatus -> count
  std::map<std::string, std::uint64_t> cdr_results;    // CdrPosted disposition -> count
  std::map<std::string, std::uint64_t> hangup_causes;  // Hangup cause name -> count
  std::uint64_t dialplan_steps = 0;
  std::uint64_t channels_created = 0;
  std::uint64_t events_lost = 0;
  std::atomic<std::uint64_t> scrapes{0};

  void start_counting();
  std::string render() const;
  void accept();
};

}  // namespace telephony
