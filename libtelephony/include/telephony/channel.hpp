// Channel: one leg of a call — its identity, state, caller id, variables, dialplan location,
// hangup cause and the frames flowing in and out.
//
// Concurrency: every Channel owns a strand. Operations that drive the call (tech calls, frame
// delivery, waits of dialplan coroutines) run on that strand. Plain data (state, caller id,
// variables, location) is guarded by a small mutex so that AMI actions, console commands and
// other channels can read snapshots from any thread without posting. Coroutines that await on a
// channel (read, sleep, wait_until) must run on its strand; hangup wakes every such wait, so every
// await point is a cancellation point.
#pragma once

#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "telephony/audiohook.hpp"
#include "telephony/frame.hpp"
#include "telephony/result.hpp"

namespace telephony {

class Engine;
class Channel;
class ChannelMedia;  // per-channel media state (translation paths, DTMF DSP, generator); media engine

// Same numeric codes and texts as Asterisk's AST_STATE_* (AMI ChannelState/ChannelStateDesc).
enum class ChannelState : int {
  Down = 0,
  Reserved = 1,
  OffHook = 2,
  Dialing = 3,
  Ring = 4,
  Ringing = 5,
  Up = 6,
  Busy = 7,
  DialingOffhook = 8,
  PreRing = 9,
};
std::string_view to_string(ChannelState s);  // "Down", "Rsrvd", …, "Dialing Offhook", "Pre-ring"

// Q.850 cause values as Asterisk names them (AST_CAUSE_*).
enum class HangupCause : int {
  NotDefined = 0,
  Unallocated = 1,
  NoRouteTransitNet = 2,
  NoRouteDestination = 3,
  ChannelUnacceptable = 6,
  CallAwardedDelivered = 7,
  NormalClearing = 16,
  UserBusy = 17,
  NoUserResponse = 18,
  NoAnswer = 19,
  SubscriberAbsent = 20,
  CallRejected = 21,
  NumberChanged = 22,
  RedirectedToNewDestination = 23,
  AnsweredElsewhere = 26,
  DestinationOutOfOrder = 27,
  InvalidNumberFormat = 28,
  FacilityRejected = 29,
  ResponseToStatusEnquiry = 30,
  NormalUnspecified = 31,
  NormalCircuitCongestion = 34,
  NetworkOutOfOrder = 38,
  NormalTemporaryFailure = 41,
  SwitchCongestion = 42,
  AccessInfoDiscarded = 43,
  RequestedChanUnavail = 44,
  FacilityNotSubscribed = 50,
  OutgoingCallBarred = 52,
  IncomingCallBarred = 54,
  BearerCapabilityNotAuth = 57,
  BearerCapabilityNotAvail = 58,
  BearerCapabilityNotImpl = 65,
  ChanNotImplemented = 66,
  FacilityNotImplemented = 69,
  InvalidCallReference = 81,
  IncompatibleDestination = 88,
  InvalidMsgUnspecified = 95,
  MandatoryIeMissing = 96,
  MessageTypeNonexist = 97,
  WrongMessage = 98,
  IeNonexist = 99,
  InvalidIeContents = 100,
  WrongCallState = 101,
  RecoveryOnTimerExpire = 102,
  MandatoryIeLengthError = 103,
  ProtocolError = 111,
  Interworking = 127,
};
std::string_view cause_text(HangupCause c);   // Asterisk's ast_cause2str text ("Normal Clearing")
std::string_view cause_name(HangupCause c);   // "NORMAL_CLEARING"
std::optional<HangupCause> cause_from_name(std::string_view name);  // name or number

struct CallerId {
  std::string number;
  std::string name;
  int presentation = 0;
  bool operator==(const CallerId&) const = default;
  // Parses `"Name" <number>`, `Name <number>`, `<number>` or a bare number (callerid= lines).
  static CallerId parse(std::string_view text);
  std::string to_string() const;  // `"Name" <number>`
};

struct DialplanLocation {
  std::string context;
  std::string exten;
  int priority = 1;
};

// Immutable copy of what AMI and CDR report about a channel at one instant.
struct ChannelSnapshot {
  std::string name;
  ChannelState state = ChannelState::Down;
  CallerId caller;
  CallerId connected;
  std::string language;
  std::string accountcode;
  std::string context;
  std::string exten;
  int priority = 1;
  std::string uniqueid;
  std::string linkedid;
  std::string application;
  std::string data;
  std::chrono::system_clock::time_point created;
  std::string bridge_id;
};

// One channel variable with its inheritance level: 0 plain, 1 `_VAR` (one generation),
// 2 `__VAR` (every generation). Names are stored without the underscores.
struct Variable {
  std::string name;
  std::string value;
  int inherit = 0;
};

// What an indication may carry besides its kind (Asterisk's ast_indicate_data payloads): Hold
// names the music-on-hold class the holding side suggests (its endpoint's moh_suggest; the
// listener's own CHANNEL(musicclass) still wins), ConnectedLine the party now connected. On a
// Frame the data travels as the control frame's text payload (indication_frame()/indication_data()).
struct IndicationData {
  std::string moh_class;              // Hold
  std::optional<CallerId> connected;  // ConnectedLine
  bool empty() const { return moh_class.empty() && !connected; }
};
// A control frame carrying `data` (Hold: the class; ConnectedLine: `"Name" <number>`).
Frame indication_frame(Control c, const IndicationData& data);
// The data a control frame carries (empty when it carries none).
IndicationData indication_data(const Frame& f);

// Implemented by channel drivers; every method is called on the channel's strand.
//
// One entry point per kind: whatever is written to a channel (Channel::write, by bridges, Dial's
// early media, apps) reaches the driver by kind — voice through write(), control frames through
// indicate_data(), DtmfBegin/DtmfEnd through send_digit_begin()/send_digit_end(), text through
// send_text() — the same calls Channel::indicate()/send_digit()/send_text() make.
class ChannelTech {
 public:
  virtual ~ChannelTech() = default;
  // Start an outbound call; progress comes back as queued control frames / request_hangup.
  virtual Result<void> call(Channel& chan, std::string_view dest, std::chrono::milliseconds timeout) {
    return {};
  }
  virtual void answer(Channel& chan) {}
  virtual void hangup(Channel& chan) {}
  virtual void write(Channel& chan, const Frame& f) {}
  virtual void indicate(Channel& chan, Control c) {}
  virtual void send_digit_begin(Channel& chan, char digit) {}
  virtual void send_digit_end(Channel& chan, char digit, std::chrono::milliseconds held) {}
  virtual void send_text(Channel& chan, std::string_view text) {}
  // Native formats the device speaks, most preferred first.
  virtual std::vector<media::Format> native_formats() const { return {media::Format::slin()}; }
  // True when the device cannot carry DTMF out of band (an analog line, a SIP peer with
  // dtmfmode=inband): Channel::send_digit() then generates the tones into the voice path.
  virtual bool wants_inband_dtmf() const { return false; }
  // The channel became tapped (first audio hook attached) or untapped (last one gone): a driver
  // relaying media natively must route voice through frames while tapped. On the strand.
  virtual void audio_hooks_changed(Channel& chan, bool tapped) {}
  // Extra `core show channel` lines (name, value) the driver knows: RTP statistics, transport,
  // peer address. Called from console threads; the driver guards what it reads.
  virtual std::vector<std::pair<std::string, std::string>> status_lines(const Channel& chan) const { return {}; }
  // An indication with its data (Channel::indicate(c, data), a control frame written with data);
  // a driver that uses no data keeps overriding indicate() only.
  virtual void indicate_data(Channel& chan, Control c, const IndicationData& data) { indicate(chan, c); }
};

enum class ChannelDirection : std::uint8_t { Inbound, Outbound };

class Channel : public std::enable_shared_from_this<Channel> {
 public:
  using Ptr = std::shared_ptr<Channel>;
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  using FrameSink = std::function<void(const Frame&)>;

