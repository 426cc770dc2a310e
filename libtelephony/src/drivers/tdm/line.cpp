// TdmLine: what every line does whatever its signalling — configuration snapshots, reservation,
// status, the audio between port and channel, the tones the line plays by itself, and ending
// calls. The signalling-specific halves are line_station.cpp (phone ports) and line_trunk.cpp
// (exchange lines, E&M).
#include "line.hpp"

#include <boost/asio/post.hpp>
#include <cmath>
#include <cstdio>

#include "tdm_events.hpp"
#include "tdm_system.hpp"
#include "tdm_tech.hpp"
#include "telephony/media/codec.hpp"

namespace telephony::tdm {

namespace asio = boost::asio;

GainTable make_gain_table(Law law, double db) {
  GainTable t{};
  const double k = std::pow(10.0, db / 20.0);
  for (int i = 0; i < 256; ++i) {
    const auto code = static_cast<std::uint8_t>(i);
    const double s = (law == Law::Alaw ? media::g711::alaw_to_linear(code) : media::g711::ulaw_to_linear(code)) * k;
    const auto v = static_cast<std::int16_t>(std::clamp(std::lround(s), -32768L, 32767L));
    t[static_cast<std::size_t>(i)] = law == Law::Alaw ? media::g711::alaw_from_linear(v) : media::g711::ulaw_from_linear(v);
  }
  return t;
}

std::string_view to_string(LineState s) {
  switch (s) {
    case LineState::Idle: return "Idle";
    case LineState::Collecting: return "Collecting digits";
    case LineState::Active: return "Active";
    case LineState::Alerting: return "Ringing";
    case LineState::Lockout: return "Off-hook (call ended)";
    case LineState::IncomingRing: return "Incoming ring";
    case LineState::Seizing: return "Seizing";
    case LineState::Dialing: return "Dialing";
    case LineState::Proceeding: return "Proceeding";
  }
  return "Idle";
}

TdmLine::TdmLine(Engine& engine, std::weak_ptr<TdmSystem> system, std::shared_ptr<SpanChannel> port,
                 std::shared_ptr<const LineConfig> config)
    : engine_(engine),
      system_(std::move(system)),
      port_(std::move(port)),
      number_(config->settings.channel),
      strand_(asio::make_strand(engine.io())),
      config_(std::move(config)),
      questions_(make_pbx_questions(engine)),
      tx_timer_(strand_),
      call_timer_(strand_),
      ring_timer_(strand_),
      cw_timer_(strand_) {
  set_config(config_);
}

TdmLine::~TdmLine() = default;

std::shared_ptr<const LineConfig> TdmLine::config() const {
  std::lock_guard lock(mu_);
  return config_;
}

void TdmLine::set_config(std::shared_ptr<const LineConfig> config) {
  std::lock_guard lock(mu_);
  config_ = std::move(config);
}

void TdmLine::start() {
  asio::post(strand_, [self = shared_from_this()] {
    // The driver's load() returns before this runs, so a request may already have reserved the
    // line and taken a call generation (make_outbound): nothing here may bump gen_ or clear busy_
    // as to_idle() does, or that call's posted work would be dropped as stale and the call would
    // ring out unanswered. A new line's call state is idle already.
    self->call_config_ = self->config();
    self->port_->attach(self.get(), self->strand_, self->call_config_->signalling, self->call_config_->timing);
    self->apply_gains();
    self->publish_device_state();
  });
}

void TdmLine::stop() {
  stopped_ = true;
  asio::post(strand_, [self = shared_from_this()] {
    if (auto chan = self->owner()) chan->request_hangup(HangupCause::NormalClearing);
    if (auto chan = self->other()) chan->request_hangup(HangupCause::NormalClearing);
    self->port_->hook(HookCommand::OnHook);
    self->to_idle();
    self->port_->detach();
    self->tx_timer_.cancel();
    self->call_timer_.cancel();
    self->ring_timer_.cancel();
    self->cw_timer_.cancel();
  });
}

bool TdmLine::available() const {
  return !busy_.load() && !stopped_.load() && !in_alarm_.load() && !dnd_.load() && state_.load() == LineState::Idle &&
         !(faces_phone(config()->signalling) && port_->off_hook());
}

bool TdmLine::try_reserve() {
  if (!available()) return false;
  bool expected = false;
  return busy_.compare_exchange_strong(expected, true);
}

void TdmLine::release_reservation() {
  busy_ = false;
  publish_device_state();
}

LineStatus TdmLine::status() const {
  LineStatus s;
  s.channel = number_;
  auto cfg = config();
  s.span = cfg->span;
  s.signalling = cfg->signalling;
  s.state = state_.load();
  s.dnd = dnd_.load();
  s.in_alarm = in_alarm_.load();
  s.off_hook = port_->off_hook();
  s.calls = calls_.load();
  s.dialing = s.state == LineState::Dialing;
  std::lock_guard lock(mu_);
  s.owner = owner_name_;
  s.uniqueid = owner_uniqueid_;
  s.accountcode = owner_accountcode_;
  s.dialed = dialed_;
  return s;
}

DeviceState TdmLine::device_state() const {
  if (stopped_.load() || in_alarm_.load()) return DeviceState::Unavailable;
  switch (state_.load()) {
    case LineState::Alerting:
    case LineState::IncomingRing: return DeviceState::Ringing;
    case LineState::Idle:
      if (dnd_.load()) return DeviceState::Busy;
      return busy_.load() ? DeviceState::InUse : DeviceState::NotInUse;
    default: return DeviceState::InUse;
  }
}

void TdmLine::publish_device_state() {
  if (auto sys = system_.lock()) sys->device_state_changed(*this);
}

template <class E>
void TdmLine::publish(const E& e) {
  engine_.events().emit(e.to_event());
}

void TdmLine::set_dnd(bool on) {
  if (dnd_.exchange(on) == on) return;
  publish(DndStateChanged{number_, on});
  publish_device_state();
}

void TdmLine::fake_flash() {
  asio::post(strand_, [self = shared_from_this()] { self->on_event(PortEvent::Flash); });
}

void TdmLine::fake_hangup() {
  asio::post(strand_, [self = shared_from_this()] {
    if (self->state_.load() != LineState::Idle) self->end_call(HangupCause::NormalClearing, true);
  });
}

Result<void> TdmLine::dial_offhook(std::string digits) {
  auto chan = owner();
  if (!chan) return fail("Channel does not have it's owner");  // Asterisk's message, kept verbatim
  for (char d : digits) {
    chan->queue_frame(Frame::dtmf_begin(d));
    chan->queue_frame(Frame::dtmf_end(d, std::chrono::milliseconds(100)));
  }
  return {};
}

Channel::Ptr TdmLine::owner() const {
  std::lock_guard lock(mu_);
  return owner_.lock();
}

std::string TdmLine::next_name() {
  return "DAHDI/" + std::to_string(number_) + "-" + std::to_string(instance_.fetch_add(1) + 1);
}

Channel::Ptr TdmLine::new_channel(ChannelDirection dir, const ChannelRequest* req) {
  rx_framer_.reset();
  return create_channel(dir, req, call_config_, gen_.load());
}

Channel::Ptr TdmLine::create_channel(ChannelDirection dir, const ChannelRequest* req,
                                     const std::shared_ptr<const LineConfig>& cfg, std::uint64_t gen, bool as_owner) {
  // Any thread: touches only the engine, atomics and mu_-guarded fields.
  const auto& s = cfg->settings;
  TxParams tx;
  tx.law = cfg->law;
  tx.block_bytes = std::clamp(cfg->block_ms * 8, 80, 320);
  if (s.txgain != 0) tx.gain = std::make_shared<const GainTable>(make_gain_table(tx.law, s.txgain));
  Engine::ChannelInit init;
  init.tech = "DAHDI";
  init.resource = std::to_string(number_);
  init.impl = std::make_unique<TdmTech>(shared_from_this(), gen, std::move(tx));
  init.requestor = req ? req->requestor : nullptr;
  init.direction = dir;
  init.name_override = next_name();
  if (req) init.uniqueid = req->uniqueid;
  auto chan = engine_.create_channel(std::move(init));
  if (!s.language.empty() && !(req && req->requestor)) chan->set_language(s.language);
  if (!s.accountcode.empty()) chan->set_accountcode(s.accountcode);
  for (const auto& [name, value] : s.setvar) chan->set_variable(name, value);
  if (as_owner) set_owner(chan);
  calls_.fetch_add(1);
  publish(DahdiChannelCreated{chan->snapshot(), s.group, cfg->span, number_});
  return chan;
}

void TdmLine::set_state(LineState s) {
  if (state_.exchange(s) == s) return;
  publish_device_state();
}

void TdmLine::end_call(HangupCause cause, bool far_end) {
  for (auto chan : {owner(), other()}) {
    if (!chan) continue;
    chan->set_hangup_cause(cause);
    chan->request_hangup(cause);
  }
  set_other(nullptr, OtherRole::None);
  threeway_ = false;
  cw_stop();
  hold_.reset();
  if (faces_phone(call_config_->signalling)) {
    stop_tone();
    if (state_.load() == LineState::Alerting) port_->hook(HookCommand::RingOff);
    if (!far_end && port_->off_hook()) {
      // The phone is still off-hook: tell it (kewlstart loop drop) and play congestion until
      // it hangs up, as chan_dahdi does.
      port_->hook(HookCommand::OnHook);
      port_->set_polarity(false);
      {
        std::lock_guard lock(mu_);
        owner_.reset();
        active_chan_ = nullptr;
      }
      audio_up_ = false;
      collector_.reset();
      set_state(LineState::Lockout);
      play_zone_tone("congestion");
      return;
    }
  } else {
    port_->hook(HookCommand::OnHook);
  }
  to_idle();
}

void TdmLine::to_idle() {
  stop_tone();
  call_timer_.cancel();
  ring_timer_.cancel();
  collector_.reset();
  cid_rx_.reset();
  cid_.reset();
  progress_.reset();
  busy_detect_.reset();
  hold_.reset();
  cw_stop();
  set_other(nullptr, OtherRole::None);
  threeway_ = false;
  audio_up_ = answered_ = cid_sent_ = answer_early_ = confirm_answer_ = confirm_wait_ = ringback_held_ = false;
  rings_seen_ = 0;
  distinctive_ = 0;
  number_to_dial_.clear();
  tx_ = TxSource::None;
  if (faces_phone(call_config_->signalling)) port_->set_polarity(false);
  {
    std::lock_guard lock(mu_);
    owner_.reset();
    active_chan_ = nullptr;
    owner_name_.clear();
    owner_uniqueid_.clear();
    owner_accountcode_.clear();
    dialed_.clear();
  }
  ++gen_;
  call_config_ = config();
  apply_gains();
  busy_ = false;
  state_ = LineState::Idle;
  publish_device_state();
}

void TdmLine::apply_gains() {
  auto& s = call_config_->settings;
  rx_gain_on_ = s.rxgain != 0;
  tx_gain_on_ = s.txgain != 0;
  if (rx_gain_on_) rx_gain_ = make_gain_table(call_config_->law, s.rxgain);
  if (tx_gain_on_) tx_gain_ = make_gain_table(call_config_->law, s.txgain);
  cid_gain_ = std::pow(10.0, s.cid_rxgain / 20.0);
}

// ---- the tech's work -------------------------------------------------------------------------

void TdmLine::tech_call(std::uint64_t gen, const Channel* chan, CallerId caller) {
  asio::post(strand_, [self = shared_from_this(), gen, chan, caller = std::move(caller)]() mutable {
    if (gen != self->gen_.load()) return;
    self->outbound_caller_ = std::move(caller);
    if (chan == self->other_chan_.load() && self->other_role_ == OtherRole::Waiting) return self->cw_alert();
    if (faces_phone(self->call_config_->signalling)) self->station_alert();
    else self->trunk_seize();
  });
}

void TdmLine::tech_answer(std::uint64_t gen, const Channel* chan) {
  asio::post(strand_, [self = shared_from_this(), gen, chan] {
    if (gen != self->gen_.load() || (chan != self->active_chan_.load() && self->other_chan_.load())) return;
    const auto sig = self->call_config_->signalling;
    if (faces_phone(sig)) {
      // The far side answered the phone's call: the ringback stops, the channel's audio flows,
      // and the polarity reverses if asked (payphones, call meters).
      self->stop_tone();
      if (self->call_config_->settings.answeronpolarityswitch) self->port_->set_polarity(true);
      return;
    }
    if (self->answered_) return;
    self->ring_timer_.cancel();
    self->port_->hook(HookCommand::OffHook);
    self->answered_ = true;
    self->audio_up_ = true;
    self->tx_ = TxSource::Channel;
    self->set_state(LineState::Active);
    if (self->call_config_->settings.busydetect) self->trunk_progress(ProgressEvent::None);
  });
}

void TdmLine::tech_hangup(std::uint64_t gen, const Channel* chan, HangupCause cause) {
  asio::post(strand_, [self = shared_from_this(), gen, chan, cause] {
    if (gen != self->gen_.load()) return;
    if (self->sub_hangup(chan)) return;
    if (self->state_.load() == LineState::Idle && self->busy_.load()) {
      self->to_idle();  // a reserved line whose channel was never called
      return;
    }
    if (self->state_.load() == LineState::Idle || self->state_.load() == LineState::Lockout) return;
    self->end_call(cause, false);
  });
}

void TdmLine::tech_indicate(std::uint64_t gen, const Channel* chan, Control c) {
  asio::post(strand_, [self = shared_from_this(), gen, chan, c] {
    if (gen != self->gen_.load() || chan != self->active_chan_.load()) return;
    const bool phone = faces_phone(self->call_config_->signalling);
    switch (c) {
      case Control::Ringing:
        if (phone && self->state_.load() == LineState::Active) self->play_zone_tone("ring");
        break;
      case Control::Busy:
        if (phone) self->play_zone_tone("busy");
        break;
      case Control::Congestion:
        if (phone) self->play_zone_tone("congestion");
        break;
      case Control::Answer:
      case Control::Progress:
      case Control::Proceeding:
        if (phone) self->stop_tone();
        break;
      case Control::Flash:
        // A flash relayed from the peer (an FXS phone's hook flash) flashes this exchange line.
        if (!phone && self->answered_) self->port_->hook(HookCommand::Flash);
        break;
      default: break;
    }
  });
}

void TdmLine::write_voice(std::uint64_t gen, const TxParams& tx, const Channel& chan, const Frame& f) {
  if (gen != gen_.load(std::memory_order_relaxed)) return;
  // The channel's write path already translated to the native format (the line's law).
  const auto want = tx.law == Law::Alaw ? media::Codec::Alaw : media::Codec::Ulaw;
  if (f.format.codec != want) return;
  auto data = f.data();
  const Channel* active = active_chan_.load(std::memory_order_relaxed);
  if (conference_.load(std::memory_order_relaxed)) {
    // Three-way conference: the port's clock mixes (conference_audio on the line strand).
    const int who = &chan == active ? 0 : &chan == other_chan_.load(std::memory_order_relaxed) ? 1 : -1;
    if (who >= 0) conference_write(who, tx.law, data);
    return;
  }
  // Only the phone's current call reaches the port; a held or waiting call is not heard.
  if (tx_.load(std::memory_order_relaxed) != TxSource::Channel || (active && &chan != active)) return;
  std::array<std::uint8_t, 320> out;
  while (!data.empty()) {
    const std::size_t n = std::min<std::size_t>(data.size(), static_cast<std::size_t>(tx.block_bytes));
    if (tx.gain)
      for (std::size_t i = 0; i < n; ++i) out[i] = (*tx.gain)[data[i]];
    else
      std::copy_n(data.begin(), n, out.begin());
    port_->write_audio(std::span<const std::uint8_t>(out.data(), n));
    data = data.subspan(n);
  }
}

// ---- audio from the port ---------------------------------------------------------------------

void TdmLine::on_audio(std::span<const std::uint8_t> g711) {
  if (g711.empty()) return;
  if (conference_) return conference_audio(g711);
  const bool dsp = collector_ || cid_rx_ || progress_ || busy_detect_ || cw_ack_wait_ || confirm_wait_;
  if (dsp) {
    rx_pcm_.resize(g711.size());
    const auto law = call_config_->law;
    if (law == Law::Alaw) media::g711::alaw_decode(g711, rx_pcm_);
    else media::g711::ulaw_decode(g711, rx_pcm_);
    const std::span<const std::int16_t> pcm(rx_pcm_);
    if (confirm_wait_) {
      // Dial option c: the far end confirms the answer with # (heard in band).
      for (const auto& ev : dtmf_.process(pcm))
        if (!ev.begin && ev.digit == '#' && confirm_wait_) {
          confirm_wait_ = false;
          engine_.log().verbose("chan_dahdi", "DAHDI/" + std::to_string(number_) + ": answer confirmed with #");
          trunk_answered();
        }
    }
    if (cw_ack_wait_ && !collector_) {
      // Type 2 caller ID: the phone acknowledges the CAS with DTMF A or D, then gets the FSK.
      for (const auto& ev : dtmf_.process(pcm))
        if (!ev.begin && (ev.digit == 'A' || ev.digit == 'D')) cw_send_callerid();
    }
    if (collector_) {
      for (const auto& ev : dtmf_.process(pcm)) {
        if (ev.begin) {
          stop_tone();
          continue;
        }
        {
          std::lock_guard lock(mu_);
          dialed_.push_back(ev.digit);
        }
        call_timer_.cancel();
        collect_step(collector_->on_digit(ev.digit));
        if (!collector_) break;
      }
    }
    if (cid_rx_) {
      // cid_rxgain boosts the (usually quiet) FSK before the modem, as chan_dahdi does. Nothing
      // else listens while caller ID is being received, so the samples are scaled in place.
      if (cid_gain_ != 1.0)
        for (auto& s : rx_pcm_) s = static_cast<std::int16_t>(std::clamp(std::lround(s * cid_gain_), -32768L, 32767L));
      if (auto msg = cid_rx_->process(pcm)) {
        engine_.log().verbose("chan_dahdi", "Caller ID on DAHDI/" + std::to_string(number_) + ": \"" + msg->name +
                                                "\" <" + msg->number + "> (" + std::string(to_string(msg->format)) + ")");
        cid_ = std::move(*msg);
      }
    }
    if (progress_) {
      const auto ev = progress_->process(pcm);
      if (ev != ProgressEvent::None) trunk_progress(ev);
    }
    if (busy_detect_) {
      if (busy_detect_->process(pcm) == ProgressEvent::Busy) {
        engine_.log().notice("chan_dahdi", "Busy detected on DAHDI/" + std::to_string(number_) + ": far end hung up");
        trunk_far_disconnect(HangupCause::NormalClearing);
        return;
      }
    }
  }
  if (audio_up_) deliver_voice(g711);
}

void TdmLine::deliver_voice(std::span<const std::uint8_t> g711) {
  if (auto chan = owner()) deliver_to(chan, rx_framer_, g711, true);
}

void TdmLine::deliver_to(const Channel::Ptr& chan, RxFramer& framer, std::span<const std::uint8_t> g711, bool gain) {
  const auto fmt = call_config_->law == Law::Alaw ? media::Format::alaw() : media::Format::ulaw();
  framer.push(g711, gain && rx_gain_on_ ? rx_gain_.data() : nullptr,
              [&](std::shared_ptr<const std::vector<std::uint8_t>> payload) {
                chan->queue_frame(Frame::voice(fmt, std::move(payload), static_cast<std::uint32_t>(framer.frame_bytes())));
              });
}

// ---- tones the line plays itself -------------------------------------------------------------

void TdmLine::play(Source src, std::function<void()> done) {
  source_ = std::move(src);
  source_done_ = std::move(done);
  tx_ = TxSource::Line;
  const std::size_t n = static_cast<std::size_t>(call_config_->block_ms) * 8;
  pcm_.resize(n);
  g711_.resize(n);
  tx_timer_.cancel();
  tx_next_ = std::chrono::steady_clock::now();
  tx_tick();
}

void TdmLine::play_zone_tone(std::string_view name) {
  auto list = call_config_->zone.tone(name);
  if (!list) {
    stop_tone();
    return;
  }
  auto spec = media::parse_tone_spec(*list);
  if (!spec) {
    stop_tone();
    return;
  }
  play(ToneSource{media::ToneGenerator(std::move(*spec), 8000)});
}

void TdmLine::stop_tone() {
  if (std::holds_alternative<std::monostate>(source_)) return;
  source_ = std::monostate{};
  source_done_ = nullptr;
  tx_timer_.cancel();
  tx_ = audio_up_ ? TxSource::Channel : TxSource::None;
}

void TdmLine::tx_tick() {
  if (std::holds_alternative<std::monostate>(source_)) return;
  bool finished = false;
  std::fill(pcm_.begin(), pcm_.end(), 0);
  if (auto* t = std::get_if<ToneSource>(&source_)) {
    t->gen.generate(pcm_);
    finished = t->gen.finished();
  } else if (auto* d = std::get_if<DigitSource>(&source_)) {
    if (!d->gen.busy() && d->next < d->digits.size()) {
      const char c = d->digits[d->next++];
      if (c == 'w' || c == 'W') d->gen.play('0', 0, 500);  // DAHDI dial string: half a second pause
      else d->gen.play(c, static_cast<std::uint32_t>(d->on_ms), static_cast<std::uint32_t>(d->off_ms));
    }
    const bool busy = d->gen.generate(pcm_);
    finished = !busy && d->next >= d->digits.size();
  } else if (auto* c = std::get_if<CidSource>(&source_)) {
    finished = c->gen.generate(pcm_) == 0;
  }
  if (call_config_->law == Law::Alaw) media::g711::alaw_encode(pcm_, g711_);
  else media::g711::ulaw_encode(pcm_, g711_);
  if (tx_gain_on_)
    for (auto& b : g711_) b = tx_gain_[b];
  port_->write_audio(g711_);
  if (finished) {
    auto done = std::move(source_done_);
    source_ = std::monostate{};
    source_done_ = nullptr;
    tx_ = audio_up_ ? TxSource::Channel : TxSource::None;
    if (done) done();
    return;
  }
  tx_next_ += std::chrono::milliseconds(call_config_->block_ms);
  const auto now = std::chrono::steady_clock::now();
  if (tx_next_ < now - std::chrono::milliseconds(100)) tx_next_ = now;  // after a stall, no burst
  tx_timer_.expires_at(tx_next_);
  tx_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec) self->tx_tick();
  });
}

