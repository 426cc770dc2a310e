// ChanSpy and ExtenSpy: listen to other calls, and whisper into or barge in on them, as Asterisk's
// app_chanspy does. The spied channel carries a SpyTap (both directions of its call, drained by
// the spy on its own strand); whisper and barge put WhisperTaps on the channels that should hear
// the spy (apps/spy_taps.hpp). AMI ChanSpyStart / ChanSpyStop report each spying session.
#include <algorithm>
#include <charconv>

#include "apps/dialplan_apps.hpp"
#include "apps/spy_taps.hpp"
#include "config/text.hpp"
#include "telephony/bridge.hpp"
#include "telephony/dialplan/app_events.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/media/playback.hpp"

// GCC 12 false positive on inlined coroutine frames (see app_dial.cpp).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace telephony::dialplan {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr char kSource[] = "chanspy";
constexpr char kSpyingMark[] =
    "chanspy-spying";  // datastore: this channel is a spy (never spied on)

struct SpyOptions {
  bool quiet = false, bridged_only = false, whisper = false, barge = false, private_whisper = false;
  bool dtmf_modes = false, exit_on_hangup = false, stop_when_none = false, read_only = false;
  bool no_answer = false, by_uniqueid = false, exit_to_exten = false;
  std::string group, enforced;
  int volume = 0;
  char exit_digit = '\0', cycle_digit = '*', volume_digit = '#';
};

// Which channels a spy looks at: a name prefix (ChanSpy), a uniqueid or full name (ChanSpy u), or
// the extension a channel is at (ExtenSpy).
struct Selector {
  std::string prefix;
  bool by_uniqueid = false;
  std::string exten, context;
};

using config::detail::iequals;
bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

char digit_argument(const ParsedOptions& p, char flag, char fallback, Engine& engine) {
  const std::string a = p.argument(flag);
  if (a.empty()) return fallback;
  if (std::string_view("0123456789*#").find(a[0]) != std::string_view::npos) return a[0];
  engine.log().notice(
      kSource, std::string("Argument for option '") + flag + "' must be a valid DTMF digit.");
  return fallback;
}

Result<SpyOptions> parse_spy_options(std::string_view text, Engine& engine) {
  SpyOptions o;
  if (text.empty()) return o;
  auto parsed = parse_options(text, "gvxceEnrw");
  if (!parsed) return Unexpected<Error>{parsed.error()};
  for (const auto& w : parsed->warnings) engine.log().warning(kSource, w);
  const auto& p = *parsed;
  o.quiet = p.has('q');
  o.bridged_only = p.has('b');
  o.barge = p.has('B');
  o.whisper = p.has('w') || p.has('W');
  o.private_whisper = p.has('W');
  o.dtmf_modes = p.has('d');
  o.exit_on_hangup = p.has('E');
  o.stop_when_none = p.has('S');
  o.read_only = p.has('o');
  o.no_answer = p.has('N');
  o.by_uniqueid = p.has('u');
  o.exit_to_exten = p.has('X');
  o.group = p.argument('g');
  o.enforced = p.has('e') ? p.argument('e') : std::string();
  if (p.has('v')) {
    const std::string v = p.argument('v');
    int vol = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), vol);
    if (ec != std::errc() || end != v.data() + v.size() || vol < -4 || vol > 4)
      engine.log().notice(kSource, "Volume factor must be a number between -4 and 4");
    else
      o.volume = vol;
  }
  o.exit_digit = digit_argument(p, 'x', '\0', engine);
  o.cycle_digit = digit_argument(p, 'c', '*', engine);
  for (char f : p.flags)
    if (std::string_view("bBcdEeglnNoqrsSuvwWxXD").find(f) == std::string_view::npos)
      engine.log().warning(kSource, std::string("unknown ChanSpy option '") + f + "' ignored");
  if (p.has('r'))
    engine.log().notice(
        kSource, "ChanSpy option r (record the spy session) is not supported; use MixMonitor");
  return o;
}

// SPYGROUP and g() are ':'-separated lists; any name in common admits the channel.
bool groups_meet(std::string_view mine, std::string_view theirs) {
  for (const auto& m : split_args(mine, ':'))
    for (const auto& t : split_args(theirs, ':'))
      if (!m.empty() && m == t) return true;
  return false;
}

// e(ext1:ext2): the spied channel's name up to its '-' (SIP/1000-00000001 -> SIP/1000) must be
// one of the listed names.
bool enforced_allows(std::string_view list, std::string_view name) {
  const std::string device(name.substr(0, name.find('-')));
  for (const auto& e : split_args(list, ':'))
    if (iequals(e, device)) return true;
  return false;
}

