// AudioHook: code that sees — and may change — the voice a channel exchanges with its device,
// wherever the channel is (dialplan app, two-party bridge, conference): Asterisk's audiohooks.
// MixMonitor and ChanSpy listen (spy), VOLUME/PITCH_SHIFT/DENOISE/AGC change the audio
// (manipulate), TALK_DETECT and EAGI watch it.
//
// Directions are the channel's: Read is voice coming FROM the device (what the caller says),
// after mute and DTMF detection; Write is voice going TO the device (what the caller hears),
// before translation to the device's codec. on_frame runs on the channel's strand for every voice
// frame, in order; it may replace `f` — for instance with processed signed-linear audio, which the
// write path then translates to the device's codec and readers/bridges accept as any other
// format. It must not block: hand heavy work (disk) to the engine's worker pool.
//
// A channel with at least one hook is "tapped": a native media path that bypasses frames (an RTP
// relay between two SIP legs) must fall back to frames while has_audio_hooks() is true;
// ChannelTech::audio_hooks_changed() tells the driver when that flips.
#pragma once

#include <string_view>

#include "telephony/frame.hpp"

namespace telephony {

class Channel;

class AudioHook {
 public:
  enum class Direction : unsigned char { Read, Write };
  virtual ~AudioHook() = default;
  virtual std::string_view kind() const = 0;  // "MixMonitor", "ChanSpy", "VOLUME" … (core show channel)
  virtual void on_frame(Channel& chan, Direction dir, Frame& f) = 0;
  // Once, on the strand, when detached or when the channel hangs up.
  virtual void on_detach(Channel& chan) {}
};

}  // namespace telephony
