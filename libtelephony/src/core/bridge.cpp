#include "telephony/bridge.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <random>

#include "core/frame_pool.hpp"
#include "telephony/driver_abilities.hpp"
#include "telephony/engine.hpp"

namespace telephony {

namespace asio = boost::asio;

namespace {
std::string make_uuid() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uint64_t a = rng(), b = rng();
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 1
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xffff),
                static_cast<unsigned>(b >> 48), static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}
}  // namespace

void TwoPartyRelay::on_frame(Bridge& bridge, Channel& from, const Frame& f) {
  for (auto& m : bridge.members())
    if (m.get() != &from) bridge.write_to(m, f);
}

void TwoPartyRelay::on_join(Bridge& bridge, Channel&) { bridge.tell_native_peers(); }
void TwoPartyRelay::on_leave(Bridge& bridge, Channel& chan) { bridge.tell_native_peers(&chan); }

Bridge::Ptr Bridge::create(Engine& engine, BridgeOptions opts, std::unique_ptr<BridgeTechnology> tech) {
  auto b = std::make_shared<Bridge>(engine, std::move(opts), std::move(tech));
  engine.register_bridge(b);
  BridgeCreated ev;
  ev.bridge = b->snapshot();
  engine.events().emit(std::move(ev));
  b->announced_ = true;
  return b;
}

Bridge::Bridge(Engine& engine, BridgeOptions opts, std::unique_ptr<BridgeTechnology> tech)
    : engine_(engine),
      opts_(std::move(opts)),
      tech_(std::move(tech)),
      strand_(asio::make_strand(engine.io())),
      uniqueid_(make_uuid()) {
  for (auto k : {FrameKind::Voice, FrameKind::DtmfBegin, FrameKind::DtmfEnd, FrameKind::Control, FrameKind::Text,
                 FrameKind::Null})
    if (tech_->relays_directly(k)) direct_kinds_ |= 1u << static_cast<unsigned>(k);
}

Bridge::~Bridge() = default;

BridgeSnapshot Bridge::snapshot() const {
  BridgeSnapshot s;
  s.uniqueid = uniqueid_;
  s.type = opts_.type;
  s.technology = std::string(tech_->name());
  s.creator = opts_.creator;
  s.name = opts_.name;
  std::lock_guard lock(mu_);
  s.num_channels = members_.size();
  return s;
}

std::vector<Channel::Ptr> Bridge::members() const {
  std::lock_guard lock(mu_);
  std::vector<Channel::Ptr> out;
  for (auto& m : members_)
    if (!m->leaving) out.push_back(m->chan);
  return out;
}

bool Bridge::dissolved() const {
  std::lock_guard lock(mu_);
  return dissolved_;
}

asio::awaitable<BridgeExit> Bridge::join(Channel::Ptr chan) {
  // Named arguments: GCC 12 mishandles temporaries in a co_await operand.
  Channel::Ptr no_swap;
  std::function<void(bool)> no_callback;
  co_return co_await join_swapping(chan, no_swap, no_callback);
}

asio::awaitable<BridgeExit> Bridge::join_replacing(Channel::Ptr chan, Channel::Ptr swap,
                                                   std::function<void(bool)> joined) {
  co_return co_await join_swapping(chan, swap, joined);
}

asio::awaitable<BridgeExit> Bridge::join_swapping(Channel::Ptr chan, Channel::Ptr swap, std::function<void(bool)> moved) {
  assert(chan->strand().running_in_this_thread());
  auto self = shared_from_this();
  auto member = std::make_shared<Member>();
  member->chan = chan;
  {
    std::lock_guard lock(mu_);
    if (dissolved_) {
      if (moved) moved(false);
      co_return BridgeExit::Dissolved;
    }
    members_.push_back(member);
  }
  chan->set_bridge_id(uniqueid_);
  {
    BridgeEntered ev;
    ev.bridge = snapshot();
    ev.channel = chan->snapshot();
    if (swap) ev.swap_uniqueid = swap->uniqueid();
    engine_.events().emit(std::move(ev));
  }
  // The channel it replaces leaves only now, so the bridge never drops below two members.
  if (swap) kick(swap);
  if (moved) moved(true);
  std::weak_ptr<Channel> weak = chan;
  // Runs on chan's strand for every frame it produces: straight to the cached peer when there is
  // one and the technology lets this kind through, else to the technology on the bridge strand.
  chan->set_frame_sink([self, weak, link = member->link](const Frame& f) {
    if (link->peer && (self->direct_kinds_ >> static_cast<unsigned>(f.kind) & 1u)) {
      frame_pool::bump(frame_pool::thread_counters().relay_direct);
      link->peer->write(f);
      return;
    }
    if (auto c = weak.lock()) {
      frame_pool::bump(frame_pool::thread_counters().bridge_hops);
      asio::post(self->strand_, [self, c, f] { self->on_frame(c, f); });
    }
  });
  asio::post(strand_, [self, chan] { self->tech_->on_join(*self, *chan); });
  refresh_relay_links();

  co_await chan->wait_until(
      [&] {
        std::lock_guard lock(mu_);
        return member->leaving;
      },
      std::chrono::milliseconds(-1));

  BridgeExit why;
  Ptr target;
  {
    std::lock_guard lock(mu_);
    why = member->leaving ? member->exit : BridgeExit::Hangup;
    target = std::move(member->move_target);
  }
  chan->set_frame_sink(nullptr);
  member->link->peer = nullptr;
  member->link->generation = ~std::uint64_t{0};  // no refresh still in flight may set it again
  chan->set_bridge_id({});
  remove(chan, why);
  if (target && !chan->hangup_requested()) {
    Channel::Ptr swap = std::move(member->swap);
    std::function<void(bool)> moved = std::move(member->moved);
    co_return co_await target->join_swapping(chan, swap, moved);
  }
  if (target && member->moved) member->moved(false);
  co_return why;
}