bool selected(const Selector& sel, const Channel& c) {
  if (sel.by_uniqueid) return c.uniqueid() == sel.prefix || iequals(c.name(), sel.prefix);
  if (!sel.exten.empty()) {
    const auto at = c.location();
    return at.exten == sel.exten && iequals(at.context, sel.context);
  }
  return sel.prefix.empty() || istarts_with(c.name(), sel.prefix);
}

bool can_spy_on(const Channel& c, const Channel& self, const SpyOptions& o) {
  if (&c == &self || c.is_hung_up() || c.hangup_requested() || c.datastore(kSpyingMark))
    return false;
  if (o.bridged_only && c.snapshot().bridge_id.empty()) return false;
  if (!o.group.empty() && !groups_meet(o.group, c.variable("SPYGROUP").value_or(""))) return false;
  if (!o.enforced.empty() && !enforced_allows(o.enforced, c.name())) return false;
  return true;
}

// The other member of the spied channel's bridge (barge talks to both parties).
Channel::Ptr bridge_peer(Engine& engine, const Channel& spyee) {
  const std::string id = spyee.snapshot().bridge_id;
  if (id.empty()) return nullptr;
  auto bridge = engine.find_bridge(id);
  if (!bridge) return nullptr;
  for (auto& m : bridge->members())
    if (m.get() != &spyee && !m->is_hung_up()) return m;
  return nullptr;
}

void publish(Engine& engine, const Channel& self, const Channel& spyee, bool start) {
  ChanSpyChanged ev;
  ev.start = start;
  ev.channel = self.snapshot();
  ev.spyee = spyee.snapshot();
  engine.events().emit(std::move(ev));
}

enum class SpyEnd { Next, SpyeeGone, Hangup, Exit, Numbered };
struct SpyOutcome {
  SpyEnd end = SpyEnd::Next;
  int number = 0;  // Numbered: digits dialed before '#'
};

// d: 4 listens, 5 whispers, 6 barges.
void change_mode(char digit, SpyOptions& o) {
  if (digit == '4') o.whisper = o.barge = false;
  if (digit == '5') o.whisper = true, o.barge = false;
  if (digit == '6') o.whisper = false, o.barge = true;
}

// The exit context of X: SPY_EXIT_CONTEXT, else the current context.
std::string exit_context(Execution& x) {
  auto v = x.channel().variable("SPY_EXIT_CONTEXT");
  return v && !v->empty() ? *v : x.location().context;
}

// X: a single-digit extension of the exit context ends ChanSpy there.
bool exit_to(Execution& x, char digit, const std::string& spied) {
  const std::string context = exit_context(x), exten(1, digit);
  if (!x.exists(context, exten, 1)) return false;
  if (!spied.empty()) x.channel().set_variable("SPY_CHANNEL", spied);
  x.jump(context, exten, 1);
  return true;
}

