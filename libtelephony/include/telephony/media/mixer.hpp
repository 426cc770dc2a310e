// Mixer: one 20 ms tick of a conference or page, at a fixed internal rate (8, 16 or 48 kHz).
//
// Talkers feed slin at the mixer rate and each hears the mix minus their own contribution;
// listen-only participants (Page() targets, ConfBridge listeners) all share ONE mix that the
// caller encodes once per format, so a page to 1000 phones costs one mix and one encode per
// format, not 1000. Sums are 32-bit and saturate to 16-bit on output. Mute, gain and join/leave
// fade in and out over a few milliseconds (a ramp, not a step) so nobody hears a click.
// Talk detection is frame energy against a threshold with a hangover, reported as events.
//
// Allocation: join() may grow the participant table; tick() and put_input() never allocate.
// Ids are reused after a participant has left and faded out.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace telephony::media {

using ParticipantId = std::uint32_t;

enum class MixRole : std::uint8_t { Talker, Listener };

struct MixerSettings {
  std::uint32_t rate = 8000;
  double talk_threshold_dbfs = -42;  // frame mean power above this is "talking"
  std::uint32_t talk_hangover_ms = 300;
  std::uint32_t ramp_ms = 5;         // fade length for join/leave/mute
};

struct TalkEvent {
  ParticipantId id;
  bool talking;
};

class Mixer {
 public:
  explicit Mixer(MixerSettings settings = {});

  std::uint32_t rate() const { return settings_.rate; }
  std::size_t frame_samples() const { return frame_; }

  ParticipantId join(MixRole role);
  // The participant fades out during the next tick and its id is then free for reuse.
  void leave(ParticipantId id);
  void set_muted(ParticipantId id, bool muted);
  void set_gain_db(ParticipantId id, double db);
  // Gain on what a talker hears (its mix-minus); listeners share one mix and ignore it.
  void set_listen_gain_db(ParticipantId id, double db);
  // This tick's audio from a talker (copied). Shorter input is zero-padded; a talker that
  // supplies nothing this tick contributes silence.
  void put_input(ParticipantId id, std::span<const std::int16_t> samples);

  void tick();

  // After tick(): a talker's mix-minus-self, or for a listener the shared mix.
  std::span<const std::int16_t> output(ParticipantId id) const;
  // The mix every listen-only participant hears (all talkers, nobody subtracted).
  std::span<const std::int16_t> listener_mix() const { return listener_out_; }
  // After tick(): whether output(id) is exactly listener_mix() -- a listener, or a talker that
  // put nothing into this tick's mix (muted, silent) and hears it at unity gain. Such a
  // participant can share the listeners' one encode.
  bool hears_listener_mix(ParticipantId id) const;
  bool talking(ParticipantId id) const;
  // Talk state changes decided by the last tick().
  std::span<const TalkEvent> talk_events() const { return talk_events_; }
  std::size_t participant_count() const { return live_count_; }

 private:
  struct Participant {
    bool in_use = false;
    bool leaving = false;
    MixRole role = MixRole::Talker;
    bool muted = false;
    bool has_input = false;
    float gain = 1.0f;
    float listen_gain = 1.0f;
    float level = 0.0f;  // current fade multiplier 0..1
    bool talking = false;
    std::uint32_t quiet_frames = 0;
    std::vector<std::int16_t> input;
    std::vector<std::int32_t> contrib;
    std::vector<std::int16_t> out;
    bool contributed = false;
  };

  MixerSettings settings_;
  std::size_t frame_;
  float ramp_step_;
  double talk_threshold_power_;
  std::uint32_t hangover_frames_;
  std::vector<Participant> slots_;
  std::vector<std::int32_t> mix_;
  std::vector<std::int16_t> listener_out_;
  std::vector<TalkEvent> talk_events_;
  std::size_t live_count_ = 0;
};

}  // namespace telephony::media
