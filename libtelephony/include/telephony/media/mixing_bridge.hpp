// MixingBridge: the bridge technology for conferences and pages (ConfBridge, Page()), built on
// media::Mixer and driven by a steady 20 ms timer on the bridge's strand.
//
// Each tick: every talker's newest queued frame is decoded to slin at the internal rate and put
// into the mixer; the mixer runs; every talker gets the mix minus its own voice, encoded to its
// native format; and every member who hears the plain mix -- listen-only members, and muted
// talkers whose own voice is not in it (ConfBridge's muted users, Page's paged phones) -- gets
// ONE shared mix, encoded once per distinct output format and fanned out as the same immutable
// payload (a page to 1000 phones costs one mix and one encode per codec, not 1000). Mute and gain are per member; joins and leaves fade
// (the mixer ramps) so nobody hears a click. Talk detection publishes BridgeMemberTalking events.
//
// Internal rate: 8, 16 or 48 kHz — the highest native rate among the members (a wideband phone
// joining raises it; it never drops while the bridge lives, so members do not hear the codec
// change back and forth). Settings::rate fixes it instead.
//
// Threading: the technology runs on the bridge strand. set_member_options() may be called from
// any thread, before the channel joins or while it is a member; changes apply at the next tick.
#pragma once

#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "telephony/bridge.hpp"
#include "telephony/events.hpp"
#include "telephony/media/mixer.hpp"
#include "telephony/media/translator.hpp"

namespace telephony {

// A member of a mixing bridge started or stopped talking (ConfBridge's ConfbridgeTalking).
struct BridgeMemberTalking : BridgeEvent {
  static constexpr std::string_view kType = "BridgeMemberTalking";
  std::string_view type() const override { return kType; }
  ChannelSnapshot channel;
  bool talking = false;
};

}  // namespace telephony

namespace telephony::media {

struct MixingMemberOptions {
  bool listen_only = false;  // hears the shared mix, is never heard (ConfBridge listeners)
  bool muted = false;        // a muted talker still hears the mix-minus and still reports talking
  // A muted member whose talking nobody watches: what it sends is dropped on arrival (no decode,
  // no talk detection), so it costs what a listener costs (Page's paged phones).
  bool detect_talking = true;
  // The bridge sends this member nothing while its owner plays it something of its own (a prompt
  // to one ConfBridge user, music on hold to a user alone); what it says is still mixed.
  bool private_audio = false;
  double gain_db = 0;        // applied to what the member says
  double listen_gain_db = 0; // applied to what a talking member hears (listen-only members share one mix)
};

struct MixingBridgeSettings {
  std::uint32_t rate = 0;                 // 0: from the members' native formats (8/16/48 kHz)
  double talk_threshold_dbfs = -42;
  std::uint32_t talk_hangover_ms = 300;
  bool talk_events = true;
  std::size_t max_queued_frames = 3;       // per talker; older frames are dropped (latency cap)
};

class MixingBridge : public BridgeTechnology {
 public:
  explicit MixingBridge(MixingBridgeSettings settings = {});
  ~MixingBridge() override;

  std::string_view name() const override { return "softmix"; }
  void on_join(Bridge& bridge, Channel& chan) override;
  void on_leave(Bridge& bridge, Channel& chan) override;
  void on_frame(Bridge& bridge, Channel& from, const Frame& f) override;

  // Any thread; keyed by the channel's uniqueid, so it can be set before join().
  void set_member_options(const Channel& chan, MixingMemberOptions opts);
  void set_muted(const Channel& chan, bool muted);
  void set_gain_db(const Channel& chan, double db);
  void set_listen_gain_db(const Channel& chan, double db);

  std::uint32_t rate() const { return rate_.load(); }
  struct Stats {
    std::uint64_t ticks = 0;
    std::uint64_t shared_encodes = 0;  // listener-mix encodes (one per output format per tick)
    std::uint64_t frames_out = 0;
    std::uint64_t frames_dropped = 0;  // inbound frames over max_queued_frames
  };
  Stats stats() const;

  // Runs one mixing step now (benchmarks drive the bridge without the timer). Bridge strand.
  void tick_once(Bridge& bridge);

 private:
  struct Member;
  void start_timer(Bridge& bridge);
  void on_timer(Bridge& bridge);
  void apply_options();
  void follow_native_formats();  // members whose native formats changed (Channel::set_native_formats)
  void rebuild_mixer(std::uint32_t rate);
  Member* find(const Channel* chan);
  std::uint32_t wanted_rate() const;

  MixingBridgeSettings settings_;
  std::unique_ptr<Mixer> mixer_;
  std::atomic<std::uint32_t> rate_{8000};
  std::vector<std::unique_ptr<Member>> members_;
  std::map<std::string, MixingMemberOptions> options_;  // by uniqueid; guarded by options_mu_
  mutable std::mutex options_mu_;
  std::atomic<bool> options_dirty_{false};
  std::optional<boost::asio::steady_timer> timer_;
  std::chrono::steady_clock::time_point next_tick_{};
  bool timer_running_ = false;
  // One encoder per listener output format; the payload it produced this tick is shared.
  struct SharedEncoder {
    Format format;
    std::optional<TranslatorPath> path;
    Frame frame;
  };
  std::vector<SharedEncoder> shared_;
  std::vector<std::int16_t> scratch_;
  mutable std::mutex stats_mu_;
  Stats stats_;
};

}  // namespace telephony::media