bool Bridge::move_to(const Channel::Ptr& chan, Ptr to, Channel::Ptr swap, std::function<void(bool)> moved) {
  {
    std::lock_guard lock(mu_);
    auto* m = member_of(chan.get());
    if (!m || m->leaving || !to) return false;
    m->leaving = true;
    m->exit = BridgeExit::Kicked;
    m->move_target = std::move(to);
    m->swap = std::move(swap);
    m->moved = std::move(moved);
  }
  refresh_relay_links();
  chan->wake();
  return true;
}

void Bridge::remove(const Channel::Ptr& chan, BridgeExit why) {
  bool destroy = false;
  bool dissolve_rest = false;
  {
    std::lock_guard lock(mu_);
    auto it = std::find_if(members_.begin(), members_.end(), [&](auto& m) { return m->chan == chan; });
    if (it == members_.end()) return;
    members_.erase(it);
    if (opts_.dissolve_when_alone && !dissolved_ && members_.size() < 2) dissolve_rest = true;
    destroy = members_.empty() && dissolved_ && !dissolve_rest;
  }
  refresh_relay_links();
  {
    BridgeLeft ev;
    ev.bridge = snapshot();
    ev.channel = chan->snapshot();
    engine_.events().emit(std::move(ev));
  }
  auto self = shared_from_this();
  asio::post(strand_, [self, chan] { self->tech_->on_leave(*self, *chan); });
  (void)why;
  if (dissolve_rest) dissolve();
  if (destroy) {
    BridgeDestroyed ev;
    ev.bridge = snapshot();
    engine_.events().emit(std::move(ev));
  }
}

void Bridge::kick(const Channel::Ptr& chan) {
  {
    std::lock_guard lock(mu_);
    auto* m = member_of(chan.get());
    if (!m || m->leaving) return;
    m->leaving = true;
    m->exit = BridgeExit::Kicked;
  }
  refresh_relay_links();
  chan->wake();
}

void Bridge::dissolve() {
  std::vector<Channel::Ptr> wake;
  bool destroy_now = false;
  {
    std::lock_guard lock(mu_);
    if (dissolved_) return;
    dissolved_ = true;
    for (auto& m : members_) {
      if (!m->leaving) {
        m->leaving = true;
        m->exit = BridgeExit::Dissolved;
      }
      wake.push_back(m->chan);
    }
    destroy_now = members_.empty();
  }
  refresh_relay_links();
  for (auto& c : wake) c->wake();
  if (destroy_now) {
    BridgeDestroyed ev;
    ev.bridge = snapshot();
    engine_.events().emit(std::move(ev));
  }
}

Bridge::Member* Bridge::member_of(const Channel* chan) {
  for (auto& m : members_)
    if (m->chan.get() == chan) return m.get();
  return nullptr;
}

void Bridge::on_frame(const Channel::Ptr& from, Frame f) {
  {
    std::lock_guard lock(mu_);
    auto* m = member_of(from.get());
    if (!m || m->leaving) return;
  }
  tech_->on_frame(*this, *from, f);
}

void Bridge::refresh_relay_links() {
  struct Update {
    Channel::Ptr chan;
    std::shared_ptr<RelayLink> link;
    Channel::Ptr peer;
  };
  std::vector<Update> updates;
  std::uint64_t generation;
  {
    std::lock_guard lock(mu_);
    generation = ++link_generation_;
    std::vector<Member*> active;
    for (auto& m : members_)
      if (!m->leaving) active.push_back(m.get());
    const bool direct = direct_kinds_ != 0 && !dissolved_ && active.size() == 2;
    for (auto& m : members_) {
      Channel::Ptr peer;
      if (direct && !m->leaving) peer = (active[0] == m.get() ? active[1] : active[0])->chan;
      updates.push_back({m->chan, m->link, std::move(peer)});
    }
  }
  for (auto& u : updates) {
    auto& strand = u.chan->strand();
    asio::dispatch(strand, [link = std::move(u.link), peer = std::move(u.peer), generation]() mutable {
      if (generation <= link->generation) return;
      link->generation = generation;
      link->peer = std::move(peer);
    });
  }
}

void Bridge::write_to(const Channel::Ptr& chan, const Frame& f) { chan->write(f); }

void Bridge::tell_native_peers(Channel* left) {
  if (left) set_bridge_peer(left->shared_from_this(), uniqueid_, nullptr);
  const auto members = this->members();
  for (const auto& m : members) {
    Channel::Ptr peer;
    if (members.size() == 2) peer = members[0] == m ? members[1] : members[0];
    set_bridge_peer(m, uniqueid_, peer);
  }
}

}  // namespace telephony
