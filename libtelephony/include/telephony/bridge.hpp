// Bridge: channels joined so that media and DTMF flow between them. A bridge has its own strand;
// the technology decides what to do with each frame (two-party relay here; mixing comes with the
// media core). A channel joins with `co_await bridge->join(chan)` from its own strand — the call
// returns when the channel leaves: hung up, kicked, or the bridge dissolved — so the owner (Dial,
// ConfBridge, Originate) simply continues after the await.
//
// The frame path of a two-party bridge skips the bridge strand: while exactly two members are in
// and the technology lets a kind of frame through unchanged (relays_directly), each member keeps a
// cached pointer to the other, refreshed on join/leave/move, and its strand hands such frames
// straight to the peer's write path — one post to the peer's strand, none when they share one —
// with no lock and no member list per frame. Every other frame (and every frame of a bridge with
// more members or a mixing technology) goes through the bridge strand to on_frame().
#pragma once

#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>
#include <boost/asio/strand.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "telephony/channel.hpp"
#include "telephony/events.hpp"

namespace telephony {

class Bridge;

class BridgeTechnology {
 public:
  virtual ~BridgeTechnology() = default;
  virtual std::string_view name() const = 0;
  // Called on the bridge strand for each frame a member channel produced.
  virtual void on_frame(Bridge& bridge, Channel& from, const Frame& f) = 0;
  virtual void on_join(Bridge& bridge, Channel& chan) {}
  virtual void on_leave(Bridge& bridge, Channel& chan) {}
  // True when, with exactly two members, frames of `kind` go to the other member unchanged and
  // on_frame need not see them: the bridge then relays them without its strand. Asked once, when
  // the bridge is created.
  virtual bool relays_directly(FrameKind kind) const { return false; }
};

// Relays each frame to the other member unchanged; when the members' native formats differ the
// receiving channel's write path translates (Channel::write), so matching legs pass frames
// straight. media/features.hpp has the variant with features.conf DTMF features; media/
// mixing_bridge.hpp the conference/page technology.
class TwoPartyRelay : public BridgeTechnology {
 public:
  std::string_view name() const override { return "simple_bridge"; }
  void on_frame(Bridge& bridge, Channel& from, const Frame& f) override;
  // The native-media seam: members learn their peer (Bridge::tell_native_peers).
  void on_join(Bridge& bridge, Channel& chan) override;
  void on_leave(Bridge& bridge, Channel& chan) override;
  bool relays_directly(FrameKind) const override { return true; }
};

enum class BridgeExit { Hangup, Kicked, Dissolved };

struct BridgeOptions {
  std::string type = "basic";
  std::string name;
  std::string creator;
  // Dissolve when a member leaves and fewer than two remain (a Dial-style two-party call).
  bool dissolve_when_alone = true;
};

class Bridge : public std::enable_shared_from_this<Bridge> {
 public:
  using Ptr = std::shared_ptr<Bridge>;

  static Ptr create(Engine& engine, BridgeOptions opts = {},
                    std::unique_ptr<BridgeTechnology> tech = std::make_unique<TwoPartyRelay>());
  Bridge(Engine& engine, BridgeOptions opts, std::unique_ptr<BridgeTechnology> tech);
  ~Bridge();

  const std::string& uniqueid() const { return uniqueid_; }
  Engine& engine() { return engine_; }
  boost::asio::strand<boost::asio::io_context::executor_type>& strand() { return strand_; }
  BridgeSnapshot snapshot() const;
  std::vector<Channel::Ptr> members() const;

  // Must be awaited on chan's strand. Returns why the channel left.
  boost::asio::awaitable<BridgeExit> join(Channel::Ptr chan);
  // join() taking the place of member `swap`, which is kicked once chan is in (chan's BridgeEnter
  // carries SwapUniqueid) — how a SIP INVITE with Replaces takes over the replaced leg's call.
  // `joined` (may be empty) runs on chan's strand: true once chan is in and `swap` was kicked,
  // false when the bridge had dissolved.
  boost::asio::awaitable<BridgeExit> join_replacing(Channel::Ptr chan, Channel::Ptr swap,
                                                    std::function<void(bool)> joined);
  void kick(const Channel::Ptr& chan);
  // Moves member `chan` into `to`, where it takes the place of `swap` (kicked from `to` once chan
  // is in; chan's BridgeEnter carries SwapUniqueid) — Local channel optimisation. Whoever awaits
  // chan's join() keeps awaiting: it returns when chan leaves `to`. `moved` runs on chan's strand
  // with true once chan is in `to` and `swap` was kicked, false when the move could not happen
  // (`to` dissolved meanwhile). Returns false when chan is not a member here (or already leaving).
  bool move_to(const Channel::Ptr& chan, Ptr to, Channel::Ptr swap, std::function<void(bool)> moved);
  void dissolve();
  bool dissolved() const;

  // For technologies: write a frame to a member (posted to that member's strand).
  void write_to(const Channel::Ptr& chan, const Frame& f);
  // For two-party technologies, from on_join/on_leave (bridge strand): names each member's one
  // peer to its channel (none when alone or with several), and clears `left`'s — the
  // native-media seam of driver_abilities.hpp. Mixing technologies never call it.
  void tell_native_peers(Channel* left = nullptr);

 private:
  // A member's cached peer; read and written only on the member's strand.
  struct RelayLink {
    Channel::Ptr peer;            // null: every frame goes through the bridge strand
    std::uint64_t generation = 0;  // refreshes posted out of order cannot go back in time
  };
  struct Member {
    Channel::Ptr chan;
    std::shared_ptr<RelayLink> link = std::make_shared<RelayLink>();
    bool leaving = false;
    BridgeExit exit = BridgeExit::Hangup;
    Ptr move_target;  // move_to(): where chan goes when it leaves
    Channel::Ptr swap;
    std::function<void(bool)> moved;
  };
  boost::asio::awaitable<BridgeExit> join_swapping(Channel::Ptr chan, Channel::Ptr swap, std::function<void(bool)> moved);
  void on_frame(const Channel::Ptr& from, Frame f);  // bridge strand
  // Recomputes every member's cached peer after a membership change (any thread, mu_ not held).
  void refresh_relay_links();
  void remove(const Channel::Ptr& chan, BridgeExit why);
  Member* member_of(const Channel* chan);

  Engine& engine_;
  BridgeOptions opts_;
  std::unique_ptr<BridgeTechnology> tech_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  std::string uniqueid_;
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<Member>> members_;
  bool dissolved_ = false;
  bool announced_ = false;
  std::uint64_t link_generation_ = 0;  // guarded by mu_
  std::uint32_t direct_kinds_ = 0;      // bit per FrameKind the technology lets through unchanged
};

}  // namespace telephony
