// SIP's Prometheus families, registered with res_prometheus once every module has loaded
// (res_pjsip loads first, so it cannot find the metrics module in load()):
//
//   asterisk_endpoints_count                             configured endpoints (res_prometheus)
//   asterisk_endpoints_state{id,tech,resource}           1 offline, 2 online (res_prometheus)
//   asterisk_endpoints_channels_count{id,tech,resource}  live calls of the endpoint
//   telephony_sip_transactions_total{direction,method,response}
//   telephony_sip_messages_received_total, telephony_sip_malformed_total,
//   telephony_sip_overload_rejections_total, telephony_sip_auth_failures_total
//
// Asterisk's `id` is "PJSIP/alice"; ours is "SIP/alice", the device our channels are named after.
#include "call_session.hpp"
#include "sip_stack.hpp"
#include "telephony/device_state.hpp"
#include "telephony/metrics.hpp"
#include "telephony/rtp/rtp_config.hpp"
#include "telephony/sip/module.hpp"

namespace telephony::sip {

namespace {

void write_endpoint_metrics(SipStack& stack, MetricWriter& w) {
  auto cfg = stack.config();
  if (!cfg) return;
  std::map<std::string, unsigned, std::less<>> calls;
  for (const auto& s : stack.sessions())
    if (s->channel()) ++calls[s->endpoint_name()];
  w.family("asterisk_endpoints_count", "gauge", "Current endpoint count.")
      .sample("asterisk_endpoints_count", static_cast<double>(cfg->endpoints.size()));
  if (cfg->endpoints.empty()) return;
  // Online: a contact that qualify did not find unreachable (the driver's device state).
  w.family("asterisk_endpoints_state", "gauge",
           "Individual endpoint states. 0=unknown; 1=offline; 2=online.");
  for (const auto& [name, ep] : cfg->endpoints) {
    const std::string id = "SIP/" + name;
    const bool online = stack.engine().device_states().get(id) != DeviceState::Unavailable;
    w.sample("asterisk_endpoints_state", online ? 2 : 1,
             {{"id", id}, {"tech", "SIP"}, {"resource", name}});
  }
  w.family(
      "asterisk_endpoints_channels_count", "gauge",
      "Count of the number of channels currently existing that are associated with the endpoint.");
  for (const auto& [name, ep] : cfg->endpoints) {
    auto it = calls.find(name);
    w.sample("asterisk_endpoints_channels_count", it == calls.end() ? 0 : it->second,
             {{"id", "SIP/" + name}, {"tech", "SIP"}, {"resource", name}});
  }
}

void write_sip_metrics(SipStack& stack, std::string& out) {
  MetricWriter w(out);
  write_endpoint_metrics(stack, w);
  w.family("telephony_sip_transactions_total", "counter",
           "SIP transactions by direction (in: requests we answered, out: requests we sent), "
           "method and final "
           "response code (\"timeout\": no final response came).");
  for (const auto& r : stack.transactions().counts().rows()) {
    const std::string_view method =
        r.method == Method::Unknown ? std::string_view("OTHER") : to_string(r.method);
    const std::string code = r.code == 0 ? "timeout" : std::to_string(r.code);
    w.sample("telephony_sip_transactions_total", static_cast<double>(r.n),
             {{"direction", r.inbound ? "in" : "out"}, {"method", method}, {"response", code}});
  }
  const auto& c = stack.counters();
  w.family("telephony_sip_messages_received_total", "counter",
           "SIP messages received (requests and responses).")
      .sample("telephony_sip_messages_received_total", static_cast<double>(c.received.load()));
  w.family("telephony_sip_malformed_total", "counter",
           "SIP messages that did not parse (answered 400 or dropped).")
      .sample("telephony_sip_malformed_total", static_cast<double>(c.malformed.load()));
  w.family("telephony_sip_overload_rejections_total", "counter",
           "Requests refused with 503 under overload.")
      .sample("telephony_sip_overload_rejections_total",
              static_cast<double>(c.overload_rejections.load()));
  w.family("telephony_sip_auth_failures_total", "counter",
           "Requests refused for failed authentication.")
      .sample("telephony_sip_auth_failures_total", static_cast<double>(c.auth_failures.load()));
}

}  // namespace

void SipModule::modules_loaded() {
  auto metrics = std::dynamic_pointer_cast<MetricsModule>(engine_.module("res_prometheus"));
  if (!metrics || !stack_) return;
  // The collector holds the stack weakly: an unloaded driver reports nothing (unload() removes
  // the collector too) and a scrape never keeps a stopped stack alive.
  std::weak_ptr<SipStack> weak = stack_;
  metrics_ = metrics;
  metrics->set_collector("res_pjsip", [weak](std::string& out) {
    if (auto stack = weak.lock()) write_sip_metrics(*stack, out);
  });
  // RTP carries SIP's media; the default RTP module appears on the first call otherwise, after
  // this announcement. Creating it does not start its threads.
  (void)rtp::rtp_module(engine_);
}

void SipModule::forget_metrics() {
  if (auto metrics = std::exchange(metrics_, {}).lock())
    metrics->set_collector("res_pjsip", nullptr);
}

}  // namespace telephony::sip
