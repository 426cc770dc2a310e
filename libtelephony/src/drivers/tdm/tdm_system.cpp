// TdmSystem: spans and lines of a running TDM configuration (see tdm_system.hpp).
#include "tdm_system.hpp"

#include "tdm_events.hpp"

namespace telephony::tdm {

TdmSystem::TdmSystem(Engine& engine, TdmPlan plan) : engine_(engine), plan_(std::move(plan)) {}

TdmSystem::~TdmSystem() = default;

Result<void, Errors> TdmSystem::start() {
  Errors errs;
  SpanLog log = [&engine = engine_](std::string_view line) { engine.log().warning("chan_dahdi", line); };
  std::vector<std::shared_ptr<Span>> loc;
  for (const auto& s : plan_.spans) {
    std::shared_ptr<Span> span;
    switch (s.kind) {
      case PlannedSpanSetup::Kind::Loc:
        span = make_loc_span(s.number, s.loc, s.channel_laws);
        loc.push_back(span);
        break;
      case PlannedSpanSetup::Kind::Sock:
        span = make_socket_span(engine_.io(), s.number, s.socket_dir, s.channel_laws, log);
        break;
      case PlannedSpanSetup::Kind::Kernel: {
        KernelSpanInfo info;
        info.number = s.number;
        info.first_channel = s.first_channel;
        info.channels = s.channels;
        info.law = s.law;
        auto k = make_kernel_span(engine_.io(), info, log);
        if (!k) {
          errs.items.push_back(k.error());
          continue;
        }
        span = *k;
        break;
      }
    }
    span->framing = s.framing;
    span->coding = s.coding;
    spans_.push_back(span);
  }
  link_loc_spans(loc);
  for (auto& span : spans_) {
    if (auto r = span->start(); !r) errs.items.push_back(r.error());
    span->set_alarm_observer([weak = weak_from_this()](Span& sp, std::uint8_t before, std::uint8_t now) {
      if (auto self = weak.lock()) self->on_span_alarm(sp, before, now);
    });
  }
  if (!errs.items.empty()) {
    for (auto& span : spans_) span->stop();
    spans_.clear();
    return Unexpected<Errors>{std::move(errs)};
  }
  for (const auto& [chan, cfg] : plan_.lines) {
    const auto& setup = plan_.spans[static_cast<std::size_t>(cfg->span - 1)];
    auto& span = spans_[static_cast<std::size_t>(cfg->span - 1)];
    auto line = std::make_shared<TdmLine>(engine_, weak_from_this(), span->channel_ptr(static_cast<std::size_t>(chan - setup.first_channel)), cfg);
    lines_.push_back(line);
    by_number_[chan] = line;
  }
  for (auto& line : lines_) line->start();
  for (auto& span : spans_)
    if (span->alarms()) on_span_alarm(*span, 0, span->alarms());
  engine_.log().verbose("chan_dahdi", "DAHDI: " + std::to_string(spans_.size()) + " span(s), " +
                                          std::to_string(lines_.size()) + " channel(s) configured");
  return {};
}

void TdmSystem::stop() {
  for (auto& line : lines_) line->stop();
  // A line that a restart removes must not keep its last pushed state; one that stays is pushed
  // again by the new system's start().
  for (auto& line : lines_) engine_.device_states().clear("DAHDI/" + std::to_string(line->number()));
  for (auto& span : spans_) {
    span->set_alarm_observer(nullptr);
    span->stop();
  }
}

void TdmSystem::reconfigure(const TdmPlan& plan) {
  for (const auto& [chan, cfg] : plan.lines)
    if (auto l = line(chan)) l->set_config(cfg);
  plan_.warnings = plan.warnings;
  plan_.reportalarms = plan.reportalarms;
}

std::shared_ptr<TdmLine> TdmSystem::line(int channel) const {
  auto it = by_number_.find(channel);
  return it == by_number_.end() ? nullptr : it->second;
}

std::string TdmSystem::alarm_of(const TdmLine& line) const {
  const auto span = static_cast<std::size_t>(line.config()->span - 1);
  return span < spans_.size() ? alarm_name(spans_[span]->alarms()) : alarm_name(0);
}

void TdmSystem::on_span_alarm(Span& span, std::uint8_t before, std::uint8_t now) {
  const auto reports = plan_.reportalarms;
  if (now) engine_.log().warning("chan_dahdi", "Detected alarm on span " + std::to_string(span.number()) + ": " + alarm_name(now));
  else engine_.log().notice("chan_dahdi", "Alarm cleared on span " + std::to_string(span.number()));
  if (reports & kReportSpans) publish(SpanAlarm{span.number(), now});
  if (reports & kReportChannels)
    for (const auto& line : lines_)
      if (line->config()->span == span.number()) publish(ChannelAlarm{line->number(), now});
}

void TdmSystem::device_state_changed(const TdmLine& line) {
  const auto st = line.device_state();
  {
    std::lock_guard lock(state_mu_);
    auto [it, fresh] = last_state_.try_emplace(line.number(), st);
    if (!fresh && it->second == st) return;
    it->second = st;
  }
  // Pushed, not polled: hints, Page()'s `s` and DEVICE_STATE() see DND, ringing and an off-hook
  // phone without a channel, and each change is one DeviceStateChange event.
  const auto device = "DAHDI/" + std::to_string(line.number());
  engine_.log().debug("chan_dahdi", device + " is " + std::string(to_string(st)));
  engine_.device_states().set(device, st);
}

}  // namespace telephony::tdm
