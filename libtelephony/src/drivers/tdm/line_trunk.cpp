// Exchange-line ports (FXO hardware, fxs_ls/fxs_gs/fxs_ks signalling) and E&M trunks.
//
// Incoming: ringing voltage starts a call; with caller ID on ring (cidstart=ring) the modem
// listens in the pause after the first ring and the call enters the dialplan at `s` on the second
// ring; with cidstart=polarity a polarity reversal starts the modem before the ring. The line is
// answered (off-hook) when the dialplan answers; rings that stop for ringtimeout end the call.
// Outgoing: seize (loop closure, or ring ground then loop for groundstart), wait for dial tone
// (waitfordialtone) or half a second, dial the number in DTMF, then: answer on a polarity
// reversal (answeronpolarityswitch), or by call progress detection (callprogress: ringback,
// busy, congestion, voice), or at once (Asterisk's default for analog lines). Disconnect: loop
// current drop (kewlstart), tip open (groundstart), a polarity reversal (hanguponpolarityswitch)
// or busy tone (busydetect).
#include "line.hpp"
#include "tdm_system.hpp"

namespace telephony::tdm {

void TdmLine::trunk_event(PortEvent e) {
  const auto st = state_.load();
  const auto& s = call_config_->settings;
  switch (e) {
    case PortEvent::RingStart:
      if (st == LineState::Idle && !busy_.load()) {
        trunk_ring_start();
      } else if (st == LineState::IncomingRing) {
        ++rings_seen_;
        arm(ring_timer_, call_config_->ringtimeout, &TdmLine::trunk_ring_stop);
        if (!owner()) trunk_incoming();  // second ring: caller ID had its chance
      } else if (st == LineState::Active && !answered_) {
        arm(ring_timer_, call_config_->ringtimeout, &TdmLine::trunk_ring_stop);
      }
      return;
    case PortEvent::RingStop:
      if (st == LineState::IncomingRing && !owner() && rings_seen_ == 1 && s.usecallerid && s.cidstart == CidStart::Ring &&
          !cid_rx_) {
        auto rx = CallerIdReceiver::create(s.cidsignalling);
        if (rx) cid_rx_.emplace(std::move(*rx));
      }
      if (st == LineState::IncomingRing || (st == LineState::Active && !answered_))
        arm(ring_timer_, call_config_->ringtimeout, &TdmLine::trunk_ring_stop);
      return;
    case PortEvent::Polarity:
      if (st == LineState::Idle && !busy_.load() && s.usecallerid &&
          (s.cidstart == CidStart::Polarity || s.cidstart == CidStart::PolarityIn)) {
        // Caller ID before the ring (ETSI line reversal): listen now, start the call at the ring.
        busy_ = true;
        ++gen_;
        rings_seen_ = 0;
        set_state(LineState::IncomingRing);
        auto rx = CallerIdReceiver::create(s.cidsignalling);
        if (rx) cid_rx_.emplace(std::move(*rx));
        arm(ring_timer_, call_config_->ringtimeout, &TdmLine::trunk_ring_stop);
      } else if (st == LineState::Proceeding && s.answeronpolarityswitch) {
        trunk_answered();
      } else if ((st == LineState::Dialing || st == LineState::Seizing) && s.answeronpolarityswitch) {
        answer_early_ = true;  // answered while our last digit was still going out
      } else if ((st == LineState::Active || st == LineState::Proceeding) && answered_ && s.hanguponpolarityswitch) {
        engine_.log().verbose("chan_dahdi", "Polarity reversal on DAHDI/" + std::to_string(number_) + ": far end hung up");
        trunk_far_disconnect(HangupCause::NormalClearing);
      }
      return;
    case PortEvent::OnHook:
      if (st != LineState::Idle && st != LineState::IncomingRing) trunk_far_disconnect(HangupCause::NormalClearing);
      return;
    default:
      return;
  }
}

void TdmLine::trunk_ring_start() {
  if (in_alarm_.load()) return;
  call_config_ = config();
  const auto& s = call_config_->settings;
  busy_ = true;
  ++gen_;
  rings_seen_ = 1;
  set_state(LineState::IncomingRing);
  arm(ring_timer_, call_config_->ringtimeout, &TdmLine::trunk_ring_stop);
  const bool wait_for_cid = s.usecallerid && s.cidstart == CidStart::Ring;
  if (!wait_for_cid) trunk_incoming();
}

void TdmLine::trunk_ring_stop() {
  // No ring for ringtimeout: the caller gave up before we answered.
  if (answered_) return;
  engine_.log().verbose("chan_dahdi", "Ringing stopped on DAHDI/" + std::to_string(number_) + " before answer");
  end_call(HangupCause::NormalClearing, true);
}

void TdmLine::trunk_incoming() {
  const auto& s = call_config_->settings;
  auto chan = new_channel(ChannelDirection::Inbound, nullptr);
  CallerId cid;
  if (cid_) {
    cid.number = cid_->number;
    cid.name = cid_->name;
    if (cid_->number_absent == 'P') cid.presentation = 0x23;
  }
  cid_rx_.reset();
  chan->set_caller(cid);
  chan->set_location({s.context, "s", 1});
  chan->set_state(ChannelState::Ring);
  chan->set_dtmf_detection(true);
  set_state(LineState::Active);
  auto pbx = engine_.pbx();
  if (!pbx) {
    engine_.log().warning("chan_dahdi", "no dialplan is loaded; ignoring the call on " + chan->name());
    end_call(HangupCause::NormalTemporaryFailure, true);
    return;
  }
  pbx->start(chan);
}

void TdmLine::trunk_seize() {
  auto chan = owner();
  if (!chan) return;
  const auto& s = call_config_->settings;
  set_state(LineState::Seizing);
  port_->hook(HookCommand::OffHook);
  const bool em = !faces_line(call_config_->signalling);
  if (em && call_config_->em_wink) {
    // E&M wink start: the far end winks when it is ready for digits.
    arm(call_timer_, call_config_->timing.start, &TdmLine::trunk_dialed);  // no wink: dial anyway
    return;
  }
  if (!em && s.waitfordialtone > 0) {
    auto tones = CallProgressTones::from_zone(call_config_->zone);
    if (tones) progress_.emplace(std::move(*tones), s.busycount, s.busypattern);
    arm(call_timer_, s.waitfordialtone, &TdmLine::trunk_dial);
    return;
  }
  arm(call_timer_, 500, &TdmLine::trunk_dial);
}

void TdmLine::trunk_dial() {
  if (state_.load() != LineState::Seizing) return;
  call_timer_.cancel();
  progress_.reset();
  set_state(LineState::Dialing);
  {
    std::lock_guard lock(mu_);
    dialed_ = number_to_dial_;
  }
  if (number_to_dial_.empty()) {
    trunk_dialed();
    return;
  }
  engine_.log().verbose("chan_dahdi", "Dialing '" + number_to_dial_ + "' on DAHDI/" + std::to_string(number_));
  const int ms = call_config_->toneduration;
  play(DigitSource{media::DtmfGenerator(8000), number_to_dial_, 0, ms, ms}, [this] { trunk_dialed(); });
}

void TdmLine::trunk_dialed() {
  auto chan = owner();
  if (!chan) return;
  const auto st = state_.load();
  if (st == LineState::Seizing) {  // E&M wink never came, or came: dial now
    call_timer_.cancel();
    set_state(LineState::Seizing);
    trunk_dial();
    return;
  }
  if (st != LineState::Dialing) return;
  const auto& s = call_config_->settings;
  audio_up_ = true;  // the exchange's ringback/announcements reach the caller (early media)
  if (tx_.load() == TxSource::None) tx_ = TxSource::Channel;
  const bool em = !faces_line(call_config_->signalling);
  if (answer_early_) {
    trunk_answered();
    return;
  }
  if (confirm_answer_ && !em) {
    // Dial option c: no answer supervision but the far end's #; its audio already passes.
    set_state(LineState::Proceeding);
    chan->queue_frame(Frame::control(Control::Progress));
    dtmf_ = media::DtmfDetector();
    confirm_wait_ = true;
    return;
  }
  if (em || s.answeronpolarityswitch || s.callprogress) {
    set_state(LineState::Proceeding);
    chan->queue_frame(Frame::control(Control::Progress));
    if (s.callprogress) {
      auto tones = CallProgressTones::from_zone(call_config_->zone);
      if (tones) progress_.emplace(std::move(*tones), s.busycount, s.busypattern);
    }
    return;
  }
  trunk_answered();
}

void TdmLine::trunk_progress(ProgressEvent ev) {
  auto chan = owner();
  const auto st = state_.load();
  if (ev == ProgressEvent::None) {
    // Start busy detection on an answered call (busydetect=yes).
    auto tones = CallProgressTones::from_zone(call_config_->zone);
    if (tones) busy_detect_.emplace(std::move(*tones), call_config_->settings.busycount, call_config_->settings.busypattern);
    return;
  }
  if (st == LineState::Seizing) {
    if (ev == ProgressEvent::DialTone) trunk_dial();
    return;
  }
  if (st != LineState::Proceeding || !chan) return;
  switch (ev) {
    case ProgressEvent::Ringing: chan->queue_frame(Frame::control(Control::Ringing)); return;
    case ProgressEvent::Busy:
      chan->queue_frame(Frame::control(Control::Busy));
      end_call(HangupCause::UserBusy, true);
      return;
    case ProgressEvent::Congestion:
      chan->queue_frame(Frame::control(Control::Congestion));
      end_call(HangupCause::NormalCircuitCongestion, true);
      return;
    case ProgressEvent::Answer: trunk_answered(); return;
    default: return;
  }
}

void TdmLine::trunk_answered() {
  auto chan = owner();
  progress_.reset();
  call_timer_.cancel();
  answered_ = true;
  confirm_wait_ = false;
  audio_up_ = true;
  if (tx_.load() == TxSource::None) tx_ = TxSource::Channel;
  set_state(LineState::Active);
  engine_.log().verbose("chan_dahdi", "DAHDI/" + std::to_string(number_) + " answered");
  if (chan) chan->queue_frame(Frame::control(Control::Answer));
  if (call_config_->settings.busydetect) trunk_progress(ProgressEvent::None);
}

void TdmLine::trunk_far_disconnect(HangupCause cause) { end_call(cause, true); }

// ---- E&M -------------------------------------------------------------------------------------

void TdmLine::em_event(PortEvent e) {
  const auto st = state_.load();
  switch (e) {
    case PortEvent::OffHook:
      if (st == LineState::Idle && !busy_.load()) {
        // The far end seized: wink if we are wink start, then take digits (no dial tone on E&M).
        station_offhook();
        if (call_config_->em_wink) port_->hook(HookCommand::Wink);
      } else if (st == LineState::Proceeding) {
        trunk_answered();  // answer supervision: the far end went off-hook
      }
      return;
    case PortEvent::Wink:
      if (st == LineState::Seizing) {
        call_timer_.cancel();
        trunk_dial();
      }
      return;
    case PortEvent::OnHook:
      if (st != LineState::Idle) trunk_far_disconnect(HangupCause::NormalClearing);
      return;
    default:
      return;
  }
}

}  // namespace telephony::tdm
