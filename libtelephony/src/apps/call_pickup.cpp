#include "apps/call_pickup.hpp"

namespace telephony::dialplan {

namespace {
constexpr std::string_view kKey = "pickup-claim";

struct Pickable {
  std::mutex mu;
  std::shared_ptr<PickupClaim> claim;  // null until a pickup wins
};
}  // namespace

void mark_pickable(Channel& leg) {
  (void)leg.datastore_or_create(kKey, [] { return std::make_shared<Pickable>(); });
}

bool is_pickable(const Channel& leg) {
  auto p = std::static_pointer_cast<Pickable>(leg.datastore(kKey));
  if (!p) return false;
  std::lock_guard lock(p->mu);
  return !p->claim;
}

std::shared_ptr<PickupClaim> claim_pickup(Channel& target, const Channel::Ptr& picker) {
  auto p = std::static_pointer_cast<Pickable>(target.datastore(kKey));
  if (!p) return nullptr;
  std::lock_guard lock(p->mu);
  if (p->claim) return nullptr;
  p->claim = std::make_shared<PickupClaim>();
  p->claim->picker = picker;
  return p->claim;
}

std::shared_ptr<PickupClaim> pickup_claim_of(const Channel& leg) {
  auto p = std::static_pointer_cast<Pickable>(leg.datastore(kKey));
  if (!p) return nullptr;
  std::lock_guard lock(p->mu);
  return p->claim;
}

}  // namespace telephony::dialplan