// Asterisk's channel_spy: listens to `spyee` until a digit, a hangup or the spyee's hangup ends it.
asio::awaitable<SpyOutcome> spy_on(Execution& x, Channel::Ptr spyee, SpyOptions& o, int& volume) {
  Engine& engine = x.engine();
  Channel::Ptr self = x.channel_ptr();
  if (spyee->is_hung_up() || spyee->hangup_requested()) co_return SpyOutcome{};
  engine.log().verbose(2, kSource, "Spying on channel " + spyee->name());
  publish(engine, *self, *spyee, true);
  auto tap = std::make_shared<spy::SpyTap>(o.read_only);
  spyee->attach_audio_hook(tap);
  std::shared_ptr<spy::WhisperTap> whisper, barge;
  Channel::Ptr peer;
  if (o.whisper || o.barge || o.dtmf_modes) {
    whisper = std::make_shared<spy::WhisperTap>();
    spyee->attach_audio_hook(whisper);
  }
  std::vector<std::int16_t> heard(spy::PcmFramePool::kMaxSamples);
  spy::PcmFramePool pool;
  spy::SlinView said;
  std::string digits;
  SpyOutcome out;
  for (;;) {
    auto f = co_await self->read(20ms);
    if (self->hangup_requested()) {
      out.end = SpyEnd::Hangup;
      break;
    }
    // What the call said meanwhile, in 20 ms frames (silence in its place for W).
    for (std::size_t n; (n = tap->mix_into(std::span(heard).first(160))) > 0;) {
      auto pcm = std::span(heard).first(n);
      if (o.private_whisper)
        std::fill(pcm.begin(), pcm.end(), std::int16_t{0});
      else
        spy::apply_volume(pcm, volume);
      self->write(pool.make(pcm));
    }
    if (tap->detached() || spyee->is_hung_up()) {
      out.end = SpyEnd::SpyeeGone;
      break;
    }
    if (!f) continue;
    if (f->kind == FrameKind::Voice) {
      if (!o.whisper && !o.barge) continue;
      if (o.barge && !barge && (peer = bridge_peer(engine, *spyee))) {
        barge = std::make_shared<spy::WhisperTap>();
        peer->attach_audio_hook(barge);
      }
      auto pcm = said.of(*f);
      if (whisper) whisper->say(pcm);
      if (o.barge && barge) barge->say(pcm);
      continue;
    }
    if (f->kind != FrameKind::DtmfEnd) continue;
    const char d = f->digit();
    if (o.exit_to_exten) {
      if (exit_to(x, d, spyee->name())) {
        out.end = SpyEnd::Exit;
        break;
      }
    } else if (d >= '0' && d <= '9') {
      if (o.dtmf_modes)
        change_mode(d, o);
      else if (digits.size() < 24)
        digits += d;
    }
    if (d == o.cycle_digit) break;
    if (d == o.exit_digit) {
      out.end = SpyEnd::Exit;
      break;
    }
    if (d == o.volume_digit) {
      if (!digits.empty()) {
        out = SpyOutcome{SpyEnd::Numbered, std::atoi(digits.c_str())};
        break;
      }
      volume = volume >= 4 ? -4 : volume + 1;
      engine.log().verbose(
          3, kSource, "Setting spy volume on " + self->name() + " to " + std::to_string(volume));
    }
  }
  spyee->detach_audio_hook(tap);
  if (whisper) spyee->detach_audio_hook(whisper);
  if (barge) peer->detach_audio_hook(barge);
  engine.log().verbose(2, kSource, "Done Spying on channel " + spyee->name());
  publish(engine, *self, *spyee, false);
  co_return out;
}

// Asterisk's common_exec: scans the selected channels, spying on each in turn, until a hangup,
// an exit digit, E after a spied call or S after a pass.
asio::awaitable<AppResult> run_spy(Execution& x, SpyOptions o, Selector sel) {
  Engine& engine = x.engine();
  Channel::Ptr self = x.channel_ptr();
  if (!o.no_answer && self->state() != ChannelState::Up) self->answer();
  self->datastore_or_create(kSpyingMark, [] { return std::make_shared<bool>(true); });
  struct Unmark {
    Channel::Ptr chan;
    ~Unmark() { chan->remove_datastore(kSpyingMark); }
  } unmark{self};
  int volume = o.volume;
  bool spied = true;
  for (;;) {
    if (!o.quiet && spied) {
      std::string beep = "beep";
      media::PlayOptions beep_opts;
      auto r = co_await media::play_file(self, std::move(beep), std::move(beep_opts));
      if (r.status == media::PlayStatus::HungUp || self->hangup_requested())
        co_return AppResult::Hangup;
    }
    auto f = co_await self->read(100ms);
    if (self->hangup_requested()) co_return AppResult::Hangup;
    if (f && f->kind == FrameKind::DtmfEnd && o.exit_to_exten && exit_to(x, f->digit(), {}))
      co_return AppResult::Continue;
    spied = false;
    // Name order: a stable, predictable visiting order for * (Asterisk walks its channel hash).
    auto list = engine.channels();
    std::sort(list.begin(), list.end(),
              [](const auto& a, const auto& b) { return a->name() < b->name(); });
    Channel::Ptr numbered;
    for (std::size_t i = 0; i < list.size() || numbered;) {
      Channel::Ptr c = numbered ? std::move(numbered) : list[i++];
      numbered.reset();
      if (!selected(sel, *c) || !can_spy_on(*c, *self, o)) continue;
      auto outcome = co_await spy_on(x, c, o, volume);
      spied = true;
      if (outcome.end == SpyEnd::Hangup || self->hangup_requested()) co_return AppResult::Hangup;
      if (outcome.end == SpyEnd::Exit) co_return AppResult::Continue;
      if (outcome.end == SpyEnd::Numbered && !sel.prefix.empty() && !sel.by_uniqueid) {
        // Digits then #: spy on <chanprefix>/<digits>, else stay on this channel.
        const std::string wanted = sel.prefix + "/" + std::to_string(outcome.number);
        for (auto& other : engine.channels())
          if (istarts_with(other->name(), wanted) && other != self) numbered = other;
        if (!numbered && !c->is_hung_up()) numbered = c;
      } else if (o.exit_on_hangup && outcome.end != SpyEnd::Numbered) {
        engine.log().verbose(3, kSource, "Stopped spying due to the spied-on channel hanging up.");
        co_return AppResult::Continue;
      }
    }
    if (o.stop_when_none) co_return AppResult::Continue;
  }
}

