// The metric families a scrape returns (names and help as res_prometheus where it has them).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <set>

#include "metrics_state.hpp"
#include "telephony/bridge.hpp"
#include "telephony/cdr.hpp"
#include "telephony/engine.hpp"
#include "telephony/manager/module.hpp"
#include "telephony/spool/module.hpp"
#include "telephony/version.hpp"

namespace telephony {

namespace {

void append_value(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  char buf[40];
  if (v == std::floor(v) && std::fabs(v) < 1e15) std::snprintf(buf, sizeof buf, "%.0f", v);
  else std::snprintf(buf, sizeof buf, "%.6f", v);
  out += buf;
}

void append_label_value(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
}

double seconds_since(std::chrono::system_clock::time_point t) {
  return static_cast<double>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - t).count());
}

}  // namespace

MetricWriter& MetricWriter::family(std::string_view name, std::string_view type, std::string_view help) {
  out_.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out_.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  return *this;
}

namespace {
// `name{k="v",...} value\n` for any range of (key, value) pairs.
template <class Labels>
void write_sample(std::string& out, std::string_view name, double value, const Labels& labels) {
  out.append(name);
  bool first = true;
  for (const auto& [k, v] : labels) {
    out += first ? '{' : ',';
    first = false;
    out.append(k).append("=\"");
    append_label_value(out, v);
    out += '"';
  }
  if (!first) out += '}';
  out += ' ';
  append_value(out, value);
  out += '\n';
}
}  // namespace

MetricWriter& MetricWriter::sample(std::string_view name, double value,
                                   std::initializer_list<std::pair<std::string_view, std::string_view>> labels) {
  write_sample(out_, name, value, labels);
  return *this;
}

MetricWriter& MetricWriter::sample(std::string_view name, double value,
                                   const std::vector<std::pair<std::string, std::string>>& labels) {
  write_sample(out_, name, value, labels);
  return *this;
}

void MetricsModule::State::start_counting() {
  EventBus::SubscriberOptions o;
  o.name = "metrics";
  o.capacity = 1u << 16;
  o.overflow = EventBus::Overflow::DropOldest;
  std::weak_ptr<State> weak = weak_from_this();
  sub = engine.events().subscribe(std::move(o), [weak](const EventPtr& ev) {
    auto self = weak.lock();
    if (!self) return;
    std::lock_guard lock(self->mu);
    if (ev->as<DialplanStep>()) ++self->dialplan_steps;
    else if (ev->as<ChannelCreated>()) ++self->channels_created;
    else if (auto* d = ev->as<DialEnd>()) ++self->dial_results[d->dialstatus];
    else if (auto* h = ev->as<ChannelHungUp>()) ++self->hangup_causes[std::string(cause_name(h->cause))];
    else if (auto* c = ev->as<CdrPosted>()) ++self->cdr_results[std::string(to_string(c->record.disposition))];
    else if (auto* l = ev->as<EventsLost>()) self->events_lost += l->count;
  });
}

