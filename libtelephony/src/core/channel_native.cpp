// The native-media seam on the channel side (driver_abilities.hpp DriverNativeMedia): each leg
// keeps why it needs decoded audio (its "tap reason") and the one peer a two-party bridge named,
// and tells its driver whenever either changes — its own taps, the peer's taps, or the peer.
// The state lives in a channel datastore, so Channel itself carries nothing for channels whose
// driver does not take part. Everything but the tap reason (under the state's mutex, read by
// the peer) is touched only on the channel's strand.
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include "../media/engine/channel_media_state.hpp"
#include "telephony/channel.hpp"
#include "telephony/driver_abilities.hpp"

namespace telephony {

namespace asio = boost::asio;

namespace {

constexpr std::string_view kSeamDatastore = "native-media-seam";

struct NativeSeamState {
  std::mutex mu;
  std::string tap_reason;  // guarded by mu
  // strand only
  std::weak_ptr<Channel> peer;
  std::string peer_of;  // the bridge that named `peer`
  const Channel* told_peer = nullptr;
  bool told_tapped = false;
  bool told = false;
};

NativeSeamState& seam_of(Channel& chan) {
  auto p =
      chan.datastore_or_create(kSeamDatastore, [] { return std::make_shared<NativeSeamState>(); });
  return *static_cast<NativeSeamState*>(p.get());  // the channel keeps it alive
}

// Strand: this leg's reason, from what the channel reports about itself.
std::string current_tap_reason(Channel& chan) {
  const auto kinds = chan.audio_hook_kinds();
  if (!kinds.empty()) {
    std::string names;
    for (auto k : kinds) {
      if (names.find(k) != std::string::npos) continue;
      if (!names.empty()) names += ", ";
      names += k;
    }
    return "audio hook (" + names + ") on " + chan.name();
  }
  if (chan.audio_muted_in() || chan.audio_muted_out()) return "audio mute on " + chan.name();
  if (chan.media_state().generator)
    return "a generator (tones, playback or music on hold) on " + chan.name();
  if (chan.dtmf_detection()) return "inband DTMF detection on " + chan.name();
  return {};
}

// Strand: tells chan's driver {peer, tapped} when that differs from what it was last told.
void tell_native_media(Channel& chan) {
  auto* native = dynamic_cast<DriverNativeMedia*>(&chan.tech());
  if (!native || chan.is_hung_up()) return;
  auto& seam = seam_of(chan);
  BridgePeerState state;
  state.peer = seam.peer.lock();
  state.tap_reason = media_tap_reason(chan);
  if (state.tap_reason.empty() && state.peer) state.tap_reason = media_tap_reason(*state.peer);
  state.tapped = !state.tap_reason.empty();
  if (seam.told && seam.told_peer == state.peer.get() && seam.told_tapped == state.tapped) return;
  seam.told = true;
  seam.told_peer = state.peer.get();
  seam.told_tapped = state.tapped;
  native->bridge_peer_changed(chan, state);
}

}  // namespace

std::string media_tap_reason(const Channel& chan) {
  auto p = chan.datastore(kSeamDatastore);
  if (!p) return {};
  auto& seam = *static_cast<NativeSeamState*>(p.get());
  std::lock_guard lock(seam.mu);
  return seam.tap_reason;
}

void set_bridge_peer(const std::shared_ptr<Channel>& chan, const std::string& bridge_id,
                     const std::shared_ptr<Channel>& peer) {
  asio::dispatch(chan->strand(), [chan, bridge_id, peer] {
    auto& seam = seam_of(*chan);
    if (peer) {
      // Named by a bridge we have already left (its notice was queued behind our leaving).
      if (chan->snapshot().bridge_id != bridge_id) return;
    } else if (!seam.peer_of.empty() && seam.peer_of != bridge_id) {
      return;  // a clear from a bridge we left: another bridge named our peer since
    }
    seam.peer = peer;
    seam.peer_of = peer ? bridge_id : std::string();
    tell_native_media(*chan);
  });
}

void media_taps_changed(const std::shared_ptr<Channel>& chan) {
  asio::dispatch(chan->strand(), [chan] {
    if (chan->is_hung_up()) return;
    auto reason = current_tap_reason(*chan);
    auto& seam = seam_of(*chan);
    {
      std::lock_guard lock(seam.mu);
      if (reason == seam.tap_reason) return;
      seam.tap_reason = std::move(reason);
    }
    tell_native_media(*chan);
    if (auto peer = seam.peer.lock())
      asio::post(peer->strand(), [peer] { tell_native_media(*peer); });
  });
}

}  // namespace telephony
