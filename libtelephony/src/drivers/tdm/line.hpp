// Internal: one configured DAHDI channel and its analog signalling — what chan_dahdi/sig_analog
// do for a channel: off-hook, dial tone and digit collection on a phone port; ringing with caller
// ID; seizing, dialing and supervising an exchange line; E&M seize/wink/answer; tones the line
// plays by itself (dial, busy, congestion, ringback), and the bridge between the port's G.711
// blocks and the engine Channel of the current call.
//
// Everything of a line runs on its strand: port events and audio, timers, and the work the
// ChannelTech posts (call, answer, hangup, indicate). Only write_voice() runs on the channel's
// strand: it converts and sends the block to the port directly (no hop, no allocation).
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <array>
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "telephony/driver.hpp"
#include "telephony/engine.hpp"
#include "telephony/media/dtmf.hpp"
#include "telephony/media/indications.hpp"
#include "telephony/media/tone.hpp"
#include "telephony/tdm/call_progress.hpp"
#include "telephony/tdm/callerid.hpp"
#include "telephony/tdm/chan_dahdi_conf.hpp"
#include "telephony/tdm/digit_collector.hpp"
#include "telephony/tdm/span.hpp"
#include "conference_mix.hpp"
#include "frame_pool.hpp"

namespace telephony::tdm {

class TdmSystem;

// Everything a line needs from configuration, resolved once per (re)load; calls in progress keep
// the snapshot they started with.
struct LineConfig {
  DahdiChannelSettings settings;
  Signalling signalling = Signalling::Unused;
  bool em_wink = false;
  Law law = Law::Ulaw;
  int span = 0;
  PortTiming timing;
  media::ToneZoneData zone;
  std::vector<RingCadence> cadences;  // distinctive rings r1.. (chan_dahdi.conf cadence= or built-in)
  int ringtimeout = 8000;
  int toneduration = 100;
  int block_ms = 20;
  std::uint8_t reportalarms = kReportChannels;
  std::string echocanceller;  // system.conf's, shown only
};

// 256-entry G.711 -> G.711 gain tables, as DAHDI's gain ioctl: zero per-sample arithmetic.
using GainTable = std::array<std::uint8_t, 256>;
GainTable make_gain_table(Law law, double db);

// What the channel's write path needs, fixed for the life of one call (the tech keeps it), so
// writes never read the line's strand-only state.
struct TxParams {
  Law law = Law::Ulaw;
  int block_bytes = 160;
  std::shared_ptr<const GainTable> gain;  // null: 0 dB
};

enum class LineState : std::uint8_t {
  Idle, Collecting, Active, Alerting, Lockout,      // phone ports
  IncomingRing, Seizing, Dialing, Proceeding,       // line / E&M ports
};
std::string_view to_string(LineState s);

// A snapshot for `dahdi show channel(s)`, AMI and device state.
struct LineStatus {
  int channel = 0;
  int span = 0;
  Signalling signalling = Signalling::Unused;
  LineState state = LineState::Idle;
  std::string owner;      // current channel name
  std::string uniqueid;
  std::string accountcode;
  bool dnd = false;
  bool in_alarm = false;
  bool off_hook = false;
  bool dialing = false;
  std::string dialed;     // digits collected or being dialed
  std::uint64_t calls = 0;
};

class TdmLine : public std::enable_shared_from_this<TdmLine>, public PortListener {
 public:
  TdmLine(Engine& engine, std::weak_ptr<TdmSystem> system, std::shared_ptr<SpanChannel> port,
          std::shared_ptr<const LineConfig> config);
  ~TdmLine() override;

  int number() const { return number_; }
  std::shared_ptr<const LineConfig> config() const;
  void set_config(std::shared_ptr<const LineConfig> config);  // new calls use it
  boost::asio::strand<boost::asio::io_context::executor_type>& strand() { return strand_; }
  SpanChannel& port() { return *port_; }

  void start();  // attach to the port (posts)
  void stop();   // hang up, detach (posts); the line is unusable afterwards

  // Allocation for outbound calls, under the driver's allocation lock: free and in service.
  bool available() const;
  bool try_reserve();
  void release_reservation();
  bool in_use() const { return busy_.load(); }

  LineStatus status() const;
  DeviceState device_state() const;
  bool dnd() const { return dnd_.load(); }
  void set_dnd(bool on);  // publishes DNDState; any thread

