// ChanSpy and ExtenSpy: listen to other channels, optionally whisper to them (w, W) or barge in
// on both parties (B). The spied-on channel carries a "ChanSpy" audio hook that copies what it
// says (Read) and hears (Write) into the session as 8 kHz slin and mixes the spy's voice into
// what it hears (whisper) and, with barge, into what it says (so its peer hears the spy too). The
// spy's coroutine sends the mix to the spy every 20 ms and reads the spy's voice and DTMF:
// '#' cycles the volume (-4..4) or, after digits, picks `prefix + digits`; '*' moves to the
// next channel; with d, 4/5/6 switch to spy/whisper/barge. AMI ChanSpyStart/ChanSpyStop.
#include <strings.h>

#include <algorithm>
#include <cctype>
#include <deque>
#include <mutex>

#include "apps/dialplan_apps.hpp"
#include "apps/media_apps.hpp"
#include "funcs/audio_processing.hpp"
#include "funcs/function_support.hpp"
#include "telephony/bridge.hpp"
#include "telephony/dialplan/app_events.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/media/file_format.hpp"
#include "telephony/media/playback.hpp"

// GCC 12 false positive on inlined coroutine frames (see app_dial.cpp).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace telephony::dialplan {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace media_apps;

namespace {

constexpr std::uint32_t kRate = 8000;
constexpr std::size_t kFrame = kRate / 50;     // 20 ms
constexpr std::size_t kMaxBuffered = kRate;   // 1 s per queue; older audio is dropped
constexpr std::string_view kSpying = "chanspy-spying";  // datastore marking a spy (not spied on)

enum class Mode { Spy, Whisper, Barge };

// What the spy and the spied-on channel share.
struct Session {
  std::mutex mu;
  std::deque<std::int16_t> heard_from, heard_to;  // spyee's voice (Read), what it hears (Write)
  std::deque<std::int16_t> to_spyee, to_peer;      // the spy's voice, for whisper / barge
  Mode mode = Mode::Spy;
  bool listen = true;      // W: whisper without listening
  bool only_read = false;  // o: only the spied-on channel's own voice

  static void push(std::deque<std::int16_t>& q, std::span<const std::int16_t> pcm) {
    q.insert(q.end(), pcm.begin(), pcm.end());
    while (q.size() > kMaxBuffered) q.pop_front();
  }
  // Adds (saturating) as much of `q` as `pcm` holds, resampled from 8 kHz to `rate`.
  static bool mix_into(std::deque<std::int16_t>& q, std::span<std::int16_t> pcm, std::uint32_t rate) {
    if (q.empty()) return false;
    const std::size_t want = std::min(q.size(), pcm.size() * kRate / rate);
    std::vector<std::int16_t> in(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(want)), up;
    q.erase(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(want));
    funcs::append_resampled(in, kRate, rate, up);
    for (std::size_t i = 0; i < pcm.size() && i < up.size(); ++i)
      pcm[i] = static_cast<std::int16_t>(std::clamp(pcm[i] + up[i], -32768, 32767));
    return true;
  }
};

class SpyHook : public funcs::SlinHook {
 public:
  explicit SpyHook(std::shared_ptr<Session> s) : s_(std::move(s)) {}
  std::string_view kind() const override { return "ChanSpy"; }

 protected:
  bool process(Channel&, Direction dir, std::span<std::int16_t> pcm, std::uint32_t rate) override {
    scratch_.clear();
    funcs::append_resampled(pcm, rate, kRate, scratch_);
    std::lock_guard lock(s_->mu);
    if (dir == Direction::Read) {
      Session::push(s_->heard_from, scratch_);
      return s_->mode == Mode::Barge && Session::mix_into(s_->to_peer, pcm, rate);
    }
    if (!s_->only_read) Session::push(s_->heard_to, scratch_);
    return s_->mode != Mode::Spy && Session::mix_into(s_->to_spyee, pcm, rate);
  }

