// Hook-flash features of phone ports, as chan_dahdi/sig_analog give them: a phone may have two
// calls — the owner (what it talks to) and the other one — and the flash moves between them.
//
//   threewaycalling=yes  flash in a call: the call is held, recall dial tone, the phone dials a
//                        second call. Flash while still dialling: that call is dropped, back to the
//                        first. Flash once it is dialled: all three are conferenced. Flash in the
//                        conference: the last party is dropped. On-hook with `transfer=yes` (the
//                        second call answered): the two parties are joined (flash-hook transfer).
//   callwaiting=yes      a call to the port while the phone talks: call-waiting tone (the zone's
//                        `callwaiting`, repeated), with callwaitingcallerid=yes a CAS tone and,
//                        on the phone's DTMF A/D acknowledgement, type 2 FSK caller ID. Flash:
//                        answer it, the first call is held; each flash switches again.
//
// A held party's bridge peer gets a Hold indication (music on hold where its technology plays
// it, silence otherwise) and hears nothing of the phone. Everything runs on the line's strand.
#include "line.hpp"

#include "telephony/bridge.hpp"
#include "telephony/media/codec.hpp"

namespace telephony::tdm {

namespace {

std::string describe(const Channel::Ptr& chan) { return chan ? chan->name() : std::string("(gone)"); }

// The bridge `chan` is one of two members of, and the other member.
std::pair<Bridge::Ptr, Channel::Ptr> two_party_bridge(Engine& engine, const Channel::Ptr& chan) {
  const auto id = chan->snapshot().bridge_id;
  auto bridge = id.empty() ? nullptr : engine.find_bridge(id);
  if (!bridge || bridge->dissolved()) return {};
  auto members = bridge->members();
  if (members.size() != 2 || (members[0] != chan && members[1] != chan)) return {};
  return {bridge, members[0] == chan ? members[1] : members[0]};
}

}  // namespace

void TdmLine::set_owner(const Channel::Ptr& chan) {
  std::lock_guard lock(mu_);
  owner_ = chan;
  owner_name_ = chan ? chan->name() : std::string();
  owner_uniqueid_ = chan ? chan->uniqueid() : std::string();
  owner_accountcode_ = chan ? chan->accountcode() : std::string();
  active_chan_ = chan.get();
}

Channel::Ptr TdmLine::other() const {
  std::lock_guard lock(mu_);
  return other_.lock();
}

void TdmLine::set_other(const Channel::Ptr& chan, OtherRole role) {
  {
    std::lock_guard lock(mu_);
    other_ = chan;
    other_chan_ = chan.get();
  }
  other_role_ = chan ? role : OtherRole::None;
  const bool conference = chan && role == OtherRole::Conference;
  if (conference != conference_.load()) {
    mix_.reset();
    rx_framer_other_.reset();
    conference_ = conference;
  }
}

void TdmLine::station_flash() {
  const auto me = "DAHDI/" + std::to_string(number_);
  switch (other_role_) {
    case OtherRole::None:
      if (!call_config_->settings.threewaycalling) {
        // Passed to the far side (an exchange line bridged to this phone flashes too: the
        // exchange's own call waiting / transfer).
        engine_.log().verbose("chan_dahdi", "Hook flash on " + me);
        if (auto chan = owner()) chan->queue_frame(Frame::control(Control::Flash));
        return;
      }
      if (state_.load() == LineState::Active) start_three_way();
      return;
    case OtherRole::Waiting:
      engine_.log().verbose("chan_dahdi", "Answering the waiting call on " + me);
      swap_calls();
      return;
    case OtherRole::Held:
      if (!threeway_) {
        swap_calls();  // call waiting: back and forth
      } else if (collector_) {
        engine_.log().verbose("chan_dahdi", "Dumping incomplete call on " + describe(owner()));
        back_to_other(true);
      } else {
        start_conference();
      }
      return;
    case OtherRole::Conference:
      engine_.log().verbose("chan_dahdi", "Dropping three-way call on " + describe(owner()));
      back_to_other(true);
      return;
  }
}

void TdmLine::start_three_way() {
  auto first = owner();
  if (!first) return;
  engine_.log().verbose("chan_dahdi", "Started three way call on channel " + std::to_string(number_));
  first->queue_frame(Frame::control(Control::Hold));
  set_other(first, OtherRole::Held);
  threeway_ = true;
  audio_up_ = false;
  tx_ = TxSource::None;
  set_state(LineState::Collecting);
  start_switch(true);
}

void TdmLine::swap_calls() {
  auto current = owner();
  auto next = other();
  if (!next) return;
  const bool waiting = other_role_ == OtherRole::Waiting;
  cw_stop();
  stop_tone();
  if (current) current->queue_frame(Frame::control(Control::Hold));
  set_owner(next);
  set_other(current, OtherRole::Held);
  threeway_ = false;
  rx_framer_.reset();
  if (waiting) {
    next->set_dtmf_detection(true);
    next->queue_frame(Frame::control(Control::Answer));
  } else {
    next->queue_frame(Frame::control(Control::Unhold));
  }
  audio_up_ = true;
  tx_ = TxSource::Channel;
  set_state(LineState::Active);
}

void TdmLine::back_to_other(bool hang_up_owner) {
  auto current = owner();
  auto next = other();
  const auto role = other_role_;
  call_timer_.cancel();
  collector_.reset();
  hold_.reset();
  cw_stop();
  stop_tone();
  set_other(nullptr, OtherRole::None);
  threeway_ = false;
  set_owner(next);
  if (current && hang_up_owner) current->request_hangup(HangupCause::NormalClearing);
  if (!next) {
    end_call(HangupCause::NormalClearing, false);
    return;
  }
  if (role == OtherRole::Waiting) {
    // The phone's call ended while another one waited: that one is answered now (chan_dahdi).
    next->set_dtmf_detection(true);
    next->queue_frame(Frame::control(Control::Answer));
  } else if (role == OtherRole::Held) {
    next->queue_frame(Frame::control(Control::Unhold));
  }
  rx_framer_.reset();
  audio_up_ = true;
  tx_ = TxSource::Channel;
  set_state(LineState::Active);
}

void TdmLine::start_conference() {
  auto first = other();
  if (!first) return;
  engine_.log().verbose("chan_dahdi", "Building conference call with " + describe(owner()) + " and " + first->name());
  stop_tone();
  set_other(first, OtherRole::Conference);
  first->queue_frame(Frame::control(Control::Unhold));
  audio_up_ = true;
}

bool TdmLine::sub_hangup(const Channel* chan) {
  const Channel* other = other_chan_.load();
  if (!other) return chan != active_chan_.load() && state_.load() != LineState::Idle;  // a call we let go of
  if (chan == other) {
    const auto role = other_role_;
    engine_.log().verbose("chan_dahdi", "DAHDI/" + std::to_string(number_) + ": the other call (" + describe(this->other()) +
                                            ") ended");
    if (role == OtherRole::Waiting) {
      cw_stop();
      stop_tone();
    }
    set_other(nullptr, OtherRole::None);
    threeway_ = false;
    return true;
  }
  if (chan == active_chan_.load()) {
    // The call the phone talked on ended: the other one is the phone's at once (chan_dahdi waits
    // for a flash when the other was held; see docs/compatibility.md).
    back_to_other(false);
    return true;
  }
  return true;
}

void TdmLine::station_onhook_with_other() {
  const auto& s = call_config_->settings;
  auto current = owner();
  auto first = other();
  engine_.log().verbose("chan_dahdi", "DAHDI/" + std::to_string(number_) + " went on-hook");
  if (threeway_ && s.transfer && current && first && !collector_ &&
      (other_role_ == OtherRole::Held || other_role_ == OtherRole::Conference)) {
    auto [from, held_party] = two_party_bridge(engine_, first);
    auto [to, third_party] = two_party_bridge(engine_, current);
    if (from && to && from != to) {
      // Flash-hook transfer: both parties move into a new bridge of their own. (Swapping one into
      // the other's bridge would kick our call out of it, and a Dial() whose caller is kicked
      // dissolves its bridge.) Our two calls, left alone, are hung up once both have moved.
      engine_.log().verbose("chan_dahdi", "Transferring " + held_party->name() + " to " + third_party->name() + " (" +
                                              current->name() + " hung up)");
      stop_tone();
      audio_up_ = false;
      tx_ = TxSource::None;
      cw_stop();
      set_other(first, OtherRole::Held);  // no more conference: the phone is gone
      held_party->set_variable("ATTENDEDTRANSFER", current->name());
      auto joined = Bridge::create(engine_, {.type = "basic", .name = "", .creator = "DAHDI transfer", .dissolve_when_alone = true});
      struct Pending {
        std::mutex mu;
        int left = 2;
        bool ok = true;
      };
      auto pending = std::make_shared<Pending>();
      auto moved = [pending, joined, current, first, eng = &engine_](bool ok) {
        bool last = false, all_ok = false;
        {
          std::lock_guard lock(pending->mu);
          pending->ok = pending->ok && ok;
          last = --pending->left == 0;
          all_ok = pending->ok;
        }
        if (!last) return;
        if (!all_ok) {
          eng->log().notice("chan_dahdi", "Transfer from " + current->name() + " failed: a party left meanwhile");
          joined->dissolve();
        }
        first->request_hangup(HangupCause::NormalClearing);
        current->request_hangup(HangupCause::NormalClearing);
      };
      if (!from->move_to(held_party, joined, nullptr, moved)) moved(false);
      if (!to->move_to(third_party, joined, nullptr, moved)) moved(false);
      return;
    }
    engine_.log().notice("chan_dahdi", "DAHDI/" + std::to_string(number_) +
                                           ": transfer needs the second call answered; ringing back for the first");
    return ring_back();
  }
  // A three-way call without transfer ends both calls; a call that is still being dialled, and
  // a waiting or held call-waiting call, ring the phone back (chan_dahdi does the same).
  if (threeway_ && !collector_) return end_call(HangupCause::NormalClearing, true);
  ring_back();
}

void TdmLine::ring_back() {
  auto current = owner();
  auto next = other();
  const auto role = other_role_;
  call_timer_.cancel();
  collector_.reset();
  hold_.reset();
  cw_stop();
  stop_tone();
  set_other(nullptr, OtherRole::None);
  threeway_ = false;
  if (current) current->request_hangup(HangupCause::NormalClearing);
  if (!next) return end_call(HangupCause::NormalClearing, true);
  set_owner(next);
  audio_up_ = answered_ = false;
  tx_ = TxSource::None;
  ringback_held_ = role != OtherRole::Waiting;
  cid_sent_ = true;
  rings_seen_ = 0;
  engine_.log().verbose("chan_dahdi", "DAHDI/" + std::to_string(number_) + " still has a call (" + next->name() +
                                          "): ringing the phone");
  set_state(LineState::Alerting);
  port_->set_cadence(call_config_->zone.ringcadence);
  port_->hook(HookCommand::Ring);
}

// ---- three-way conference audio ---------------------------------------------------------------

void TdmLine::conference_write(int who, Law law, std::span<const std::uint8_t> g711) {
  std::array<std::int16_t, 320> pcm;
  while (!g711.empty()) {
    const std::size_t n = std::min<std::size_t>(g711.size(), pcm.size());
    const std::span<std::int16_t> out(pcm.data(), n);
    if (law == Law::Alaw) media::g711::alaw_decode(g711.first(n), out);
    else media::g711::ulaw_decode(g711.first(n), out);
    mix_.push(who, out);
    g711 = g711.subspan(n);
  }
}

void TdmLine::conference_audio(std::span<const std::uint8_t> g711) {
  auto current = owner();
  auto first = other();
  const auto law = call_config_->law;
  std::array<std::int16_t, 320> phone, a, b, mixed;
  std::array<std::uint8_t, 320> out;
  while (!g711.empty()) {
    const std::size_t n = std::min<std::size_t>(g711.size(), phone.size());
    const std::span<std::int16_t> ph(phone.data(), n), pa(a.data(), n), pb(b.data(), n), mx(mixed.data(), n);
    const std::span<std::uint8_t> o(out.data(), n);
    auto encode = [&] {
      if (law == Law::Alaw) media::g711::alaw_encode(mx, o);
      else media::g711::ulaw_encode(mx, o);
    };
    if (law == Law::Alaw) media::g711::alaw_decode(g711.first(n), ph);
    else media::g711::ulaw_decode(g711.first(n), ph);
    mix_.pull(0, pa);
    mix_.pull(1, pb);
    // The phone hears both parties.
    for (std::size_t i = 0; i < n; ++i) mixed[i] = ConferenceMix::add(a[i], b[i]);
    encode();
    if (tx_gain_on_)
      for (auto& x : o) x = tx_gain_[x];
    port_->write_audio(o);
    // Each party hears the phone and the other party.
    if (current) {
      for (std::size_t i = 0; i < n; ++i) mixed[i] = ConferenceMix::add(phone[i], b[i]);
      encode();
      deliver_to(current, rx_framer_, o, false);
    }
    if (first) {
      for (std::size_t i = 0; i < n; ++i) mixed[i] = ConferenceMix::add(phone[i], a[i]);
      encode();
      deliver_to(first, rx_framer_other_, o, false);
    }
    g711 = g711.subspan(n);
  }
}

// ---- call waiting ------------------------------------------------------------------------------

Channel::Ptr TdmLine::make_waiting(const ChannelRequest& req) {
  auto cfg = config();
  if (!cfg->settings.callwaiting || !faces_phone(cfg->signalling) || stopped_.load() || in_alarm_.load() || dnd_.load() ||
      state_.load() != LineState::Active || other_chan_.load() || !port_->off_hook())
    return nullptr;
  // One waiting call at a time: the claim holds until the line's strand has taken it (or not).
  if (cw_claim_.exchange(true)) return nullptr;
  const auto gen = gen_.load();
  auto chan = create_channel(ChannelDirection::Outbound, &req, cfg, gen, false);
  boost::asio::post(strand_, [self = shared_from_this(), chan, gen] {
    self->cw_claim_ = false;
    if (gen != self->gen_.load() || self->state_.load() != LineState::Active || self->other_chan_.load()) {
      // The phone's call ended or it flashed for a second call meanwhile: busy, as without
      // call waiting.
      chan->queue_frame(Frame::control(Control::Busy));
      chan->set_hangup_cause(HangupCause::UserBusy);
      return;
    }
    self->set_other(chan, OtherRole::Waiting);
    self->cw_cid_sent_ = false;
  });
  engine_.log().verbose("chan_dahdi", "DAHDI/" + std::to_string(number_) + " is in a call: " + chan->name() +
                                          " is a waiting call");
  return chan;
}

void TdmLine::cw_alert() {
  auto chan = other();
  if (!chan) return;
  engine_.log().verbose("chan_dahdi", "Call waiting on DAHDI/" + std::to_string(number_) + " from \"" +
                                          outbound_caller_.name + "\" <" + outbound_caller_.number + ">");
  chan->queue_frame(Frame::control(Control::Ringing));
  cw_beep();
}

void TdmLine::cw_beep() {
  if (other_role_ != OtherRole::Waiting) return;
  // The zone's call-waiting tone up to its first long silence; that silence is the repeat.
  media::ToneSpec burst;
  std::uint32_t gap = 10000;
  if (auto list = call_config_->zone.tone("callwaiting"))
    if (auto spec = media::parse_tone_spec(*list)) {
      for (auto part : spec->parts) {
        if (part.freq1 == 0 && part.freq2 == 0 && (part.duration_ms == 0 || part.duration_ms >= 1000)) {
          if (part.duration_ms) gap = part.duration_ms;
          break;
        }
        if (part.duration_ms == 0) part.duration_ms = 300;
        part.once = true;
        burst.parts.push_back(part);
      }
    }
  if (burst.parts.empty()) burst.parts.push_back({440, 0, false, 300, true});  // Asterisk's SAS
  const bool cas = call_config_->settings.callwaitingcallerid && !cw_cid_sent_;
  if (cas) {
    // CPE Alert Signal: 2130 + 2750 Hz, 80 ms, after a short pause.
    burst.parts.push_back({0, 0, false, 50, true});
    burst.parts.push_back({2130, 2750, false, 80, true});
  }
  std::uint32_t burst_ms = 0;
  for (const auto& p : burst.parts) burst_ms += p.duration_ms;
  cw_tone_ = true;
  play(ToneSource{media::ToneGenerator(std::move(burst), 8000)}, [this] { cw_tone_ = false; });
  if (cas) {
    // The phone answers the CAS with DTMF A or D within 100 ms of its end: listen from now on.
    cw_ack_wait_ = true;
    dtmf_ = media::DtmfDetector();
    arm(ring_timer_, static_cast<int>(burst_ms) + 600, &TdmLine::cw_ack_timeout);
  }
  arm(cw_timer_, static_cast<int>(burst_ms + gap), &TdmLine::cw_beep);
}

void TdmLine::cw_ack_timeout() {
  if (cw_ack_wait_)
    engine_.log().verbose("chan_dahdi", "DAHDI/" + std::to_string(number_) + ": no caller ID acknowledgement from the phone");
  cw_ack_wait_ = false;
}

void TdmLine::cw_send_callerid() {
  cw_ack_wait_ = false;
  ring_timer_.cancel();
  if (other_role_ != OtherRole::Waiting || cw_cid_sent_) return;
  const auto standard = call_config_->settings.cidsignalling == CidSignalling::V23 ? CidSignalling::V23 : CidSignalling::Bell;
  auto gen = CallerIdGenerator::create(standard, true);
  if (!gen) return;
  CallerIdMessage m;
  const bool restricted = (outbound_caller_.presentation & 0x60) == 0x20;
  m.number = outbound_caller_.number;
  m.name = outbound_caller_.name;
  if (restricted) m.number_absent = m.name_absent = 'P';
  else if (m.number.empty()) m.number_absent = 'O';
  if (!restricted && m.name.empty()) m.name_absent = m.number.empty() ? 'O' : 0;
  if (auto r = gen->start(m); !r) return;
  cw_cid_sent_ = true;
  engine_.log().verbose("chan_dahdi", "Sending call-waiting caller ID \"" + m.name + "\" <" + m.number + "> to DAHDI/" +
                                          std::to_string(number_));
  cw_tone_ = true;
  play(CidSource{std::move(*gen)}, [this] { cw_tone_ = false; });
}

void TdmLine::cw_stop() {
  cw_timer_.cancel();
  if (cw_ack_wait_) ring_timer_.cancel();
  cw_ack_wait_ = false;
  if (cw_tone_) {
    cw_tone_ = false;
    stop_tone();
  }
}

}  // namespace telephony::tdm
