// Native RTP relay between two bridged SIP legs: the SIP side of the native-media seam
// (driver_abilities.hpp DriverNativeMedia). The bridge names our one peer and whether audio is
// tapped; our own media changes (hold, a re-INVITE with another codec) are ours to notice. When
// the peer is a SIP leg on our RTP shard with the same codec, nothing is tapped and neither side
// holds, the two MediaSessions relay packets to each other without decoding (rtp/ rewrites
// SSRC, sequence and timestamps; DTMF still becomes frames, so bridge features keep working);
// the moment one of those stops being true both legs are back on the frame path. Either leg may
// decide: start/stop act on the pair and repeating them is harmless. docs/rtp.md has the rules.
#include "call_session.hpp"
#include "telephony/engine.hpp"

namespace telephony::sip {

void CallSession::bridge_peer_changed(Channel&, const BridgePeerState& state) {
  native_peer_ = state.peer;
  native_tap_ = state.tapped ? state.tap_reason : std::string();
  reconsider_native_relay(!state.peer    ? "left the two-party bridge"
                          : state.tapped ? "media tapped"
                                         : "bridged");
}

std::string CallSession::native_relay_refusal(const std::shared_ptr<CallSession>& peer) const {
  if (!media_ || media_->stopped()) return "no media";
  if (!peer) {
    auto chan = native_peer_.lock();
    return chan ? "the peer " + chan->name() + " is not a SIP channel" : "no single bridged peer";
  }
  if (!native_tap_.empty()) return "decoded audio needed: " + native_tap_;
  const auto& theirs = peer->media_;
  if (!theirs || theirs->stopped()) return "the peer has no media";
  if (media_->shard_index() != theirs->shard_index())
    return "the legs run on different RTP shards (they did not meet through Dial)";
  if (media_->wants_inband_dtmf() || theirs->wants_inband_dtmf()) return "inband DTMF";
  auto ours = media_->negotiated();
  auto other = theirs->negotiated();
  if (!ours || !other || ours->codecs.empty() || other->codecs.empty())
    return "media not negotiated";
  if (ours->codecs.front().format != other->codecs.front().format)
    return "different codecs (" + ours->codecs.front().format.name() + " and " +
           other->codecs.front().format.name() + ")";
  if (ours->remote_hold() || other->remote_hold() || media_->local_hold() || theirs->local_hold())
    return "a leg is on hold";
  return {};
}

void CallSession::reconsider_native_relay(std::string_view why) {
  if (!media_) return;
  auto& log = stack_->engine().log();
  auto peer_chan = native_peer_.lock();
  auto peer = peer_chan ? session_of(*peer_chan) : nullptr;
  const auto refusal = native_relay_refusal(peer);
  // The relay's own state flips on the RTP shard a moment after start/stop, so a leg also
  // remembers what it last asked for: a stop quickly followed by a start (a hook attached and
  // detached at once) is not mistaken for "still relaying".
  const bool active = media_->native_relay_active();
  if (refusal.empty()) {
    if (active && native_wanted_) return;
    if (auto r = rtp::MediaSession::start_native_relay(media_, peer->media_); !r) {
      log.debug("res_rtp", channel_name_ + ": no native RTP relay: " + r.error().message);
      return;
    }
    native_wanted_ = true;
    log.verbose(3, "res_rtp",
                "Native RTP relay started between " + channel_name_ + " and " + peer_chan->name() +
                    " (" + media_->negotiated()->codecs.front().format.name() + ", " +
                    std::string(why) + ")");
    return;
  }
  if (!active && !native_wanted_) {
    log.debug("res_rtp", channel_name_ + ": frame path kept: " + refusal, 2);
    return;
  }
  native_wanted_ = false;
  media_->stop_native_relay();
  log.verbose(3, "res_rtp", "Native RTP relay of " + channel_name_ + " stopped: " + refusal);
}

}  // namespace telephony::sip