 private:
  std::shared_ptr<Session> s_;
  std::vector<std::int16_t> scratch_;
};

struct SpyOptions {
  ParsedOptions opts;
  std::string prefix;             // ChanSpy: channel name prefix
  std::string exten, context;     // ExtenSpy
  std::vector<std::string> groups, enforced;
  int volume = 0;
  char exit_digit = 0, next_digit = '*';
};

std::vector<std::string> colon_list(std::string_view text) {
  std::vector<std::string> out;
  for (auto& p : split_args(text, ':'))
    if (!p.empty()) out.push_back(p);
  return out;
}

bool spy_target(const SpyOptions& o, const Channel& self, const Channel& c) {
  if (&c == &self || c.is_hung_up() || c.hangup_requested() || c.datastore(kSpying)) return false;
  if (!o.prefix.empty()) {
    if (o.opts.has('u')) {
      if (::strcasecmp(c.name().c_str(), o.prefix.c_str()) != 0 && c.uniqueid() != o.prefix) return false;
    } else if (::strncasecmp(c.name().c_str(), o.prefix.c_str(), o.prefix.size()) != 0) {
      return false;
    }
  }
  if (!o.exten.empty()) {
    auto at = c.location();
    if (::strcasecmp(at.exten.c_str(), o.exten.c_str()) != 0 || ::strcasecmp(at.context.c_str(), o.context.c_str()) != 0)
      return false;
  }
  if (o.opts.has('b') && c.snapshot().bridge_id.empty()) return false;
  if (!o.groups.empty()) {
    auto theirs = colon_list(c.variable("SPYGROUP").value_or(""));
    bool any = false;
    for (auto& g : o.groups) any |= std::find(theirs.begin(), theirs.end(), g) != theirs.end();
    if (!any) return false;
  }
  if (!o.enforced.empty()) {
    const std::string device = c.name().substr(0, c.name().rfind('-'));
    bool any = false;
    for (auto& e : o.enforced) any |= ::strcasecmp(e.c_str(), device.c_str()) == 0;
    if (!any) return false;
  }
  return true;
}

std::vector<Channel::Ptr> candidates(Engine& engine, const SpyOptions& o, const Channel& self) {
  std::vector<Channel::Ptr> out;
  for (auto& c : engine.channels())
    if (spy_target(o, self, *c)) out.push_back(c);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a->name() < b->name(); });
  return out;
}

asio::awaitable<bool> play(const Channel::Ptr& chan, std::vector<std::string> prompts) {
  media::PlayOptions po;
  po.skip_missing = true;
  auto r = co_await media::play_files(chan, std::move(prompts), std::move(po));
  co_return r.status != media::PlayStatus::HungUp;
}

// "spy-sip" (spelled letter by letter when there is no such prompt, as Asterisk does), then
// the digits of the device name when it is a number: "SIP/1234-0001" says spy-sip 1 2 3 4.
std::vector<std::string> announcement(const SpyOptions& o, const Channel& spy, const Channel& target) {
  std::vector<std::string> out;
  const std::string& name = target.name();
  auto slash = name.find('/');
  if (!o.opts.has('s')) {
    const std::string prompt = "spy-" + funcs::to_lower(name.substr(0, slash));
    if (media::find_sound_file(spy.engine().options().dirs.sounds, spy.language(), prompt, media::Format::slin()))
      out.push_back(prompt);
    else
      out = media::alpha_prompts(prompt);
  }
  if (slash != std::string::npos) {
    std::string rest = name.substr(slash + 1);
    rest = rest.substr(0, rest.find('-'));
    const long n = std::atol(rest.c_str());
    if (n > 0)
      for (char c : std::to_string(n)) out.push_back(std::string("digits/") + c);
  }
  return out;
}

enum class SpyEnd { Next, Exit, Hangup, Choose };