void TdmLine::arm(asio::steady_timer& t, int ms, void (TdmLine::*fn)()) {
  t.expires_after(std::chrono::milliseconds(ms));
  t.async_wait([self = shared_from_this(), fn, gen = gen_.load()](const boost::system::error_code& ec) {
    if (ec || gen != self->gen_.load()) return;
    (self.get()->*fn)();
  });
}

// ---- port events -----------------------------------------------------------------------------

void TdmLine::on_event(PortEvent e) {
  if (e == PortEvent::Alarm || e == PortEvent::NoAlarm) {
    const bool alarm = e == PortEvent::Alarm;
    if (in_alarm_.exchange(alarm) == alarm) return;
    if (alarm && state_.load() != LineState::Idle) end_call(HangupCause::NetworkOutOfOrder, true);
    publish_device_state();
    return;
  }
  const auto sig = call_config_->signalling;
  if (faces_phone(sig)) station_event(e);
  else if (faces_line(sig)) trunk_event(e);
  else em_event(e);
}

}  // namespace telephony::tdm

namespace telephony::tdm {

Channel::Ptr TdmLine::make_outbound(const ChannelRequest& req, std::string number, int distinctive_ring,
                                    bool confirm_answer) {
  // Runs on the requester's thread; the strand-only call state is set by the posted task, which
  // runs before the call() that follows.
  auto cfg = config();
  const auto gen = ++gen_;
  auto chan = create_channel(ChannelDirection::Outbound, &req, cfg, gen);
  boost::asio::post(strand_, [self = shared_from_this(), cfg, gen, number = std::move(number), distinctive_ring,
                              confirm_answer] {
    if (gen != self->gen_.load()) return;
    self->call_config_ = cfg;
    self->number_to_dial_ = number;
    self->distinctive_ = distinctive_ring;
    self->confirm_answer_ = confirm_answer;
    self->rx_framer_.reset();
    self->publish_device_state();
  });
  return chan;
}

}  // namespace telephony::tdm
