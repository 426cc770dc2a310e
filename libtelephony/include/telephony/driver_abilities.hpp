// Abilities a channel driver's ChannelTech may have beyond the ChannelTech interface, found with
// dynamic_cast on Channel::tech(): a driver opts in by also deriving from the class.
//
//   DriverTransfer — Transfer(): the driver asks its far end to take the call elsewhere (SIP
//                    REFER, or 302 before answer; a Local pair moves the parties bridged to its
//                    other half). Drivers without it make Transfer() report UNSUPPORTED.
//   DriverText     — ChannelTech::send_text() reaches the far end (SIP MESSAGE, a Local peer),
//                    and deliver_text() tells SendText() what became of a message;
//                    SendText() reports UNSUPPORTED for drivers without it.
//   DriverNativeMedia — the native-media seam: a two-party bridge names each member's one peer
//                    and says whether either leg's audio is tapped, so a driver can move media
//                    between the two legs itself (SIP: RTP relayed packet by packet, no decode)
//                    while nothing in the engine needs the decoded frames.
#pragma once

#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>

namespace telephony {

class Channel;

// What a driver transfer came to: TRANSFERSTATUS and TRANSFERSTATUSPROTOCOL (e.g. the SIP
// response code of a refused REFER; 0 when none).
struct TransferResult {
  enum class Status { Success, Failure, Unsupported };
  Status status = Status::Unsupported;
  int protocol_code = 0;
};

class DriverTransfer {
 public:
  virtual ~DriverTransfer() = default;
  // On the channel's strand; `dest` is "exten", "exten@context" or a driver address (the text
  // after an optional "Tech/"). Completes when the outcome is known.
  virtual boost::asio::awaitable<TransferResult> transfer(Channel& chan, std::string dest) = 0;
};

// A message for DriverText::deliver_text(): SendText()'s text and its SENDTEXT_* variables.
// An enhanced driver (Asterisk's send_text_data: SIP) carries the content type and the display
// names; a basic one only the body.
struct TextMessage {
  std::string body;
  std::string content_type;       // empty: the driver's default (SIP: text/plain;charset=UTF-8)
  std::string from_display_name;  // empty: unchanged
  std::string to_display_name;
};

// What became of a message: Success once the far end accepted it (SIP: a 2xx to the MESSAGE) or,
// for a driver whose far end gives no answer, once it was handed on. protocol_code: the SIP
// final response (408 when none came), 0 when the driver has no such thing.
struct TextResult {
  enum class Status { Success, Failure };
  Status status = Status::Success;
  int protocol_code = 0;
};

class DriverText {
 public:
  virtual ~DriverText() = default;
  // True when deliver_text() carries content type and display names (SENDTEXTTYPE=ENHANCED).
  virtual bool enhanced_text() const { return false; }
  // On the channel's strand (SendText()). Completes when the outcome is known; a hangup ends the
  // wait with Failure.
  virtual boost::asio::awaitable<TextResult> deliver_text(Channel& chan, TextMessage msg) = 0;
};

// What the bridge and the channel tell a member's driver (DriverNativeMedia). `peer` is the one
// other member of a two-party bridge (TwoPartyRelay, FeatureRelay); null when the channel is in
// no bridge, alone, with several others, or in a mixing bridge (Page, ConfBridge), which never
// name peers. `tapped`: something needs this leg's or the peer's decoded audio — an audio hook
// (MixMonitor, ChanSpy, VOLUME/… functions), audio mute, a generator (tones, playback, music on
// hold) or inband DTMF detection; `tap_reason` says which and where, for logs.
struct BridgePeerState {
  std::shared_ptr<Channel> peer;
  bool tapped = false;
  std::string tap_reason;
};

class DriverNativeMedia {
 public:
  virtual ~DriverNativeMedia() = default;
  // On the channel's strand, whenever the peer or the tapped state changes (repeats are
  // filtered). A driver relaying natively returns to the frame path when called with tapped
  // or without a peer, and may relay again on the next call that has both a peer it can relay
  // to and nothing tapped. Anything else that forbids native media
  // (codecs, hold, shards) is the driver's to check.
  virtual void bridge_peer_changed(Channel& chan, const BridgePeerState& state) = 0;
};

// The core side of the seam (src/core/channel_native.cpp); a channel keeps its state in a
// datastore. Why `chan`'s audio must be decoded now (an audio hook, audio mute, a generator,
// inband DTMF detection), empty when nothing needs it. Any thread.
std::string media_tap_reason(const Channel& chan);
// Two-party technologies (Bridge::tell_native_peers): names chan's one peer in bridge
// `bridge_id` (null: none, or several); a clear from a bridge chan has since left is ignored.
// Any thread.
void set_bridge_peer(const std::shared_ptr<Channel>& chan, const std::string& bridge_id,
                     const std::shared_ptr<Channel>& peer);
// Something that may tap chan's audio changed (hooks, mute, DTMF detection, its generator):
// recomputes the reason on chan's strand and tells chan's driver and its peer's. Any thread.
void media_taps_changed(const std::shared_ptr<Channel>& chan);

}  // namespace telephony