// Spies on `target` until '*', the exit digit, the target or the spy hanging up. On Choose,
// `chosen` holds the digits dialled before '#'.
asio::awaitable<SpyEnd> spy_on(Execution& x, const SpyOptions& o, const Channel::Ptr& target, int& volume,
                               std::string& chosen, std::string& exit_to) {
  auto self = x.channel_ptr();
  auto session = std::make_shared<Session>();
  session->mode = o.opts.has('B') ? Mode::Barge : (o.opts.has('w') || o.opts.has('W')) ? Mode::Whisper : Mode::Spy;
  session->listen = !o.opts.has('W');
  session->only_read = o.opts.has('o');
  auto hook = std::make_shared<SpyHook>(session);
  target->attach_audio_hook(hook);
  {
    ChanSpyStarted ev;
    ev.spyer = self->snapshot();
    ev.spyee = target->snapshot();
    x.engine().events().emit(std::move(ev));
  }
  self->set_variable("SPY_CHANNEL", target->name());
  funcs::SlinDecoder spy_voice;
  std::vector<std::int16_t> voice8k, out(kFrame);
  std::string digits;
  auto next_tick = std::chrono::steady_clock::now() + 20ms;
  SpyEnd end = SpyEnd::Next;
  for (;;) {
    if (target->is_hung_up() || target->hangup_requested()) {
      end = o.opts.has('E') ? SpyEnd::Exit : SpyEnd::Next;
      break;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_tick) {
      next_tick += 20ms;
      if (next_tick < now) next_tick = now + 20ms;
      bool any = false;
      {
        std::lock_guard lock(session->mu);
        std::fill(out.begin(), out.end(), 0);
        if (session->listen) {
          for (auto* q : {&session->heard_from, &session->heard_to}) {
            const std::size_t n = std::min(q->size(), kFrame);
            for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::int16_t>(std::clamp(out[i] + (*q)[i], -32768, 32767));
            q->erase(q->begin(), q->begin() + static_cast<std::ptrdiff_t>(n));
            any |= n > 0;
          }
        }
      }
      if (any) {
        funcs::apply_gain(out, volume);
        self->write(funcs::slin_frame(out, kRate));
      }
    }
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_tick - std::chrono::steady_clock::now());
    auto f = co_await self->read(std::max(wait, 1ms));
    if (self->hangup_requested()) {
      end = SpyEnd::Hangup;
      break;
    }
    if (!f) continue;
    if (f->kind == FrameKind::Voice && session->mode != Mode::Spy && spy_voice.decode(*f)) {
      voice8k.clear();
      funcs::append_resampled(spy_voice.pcm(), spy_voice.rate(), kRate, voice8k);
      std::lock_guard lock(session->mu);
      Session::push(session->to_spyee, voice8k);
      if (session->mode == Mode::Barge) Session::push(session->to_peer, voice8k);
      continue;
    }
    if (f->kind != FrameKind::DtmfEnd) continue;
    const char d = f->digit();
    if (o.exit_digit && d == o.exit_digit) {
      end = SpyEnd::Exit;
      break;
    }
    if (o.opts.has('X')) {
      const std::string ctx = self->variable("SPY_EXIT_CONTEXT").value_or(x.location().context);
      if (x.exists(ctx, std::string(1, d), 1)) {
        exit_to = ctx + "," + std::string(1, d);
        end = SpyEnd::Exit;
        break;
      }
    }
    if (d == o.next_digit) {
      end = SpyEnd::Next;
      break;
    }
    if (o.opts.has('d') && (d == '4' || d == '5' || d == '6')) {
      std::lock_guard lock(session->mu);
      session->mode = d == '4' ? Mode::Spy : d == '5' ? Mode::Whisper : Mode::Barge;
      session->to_spyee.clear();
      session->to_peer.clear();
      continue;
    }
    if (d == '#') {
      if (!digits.empty() && !o.opts.has('d') && !o.opts.has('u')) {
        chosen = digits;
        end = SpyEnd::Choose;
        break;
      }
      digits.clear();
      volume = volume >= 4 ? -4 : volume + 1;
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(d))) digits += d;
  }
  target->detach_audio_hook(hook);
  ChanSpyStopped ev;
  ev.spyer = self->snapshot();
  ev.spyee = target->snapshot();
  x.engine().events().emit(std::move(ev));
  co_return end;
}

asio::awaitable<AppResult> spy(Execution& x, SpyOptions o) {
  auto self = x.channel_ptr();
  if (!o.opts.has('N') && self->state() != ChannelState::Up) self->answer();
  media::stop_generator(self);
  self->datastore_or_create(kSpying, [] { return std::make_shared<int>(0); });
  struct Unmark {
    Channel::Ptr c;
    ~Unmark() { c->remove_datastore(kSpying); }
  } unmark{self};
  int volume = o.volume;
  std::string base_prefix = o.prefix;
  std::string exit_to;
  bool spied_any = false;
  for (;;) {
    if (self->hangup_requested()) co_return AppResult::Hangup;
    auto list = candidates(x.engine(), o, *self);
    if (list.empty()) {
      if (o.opts.has('S')) break;  // nobody (left) to spy on
      if (!co_await self->sleep(100ms)) co_return AppResult::Hangup;
      continue;
    }
    for (auto& target : list) {
      if (!spy_target(o, *self, *target)) continue;
      if (!o.opts.has('q')) {
        if (spied_any && !co_await play(self, {"beep"})) co_return AppResult::Hangup;
        if (!co_await play(self, announcement(o, *self, *target))) co_return AppResult::Hangup;
      }
      spied_any = true;
      std::string chosen;
      const SpyEnd end = co_await spy_on(x, o, target, volume, chosen, exit_to);
      if (end == SpyEnd::Hangup) co_return AppResult::Hangup;
      if (end == SpyEnd::Exit) {
        if (!exit_to.empty()) {
          auto comma = exit_to.find(',');
          x.jump(exit_to.substr(0, comma), exit_to.substr(comma + 1), 1);
        }
        co_return AppResult::Continue;
      }
      if (end == SpyEnd::Choose) {
        o.prefix = base_prefix + chosen;  // look again, for that channel
        break;
      }
    }
  }
  co_return AppResult::Continue;
}

