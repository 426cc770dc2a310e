#include "telephony/device_state.hpp"

#include <algorithm>

#include "telephony/engine.hpp"

namespace telephony {

namespace {

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

enum class Use { None, Ringing, InUse };

// As Asterisk's ast_state2devstate: a Down channel does not occupy its device yet, Ringing and
// Pre-ring ring it, every other state (Ring — the caller's side —, Up, Busy, Dialing …) uses it.
Use use_of(std::optional<ChannelState> s) {
  if (!s || *s == ChannelState::Down) return Use::None;
  if (*s == ChannelState::Ringing || *s == ChannelState::PreRing) return Use::Ringing;
  return Use::InUse;
}

}  // namespace

DeviceStates::DeviceStates(Engine& engine) : engine_(engine) {}

std::string DeviceStates::device_of(std::string_view channel_name) {
  if (auto semi = channel_name.rfind(';'); semi != std::string_view::npos) channel_name = channel_name.substr(0, semi);
  if (auto dash = channel_name.rfind('-'); dash != std::string_view::npos) channel_name = channel_name.substr(0, dash);
  return std::string(channel_name);
}

DeviceState DeviceStates::compute(std::string_view device, const Entry& e) const {
  if (e.pushed && *e.pushed != DeviceState::NotInUse && *e.pushed != DeviceState::Unknown) return *e.pushed;
  if (e.ringing && e.in_use) return DeviceState::RingInUse;
  if (e.ringing) return DeviceState::Ringing;
  if (e.in_use) return DeviceState::InUse;
  if (e.pushed) return *e.pushed;
  const auto slash = device.find('/');
  if (slash == std::string_view::npos) {
    // "Custom:lamp" and other provider:name devices are whatever was last set.
    return device.find(':') != std::string_view::npos ? DeviceState::Unknown : DeviceState::Invalid;
  }
  // Never call into a driver here: compute() runs under mu_, and a driver's device_state() may
  // look at channels. get() polls drivers that do not push, outside the lock.
  return engine_.drivers().find(device.substr(0, slash)) ? DeviceState::NotInUse : DeviceState::Invalid;
}

std::optional<DeviceStateChanged> DeviceStates::refresh(const std::string& device, Entry& e) {
  const auto now = compute(device, e);
  if (e.announced && now == e.last) return std::nullopt;
  e.last = now;
  e.announced = true;
  DeviceStateChanged ev;
  ev.device = device;
  ev.state = now;
  return ev;
}

void DeviceStates::set(std::string_view device, DeviceState state) {
  std::optional<DeviceStateChanged> ev;
  {
    std::lock_guard lock(mu_);
    auto it = devices_.find(device);
    if (it == devices_.end()) it = devices_.emplace(std::string(device), Entry{}).first;
    it->second.pushed = state;
    ev = refresh(it->first, it->second);
    // Publish under the lock: two pushes for one device reach subscribers in the order they
    // were made (the bus sequences under its own lock, taken after ours, never the reverse).
    if (ev) engine_.events().emit(std::move(*ev));
  }
}

void DeviceStates::clear(std::string_view device) {
  std::lock_guard lock(mu_);
  auto it = devices_.find(device);
  if (it == devices_.end() || !it->second.pushed) return;
  it->second.pushed.reset();
  if (auto ev = refresh(it->first, it->second)) engine_.events().emit(std::move(*ev));
  if (!it->second.ringing && !it->second.in_use) devices_.erase(it);
}

DeviceState DeviceStates::get(std::string_view device) const {
  DeviceState state;
  bool known = true;
  {
    std::lock_guard lock(mu_);
    auto it = devices_.find(device);
    if (it == devices_.end()) {
      // Device names are case-insensitive in hints ("sip/alice"); fall back to a scan.
      it = std::find_if(devices_.begin(), devices_.end(), [&](const auto& kv) { return iequal(kv.first, device); });
    }
    known = it != devices_.end();
    state = compute(device, known ? it->second : Entry{});
  }
  if (known || state != DeviceState::NotInUse) return state;
  // Nothing pushed and no channel: a driver that does not push may still know (polled).
  const auto slash = device.find('/');
  if (auto driver = engine_.drivers().find(device.substr(0, slash))) {
    const auto polled = driver->device_state(device.substr(slash + 1));
    if (polled != DeviceState::Unknown) return polled;
  }
  return state;
}

std::vector<std::pair<std::string, DeviceState>> DeviceStates::list() const {
  std::lock_guard lock(mu_);
  std::vector<std::pair<std::string, DeviceState>> out;
  out.reserve(devices_.size());
  for (const auto& [name, e] : devices_) out.emplace_back(name, compute(name, e));
  return out;
}

void DeviceStates::channel_state(std::string_view channel_name, std::optional<ChannelState> before,
                                 std::optional<ChannelState> after) {
  const Use was = use_of(before), is = use_of(after);
  if (was == is) return;
  const std::string device = device_of(channel_name);
  std::lock_guard lock(mu_);
  auto it = devices_.find(device);
  if (it == devices_.end()) it = devices_.emplace(device, Entry{}).first;
  Entry& e = it->second;
  if (was == Use::Ringing) --e.ringing;
  if (was == Use::InUse) --e.in_use;
  if (is == Use::Ringing) ++e.ringing;
  if (is == Use::InUse) ++e.in_use;
  e.ringing = std::max(e.ringing, 0);
  e.in_use = std::max(e.in_use, 0);
  if (auto ev = refresh(it->first, e)) engine_.events().emit(std::move(*ev));
  if (!e.pushed && !e.ringing && !e.in_use) devices_.erase(it);
}

}  // namespace telephony