  // Use Engine::create_channel(); this constructor is public only for make_shared.
  Channel(Engine& engine, std::string name, std::string uniqueid, std::string linkedid,
          ChannelDirection dir, std::unique_ptr<ChannelTech> tech);
  ~Channel();
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  Engine& engine() const { return engine_; }
  Strand& strand() { return strand_; }
  const std::string& name() const { return name_; }
  const std::string& uniqueid() const { return uniqueid_; }
  std::string linkedid() const;
  std::string_view tech_name() const;  // "Local", "SIP", …
  ChannelTech& tech() { return *tech_; }
  ChannelDirection direction() const { return direction_; }
  std::chrono::system_clock::time_point created() const { return created_; }

  ChannelSnapshot snapshot() const;

  // --- state and identity (any thread) ------------------------------------------------------
  ChannelState state() const;
  void set_state(ChannelState s);  // publishes ChannelStateChanged when it changes
  CallerId caller() const;
  void set_caller(CallerId c);
  CallerId connected() const;
  void set_connected(CallerId c);
  std::string language() const;
  void set_language(std::string lang);
  std::string accountcode() const;
  void set_accountcode(std::string code);
  DialplanLocation location() const;
  void set_location(DialplanLocation loc);
  void set_application(std::string app, std::string data);
  void set_bridge_id(std::string id);