Result<SpyOptions> parse_spy_options(std::string_view text) {
  SpyOptions o;
  if (text.empty()) return o;
  auto parsed = parse_options(text, "cegnrvx");
  if (!parsed) return Unexpected<Error>{parsed.error()};
  o.opts = std::move(*parsed);
  if (o.opts.has('g')) o.groups = colon_list(o.opts.argument('g'));
  if (o.opts.has('e')) o.enforced = colon_list(o.opts.argument('e'));
  if (o.opts.has('v')) o.volume = std::clamp(std::atoi(o.opts.argument('v').c_str()), -4, 4);
  if (o.opts.has('x') && !o.opts.argument('x').empty()) o.exit_digit = o.opts.argument('x')[0];
  if (o.opts.has('c') && !o.opts.argument('c').empty()) o.next_digit = o.opts.argument('c')[0];
  return o;
}

asio::awaitable<AppResult> chanspy(Execution& x, std::string_view data) {
  auto args = split_args(data);
  auto o = parse_spy_options(args.size() > 1 ? args[1] : "");
  if (!o) {
    warn(x, "ChanSpy", o.error().message);
    co_return AppResult::Continue;
  }
  o->prefix = args.empty() ? "" : std::string(funcs::trim(args[0]));
  if (o->prefix == "all") o->prefix.clear();
  co_return co_await spy(x, std::move(*o));
}

asio::awaitable<AppResult> extenspy(Execution& x, std::string_view data) {
  auto args = split_args(data);
  if (args.empty() || funcs::trim(args[0]).empty()) {
    warn(x, "ExtenSpy", "requires an extension");
    co_return AppResult::Continue;
  }
  auto o = parse_spy_options(args.size() > 1 ? args[1] : "");
  if (!o) {
    warn(x, "ExtenSpy", o.error().message);
    co_return AppResult::Continue;
  }
  std::string target(funcs::trim(args[0]));
  auto at = target.find('@');
  o->exten = target.substr(0, at);
  o->context = at == std::string::npos ? "default" : target.substr(at + 1);
  co_return co_await spy(x, std::move(*o));
}

const std::vector<std::pair<std::string, std::string>> kOptionDocs = {
    {"b", "only spy on channels involved in a bridged call"},
    {"B", "barge: talk to both parties of the call"},
    {"c(digit)", "the digit that moves to the next channel (default *)"},
    {"d", "DTMF 4/5/6 switch between spy, whisper and barge modes"},
    {"e(ext)", "only spy on these devices (colon-separated list, e.g. SIP/100:SIP/200)"},
    {"E", "exit when the spied-on channel hangs up"},
    {"g(grp)", "only channels whose SPYGROUP shares a group with grp (colon-separated)"},
    {"N", "do not answer"},
    {"o", "only hear the spied-on channel's own voice"},
    {"q", "no beep and no channel announcement"},
    {"s", "do not announce the technology (spy-sip …)"},
    {"S", "stop when no channel is left to spy on"},
    {"u", "the prefix is a full channel name or uniqueid"},
    {"v(value)", "initial volume -4..4"},
    {"w", "whisper: talk to the spied-on channel"},
    {"W", "private whisper: talk without listening"},
    {"x(digit)", "the digit that exits the application"},
    {"X", "a one-digit extension of ${SPY_EXIT_CONTEXT} (or this context) exits there"},
};

}  // namespace

void register_chanspy_applications(Engine& engine) {
  auto args = kOptionDocs;
  args.insert(args.begin(), {"chanprefix", "spy on channels whose name starts with this (all: any)"});
  add_application(engine, "ChanSpy",
                  doc("Listen to a channel, and optionally whisper into it.", "ChanSpy([chanprefix][,options])",
                      "Listens to the audio coming in and out of channels whose name starts with chanprefix, one at "
                      "a time, announcing each (beep, spy-<technology> and the device number) unless q. While "
                      "spying: # cycles the volume; digits then # spy on chanprefix+digits; * moves to the next "
                      "channel. Raises AMI ChanSpyStart/ChanSpyStop. ${SPY_CHANNEL} names the last channel spied "
                      "on.",
                      std::move(args), {"ExtenSpy", "BridgeAdd"}),
                  chanspy);
  auto eargs = kOptionDocs;
  eargs.insert(eargs.begin(), {"exten", "extension[@context] (default context: default) the channels run"});
  add_application(engine, "ExtenSpy",
                  doc("Listen to a channel, and optionally whisper into it.", "ExtenSpy(exten[@context][,options])",
                      "ChanSpy for the channels that are at the given extension and context.", std::move(eargs),
                      {"ChanSpy"}),
                  extenspy);
}

}  // namespace telephony::dialplan