asio::awaitable<AppResult> chanspy(Execution& x, std::string_view data) {
  auto args = split_args(data);
  Selector sel;
  if (!args.empty() && args[0] != "all") sel.prefix = args[0];
  auto o = parse_spy_options(args.size() > 1 ? args[1] : std::string(), x.engine());
  if (!o) {
    x.engine().log().warning(kSource, "ChanSpy options: " + o.error().to_string());
    co_return AppResult::Hangup;
  }
  sel.by_uniqueid = o->by_uniqueid && !sel.prefix.empty();
  co_return co_await run_spy(x, std::move(*o), std::move(sel));
}

asio::awaitable<AppResult> extenspy(Execution& x, std::string_view data) {
  auto args = split_args(data);
  Selector sel;
  const std::string spec = args.empty() ? std::string() : args[0];
  if (auto at = spec.find('@'); at != std::string::npos) {
    sel.exten = spec.substr(0, at);
    sel.context = spec.substr(at + 1);
  } else {
    sel.exten = spec;
  }
  if (sel.context.empty()) sel.context = x.location().context;
  if (sel.exten.empty()) {
    x.engine().log().warning(kSource, "ExtenSpy requires an extension argument (exten[@context])");
    co_return AppResult::Hangup;
  }
  auto o = parse_spy_options(args.size() > 1 ? args[1] : std::string(), x.engine());
  if (!o) {
    x.engine().log().warning(kSource, "ExtenSpy options: " + o.error().to_string());
    co_return AppResult::Hangup;
  }
  o->by_uniqueid = false;
  co_return co_await run_spy(x, std::move(*o), std::move(sel));
}

}  // namespace

void register_chanspy_applications(Engine& engine) {
  const std::string common =
      "While spying: # cycles the volume (-4..4, Asterisk's factor: 2 doubles, -2 halves); * (or "
      "the digit of "
      "c()) moves on to the next channel; digits then # spy on <chanprefix>/<digits> (ChanSpy). "
      "Before each scan "
      "of the channels a beep is played unless q. A spy never spies on itself or on another spy. "
      "AMI ChanSpyStart "
      "and ChanSpyStop (class call, Spyer*/Spyee* snapshots) mark each channel listened to. "
      "Options: "
      "b only channels in a bridge; B barge (the spy is heard by both parties); c(digit) the "
      "next-channel digit; "
      "d DTMF switches modes (4 listen, 5 whisper, 6 barge); e(ext:ext) only these devices (name "
      "before '-'); "
      "E leave when the spied call ends (or on *); g(grp:grp) only channels whose SPYGROUP shares "
      "a group; "
      "N do not answer; o only the spied channel's own voice; q quiet; S stop after one pass over "
      "the "
      "channels; v(level) initial volume -4..4; w whisper (only the spied channel hears the spy); "
      "W private "
      "whisper (whisper, hearing nothing); x(digit) leave ChanSpy, dialplan continues; X a "
      "single-digit "
      "extension of SPY_EXIT_CONTEXT (or the current context) ends ChanSpy there, SPY_CHANNEL "
      "names the last "
      "spied channel. Accepted with no effect: l, n and s (no name announcement: the spied channel "
      "is not "
      "spoken), r (not recorded: use MixMonitor on the spy), D.";
  add_application(engine, "ChanSpy",
                  Documentation{"Listen to a channel, and optionally whisper into it.",
                                "ChanSpy([chanprefix][,options])",
                                "Listens to the calls of other channels: the spy hears both "
                                "directions of the spied channel "
                                "mixed (what it says and what it hears). chanprefix limits the "
                                "channels to those whose name "
                                "starts with it (case-insensitive; 'all' or empty: every channel); "
                                "with u it is a uniqueid or "
                                "a full channel name. " +
                                    common,
                                {{"chanprefix", "channel name prefix, or uniqueid with u"},
                                 {"options", "see above"}},
                                {"ExtenSpy", "MixMonitor"}},
                  chanspy);
  add_application(engine, "ExtenSpy",
                  Documentation{"Listen to a channel, and optionally whisper into it.",
                                "ExtenSpy(exten[@context][,options])",
                                "As ChanSpy, but listens only to channels at extension exten of "
                                "context (default: the spy's "
                                "current context) — the channels running that extension and those "
                                "Dial() created from it. " +
                                    common,
                                {{"exten", "extension"},
                                 {"context", "its context (default: the current one)"},
                                 {"options", "see ChanSpy"}},
                                {"ChanSpy"}},
                  extenspy);
}

}  // namespace telephony::dialplan
