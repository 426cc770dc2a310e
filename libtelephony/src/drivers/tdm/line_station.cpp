// Phone ports (FXS hardware, fxo_ls/fxo_gs/fxo_ks signalling): a phone goes off-hook, hears dial
// tone, dials in band, and the digits run the dialplan; a call to the port rings the phone on the
// zone's cadence (or a distinctive one), sends caller ID in the chosen pause, and the phone
// answers by going off-hook. A far-end hang-up drops loop current (kewlstart) and plays
// congestion until the phone hangs up, as chan_dahdi does.
#include "line.hpp"
#include "tdm_system.hpp"

namespace telephony::tdm {

void TdmLine::station_event(PortEvent e) {
  const auto st = state_.load();
  switch (e) {
    case PortEvent::OffHook:
      if (st == LineState::Idle && !busy_.load()) station_offhook();
      else if (st == LineState::Alerting) station_answered();
      return;
    case PortEvent::OnHook:
      if (other_chan_.load() && (st == LineState::Collecting || st == LineState::Active)) {
        station_onhook_with_other();
      } else if (st == LineState::Lockout) {
        to_idle();
      } else if (st == LineState::Collecting || st == LineState::Active) {
        engine_.log().verbose("chan_dahdi", "DAHDI/" + std::to_string(number_) + " went on-hook");
        end_call(HangupCause::NormalClearing, true);
      }
      return;
    case PortEvent::Flash:
      if (st == LineState::Active || (st == LineState::Collecting && threeway_)) station_flash();
      return;
    case PortEvent::RingerOff:
      if (st == LineState::Alerting) station_ringer_off();
      return;
    default:
      return;
  }
}

void TdmLine::station_offhook() {
  if (in_alarm_.load()) return;
  call_config_ = config();
  busy_ = true;
  ++gen_;
  set_state(LineState::Collecting);
  start_switch(false);
}

Channel::Ptr TdmLine::start_switch(bool recall) {
  const auto& s = call_config_->settings;
  auto chan = new_channel(ChannelDirection::Inbound, nullptr);
  CallerId cid = s.callerid;
  if (s.hidecallerid) cid.presentation = 0x23;  // Presentation Prohibited, Network Number
  chan->set_caller(cid);
  chan->set_location({s.context, "s", 1});
  chan->set_state(ChannelState::Reserved);
  hold_ = chan->hold();
  dtmf_ = media::DtmfDetector();
  {
    std::lock_guard lock(mu_);
    dialed_.clear();
  }
  collector_.emplace(*questions_, s.context, s.callerid.number,
                     DigitTimeouts{s.firstdigit_timeout, s.interdigit_timeout, s.matchdigit_timeout}, s.immediate);
  engine_.log().verbose("chan_dahdi", "Starting simple switch on '" + chan->name() + "'");
  // A three-way call starts on the zone's recall dial tone (stutter), as chan_dahdi plays.
  if (recall) play_zone_tone(call_config_->zone.tone("dialrecall") ? "dialrecall" : "dial");
  collect_step(collector_->start());
  return chan;
}

void TdmLine::collect_step(const DigitCollector::Step& step) {
  auto chan = owner();
  if (!chan) {
    collector_.reset();
    return;
  }
  const bool phone = faces_phone(call_config_->signalling);
  const auto& s = call_config_->settings;
  switch (step.outcome) {
    case DigitCollector::Outcome::Continue:
      if (phone) {
        if (step.dialtone) {
          if (std::holds_alternative<std::monostate>(source_)) play_zone_tone("dial");
        } else {
          stop_tone();
        }
      }
      arm(call_timer_, step.timeout_ms, &TdmLine::collect_timeout);
      return;
    case DigitCollector::Outcome::Feature: {
      const bool on = step.exten == "*78";
      set_dnd(on);
      engine_.log().verbose("chan_dahdi", std::string(on ? "Enabled" : "Disabled") + " DND on channel " +
                                              std::to_string(number_));
      if (phone) play_zone_tone("dialrecall");
      arm(call_timer_, step.timeout_ms, &TdmLine::collect_timeout);
      return;
    }
    case DigitCollector::Outcome::Complete: {
      call_timer_.cancel();
      stop_tone();
      collector_.reset();
      auto pbx = engine_.pbx();
      if (!pbx) {
        engine_.log().warning("chan_dahdi", "no dialplan is loaded; cannot route " + chan->name());
        end_call(HangupCause::NormalTemporaryFailure, false);
        return;
      }
      chan->set_location({s.context, step.exten, 1});
      chan->set_state(ChannelState::Ring);
      chan->set_dtmf_detection(true);
      set_state(LineState::Active);
      audio_up_ = true;
      tx_ = TxSource::Channel;
      pbx->start(chan);
      hold_.reset();
      return;
    }
    case DigitCollector::Outcome::Invalid:
      call_timer_.cancel();
      collector_.reset();
      engine_.log().notice("chan_dahdi", "Unknown extension '" + step.exten + "' in context '" + s.context +
                                             "' requested on " + chan->name());
      if (threeway_) return back_to_other(true);  // the held call is the phone's again
      end_call(HangupCause::Unallocated, false);
      return;
  }
}

void TdmLine::collect_timeout() {
  if (collector_) collect_step(collector_->on_timeout());
}

void TdmLine::station_alert() {
  auto chan = owner();
  if (!chan || state_.load() != LineState::Idle) return;
  const auto& cfg = *call_config_;
  if (port_->off_hook()) {
    // Taken off-hook between the reservation and the call: the phone is busy.
    chan->queue_frame(Frame::control(Control::Busy));
    end_call(HangupCause::UserBusy, true);
    return;
  }
  std::vector<int> cadence = cfg.zone.ringcadence;
  int cid_after = cfg.settings.sendcalleridafter;
  if (distinctive_ > 0 && distinctive_ <= static_cast<int>(cfg.cadences.size())) {
    cadence = cfg.cadences[static_cast<std::size_t>(distinctive_ - 1)].pattern;
    cid_after = cfg.cadences[static_cast<std::size_t>(distinctive_ - 1)].cid_after_ring;
  }
  set_state(LineState::Alerting);
  rings_seen_ = 0;
  cid_sent_ = false;
  port_->set_cadence(cadence);
  chan->queue_frame(Frame::control(Control::Ringing));
  engine_.log().verbose("chan_dahdi", "Ringing DAHDI/" + std::to_string(number_) + " (cadence " +
                                          [&] {
                                            std::string c;
                                            for (int ms : cadence) c += (c.empty() ? "" : ",") + std::to_string(ms);
                                            return c;
                                          }() + ")");
  if (cfg.settings.usecallerid && cid_after == 0) {
    // Caller ID before the first ring (ETSI line reversal style): send it, then ring.
    station_ringer_off();
    return;
  }
  port_->hook(HookCommand::Ring);
}

void TdmLine::station_ringer_off() {
  ++rings_seen_;
  const auto& cfg = *call_config_;
  int cid_after = cfg.settings.sendcalleridafter;
  if (distinctive_ > 0 && distinctive_ <= static_cast<int>(cfg.cadences.size()))
    cid_after = cfg.cadences[static_cast<std::size_t>(distinctive_ - 1)].cid_after_ring;
  const bool before_ring = cid_after == 0 && rings_seen_ == 1;
  if (!cfg.settings.usecallerid || cid_sent_ || (!before_ring && rings_seen_ != cid_after)) return;
  cid_sent_ = true;
  auto gen = CallerIdGenerator::create(cfg.settings.cidsignalling);
  if (!gen) {
    engine_.log().warning("chan_dahdi", "DAHDI/" + std::to_string(number_) + ": " + gen.error().message);
    if (before_ring) port_->hook(HookCommand::Ring);
    return;
  }
  CallerIdMessage m;
  const bool restricted = (outbound_caller_.presentation & 0x60) == 0x20;
  m.number = outbound_caller_.number;
  m.name = outbound_caller_.name;
  if (restricted) m.number_absent = m.name_absent = 'P';
  else if (m.number.empty()) m.number_absent = 'O';
  if (!restricted && m.name.empty()) m.name_absent = m.number.empty() ? 'O' : 0;
  if (auto r = gen->start(m); !r) {
    engine_.log().warning("chan_dahdi", "DAHDI/" + std::to_string(number_) + ": " + r.error().message);
    if (before_ring) port_->hook(HookCommand::Ring);
    return;
  }
  engine_.log().verbose("chan_dahdi", "Sending caller ID \"" + m.name + "\" <" + m.number + "> to DAHDI/" +
                                          std::to_string(number_) + " (" +
                                          std::string(to_string(cfg.settings.cidsignalling)) + ")");
  if (before_ring && cfg.settings.cidsignalling == CidSignalling::V23) port_->set_polarity(true);
  play(CidSource{std::move(*gen)}, [this, before_ring] {
    if (before_ring && state_.load() == LineState::Alerting) {
      port_->set_polarity(false);
      port_->hook(HookCommand::Ring);
    }
  });
}

void TdmLine::station_answered() {
  auto chan = owner();
  stop_tone();
  port_->hook(HookCommand::OffHook);  // stops the bell
  set_state(LineState::Active);
  answered_ = true;
  audio_up_ = true;
  tx_ = TxSource::Channel;
  if (chan) {
    chan->set_dtmf_detection(true);
    // Rung back for a call that was held: it is answered already, it only comes off hold.
    chan->queue_frame(Frame::control(ringback_held_ ? Control::Unhold : Control::Answer));
  }
  ringback_held_ = false;
}

}  // namespace telephony::tdm