  // AMI/console: act as if the phone flashed / hung up / dialled digits (any thread).
  void fake_flash();
  void fake_hangup();
  Result<void> dial_offhook(std::string digits);

  // Creates the outbound channel of a reserved line (driver request()).
  // `confirm_answer` (dial option c): a line call counts as answered only when the far end sends #.
  Channel::Ptr make_outbound(const ChannelRequest& req, std::string number, int distinctive_ring,
                             bool confirm_answer = false);
  // Call waiting (callwaiting=yes): a call to a phone port whose phone talks on one answered call
  // becomes the waiting call — the phone hears the call-waiting tone, the caller ringback. Under
  // the driver's allocation lock; null when the line cannot take a waiting call now.
  Channel::Ptr make_waiting(const ChannelRequest& req);

  // --- ChannelTech entry points ----------------------------------------------------------------
  // `chan` tells the calls of one phone apart while it has two (three-way calling, call waiting).
  void tech_call(std::uint64_t gen, const Channel* chan, CallerId caller);
  void tech_answer(std::uint64_t gen, const Channel* chan);
  void tech_hangup(std::uint64_t gen, const Channel* chan, HangupCause cause);
  void tech_indicate(std::uint64_t gen, const Channel* chan, Control c);
  void write_voice(std::uint64_t gen, const TxParams& tx, const Channel& chan, const Frame& f);  // channel strand

  // PortListener (line strand)
  void on_event(PortEvent e) override;
  void on_audio(std::span<const std::uint8_t> g711) override;

 private:
  friend class TdmTech;
  enum class TxSource : std::uint8_t { None, Channel, Line };
  struct ToneSource { media::ToneGenerator gen; };
  struct DigitSource {
    media::DtmfGenerator gen;
    std::string digits;
    std::size_t next = 0;
    int on_ms, off_ms;
  };
  struct CidSource { CallerIdGenerator gen; };
  using Source = std::variant<std::monostate, ToneSource, DigitSource, CidSource>;

  // phone ports (line_station.cpp)
  void station_event(PortEvent e);
  void station_offhook();
  void collect_step(const DigitCollector::Step& step);
  void collect_timeout();
  void station_alert();
  void station_ringer_off();
  void station_answered();
  void station_remote_hangup();
  Channel::Ptr start_switch(bool recall);  // a new call collecting digits (dial tone or recall)
  // hook-flash features of phone ports (line_flash.cpp)
  enum class OtherRole : std::uint8_t { None, Held, Waiting, Conference };
  void station_flash();
  void start_three_way();
  void swap_calls();                   // the other call becomes the phone's, this one is held
  void back_to_other(bool hang_up_owner);  // the owner ends, the other call is the phone's again
  void start_conference();
  bool sub_hangup(const Channel* chan);  // a call of a phone with two calls ended: handled?
  void station_onhook_with_other();
  void ring_back();                    // on-hook with a call left: ring the phone for it
  void set_owner(const Channel::Ptr& chan);
  void set_other(const Channel::Ptr& chan, OtherRole role);
  Channel::Ptr other() const;
  void cw_alert();
  void cw_beep();
  void cw_stop();
  void cw_send_callerid();
  void cw_ack_timeout();
  void conference_audio(std::span<const std::uint8_t> g711);                   // line strand
  void conference_write(int who, Law law, std::span<const std::uint8_t> g711);  // a party's strand
  void deliver_to(const Channel::Ptr& chan, RxFramer& framer, std::span<const std::uint8_t> g711, bool gain);
  // exchange-line and E&M ports (line_trunk.cpp)
  void trunk_event(PortEvent e);
  void trunk_ring_start();
  void trunk_ring_stop();
  void trunk_incoming();
  void trunk_seize();
  void trunk_dial();
  void trunk_dialed();
  void trunk_progress(ProgressEvent ev);
  void trunk_answered();
  void trunk_far_disconnect(HangupCause cause);
  void em_event(PortEvent e);
  // common (line.cpp)
  Channel::Ptr new_channel(ChannelDirection dir, const ChannelRequest* req);  // strand
  Channel::Ptr create_channel(ChannelDirection dir, const ChannelRequest* req,
                              const std::shared_ptr<const LineConfig>& cfg, std::uint64_t gen, bool as_owner = true);
  void set_state(LineState s);
  void end_call(HangupCause cause, bool far_end);
  void to_idle();
  void apply_gains();  // rx/tx/caller-ID gains of call_config_
  void play(Source src, std::function<void()> done = {});
  void play_zone_tone(std::string_view name);
  void stop_tone();
  void tx_tick();
  void arm(boost::asio::steady_timer& t, int ms, void (TdmLine::*fn)());
  void deliver_voice(std::span<const std::uint8_t> g711);
  void publish_device_state();
  template <class E>
  void publish(const E& e);
  Channel::Ptr owner() const;
  std::string next_name();

