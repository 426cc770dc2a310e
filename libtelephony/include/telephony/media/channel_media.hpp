// Generators: audio a channel sends by itself, in the background, while its owner does something
// else — PlayTones/StopPlayTones, Ringing/Progress with tones, Milliwatt, music on hold and
// inband DTMF. A GeneratorTask runs on the channel's strand on a steady 20 ms timer scheduled by
// absolute deadlines (so it never drifts), synthesises one frame per tick at the channel's native
// rate and writes it (Channel::write translates to the native codec). A channel has at most one
// generator: starting one stops the previous one, as in Asterisk. Hangup stops it.
//
// Channel formats themselves (set_write_format/set_read_format, inband DTMF detection) are part
// of Channel; see docs/media-engine.md.
#pragma once

#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/channel.hpp"
#include "telephony/media/tone.hpp"
#include "telephony/result.hpp"

namespace telephony::media {

class GeneratorTask : public std::enable_shared_from_this<GeneratorTask> {
 public:
  virtual ~GeneratorTask() = default;
  // Stops at the next tick boundary (any thread). Idempotent.
  void stop() { stop_requested_.store(true); }
  // False once stopped, finished, replaced by another generator, or the channel hung up.
  bool running() const { return running_.load(); }
  std::uint64_t frames_written() const { return frames_.load(); }
  virtual std::string_view kind() const = 0;  // "tones", "milliwatt", "moh", "dtmf"

 protected:
  // Synthesise one 20 ms frame at `rate` into `out` (already sized). Return false when the
  // generator has nothing more to say (the task then ends without writing this frame).
  virtual bool fill(std::span<std::int16_t> out, std::uint32_t rate) = 0;
  // Called once on the strand before the first fill, with the rate frames will have.
  virtual void prepare(std::uint32_t rate) {}

 private:
  friend void start_generator(const Channel::Ptr& chan, std::shared_ptr<GeneratorTask> task);
  void tick(Channel::Ptr chan);

  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> running_{false};
  std::atomic<std::uint64_t> frames_{0};
  std::unique_ptr<boost::asio::steady_timer> timer_;
  std::chrono::steady_clock::time_point next_{};
  std::uint32_t rate_ = 8000;
  std::vector<std::int16_t> buf_;
};

// Starts `task` on `chan`, stopping the channel's current generator (any thread).
void start_generator(const Channel::Ptr& chan, std::shared_ptr<GeneratorTask> task);
// Stops whatever generator feeds `chan` (StopPlayTones, StopMusicOnHold). Any thread.
void stop_generator(const Channel::Ptr& chan);

// Rate the generators and playback synthesise at for `chan`: its native rate when that is 8, 16
// or 48 kHz, else 8 kHz.
std::uint32_t generation_rate(const Channel& chan);

// PlayTones: `spec_or_name` is an indication name of `zone` ("ring", "busy", "dial", …) or a
// tonelist ("440+480/2000,0/4000"). Runs until stop_generator()/task->stop() or the tonelist
// ends. Errors name the unknown indication or the bad tonelist position.
Result<std::shared_ptr<GeneratorTask>> play_tones(const Channel::Ptr& chan, std::string_view spec_or_name,
                                                  std::string_view zone = "us");
Result<std::shared_ptr<GeneratorTask>> play_tones(const Channel::Ptr& chan, ToneSpec spec);

// Milliwatt(): the 0 dBm0 test tone until stopped.
std::shared_ptr<GeneratorTask> play_milliwatt(const Channel::Ptr& chan,
                                              MilliwattKind kind = MilliwattKind::Tone1004);

// Prompts `names` one after the other (found as Playback finds them, in the channel's language;
// a missing one is skipped with a warning naming the paths tried) played by a generator, so the
// channel's owner can stay where it is: ConfBridge plays conf-muted to a user who stays in the
// room. Each prompt publishes PlaybackStarted. `on_done` is posted to the channel's strand once
// the last prompt has played -- not when the generator is stopped or replaced first.
std::shared_ptr<GeneratorTask> play_prompts_in_background(const Channel::Ptr& chan, std::vector<std::string> names,
                                                          std::function<void()> on_done = {});

// Ringing()/Progress() with tones, as Asterisk does for channels that cannot indicate by
// themselves: indicate the control and play the zone's "ring" (Ringing) tone. Returns the task.
Result<std::shared_ptr<GeneratorTask>> ring_with_tones(const Channel::Ptr& chan, std::string_view zone = "us");

}  // namespace telephony::media
