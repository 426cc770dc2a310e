// The dialog table (Call-ID + our tag → session, in shards) and the device state the driver
// pushes for each endpoint: UNAVAILABLE with no reachable contact, NOT_INUSE otherwise, BUSY at
// device_state_busy_at live calls. Channels count themselves (RINGING, INUSE …) in the engine's
// DeviceStates registry, which combines the two. See sip_stack.hpp.
#include "call_session.hpp"
#include "sip_stack.hpp"
#include "telephony/device_state.hpp"

namespace telephony::sip {

void SipStack::add_dialog(const std::string& call_id, const std::string& local_tag, const std::shared_ptr<CallSession>& s) {
  const std::string key = call_id + "|" + local_tag;
  auto& sh = dialog_shard(key);
  std::lock_guard lock(sh.mu);
  sh.map[key] = s;
}

void SipStack::remove_dialog(const std::string& call_id, const std::string& local_tag) {
  const std::string key = call_id + "|" + local_tag;
  auto& sh = dialog_shard(key);
  std::lock_guard lock(sh.mu);
  sh.map.erase(key);
}

std::shared_ptr<CallSession> SipStack::find_dialog(std::string_view call_id, std::string_view local_tag) const {
  std::string key;
  key.reserve(call_id.size() + local_tag.size() + 1);
  key.append(call_id).append("|").append(local_tag);
  auto& sh = dialog_shard(key);
  std::lock_guard lock(sh.mu);
  auto it = sh.map.find(key);
  return it == sh.map.end() ? nullptr : it->second.lock();
}

std::vector<std::shared_ptr<CallSession>> SipStack::sessions() const {
  std::vector<std::shared_ptr<CallSession>> out;
  for (const auto& sh : dialogs_) {
    std::lock_guard lock(sh.mu);
    for (const auto& [k, w] : sh.map)
      if (auto s = w.lock()) out.push_back(std::move(s));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Device state

void SipStack::refresh_device_state(const SipConfig& cfg, const EndpointOptions& ep) {
  // A contact counts unless qualify found it unreachable (static and unqualified contacts are
  // assumed reachable, as Asterisk's "Unknown" contact status is).
  bool reachable = false;
  for (const auto& aor : ep.aors) {
    for (const auto& b : registrar_.contacts(cfg, aor))
      if (b.status != "Unreachable") reachable = true;
  }
  DeviceState state = reachable ? DeviceState::NotInUse : DeviceState::Unavailable;
  if (reachable && ep.device_state_busy_at) {
    std::lock_guard lock(call_counts_mu_);
    auto it = call_counts_.find(ep.name);
    if (it != call_counts_.end() && it->second >= ep.device_state_busy_at) state = DeviceState::Busy;
  }
  engine_.device_states().set("SIP/" + ep.name, state);
}

void SipStack::refresh_device_states(const SipConfig* previous) {
  auto cfg = config();
  for (const auto& [name, ep] : cfg->endpoints) refresh_device_state(*cfg, *ep);
  if (!previous) return;
  for (const auto& [name, ep] : previous->endpoints)
    if (!cfg->endpoint(name)) engine_.device_states().clear("SIP/" + name);
}

void SipStack::contacts_changed(std::string_view aor) {
  auto cfg = config();
  if (!cfg) return;
  for (const auto& [name, ep] : cfg->endpoints)
    if (std::find(ep->aors.begin(), ep->aors.end(), aor) != ep->aors.end()) refresh_device_state(*cfg, *ep);
}

void SipStack::count_call(const EndpointOptions& ep, int delta) {
  // Only endpoints with device_state_busy_at need their calls counted here: every other state
  // follows from the channels themselves.
  if (!ep.device_state_busy_at) return;
  {
    std::lock_guard lock(call_counts_mu_);
    auto& n = call_counts_[ep.name];
    n = static_cast<unsigned>(std::max(0, static_cast<int>(n) + delta));
  }
  if (auto cfg = config()) refresh_device_state(*cfg, ep);
}

}  // namespace telephony::sip