  // --- variables (any thread) ----------------------------------------------------------------
  // `name` may carry `_`/`__` to mark inheritance; lookups ignore the prefix.
  std::optional<std::string> variable(std::string_view name) const;
  void set_variable(std::string_view name, std::string value);  // publishes ChannelVarSet
  void unset_variable(std::string_view name);
  std::vector<Variable> variables() const;
  // Copies `_`/`__` variables of `parent` into this channel (done at creation by the engine).
  void inherit_variables_from(const Channel& parent);

  // --- datastores (any thread) ----------------------------------------------------------------
  // Named state that a module keeps on the channel and that dies with it, as Asterisk's channel
  // datastores (SHARED() variables, HANGUPCAUSE() records, extra caller-id fields). The object
  // guards its own contents; the channel only stores the pointer.
  std::shared_ptr<void> datastore(std::string_view key) const;
  // The datastore under `key`, created with make() when absent (atomically: one winner).
  std::shared_ptr<void> datastore_or_create(std::string_view key,
                                            const std::function<std::shared_ptr<void>()>& make);
  void remove_datastore(std::string_view key);

  // --- hangup ----------------------------------------------------------------------------------
  HangupCause hangup_cause() const;
  void set_hangup_cause(HangupCause c);
  // Asks whoever runs the channel to hang it up; wakes every wait. Any thread.
  void request_hangup(HangupCause cause = HangupCause::NormalClearing);
  bool hangup_requested() const { return softhangup_.load(); }
  // The final hangup: tech hangup, ChannelHungUp event, removal from the engine. Idempotent,
  // any thread (posts to the strand).
  void hangup();
  bool is_hung_up() const { return hung_up_.load(); }

  // Absolute timeout (TIMEOUT(absolute)): when it fires, the channel gets a soft hangup marked as
  // timeout so that the PBX can run the `T` extension. Zero clears it.
  void set_absolute_timeout(std::chrono::milliseconds after);
  bool timeout_fired() const { return timeout_fired_.load(); }
  // Clears a timeout soft-hangup so the dialplan can continue at `T`.
  void clear_timeout_hangup();

  // Asynchronous goto (AMI Redirect, BlindTransfer, Bridge; Asterisk's ast_async_goto): records
  // the redirect and interrupts whatever runs the channel the way a soft hangup does, so the
  // running application returns; the PBX loop then takes it, runs `first` (if any, e.g. "join
  // this bridge") and continues at `to`. Any other owner that simply releases its hold() token
  // hands the channel on the same way instead of hanging it up. A real hangup request always
  // wins. Any thread.
  using RedirectStep = std::function<boost::asio::awaitable<void>(std::shared_ptr<Channel>)>;
  struct Redirect {
    DialplanLocation to;
    RedirectStep first;
  };
  void request_redirect(DialplanLocation to, RedirectStep first = {});
  bool redirect_pending() const { return redirect_pending_.load(); }
  // Takes the pending redirect (nullopt if none) and lifts the interruption it caused.
  std::optional<Redirect> take_redirect();
  // For owners that end with a redirect in hand: runs `r.first` under a new hold, then starts the
  // engine's PBX at `r.to` (or hangs up when there is no PBX or the channel was hung up).
  void continue_redirect(Redirect r);