  Engine& engine_;
  std::weak_ptr<TdmSystem> system_;  // weak: a line may outlive its system by a queued handler
  std::shared_ptr<SpanChannel> port_;
  const int number_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;

  mutable std::mutex mu_;  // config_, owner_, status fields read from other threads
  std::shared_ptr<const LineConfig> config_;
  std::weak_ptr<Channel> owner_;
  std::weak_ptr<Channel> other_;  // the phone's second call: held, waiting, or in the conference
  std::string owner_name_, owner_uniqueid_, owner_accountcode_;
  std::string dialed_;

  std::atomic<LineState> state_{LineState::Idle};
  std::atomic<bool> busy_{false};      // reserved or in a call
  std::atomic<bool> dnd_{false};
  std::atomic<bool> in_alarm_{false};
  std::atomic<bool> stopped_{false};
  std::atomic<std::uint64_t> gen_{0};  // call generation: stale tech posts are ignored
  std::atomic<std::uint64_t> calls_{0};
  std::atomic<std::uint32_t> instance_{0};
  std::atomic<TxSource> tx_{TxSource::None};
  // Which channel's writes reach the port (the owner), the other call's, and whether both are
  // mixed (three-way conference): read by write_voice on the channels' strands.
  std::atomic<const Channel*> active_chan_{nullptr};
  std::atomic<const Channel*> other_chan_{nullptr};
  std::atomic<bool> conference_{false};
  std::atomic<bool> cw_claim_{false};  // make_waiting() until the strand took the waiting call

  // Strand-only call state.
  std::shared_ptr<const LineConfig> call_config_;  // the snapshot this call runs with
  std::shared_ptr<void> hold_;                     // ours while collecting digits
  std::optional<DigitCollector> collector_;
  std::unique_ptr<DialplanQuestions> questions_;
  media::DtmfDetector dtmf_;
  std::optional<CallerIdReceiver> cid_rx_;
  std::optional<CallerIdMessage> cid_;
  std::optional<CallProgressDetector> progress_;
  std::optional<CallProgressDetector> busy_detect_;
  std::string number_to_dial_;
  int distinctive_ = 0;
  int rings_seen_ = 0;
  bool audio_up_ = false;    // rx audio goes to the channel
  bool answered_ = false;
  bool cid_sent_ = false;
  bool answer_early_ = false;  // a line's answer (polarity) came before dialling ended
  bool confirm_answer_ = false;  // dial option c: answered when the far end sends #
  bool confirm_wait_ = false;    // dialled, listening for that #
  OtherRole other_role_ = OtherRole::None;
  bool threeway_ = false;      // the owner is the call the phone started with a flash
  bool cw_ack_wait_ = false;   // CAS sent: the phone's DTMF A/D asks for the caller ID
  bool cw_cid_sent_ = false;
  bool cw_tone_ = false;       // the call-waiting tone or its caller ID is playing
  bool ringback_held_ = false; // ringing the phone back for an answered (held) call
  ConferenceMix mix_;
  RxFramer rx_framer_other_;
  CallerId outbound_caller_;
  Source source_;
  std::function<void()> source_done_;
  boost::asio::steady_timer tx_timer_, call_timer_, ring_timer_, cw_timer_;
  std::chrono::steady_clock::time_point tx_next_{};
  std::vector<std::int16_t> pcm_;        // block_ms of slin scratch (strand)
  std::vector<std::uint8_t> g711_;       // block_ms of G.711 scratch (strand)
  std::vector<std::int16_t> rx_pcm_;     // decode scratch (strand)
  RxFramer rx_framer_;                   // 20 ms frames to the engine (strand)
  GainTable rx_gain_{}, tx_gain_{};
  bool rx_gain_on_ = false, tx_gain_on_ = false;
  double cid_gain_ = 1.0;
};

// What digit collection asks, answered by the engine's PBX.
std::unique_ptr<DialplanQuestions> make_pbx_questions(Engine& engine);

}  // namespace telephony::tdm
