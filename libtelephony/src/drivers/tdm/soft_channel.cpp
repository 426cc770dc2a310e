// DAHDI kernel behaviour over a wire (see soft_channel.hpp).
#include "soft_channel.hpp"

#include <boost/asio/post.hpp>

namespace telephony::tdm {

void SoftChannel::set_link(std::shared_ptr<WireLink> link) { link_ = std::move(link); }

std::optional<SpanChannel::Executor> SoftChannel::delivery_executor() const {
  std::lock_guard lock(mu_);
  return listener_ ? executor_ : std::nullopt;
}

std::string SoftChannel::describe() const { return link_ ? link_->describe() : where_; }

void SoftChannel::attach(PortListener* listener, Executor ex, Signalling sig, PortTiming timing) {
  {
    std::lock_guard lock(mu_);
    listener_ = listener;
    executor_ = ex;
  }
  sig_ = sig;
  timing_ = timing;
  ring_timer_.emplace(ex);
  hook_timer_.emplace(ex);
  aux_timer_.emplace(ex);
  ringing_ = bell_on_ = flash_pending_ = seizing_ = false;
  if (link_) link_->bind(ex);
}

void SoftChannel::detach() {
  ++epoch_;
  for (auto* t : {&ring_timer_, &hook_timer_, &aux_timer_})
    if (*t) (*t)->cancel();
  if (bell_on_) send(LineSignal::RingOff);
  ringing_ = bell_on_ = false;
  if (link_) link_->bind(std::nullopt);
  std::lock_guard lock(mu_);
  listener_ = nullptr;
}

void SoftChannel::notify_alarm(bool in_alarm) {
  auto ex = delivery_executor();
  if (!ex) return;
  auto self = std::static_pointer_cast<SoftChannel>(shared_from_this());
  boost::asio::post(*ex, [self, in_alarm, epoch = epoch_] {
    if (epoch == self->epoch_) self->emit(in_alarm ? PortEvent::Alarm : PortEvent::NoAlarm);
  });
}

void SoftChannel::emit(PortEvent e) {
  if (listener_) listener_->on_event(e);
}

void SoftChannel::send(LineSignal s) {
  if (link_) link_->send_signal(s);
}

void SoftChannel::write_audio(std::span<const std::uint8_t> g711) {
  if (link_) link_->send_audio(g711);
}

void SoftChannel::on_wire_audio(std::span<const std::uint8_t> g711) {
  if (listener_) listener_->on_audio(g711);
}

void SoftChannel::after(boost::asio::steady_timer& t, int ms, void (SoftChannel::*fn)()) {
  t.expires_after(std::chrono::milliseconds(ms));
  auto self = std::static_pointer_cast<SoftChannel>(shared_from_this());
  t.async_wait([self, fn, epoch = epoch_](const boost::system::error_code& ec) {
    if (ec || epoch != self->epoch_) return;
    (self.get()->*fn)();
  });
}

void SoftChannel::on_wire_signal(LineSignal s) {
  if (!listener_) return;
  if (office_side()) {
    switch (s) {
      case LineSignal::HookOff:
        if (flash_pending_) {
          // Back off-hook inside the rxflash window: the on-hook was a flash, not a hang-up.
          flash_pending_ = false;
          hook_timer_->cancel();
          emit(PortEvent::Flash);
          return;
        }
        if (off_hook_.exchange(true)) return;
        if (ringing_) stop_ringing();
        emit(PortEvent::OffHook);
        return;
      case LineSignal::HookOn:
        if (!off_hook_.load() || flash_pending_) return;
        flash_pending_ = true;
        after(*hook_timer_, timing_.rxflash, &SoftChannel::flash_window_expired);
        return;
      case LineSignal::RingGround:
        // A groundstart phone asks for service: acknowledge by grounding tip; it then closes the loop.
        if (sig_ == Signalling::FxoGs) send(LineSignal::TipGround);
        return;
      default:
        return;  // office-side signals echoed back by a confused peer are ignored
    }
  }
  if (device_side()) {
    switch (s) {
      case LineSignal::RingOn: emit(PortEvent::RingStart); return;
      case LineSignal::RingOff: emit(PortEvent::RingStop); return;
      case LineSignal::Polarity: emit(PortEvent::Polarity); return;
      case LineSignal::LoopOpen:
        // Loop current drop: kewlstart's disconnect supervision.
        if (off_hook_.load() && sig_ == Signalling::FxsKs) emit(PortEvent::OnHook);
        return;
      case LineSignal::TipGround:
        tip_grounded_ = true;
        if (seizing_) {
          seizing_ = false;
          aux_timer_->cancel();
          send(LineSignal::HookOff);
          off_hook_ = true;
        } else {
          emit(PortEvent::TipGround);
        }
        return;
      case LineSignal::TipOpen:
        tip_grounded_ = false;
        if (off_hook_.load() && sig_ == Signalling::FxsGs) emit(PortEvent::OnHook);
        return;
      default:
        return;
    }
  }
  if (em()) {
    switch (s) {
      case LineSignal::HookOff:
        off_hook_ = true;
        emit(PortEvent::OffHook);
        return;
      case LineSignal::HookOn:
        off_hook_ = false;
        emit(PortEvent::OnHook);
        return;
      case LineSignal::Wink: emit(PortEvent::Wink); return;
      default: return;
    }
  }
}

void SoftChannel::flash_window_expired() {
  flash_pending_ = false;
  off_hook_ = false;
  emit(PortEvent::OnHook);
}

void SoftChannel::hook(HookCommand cmd) {
  if (office_side()) {
    switch (cmd) {
      case HookCommand::Ring: start_ringing(); return;
      case HookCommand::RingOff:
      case HookCommand::OffHook: stop_ringing(); return;
      case HookCommand::OnHook:
        stop_ringing();
        if (off_hook_.load()) {
          if (sig_ == Signalling::FxoKs) {
            send(LineSignal::LoopOpen);
            after(*aux_timer_, timing_.kewl, &SoftChannel::kewl_restore);
          } else if (sig_ == Signalling::FxoGs) {
            send(LineSignal::TipOpen);
          }
        } else if (sig_ == Signalling::FxoGs) {
          send(LineSignal::TipOpen);
        }
        return;
      default: return;
    }
  }
  if (device_side()) {
    switch (cmd) {
      case HookCommand::OffHook:
      case HookCommand::Start:
        if (sig_ == Signalling::FxsGs && !tip_grounded_) {
          seizing_ = true;
          send(LineSignal::RingGround);
          after(*aux_timer_, timing_.start, &SoftChannel::groundstart_timeout);
          return;
        }
        send(LineSignal::HookOff);
        off_hook_ = true;
        return;
      case HookCommand::OnHook:
        seizing_ = false;
        aux_timer_->cancel();
        hook_timer_->cancel();
        if (off_hook_.exchange(false)) send(LineSignal::HookOn);
        return;
      case HookCommand::Flash:
        if (!off_hook_.load()) return;
        send(LineSignal::HookOn);
        after(*hook_timer_, timing_.flash, &SoftChannel::flash_restore);
        return;
      default: return;
    }
  }
  if (em()) {
    switch (cmd) {
      case HookCommand::OffHook:
      case HookCommand::Start: send(LineSignal::HookOff); return;
      case HookCommand::OnHook: send(LineSignal::HookOn); return;
      case HookCommand::Wink:
        send(LineSignal::Wink);
        after(*aux_timer_, timing_.wink, &SoftChannel::wink_done);
        return;
      case HookCommand::Flash:
        send(LineSignal::HookOn);
        after(*hook_timer_, timing_.flash, &SoftChannel::flash_restore);
        return;
      default: return;
    }
  }
}

void SoftChannel::kewl_restore() { send(LineSignal::LoopClosed); }

void SoftChannel::flash_restore() {
  send(LineSignal::HookOff);
  emit(PortEvent::HookComplete);
}

void SoftChannel::wink_done() { emit(PortEvent::HookComplete); }

void SoftChannel::groundstart_timeout() {
  // No tip ground from the office: the line is dead or busy; report it like a disconnect.
  seizing_ = false;
  send(LineSignal::HookOn);
  emit(PortEvent::OnHook);
}

void SoftChannel::set_cadence(std::vector<int> on_off_ms) {
  if (on_off_ms.size() >= 2 && on_off_ms.size() % 2 == 0) cadence_ = std::move(on_off_ms);
}

void SoftChannel::set_polarity(bool reversed) {
  if (reversed == polarity_reversed_) return;
  polarity_reversed_ = reversed;
  send(LineSignal::Polarity);
}

void SoftChannel::start_ringing() {
  if (off_hook_.load()) return;  // DAHDI refuses to ring an off-hook phone
  if (sig_ == Signalling::FxoGs && !tip_grounded_) {
    send(LineSignal::TipGround);
    tip_grounded_ = true;
  }
  ringing_ = true;
  cadence_pos_ = 0;
  bell_on_ = true;
  send(LineSignal::RingOn);
  emit(PortEvent::RingerOn);
  after(*ring_timer_, cadence_[0], &SoftChannel::ring_step);
}

void SoftChannel::ring_step() {
  if (!ringing_) return;
  cadence_pos_ = (cadence_pos_ + 1) % cadence_.size();
  bell_on_ = cadence_pos_ % 2 == 0;
  send(bell_on_ ? LineSignal::RingOn : LineSignal::RingOff);
  emit(bell_on_ ? PortEvent::RingerOn : PortEvent::RingerOff);
  after(*ring_timer_, cadence_[cadence_pos_], &SoftChannel::ring_step);
}

void SoftChannel::stop_ringing() {
  if (!ringing_) return;
  ringing_ = false;
  ring_timer_->cancel();
  if (bell_on_) {
    bell_on_ = false;
    send(LineSignal::RingOff);
    emit(PortEvent::RingerOff);
  }
}

}  // namespace telephony::tdm
