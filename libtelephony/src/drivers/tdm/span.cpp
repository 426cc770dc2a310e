// Span base: alarm bookkeeping shared by every backend (see tdm/span.hpp).
#include "telephony/tdm/span.hpp"

namespace telephony::tdm {

std::string_view to_string(Law l) { return l == Law::Alaw ? "alaw" : "ulaw"; }

std::string_view to_string(PortEvent e) {
  switch (e) {
    case PortEvent::OffHook: return "offhook";
    case PortEvent::OnHook: return "onhook";
    case PortEvent::Flash: return "flash";
    case PortEvent::Wink: return "wink";
    case PortEvent::RingStart: return "ringstart";
    case PortEvent::RingStop: return "ringstop";
    case PortEvent::RingerOn: return "ringeron";
    case PortEvent::RingerOff: return "ringeroff";
    case PortEvent::Polarity: return "polarity";
    case PortEvent::HookComplete: return "hookcomplete";
    case PortEvent::TipGround: return "tipground";
    case PortEvent::Alarm: return "alarm";
    case PortEvent::NoAlarm: return "noalarm";
  }
  return "unknown";
}

std::string alarm_text(std::uint8_t bits) {
  if (!bits) return "OK";
  std::string s;
  if (bits & kAlarmBlue) s += "BLU/";
  if (bits & kAlarmYellow) s += "YEL/";
  if (bits & kAlarmRed) s += "RED/";
  s.pop_back();
  return s;
}

std::string Span::alarm_text() const { return tdm::alarm_text(alarms()); }

void Span::set_alarm_observer(AlarmObserver o) {
  std::lock_guard lock(observer_mu_);
  observer_ = std::move(o);
}

void Span::set_alarms(std::uint8_t bits) {
  const auto before = alarms_.exchange(bits);
  if (before == bits) return;
  AlarmObserver obs;
  {
    std::lock_guard lock(observer_mu_);
    obs = observer_;
  }
  if ((before == 0) != (bits == 0)) notify_channels_alarm(bits != 0);
  if (obs) obs(*this, before, bits);
}

}  // namespace telephony::tdm
