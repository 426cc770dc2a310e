// While ControlPlayback() streams a file, the channel carries its control keys in a datastore
// under kPlaybackControlDatastore, so the AMI ControlPlayback action can steer it: it queues the
// key for the requested control (stop, forward, reverse, pause, restart) as if the caller had
// pressed it — the same path a caller's DTMF takes, so the application has one input.
#pragma once

#include <string>
#include <string_view>

namespace telephony::media {

struct PlaybackControlKeys {
  std::string forward, reverse, stop, pause, restart;
};

inline constexpr std::string_view kPlaybackControlDatastore = "controlplayback";

}  // namespace telephony::media