std::string MetricsModule::State::render() const {
  const auto t0 = std::chrono::steady_clock::now();
  std::string out;
  out.reserve(4096);
  MetricWriter w(out);
  MetricsConfig cfg;
  std::map<std::string, std::uint64_t> dials, cdrs, causes;
  std::uint64_t steps = 0, created = 0, lost = 0;
  std::vector<MetricsCollector> extra;
  {
    std::lock_guard lock(mu);
    cfg = config;
    dials = dial_results;
    cdrs = cdr_results;
    causes = hangup_causes;
    steps = dialplan_steps;
    created = channels_created;
    lost = events_lost;
    for (const auto& [k, c] : collectors) extra.push_back(c);
  }

  if (cfg.core_metrics) {
    w.family("asterisk_core_properties", "gauge", "Asterisk instance properties. The value of this will always be 1.")
        .sample("asterisk_core_properties", 1,
                {{"build_options", ""}, {"version", library_version()}, {"system_name", engine.options().system_name},
                 {"product", "libtelephony"}});
    w.family("asterisk_core_uptime_seconds", "gauge", "Asterisk instance uptime in seconds.")
        .sample("asterisk_core_uptime_seconds", seconds_since(engine.started_at()));
    w.family("asterisk_core_last_reload_seconds", "gauge", "Time since last Asterisk reload in seconds.")
        .sample("asterisk_core_last_reload_seconds", seconds_since(engine.last_reload()));
  }

  // Channels: one pass over the live channels.
  const auto chans = engine.channels();
  std::set<std::string> linked;
  std::map<std::string, std::uint64_t> by_tech;
  std::string state_lines, duration_lines;
  state_lines.reserve(chans.size() * 120);
  duration_lines.reserve(chans.size() * 120);
  MetricWriter ws(state_lines), wd(duration_lines);
  for (const auto& c : chans) {
    const auto s = c->snapshot();
    linked.insert(s.linkedid);
    const std::string tech(c->tech_name());
    ++by_tech[tech];
    ws.sample("asterisk_channels_state", static_cast<int>(s.state),
              {{"name", s.name}, {"id", s.uniqueid}, {"type", tech}, {"state", to_string(s.state)}});
    wd.sample("asterisk_channels_duration_seconds", seconds_since(s.created), {{"name", s.name}, {"id", s.uniqueid}, {"type", tech}});
  }
  w.family("asterisk_calls_sum", "counter", "Total call count.").sample("asterisk_calls_sum", static_cast<double>(engine.calls_processed()));
  w.family("asterisk_calls_count", "gauge", "Current call count.").sample("asterisk_calls_count", static_cast<double>(linked.size()));
  w.family("asterisk_channels_count", "gauge", "Current channel count.").sample("asterisk_channels_count", static_cast<double>(chans.size()));
  if (!chans.empty()) {
    w.family("asterisk_channels_state", "gauge", "The current state of the channel (Asterisk's numeric state).");
    out += state_lines;
    w.family("asterisk_channels_duration_seconds", "gauge", "The time since the channel was created.");
    out += duration_lines;
  }

  const auto bridges = engine.bridges();
  w.family("asterisk_bridges_count", "gauge", "Number of bridges.").sample("asterisk_bridges_count", static_cast<double>(bridges.size()));
  if (!bridges.empty()) {
    w.family("asterisk_bridges_channels_count", "gauge", "Number of channels in the bridge.");
    for (const auto& b : bridges) {
      const auto s = b->snapshot();
      w.sample("asterisk_bridges_channels_count", static_cast<double>(s.num_channels),
               {{"id", s.uniqueid}, {"tech", s.technology}, {"subclass", s.type}, {"creator", s.creator}, {"name", s.name}});
    }
  }
  // Other modules' families (SIP, RTP), collected now so that ours can give way to theirs.
  std::string collected;
  for (const auto& c : extra) c(collected);
  // Endpoints are a SIP notion: the SIP driver's collector reports its configured endpoints; with
  // no such driver loaded there are none (Local channels have no endpoints).
  if (collected.find("# TYPE asterisk_endpoints_count ") == std::string::npos)
    w.family("asterisk_endpoints_count", "gauge", "Current endpoint count.").sample("asterisk_endpoints_count", 0);

  w.family("telephony_channels_active", "gauge", "Live channels by technology.");
  if (by_tech.empty()) w.sample("telephony_channels_active", 0, {{"tech", "Local"}});
  for (const auto& [tech, n] : by_tech) w.sample("telephony_channels_active", static_cast<double>(n), {{"tech", tech}});
  w.family("telephony_channels_created_total", "counter", "Channels created since the metrics module started.")
      .sample("telephony_channels_created_total", static_cast<double>(created));
  w.family("telephony_calls_total", "counter", "Dial() and Page() legs by result (DIALSTATUS).");
  for (const char* r : {"ANSWER", "BUSY", "NOANSWER", "CANCEL", "CONGESTION", "CHANUNAVAIL"}) {
    auto it = dials.find(r);
    w.sample("telephony_calls_total", static_cast<double>(it == dials.end() ? 0 : it->second), {{"result", r}});
  }
  w.family("telephony_hangups_total", "counter", "Channels hung up, by Q.850 cause name.");
  for (const auto& [c, n] : causes) w.sample("telephony_hangups_total", static_cast<double>(n), {{"cause", c}});
  w.family("telephony_dialplan_steps_total", "counter", "Dialplan priorities executed (rate() gives steps per second).")
      .sample("telephony_dialplan_steps_total", static_cast<double>(steps));

  w.family("telephony_events_published_total", "counter", "Events published on the engine's event bus.")
      .sample("telephony_events_published_total", static_cast<double>(engine.events().published()));
  w.family("telephony_events_lost_total", "counter", "Events the metrics subscriber lost to a full queue.")
      .sample("telephony_events_lost_total", static_cast<double>(lost));
  std::vector<EventBus::SubscriberStats> queues = engine.events().subscriber_stats();
  for (auto& s : queues) s.name = "eventbus/" + s.name;
  for (const auto& rep : engine.queue_reporters_snapshot())
    for (auto& s : rep()) queues.push_back(std::move(s));
  w.family("telephony_queue_depth", "gauge", "Items waiting in a queue (event-bus subscribers, AMI sessions).");
  for (const auto& q : queues) w.sample("telephony_queue_depth", static_cast<double>(q.queued), {{"queue", q.name}});
  w.family("telephony_queue_high_water", "gauge", "The deepest a queue has been.");
  for (const auto& q : queues) w.sample("telephony_queue_high_water", static_cast<double>(q.high_water), {{"queue", q.name}});
  w.family("telephony_queue_dropped_total", "counter", "Items a queue dropped because it was full.");
  for (const auto& q : queues) w.sample("telephony_queue_dropped_total", static_cast<double>(q.dropped), {{"queue", q.name}});
  w.family("telephony_queue_processed_total", "counter", "Items a queue delivered.");
  for (const auto& q : queues) w.sample("telephony_queue_processed_total", static_cast<double>(q.delivered), {{"queue", q.name}});

  if (auto mgr = std::dynamic_pointer_cast<manager::ManagerModule>(engine.module("manager")); mgr && mgr->server()) {
    const auto st = mgr->server()->stats();
    const auto ev = mgr->event_stats();
    w.family("telephony_ami_sessions", "gauge", "AMI sessions by state.")
        .sample("telephony_ami_sessions", static_cast<double>(st.sessions), {{"state", "open"}})
        .sample("telephony_ami_sessions", static_cast<double>(st.authenticated), {{"state", "authenticated"}});
    w.family("telephony_ami_events_total", "counter", "AMI events handed to the sessions.")
        .sample("telephony_ami_events_total", static_cast<double>(st.events_published));
    w.family("telephony_ami_events_lost_total", "counter", "Engine events dropped before reaching AMI.")
        .sample("telephony_ami_events_lost_total", static_cast<double>(ev.lost));
    w.family("telephony_ami_auth_failures_total", "counter", "Failed AMI logins.")
        .sample("telephony_ami_auth_failures_total", static_cast<double>(st.auth_failures));
    w.family("telephony_ami_disconnects_total", "counter", "AMI sessions cut by the server, by reason.")
        .sample("telephony_ami_disconnects_total", static_cast<double>(st.write_timeout_disconnects), {{"reason", "writetimeout"}})
        .sample("telephony_ami_disconnects_total", static_cast<double>(st.queue_overflow_disconnects), {{"reason", "queue_overflow"}})
        .sample("telephony_ami_disconnects_total", static_cast<double>(st.authtimeout_disconnects), {{"reason", "authtimeout"}})
        .sample("telephony_ami_disconnects_total", static_cast<double>(st.authlimit_rejections), {{"reason", "authlimit"}});
  }

  if (auto spool = std::dynamic_pointer_cast<spool::SpoolModule>(engine.module("pbx_spool"))) {
    if (auto st = spool->stats()) {
      w.family("telephony_spool_queue_depth", "gauge", "Call files known and waiting (not yet due or waiting for a slot).")
          .sample("telephony_spool_queue_depth", static_cast<double>(st->waiting));
      w.family("telephony_spool_in_flight", "gauge", "Call files being dialed now.")
          .sample("telephony_spool_in_flight", static_cast<double>(st->in_flight));
      w.family("telephony_spool_files_total", "counter", "Call files by outcome.")
          .sample("telephony_spool_files_total", static_cast<double>(st->completed), {{"outcome", "completed"}})
          .sample("telephony_spool_files_total", static_cast<double>(st->expired), {{"outcome", "expired"}})
          .sample("telephony_spool_files_total", static_cast<double>(st->failed), {{"outcome", "failed"}});
      w.family("telephony_spool_attempts_total", "counter", "Call file dial attempts.")
          .sample("telephony_spool_attempts_total", static_cast<double>(st->attempts));
    }
  }

  w.family("telephony_cdr_records_total", "counter", "Call detail records posted, by disposition.");
  for (const char* d : {"ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION"}) {
    auto it = cdrs.find(d);
    w.sample("telephony_cdr_records_total", static_cast<double>(it == cdrs.end() ? 0 : it->second), {{"disposition", d}});
  }

  w.family("telephony_log_messages_total", "counter", "Log lines written, by level.");
  for (auto l : {LogLevel::Error, LogLevel::Warning, LogLevel::Notice, LogLevel::Verbose, LogLevel::Debug, LogLevel::Dtmf,
                 LogLevel::Security})
    w.sample("telephony_log_messages_total", static_cast<double>(engine.log().written(l)), {{"level", to_string(l)}});

  out += collected;

  if (cfg.core_metrics) {
    const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    w.family("asterisk_core_scrape_time_ms", "gauge", "Total time taken to collect metrics, in milliseconds")
        .sample("asterisk_core_scrape_time_ms", std::round(ms));
  }
  return out;
}

}  // namespace telephony
