// ParallelDialer: the "ring every device at once" machinery that Dial() and Page() share.
//
// dial() requests one outbound channel per "Tech/resource" string (inheriting linkedid, `_`/`__`
// variables, caller id, language and account code from the caller) and starts one monitor per leg
// ON THAT LEG'S STRAND. A monitor holds the leg (Channel::hold()), runs the b() predial Gosub,
// publishes DialBegin, calls the device and reads its control frames until it answers, refuses,
// hangs up, is cancelled or its ring time runs out; then it publishes DialEnd with the leg's
// DIALSTATUS word. An answered leg is handed to the owner's `on_answered` coroutine (still on the
// leg's strand); when that returns, the monitor hangs the leg up.
//
// With `first_answer_wins` (Dial) the first answer is the winner and every other leg is hung up
// with cause 26 (answered elsewhere), reported CANCEL. Without it (Page) every answer is handed on.
//
// The caller side (Dial's coroutine on the caller's strand) never blocks on the legs: the dialer
// wakes the caller's channel on every change, and the caller re-reads winner()/finished()/
// take_indications(). Nothing here knows which driver a device uses.
#pragma once

#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "telephony/channel.hpp"

namespace telephony::dialplan {

// How a leg ended, in DIALSTATUS words (dialstatus_word()).
enum class LegOutcome { Pending, Answered, Busy, Congestion, ChanUnavail, NoAnswer, Cancel };
std::string_view dialstatus_word(LegOutcome o);  // "ANSWER", "BUSY", … ("" for Pending)

struct DialLegInfo {
  std::string dialstring;  // "Tech/resource" as given
  Channel::Ptr chan;       // null when the driver refused the request
  LegOutcome outcome = LegOutcome::Pending;
  std::string error;       // why a leg could not be placed
};

class ParallelDialer : public std::enable_shared_from_this<ParallelDialer> {
 public:
  // Runs on the leg's strand once it answered (and, for Dial, won). `index` is its position.
  using AnsweredHook = std::function<boost::asio::awaitable<void>(Channel::Ptr leg, std::size_t index)>;
  struct Settings {
    std::chrono::milliseconds timeout{-1};  // ring time per leg; negative: until cancelled
    std::string predial_gosub;              // b(): Gosub text run on each leg before it is called
    bool first_answer_wins = true;
    // Early media (Dial without r/m): the first leg to send Progress becomes the early-media
    // source. The dialer indicates Progress to the caller itself (before any of that leg's audio,
    // both from the leg's strand, so the order holds) and writes the leg's voice to the caller
    // until it answers or fails; write_early_media() carries the caller's voice the other way.
    // Progress from other legs is then not passed on (the caller has it already).
    bool pass_early_media = false;
    AnsweredHook on_answered;
    std::string log_source = "app_dial";
  };

  static std::shared_ptr<ParallelDialer> create(Channel::Ptr caller, Settings settings);
  ParallelDialer(Channel::Ptr caller, Settings settings);

  // Requests and starts every device. Call on the caller's strand. A string without '/' or one
  // the driver refuses becomes a CHANUNAVAIL leg at once (with a warning naming it).
  void dial(const std::vector<std::string>& dialstrings);

  // --- what the caller reads (any thread) ----------------------------------------------------
  bool finished() const;                       // every leg has an outcome
  std::optional<std::size_t> winner() const;   // first answer (first_answer_wins only)
  std::vector<DialLegInfo> legs() const;
  std::size_t answered_count() const;
  // Ringing/Progress seen on legs since the last call (for the caller to indicate).
  std::vector<Control> take_indications();
  // The leg whose early media the caller hears (pass_early_media), if any yet.
  std::optional<std::size_t> early_media_source() const;
  // Caller's voice towards the early-media source leg (no-op when there is none). Any thread.
  void write_early_media(const Frame& f);
  // DIALSTATUS when nobody answered: BUSY if any leg was busy, else CONGESTION, else
  // CHANUNAVAIL, else NOANSWER (Asterisk's order); ANSWER when a leg answered.
  std::string dialstatus() const;

  // Hangs up every leg still ringing with `cause`; they report `as`. Answered legs are kept.
  void cancel_pending(LegOutcome as, HangupCause cause);
  // Hangs up every leg, answered ones included (Page ending).
  void hangup_all(HangupCause cause);

 private:
  struct Leg {
    DialLegInfo info;
    std::string resource;
    std::optional<LegOutcome> cancelled_as;  // set by cancel_pending()
    std::chrono::steady_clock::time_point ringing_since{};
  };
  boost::asio::awaitable<void> monitor(std::size_t index, Channel::Ptr leg, std::shared_ptr<void> token);
  // Reads the leg's frames until it answers or fails; returns the outcome and the cause to give.
  boost::asio::awaitable<std::pair<LegOutcome, HangupCause>> await_answer(std::size_t index, Channel::Ptr leg);
  // Records an answer; false when another leg already won (first_answer_wins).
  bool claim_answer(std::size_t index);
  void finish(std::size_t index, LegOutcome outcome);
  void publish_dial_end(const Channel::Ptr& leg, LegOutcome outcome);
  void wake_caller();
  // A Progress from leg `index`: true when it became the early-media source (Progress was then
  // indicated to the caller here); false when another leg is the source already.
  bool adopt_early_media(std::size_t index, const Channel::Ptr& leg);
  bool is_early_media_source(std::size_t index) const;
  std::optional<LegOutcome> cancelled_as(std::size_t index) const;

  Engine& engine_;
  std::weak_ptr<Channel> caller_;
  std::optional<ChannelSnapshot> caller_snapshot_;
  Settings settings_;
  mutable std::mutex mu_;
  std::vector<Leg> legs_;
  std::optional<std::size_t> winner_;
  std::optional<std::size_t> early_source_;
  std::vector<Control> indications_;
};

// "ctx^exten^prio(args)" (Dial/Page option syntax) -> "ctx,exten,prio(args)": carets outside the
// argument list become commas, as Asterisk's Dial does before running the Gosub.
std::string gosub_from_option(std::string_view text);

}  // namespace telephony::dialplan