  // --- call control (strand) -------------------------------------------------------------------
  Result<void> call(std::string_view dest, std::chrono::milliseconds timeout);
  void answer();
  void indicate(Control c);
  void indicate(Control c, IndicationData data);
  // Voice to the device; control, DTMF and text frames go to the tech's indicate_data(),
  // send_digit_begin/end() and send_text() (see ChannelTech).
  void write(const Frame& f);
  void send_digit(char digit, std::chrono::milliseconds duration = std::chrono::milliseconds(100));
  void send_text(std::string_view text);

  // --- media formats (see docs/media-engine.md) -------------------------------------------
  // What the device speaks, most preferred first: taken from the tech at creation, then as the
  // driver updates it (set_native_formats). Any thread (a snapshot).
  std::vector<media::Format> native_formats() const;
  media::Format native_format() const;
  // A driver whose formats are settled by negotiation (SIP: the SDP answer, a re-INVITE changing
  // codec) tells the channel here; any thread, applied on the strand in call order. Voice written
  // is translated to the new native format from the next frame (the write path rebuilds itself),
  // and native_formats_generation() moves on so that a bridge caching a member's format (the
  // mixing bridge) re-reads it. Empty or unchanged: nothing happens.
  void set_native_formats(std::vector<media::Format> formats);
  std::uint32_t native_formats_generation() const { return native_generation_.load(std::memory_order_acquire); }
  // Voice written in a format the device does not speak is translated to native_format() on the
  // strand (a TranslatorPath built lazily, rebuilt when the written format changes). Frames in
  // a native format pass untouched: no translation, no copy. set_write_format() announces what
  // callers will write so the path exists before the first frame.
  void set_write_format(media::Format f);
  media::Format write_format() const;
  // Inbound voice is translated to the read format before readers/bridges see it; Codec::None
  // (the default) means "as the device sent it".
  void set_read_format(media::Format f);
  media::Format read_format() const;
  // Inband DTMF detection on inbound voice: detected digits become DtmfBegin/DtmfEnd frames
  // (and events) delivered just before the voice frame that completed them.
  void set_dtmf_detection(bool on);
  bool dtmf_detection() const;
  // Audio mute (AMI MuteAudio): while muted, voice read from the device (`in`) or written to it
  // (`out`) is replaced by silence of the same length, so mixers and recorders keep their
  // timing; DTMF, control and text frames pass. Any thread; applies to the next frame.
  enum class MuteDirection : std::uint8_t { In, Out, Both };
  void set_audio_mute(MuteDirection d, bool on);
  bool audio_muted_in() const { return mute_in_.load(); }
  bool audio_muted_out() const { return mute_out_.load(); }
  // The media engine's per-channel state; strand only. For media/*.hpp implementations.
  ChannelMedia& media_state();

  // --- audio hooks (audiohook.hpp) -------------------------------------------------------------
  // Any thread; attach/detach take effect on the strand, in call order. Hangup detaches all.
  void attach_audio_hook(std::shared_ptr<AudioHook> hook);
  void detach_audio_hook(const std::shared_ptr<AudioHook>& hook);
  bool has_audio_hooks() const { return hook_count_.load() > 0; }
  // Kinds of the attached hooks ("MixMonitor", "ChanSpy"); strand only.
  std::vector<std::string_view> audio_hook_kinds() const;

  // --- frames from the device (any thread) ---------------------------------------------------
  // Drivers call this for everything the far end sends. Control frames Answer/Ringing/Busy update
  // the state of an outbound channel as they arrive.
  void queue_frame(Frame f);

  // The current consumer of inbound frames when a bridge owns the channel. Called on the strand.
  void set_frame_sink(FrameSink sink);
  bool has_frame_sink() const { return static_cast<bool>(sink_); }

