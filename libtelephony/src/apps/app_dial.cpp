// Dial(): ring one or more devices in parallel, bridge the caller with the first that answers,
// report DIALSTATUS and the timing variables. The ringing is ParallelDialer's; this file is the
// caller's side: options, indications to the caller, the bridge, the variables. See docs/dial.md.
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <utility>

#include <boost/asio/steady_timer.hpp>

#include "apps/call_bridge.hpp"
#include "apps/call_pickup.hpp"
#include "apps/dialplan_apps.hpp"
#include "apps/media_apps.hpp"
#include "apps/parallel_dialer.hpp"
#include "telephony/bridge.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/media/channel_media.hpp"
#include "telephony/media/music_on_hold.hpp"
#include "telephony/media/playback.hpp"

// GCC 12 reports -Wmismatched-new-delete on coroutines whose frame it inlines (asio's awaitable
// frame has its own operator new/delete pair); a known false positive, silenced for this file.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace telephony::dialplan {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view kSource = "app_dial";

// Sends `digits` on `chan` (its strand) paced as Asterisk's DTMF streams: 100 ms tones, 250 ms
// apart; 'w' waits 500 ms.
asio::awaitable<void> stream_digits(Channel::Ptr chan, std::string digits) {
  for (char d : digits) {
    if (chan->hangup_requested()) co_return;
    if (d == 'w' || d == 'W') {
      co_await chan->sleep(500ms);
      continue;
    }
    if (!std::isxdigit(static_cast<unsigned char>(d)) && d != '*' && d != '#') continue;
    chan->send_digit(static_cast<char>(std::toupper(static_cast<unsigned char>(d))), 100ms);
    co_await chan->sleep(250ms);
  }
}

// Shared between the caller's coroutine and the winning leg's hook: the caller publishes the
// bridge (or abandons the call); the leg prepares itself and joins.
struct WinnerHandoff {
  std::mutex mu;
  Bridge::Ptr bridge;
  bool abandoned = false;
  std::string announcement;   // A(x)
  std::string called_digits;  // D(called)
  std::string answer_gosub;   // U(x)
};

asio::awaitable<void> winner_joins(std::shared_ptr<WinnerHandoff> h, Channel::Ptr leg) {
  // Named, not temporaries: GCC 12 mishandles temporaries in a co_await operand.
  std::function<bool()> decided = [h] {
    std::lock_guard lock(h->mu);
    return h->bridge || h->abandoned;
  };
  const std::chrono::milliseconds forever(-1);
  co_await leg->wait_until(decided, forever);
  Bridge::Ptr bridge;
  {
    std::lock_guard lock(h->mu);
    bridge = h->bridge;
  }
  if (auto claim = pickup_claim_of(*leg)) {
    // Picked up (Pickup/PickupChan): the picker takes the ringing leg's place in the call.
    {
      std::lock_guard lock(claim->mu);
      claim->bridge = bridge;
      claim->abandoned = !bridge;
    }
    if (auto picker = claim->picker.lock()) picker->wake();
    leg->set_hangup_cause(HangupCause::AnsweredElsewhere);
    co_return;
  }
  if (!bridge) co_return;
  if (!leg->hangup_requested() && !h->announcement.empty()) {
    media::PlayOptions opts;
    std::string name = h->announcement;
    auto played = co_await media::play_file(leg, std::move(name), std::move(opts));
    if (played.status == media::PlayStatus::NotFound || played.status == media::PlayStatus::Failed)
      leg->engine().log().warning(kSource, "Announcement '" + h->announcement + "' for " + leg->name() + ": " + played.error);
  }
  if (!leg->hangup_requested() && !h->called_digits.empty()) {
    std::string digits = h->called_digits;
    co_await stream_digits(leg, std::move(digits));
  }
  if (!leg->hangup_requested() && !h->answer_gosub.empty()) {
    if (auto pbx = leg->engine().pbx()) {
      std::string target = h->answer_gosub;
      auto r = co_await pbx->run_predial_gosub(leg, std::move(target));
      if (!r) leg->engine().log().warning(kSource, "U(" + h->answer_gosub + ") on " + leg->name() + ": " + r.error().to_string());
    }
  }
  if (leg->hangup_requested()) {
    bridge->dissolve();  // the caller must not wait alone in the bridge
    co_return;
  }
  co_await bridge->join(leg);
}

std::optional<std::chrono::milliseconds> parse_seconds(std::string_view text) {
  std::string s(text);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end == s.c_str() || *end != '\0' || !std::isfinite(v) || v <= 0) return std::nullopt;
  return std::chrono::milliseconds(static_cast<long long>(v * 1000.0));
}

void set_status(Execution& x, std::string_view status) {
  x.channel().set_variable("DIALSTATUS", std::string(status));
}

void set_times(Channel& chan, std::chrono::steady_clock::time_point dial_start,
               std::optional<std::chrono::steady_clock::time_point> answered_at) {
  const auto now = std::chrono::steady_clock::now();
  auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
  const auto dialed = ms(now - dial_start);
  const auto answered = answered_at ? ms(now - *answered_at) : 0;
  chan.set_variable("DIALEDTIME", std::to_string(dialed / 1000));
  chan.set_variable("DIALEDTIME_MS", std::to_string(dialed));
  chan.set_variable("ANSWEREDTIME", std::to_string(answered / 1000));
  chan.set_variable("ANSWEREDTIME_MS", std::to_string(answered));
}

// What the caller hears while the devices ring: r → ringing (or the r(tone) indication), m → music
// on hold; otherwise the devices' own ringing/progress is passed on.
struct CallerFeedback {
  Channel::Ptr caller;
  bool ring = false;
  std::string ring_tone;
  bool music = false;
  media::MohClass music_class;
  bool ringing_sent = false;
  bool generator = false;

  void start(Engine& engine) {
    if (music) {
      media::start_moh(caller, music_class);
      generator = true;
    } else if (ring) {
      caller->indicate(Control::Ringing);
      ringing_sent = true;
      if (!ring_tone.empty()) {
        auto t = media::play_tones(caller, ring_tone);
        if (!t) engine.log().warning(kSource, "r(" + ring_tone + "): " + t.error().to_string());
        generator = static_cast<bool>(t);
      }
    }
  }
  void pass_on(const std::vector<Control>& seen) {
    if (ring || music) return;  // Asterisk passes no device audio/progress with r or m
    for (auto c : seen) {
      if (c == Control::Ringing && ringing_sent) continue;
      caller->indicate(c);
      ringing_sent |= c == Control::Ringing;
    }
  }
  void stop() {
    if (generator) media::stop_generator(caller);
    generator = false;
  }
};