  // --- awaiting (coroutines on the strand) ---------------------------------------------------
  // Next inbound frame, or nullopt on timeout or hangup (check hangup_requested()).
  // A negative timeout waits forever.
  boost::asio::awaitable<std::optional<Frame>> read(std::chrono::milliseconds timeout);
  // Waits for `d` discarding voice; false when the channel was hung up meanwhile.
  boost::asio::awaitable<bool> sleep(std::chrono::milliseconds d);
  // Waits until pred() is true (re-checked on every wake()), hangup, or timeout (negative: none).
  // Returns pred().
  boost::asio::awaitable<bool> wait_until(std::function<bool()> pred, std::chrono::milliseconds timeout);
  // Re-checks every pending wait (strand or any thread).
  void wake();
  // Drop queued inbound frames (e.g. before starting digit collection).
  void flush_inbound();
  // What the inbox holds (strand only). Unread voice is bounded to two seconds and 52 KB of
  // payload blocks, oldest shed first; control, DTMF and text frames are never shed.
  struct InboxUsage {
    std::size_t frames = 0;
    std::chrono::microseconds voice{0};
    std::size_t memory_bytes = 0;  // ring storage plus the payload blocks it holds
  };
  InboxUsage inbox_usage() const;

  // Running the dialplan: set by the PBX while it executes this channel.
  void set_pbx_running(bool on) { pbx_running_ = on; }
  bool pbx_running() const { return pbx_running_.load(); }

  // Ownership: whoever runs the channel (the PBX, a Dial or Originate monitor) holds a token.
  // While any token is held, request_hangup() only signals; when the last token goes (or if none
  // was held) a requested hangup becomes final. Keep the token for as long as you drive the call.
  [[nodiscard]] std::shared_ptr<void> hold();
  int owner_count() const { return owners_.load(); }

 private:
  void deliver(Frame f);   // on strand
  void write_now(const Frame& f);  // on strand
  void do_hangup();        // on strand
  boost::asio::awaitable<void> wait_once(std::chrono::steady_clock::time_point deadline);

  Engine& engine_;
  Strand strand_;
  const std::string name_;
  const std::string uniqueid_;
  const ChannelDirection direction_;
  const std::chrono::system_clock::time_point created_;
  std::unique_ptr<ChannelTech> tech_;
  std::vector<media::Format> native_formats_;  // strand-only copy: the write path reads it per frame

  mutable std::mutex mu_;
  std::string linkedid_;
  ChannelState state_ = ChannelState::Down;
  CallerId caller_;
  CallerId connected_;
  std::string language_ = "en";
  std::string accountcode_;
  DialplanLocation location_;
  std::string application_;
  std::string app_data_;
  std::string bridge_id_;
  std::vector<Variable> vars_;
  std::map<std::string, std::shared_ptr<void>, std::less<>> datastores_;
  HangupCause cause_ = HangupCause::NotDefined;

  std::atomic<bool> softhangup_{false};
  std::atomic<bool> requested_{false};
  std::atomic<int> owners_{0};
  std::atomic<bool> hung_up_{false};
  std::atomic<bool> timeout_fired_{false};
  std::atomic<bool> pbx_running_{false};
  std::atomic<bool> redirect_pending_{false};
  std::atomic<bool> mute_in_{false};
  std::atomic<bool> mute_out_{false};
  std::atomic<int> hook_count_{0};
  std::optional<Redirect> redirect_;  // guarded by mu_

  // strand-only
  FrameQueue inbox_;
  FrameSink sink_;
  std::vector<boost::asio::steady_timer*> waiters_;
  boost::asio::steady_timer absolute_timer_;
  std::unique_ptr<ChannelMedia> media_;  // made with the channel (formats, DSP, generators)
  std::vector<std::shared_ptr<AudioHook>> hooks_;
  void run_hooks(AudioHook::Direction dir, Frame& f);
  void detach_all_hooks();

  // Native formats as the driver last set them (set_native_formats): native_formats_ above is the
  // strand's copy, this one other threads read under mu_; the generation tells bridges it moved.
  std::vector<media::Format> native_shared_;  // guarded by mu_
  std::atomic<std::uint32_t> native_generation_{0};
};

}  // namespace telephony