asio::awaitable<AppResult> dial(Execution& x, std::string_view data) {
  Engine& engine = x.engine();
  Channel::Ptr caller = x.channel_ptr();
  auto args = split_args(data);
  std::vector<std::string> devices;
  if (!args.empty())
    for (auto& d : split_args(args[0], '&'))
      if (!d.empty()) devices.push_back(d);
  if (devices.empty()) {
    engine.log().warning(kSource, "Dial requires an argument (technology/resource)");
    set_status(x, "INVALIDARGS");
    co_return AppResult::Continue;
  }
  std::chrono::milliseconds timeout(-1);
  if (args.size() > 1 && !args[1].empty()) {
    if (auto t = parse_seconds(args[1])) timeout = *t;
    else engine.log().warning(kSource, "Invalid timeout specified: '" + args[1] + "'. Setting timeout to infinite");
  }
  ParsedOptions opts;
  if (args.size() > 2) {
    auto parsed = parse_options(args[2], "ADLSbBmrU");
    if (!parsed) {
      engine.log().warning(kSource, "Dial options '" + args[2] + "': " + parsed.error().to_string());
      set_status(x, "INVALIDARGS");
      co_return AppResult::Continue;
    }
    opts = std::move(*parsed);
    for (auto& w : opts.warnings) engine.log().warning(kSource, w);
    for (char f : opts.flags)
      if (std::string_view("ADLSbBmrUtThHg").find(f) == std::string_view::npos)
        engine.log().notice(kSource, std::string("Dial option '") + f + "' is not supported and was ignored");
  }

  // S(x) seconds / L(x[:warn[:repeat]]) milliseconds after the answer, the call is hung up.
  const auto limit = call_limit(engine, opts, kSource);

  if (opts.has('B')) {
    auto r = co_await x.run_subroutine(gosub_from_option(opts.argument('B')));
    if (!r) engine.log().warning(kSource, "B(" + opts.argument('B') + "): " + r.error().to_string());
    if (caller->hangup_requested()) {
      set_status(x, "CANCEL");
      co_return AppResult::Hangup;
    }
  }

  const auto dial_start = std::chrono::steady_clock::now();
  auto handoff = std::make_shared<WinnerHandoff>();
  handoff->announcement = opts.argument('A');
  handoff->called_digits = split_raw_once(opts.argument('D'), ':').first;
  handoff->answer_gosub = opts.has('U') ? gosub_from_option(opts.argument('U')) : std::string();
  ParallelDialer::Settings settings;
  settings.timeout = timeout;
  settings.predial_gosub = opts.has('b') ? gosub_from_option(opts.argument('b')) : std::string();
  settings.first_answer_wins = true;
  // As Asterisk: the callee's early media reaches the caller unless r or m entertain it.
  settings.pass_early_media = !opts.has('r') && !opts.has('m');
  settings.on_answered = [handoff](Channel::Ptr leg, std::size_t) { return winner_joins(handoff, std::move(leg)); };
  auto dialer = ParallelDialer::create(caller, std::move(settings));

  CallerFeedback feedback{caller, opts.has('r'), opts.argument('r'), opts.has('m')};
  if (feedback.music) feedback.music_class = media_apps::resolve_moh_class(x, opts.argument('m'), "Dial");
  feedback.start(engine);
  dialer->dial(devices);
  // As Asterisk's Dial: the dialed channels carry the caller's extension (Pickup(exten@context)
  // finds them by it) and may be picked up while they ring.
  for (const auto& leg : dialer->legs()) {
    if (!leg.chan) continue;
    auto at = leg.chan->location();
    at.exten = x.location().exten;
    leg.chan->set_location(std::move(at));
    mark_pickable(*leg.chan);
  }

  // Wait for the first answer, every leg failing, or the caller going away. The caller's own
  // frames are drained as they come; its voice goes to the leg giving early media, if any.
  std::optional<std::size_t> winner;
  std::function<bool()> news = [&] { return dialer->winner() || dialer->finished(); };
  const std::chrono::milliseconds slice(200);
  for (;;) {
    co_await caller->wait_until(news, slice);
    while (auto f = co_await caller->read(0ms))
      if (f->kind == FrameKind::Voice) dialer->write_early_media(*f);
    feedback.pass_on(dialer->take_indications());
    // An answer that came in before the caller hung up still counts: DIALSTATUS=ANSWER, and the
    // winner is released through the (then dissolved) bridge like any answered call.
    winner = dialer->winner();
    if (winner || dialer->finished()) break;
    if (caller->hangup_requested()) break;
  }
  feedback.stop();

  if (!winner) {
    {
      std::lock_guard lock(handoff->mu);
      handoff->abandoned = true;
    }
    if (caller->hangup_requested()) {
      dialer->cancel_pending(LegOutcome::Cancel, HangupCause::NormalClearing);
      // A leg may have answered after the caller's last look: it waits for the handoff on its
      // own strand and would never be woken by `abandoned` alone. Hanging it up wakes it.
      if (dialer->winner()) dialer->hangup_all(HangupCause::NormalClearing);
      set_status(x, "CANCEL");
      set_times(*caller, dial_start, std::nullopt);
      co_return AppResult::Hangup;
    }
    set_status(x, dialer->dialstatus());
    set_times(*caller, dial_start, std::nullopt);
    co_return AppResult::Continue;
  }

  // Answered: the caller is answered and bridged with the winner.
  const auto leg_info = dialer->legs()[*winner];
  Channel::Ptr peer = leg_info.chan;
  const auto answered_at = std::chrono::steady_clock::now();
  set_status(x, "ANSWER");
  caller->set_variable("DIALEDPEERNAME", peer->name());
  caller->set_variable("DIALEDPEERNUMBER", leg_info.dialstring.substr(leg_info.dialstring.find('/') + 1));
  caller->set_connected(CallerId{leg_info.dialstring.substr(leg_info.dialstring.find('/') + 1), "", 0});
  if (caller->state() != ChannelState::Up) caller->answer();

  auto tech = call_bridge_technology(engine, *caller, *peer, opts, caller->location().context);
  auto bridge = Bridge::create(engine, {.type = "basic", .name = "", .creator = "Dial", .dissolve_when_alone = true},
                               std::move(tech));
  {
    std::lock_guard lock(handoff->mu);
    handoff->bridge = bridge;
  }
  peer->wake();
  if (auto calling = split_raw_once(opts.argument('D'), ':'); calling.found) {
    std::string digits = split_raw_once(calling.second, ':').first;
    co_await stream_digits(caller, std::move(digits));
  }
  // Measured from the answer, as Asterisk does; both parties are hung up when it fires.
  std::shared_ptr<asio::steady_timer> limit_timer;
  if (limit) limit_timer = arm_call_limit(engine, caller, peer, answered_at, *limit, kSource);
  BridgeExit left = BridgeExit::Dissolved;
  if (!caller->hangup_requested()) left = co_await bridge->join(caller);
  if (limit_timer) limit_timer->cancel();
  // A caller kicked out of a bridge that still has two members was swapped out (a SIP attended
  // transfer gave its place to the transferee): the bridge goes on without it.
  if (left != BridgeExit::Kicked) bridge->dissolve();
  set_times(*caller, dial_start, answered_at);
  if (caller->hangup_requested()) co_return AppResult::Hangup;
  // The callee hung up (or left with a feature): g continues the dialplan, otherwise the caller
  // is hung up too, as Asterisk's Dial returns -1.
  co_return opts.has('g') ? AppResult::Continue : AppResult::Hangup;
}

Documentation dial_doc() {
  return Documentation{
      "Attempt to connect to another device or endpoint and bridge the call.",
      "Dial(Technology/Resource[&Technology2/Resource2[&...]][,timeout[,options[,URL]]])",
      "Rings every listed device at once. The first to answer is bridged with the caller; every other device is "
      "hung up with cause 26 (answered elsewhere). Each attempt publishes DialBegin and DialEnd. When Dial ends it "
      "sets DIALSTATUS (ANSWER, BUSY, NOANSWER, CANCEL, CONGESTION, CHANUNAVAIL, INVALIDARGS; DONTCALL and TORTURE "
      "belong to privacy mode, which is not implemented), DIALEDTIME and ANSWEREDTIME (seconds; _MS variants in "
      "milliseconds), DIALEDPEERNAME and DIALEDPEERNUMBER. The dialed channel gets the caller's caller id, language, "
      "account code and inheritable (_/__) variables. Without 'g' the caller is hung up when the called party hangs "
      "up after answering; when nobody answered, the dialplan continues.",
      {{"Technology/Resource", "devices to ring, separated by '&'"},
       {"timeout", "seconds to ring (fractions allowed); empty or invalid: until someone answers or the caller hangs up"},
       {"options",
        "A(x): play announcement x to the called party; b(context^exten^priority(args)): Gosub on each dialed channel "
        "before it is called; B(context^exten^priority(args)): Gosub on the caller before dialing; "
        "D([called][:calling]): DTMF to the called party after answer, then to the caller; g: continue the "
        "dialplan after the called party hangs up; h/H: the called/calling party may hang up with the disconnect "
        "code; m([class]): music on hold to the caller while ringing; r([tone]): indicate ringing (or play the "
        "indication tone) to the caller; t/T: the called/calling party may transfer; U(x): Gosub on the called party "
        "after answer, before bridging; L: not supported (ignored with a notice)"},
       {"URL", "accepted and ignored (no channel driver here carries URLs)"}},
      {"Page", "RetryDial", "Originate"}};
}

}  // namespace

void register_dial_application(Engine& engine) { add_application(engine, "Dial", dial_doc(), dial); }

}  // namespace telephony::dialplan
