#include "telephony/channel.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <algorithm>
#include <future>

#include "core/frame_pool.hpp"
#include "telephony/engine.hpp"
#include "telephony/events.hpp"
#include "../media/engine/channel_media_state.hpp"
#include "telephony/driver_abilities.hpp"

namespace telephony {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {
// An inbox nobody reads (an application that plays and never listens) keeps at most this much
// voice, oldest shed first: two seconds (a reader that starts late, or a burst from a test or a
// jitter buffer's catch-up, loses nothing), and never more than 52 KB of payload blocks (2 s of
// G.711 is 25 KB, of slin8 50 KB; slin16 stops at ~1 s), so even an unread leg stays inside the
// per-call memory budget. Control, DTMF and text are never shed.
constexpr std::chrono::microseconds kInboxVoiceTime{2'000'000};
constexpr std::size_t kInboxVoiceBytes = 52 * 1024;

// Silence as long as `f`: in the same encoding when that is G.711/slin (no translation for the
// receiver), else as slin at the frame's rate (every write path translates slin).
Frame silence_like(const Frame& f) {
  const std::uint32_t n = f.samples * std::max<std::uint32_t>(1, f.format.channels);
  switch (f.format.codec) {
    case media::Codec::Ulaw: return Frame::voice(f.format, std::vector<std::uint8_t>(n, 0xFF), f.samples);
    case media::Codec::Alaw: return Frame::voice(f.format, std::vector<std::uint8_t>(n, 0xD5), f.samples);
    case media::Codec::Slin: return Frame::voice(f.format, std::vector<std::uint8_t>(n * 2, 0), f.samples);
    default:
      return Frame::voice(media::Format::slin(f.format.rate), std::vector<std::uint8_t>(f.samples * 2, 0), f.samples);
  }
}

std::string_view strip_inherit(std::string_view name, int* level = nullptr) {
  int n = 0;
  while (n < 2 && n < static_cast<int>(name.size()) && name[n] == '_') ++n;
  if (level) *level = n;
  return name.substr(n);
}
}  // namespace

std::string_view to_string(ChannelState s) {
  switch (s) {
    case ChannelState::Down: return "Down";
    case ChannelState::Reserved: return "Rsrvd";
    case ChannelState::OffHook: return "OffHook";
    case ChannelState::Dialing: return "Dialing";
    case ChannelState::Ring: return "Ring";
    case ChannelState::Ringing: return "Ringing";
    case ChannelState::Up: return "Up";
    case ChannelState::Busy: return "Busy";
    case ChannelState::DialingOffhook: return "Dialing Offhook";
    case ChannelState::PreRing: return "Pre-ring";
  }
  return "Unknown";
}

Channel::Channel(Engine& engine, std::string name, std::string uniqueid, std::string linkedid,
                 ChannelDirection dir, std::unique_ptr<ChannelTech> tech)
    : engine_(engine),
      strand_(asio::make_strand(engine.io())),
      name_(std::move(name)),
      uniqueid_(std::move(uniqueid)),
      direction_(dir),
      created_(std::chrono::system_clock::now()),
      tech_(std::move(tech)),
      native_formats_([this] {
        auto v = tech_->native_formats();
        if (v.empty()) v.push_back(media::Format::slin());
        return v;
      }()),
      linkedid_(std::move(linkedid)),
      absolute_timer_(strand_),
      // Made at once, not on first use: other threads read its published formats.
      media_(std::make_unique<ChannelMedia>()),
      native_shared_(native_formats_) {}

std::vector<media::Format> Channel::native_formats() const {
  std::lock_guard lock(mu_);
  return native_shared_;
}

media::Format Channel::native_format() const {
  std::lock_guard lock(mu_);
  return native_shared_.front();
}

void Channel::set_native_formats(std::vector<media::Format> formats) {
  if (formats.empty()) return;
  asio::dispatch(strand_, [self = shared_from_this(), formats = std::move(formats)]() mutable {
    if (formats == self->native_formats_) return;
    self->native_formats_ = formats;
    {
      std::lock_guard lock(self->mu_);
      self->native_shared_ = std::move(formats);
    }
    // The write path compares its target with native_format() and rebuilds itself on the next
    // frame; bridges compare generations.
    self->native_generation_.fetch_add(1, std::memory_order_acq_rel);
  });
}

Channel::~Channel() = default;

std::string Channel::linkedid() const {
  std::lock_guard lock(mu_);
  return linkedid_;
}

std::string_view Channel::tech_name() const {
  std::string_view n = name_;
  return n.substr(0, n.find('/'));
}

ChannelSnapshot Channel::snapshot() const {
  ChannelSnapshot s;
  s.name = name_;
  s.uniqueid = uniqueid_;
  s.created = created_;
  std::lock_guard lock(mu_);
  s.state = state_;
  s.caller = caller_;
  s.connected = connected_;
  s.language = language_;
  s.accountcode = accountcode_;
  s.context = location_.context;
  s.exten = location_.exten;
  s.priority = location_.priority;
  s.linkedid = linkedid_;
  s.application = application_;
  s.data = app_data_;
  s.bridge_id = bridge_id_;
  return s;
}

ChannelState Channel::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

void Channel::set_state(ChannelState s) {
  {
    std::lock_guard lock(mu_);
    if (state_ == s) return;
    const auto before = state_;
    state_ = s;
    // Under mu_ so that two racing state changes reach the device count in the order they
    // happened (lock order: channel, then device states, then the event bus). do_hangup()
    // removes the channel from the count under mu_ too, after hung_up_ is set.
    if (!hung_up_.load()) engine_.device_states().channel_state(name_, before, s);
  }
  ChannelStateChanged ev;
  ev.channel = snapshot();
  engine_.events().emit(std::move(ev));
}

CallerId Channel::caller() const {
  std::lock_guard lock(mu_);
  return caller_;
}
void Channel::set_caller(CallerId c) {
  {
    std::lock_guard lock(mu_);
    if (caller_ == c) return;
    caller_ = std::move(c);
  }
  ChannelCallerIdChanged ev;
  ev.channel = snapshot();
  engine_.events().emit(std::move(ev));
}
CallerId Channel::connected() const {
  std::lock_guard lock(mu_);
  return connected_;
}
void Channel::set_connected(CallerId c) {
  std::lock_guard lock(mu_);
  connected_ = std::move(c);
}
std::string Channel::language() const {
  std::lock_guard lock(mu_);
  return language_;
}
void Channel::set_language(std::string lang) {
  std::lock_guard lock(mu_);
  language_ = std::move(lang);
}
std::string Channel::accountcode() const {
  std::lock_guard lock(mu_);
  return accountcode_;
}
void Channel::set_accountcode(std::string code) {
  std::lock_guard lock(mu_);
  accountcode_ = std::move(code);
}
DialplanLocation Channel::location() const {
  std::lock_guard lock(mu_);
  return location_;
}
void Channel::set_location(DialplanLocation loc) {
  std::lock_guard lock(mu_);
  location_ = std::move(loc);
}
void Channel::set_application(std::string app, std::string data) {
  std::lock_guard lock(mu_);
  application_ = std::move(app);
  app_data_ = std::move(data);
}
void Channel::set_bridge_id(std::string id) {
  std::lock_guard lock(mu_);
  bridge_id_ = std::move(id);
}

std::optional<std::string> Channel::variable(std::string_view name) const {
  auto key = strip_inherit(name);
  std::lock_guard lock(mu_);
  for (const auto& v : vars_)
    if (v.name == key) return v.value;
  return std::nullopt;
}

void Channel::set_variable(std::string_view name, std::string value) {
  int level = 0;
  auto key = strip_inherit(name, &level);
  if (key.empty()) return;
  {
    std::lock_guard lock(mu_);
    auto it = std::find_if(vars_.begin(), vars_.end(), [&](const Variable& v) { return v.name == key; });
    if (it != vars_.end()) {
      // Most recently set last (Asterisk lists a channel's variables newest first; HASHKEYS
      // and DumpChan order depend on it).
      std::rotate(it, it + 1, vars_.end());
      vars_.back().value = value;
      vars_.back().inherit = level;
    } else {
      vars_.push_back(Variable{std::string(key), value, level});
    }
  }
  ChannelVarSet ev;
  ev.channel = snapshot();
  ev.variable = std::string(name);
  ev.value = std::move(value);
  engine_.events().emit(std::move(ev));
}

void Channel::unset_variable(std::string_view name) {
  auto key = strip_inherit(name);
  bool had_value = false;
  {
    std::lock_guard lock(mu_);
    std::erase_if(vars_, [&](const Variable& v) {
      if (v.name != key) return false;
      had_value = !v.value.empty();
      return true;
    });
  }
  if (!had_value) return;
  // Deleting a non-empty variable is announced with an empty value, as Asterisk's
  // pbx_builtin_setvar_helper(chan, name, NULL) does (ClearHash, Gosub locals, Macro).
  ChannelVarSet ev;
  ev.channel = snapshot();
  ev.variable = std::string(name);
  engine_.events().emit(std::move(ev));
}

std::vector<Variable> Channel::variables() const {
  std::lock_guard lock(mu_);
  return vars_;
}

void Channel::inherit_variables_from(const Channel& parent) {
  auto pv = parent.variables();
  std::lock_guard lock(mu_);
  for (auto& v : pv) {
    if (v.inherit == 0) continue;
    // `_VAR` reaches one generation (as plain VAR); `__VAR` reaches every generation.
    Variable child{v.name, v.value, v.inherit == 2 ? 2 : 0};
    auto it = std::find_if(vars_.begin(), vars_.end(), [&](const Variable& x) { return x.name == v.name; });
    if (it != vars_.end())
      *it = std::move(child);
    else
      vars_.push_back(std::move(child));
  }
}

std::shared_ptr<void> Channel::datastore(std::string_view key) const {
  std::lock_guard lock(mu_);
  auto it = datastores_.find(key);
  return it == datastores_.end() ? nullptr : it->second;
}

std::shared_ptr<void> Channel::datastore_or_create(std::string_view key,
                                                   const std::function<std::shared_ptr<void>()>& make) {
  std::lock_guard lock(mu_);
  auto it = datastores_.find(key);
  if (it != datastores_.end()) return it->second;
  auto data = make();
  datastores_.emplace(std::string(key), data);
  return data;
}

void Channel::remove_datastore(std::string_view key) {
  std::lock_guard lock(mu_);
  auto it = datastores_.find(key);
  if (it != datastores_.end()) datastores_.erase(it);
}

HangupCause Channel::hangup_cause() const {
  std::lock_guard lock(mu_);
  return cause_;
}
void Channel::set_hangup_cause(HangupCause c) {
  std::lock_guard lock(mu_);
  cause_ = c;
}

std::shared_ptr<void> Channel::hold() {
  owners_.fetch_add(1);
  std::weak_ptr<Channel> weak = weak_from_this();
  return std::shared_ptr<void>(nullptr, [weak](void*) {
    if (auto self = weak.lock()) {
      if (self->owners_.fetch_sub(1) != 1 || !self->softhangup_.load()) return;
      // The last owner let go of a redirected channel: the PBX takes it at the new location.
      if (self->redirect_pending_.load() && !self->requested_.load()) {
        if (auto r = self->take_redirect()) {
          self->continue_redirect(std::move(*r));
          return;
        }
      }
      self->hangup();
    }
  });
}

void Channel::request_hangup(HangupCause cause) {
  bool first = !requested_.exchange(true);
  softhangup_.store(true);
  {
    std::lock_guard lock(mu_);
    if (cause_ == HangupCause::NotDefined || first) cause_ = cause;
  }
  if (first && !hung_up_.load()) {
    ChannelHangupRequest ev;
    ev.channel = snapshot();
    ev.cause = cause;
    ev.soft = false;
    engine_.events().emit(std::move(ev));
  }
  wake();
  // Nobody runs this channel: the request is final.
  if (owners_.load() == 0) hangup();
}

void Channel::hangup() {
  auto self = shared_from_this();
  asio::dispatch(strand_, [self] { self->do_hangup(); });
}

void Channel::do_hangup() {
  if (hung_up_.exchange(true)) return;
  softhangup_.store(true);
  {
    std::lock_guard lock(mu_);
    if (cause_ == HangupCause::NotDefined) cause_ = HangupCause::NormalClearing;
  }
  absolute_timer_.cancel();
  detach_all_hooks();
  tech_->hangup(*this);
  sink_ = nullptr;
  inbox_.clear();
  wake();
  ChannelHungUp ev;
  ev.channel = snapshot();
  ev.cause = hangup_cause();
  engine_.events().emit(std::move(ev));
  {
    std::lock_guard lock(mu_);
    engine_.device_states().channel_state(name_, state_, std::nullopt);
  }
  engine_.channel_gone(*this);
}

void Channel::set_absolute_timeout(std::chrono::milliseconds after) {
  auto self = shared_from_this();
  asio::dispatch(strand_, [self, after] {
    self->absolute_timer_.cancel();
    self->timeout_fired_.store(false);
    if (after.count() <= 0) return;
    self->absolute_timer_.expires_after(after);
    self->absolute_timer_.async_wait([weak = std::weak_ptr<Channel>(self)](boost::system::error_code ec) {
      auto s = weak.lock();
      if (ec || !s || s->hung_up_.load()) return;
      s->timeout_fired_.store(true);
      s->softhangup_.store(true);
      ChannelHangupRequest ev;
      ev.channel = s->snapshot();
      ev.cause = s->hangup_cause();
      ev.soft = true;
      s->engine_.events().emit(std::move(ev));
      s->wake();
    });
  });
}

void Channel::request_redirect(DialplanLocation to, RedirectStep first) {
  {
    // The flags change with redirect_ under mu_: a take_redirect() racing on the bridge's
    // thread must see all three or none, or it leaves a stale soft hangup behind (the
    // redirected channel's first step would then think it had been hung up).
    std::lock_guard lock(mu_);
    redirect_ = Redirect{std::move(to), std::move(first)};
    redirect_pending_.store(true);
    softhangup_.store(true);
  }
  wake();
  // Nobody runs this channel: hand it on now.
  if (owners_.load() == 0 && !requested_.load())
    if (auto r = take_redirect()) continue_redirect(std::move(*r));
}

std::optional<Channel::Redirect> Channel::take_redirect() {
  std::optional<Redirect> out;
  std::lock_guard lock(mu_);
  out = std::exchange(redirect_, std::nullopt);
  if (redirect_pending_.exchange(false)) softhangup_.store(requested_.load() || timeout_fired_.load());
  return out;
}

void Channel::continue_redirect(Redirect r) {
  auto self = shared_from_this();
  auto pbx = engine_.pbx();
  if (!pbx || hung_up_.load()) {
    hangup();
    return;
  }
  if (!r.first) {
    set_location(r.to);
    pbx->start(self);
    return;
  }
  auto token = hold();
  asio::co_spawn(
      strand_,
      [self, token, pbx, r = std::move(r)]() -> asio::awaitable<void> {
        co_await r.first(self);
        if (self->requested_.load()) co_return;  // the token's release hangs it up
        if (auto again = self->take_redirect()) {  // redirected again while in `first`
          self->continue_redirect(std::move(*again));
          co_return;
        }
        self->set_location(r.to);
        pbx->start(self);
      },
      asio::detached);
}

void Channel::clear_timeout_hangup() {
  if (!timeout_fired_.exchange(false)) return;
  softhangup_.store(requested_.load() || redirect_pending_.load());
}

Result<void> Channel::call(std::string_view dest, std::chrono::milliseconds timeout) {
  // The driver's call() touches state its strand owns (a SIP session's dialog, a Local pair).
  auto run = [this](std::string_view d, std::chrono::milliseconds t) -> Result<void> {
    if (hung_up_.load()) return fail("channel is hung up", name_);
    return tech_->call(*this, d, t);
  };
  // An engine not running has no thread on the strand: the caller's is the only one.
  if (strand_.running_in_this_thread() || !engine_.running()) return run(dest, timeout);
  auto self = shared_from_this();
  if (engine_.io().get_executor().running_in_this_thread()) {
    // Blocking an engine thread on the strand could deadlock: post, report failure by hangup.
    asio::post(strand_, [self, run, d = std::string(dest), timeout] {
      auto r = run(d, timeout);
      if (r) return;
      self->engine_.log().notice("channel", "Unable to call " + self->name_ + ": " + r.error().to_string());
      self->set_hangup_cause(HangupCause::Unallocated);
      self->request_hangup(HangupCause::Unallocated);
    });
    return {};
  }
  auto done = std::make_shared<std::promise<Result<void>>>();
  auto result = done->get_future();
  asio::post(strand_, [self, run, done, d = std::string(dest), timeout] { done->set_value(run(d, timeout)); });
  while (result.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
    if (!engine_.running()) return fail("the engine stopped before the call started", name_);
  }
  return result.get();
}

void Channel::answer() {
  auto self = shared_from_this();
  asio::dispatch(strand_, [self] {
    if (self->hung_up_.load()) return;
    if (self->state() != ChannelState::Up) {
      self->tech_->answer(*self);
      self->set_state(ChannelState::Up);
    }
  });
}

void Channel::indicate(Control c) { indicate(c, IndicationData{}); }

void Channel::indicate(Control c, IndicationData data) {
  auto self = shared_from_this();
  asio::dispatch(strand_, [self, c, data = std::move(data)] {
    if (!self->hung_up_.load()) self->tech_->indicate_data(*self, c, data);
  });
}

Frame indication_frame(Control c, const IndicationData& data) {
  std::string text;
  if (c == Control::Hold) text = data.moh_class;
  else if (c == Control::ConnectedLine && data.connected) text = data.connected->to_string();
  if (text.empty()) return Frame::control(c);
  Frame f = Frame::text(text);  // a control frame whose payload is the text
  f.kind = FrameKind::Control;
  f.subclass = static_cast<int>(c);
  return f;
}

IndicationData indication_data(const Frame& f) {
  IndicationData d;
  if (f.kind != FrameKind::Control || f.text_view().empty()) return d;
  if (f.is_control(Control::Hold)) d.moh_class = std::string(f.text_view());
  else if (f.is_control(Control::ConnectedLine)) d.connected = CallerId::parse(f.text_view());
  return d;
}

void Channel::write(const Frame& f) {
  if (strand_.running_in_this_thread()) {
    write_now(f);
    return;
  }
  // One post carrying the frame to this channel's strand; its memory comes from the frame pool.
  frame_pool::bump(frame_pool::thread_counters().frame_posts);
  asio::post(strand_, frame_pool::pooled([self = shared_from_this(), f] { self->write_now(f); }));
}

void Channel::write_now(const Frame& in) {
  if (hung_up_.load()) return;
  std::optional<Frame> changed;
  if (in.kind == FrameKind::Voice && mute_out_.load() && in.format.is_audio()) changed = silence_like(in);
  if (in.kind == FrameKind::Voice && !hooks_.empty()) {
    if (!changed) changed = in;  // a Frame copy shares the payload; hooks replace, never mutate it
    run_hooks(AudioHook::Direction::Write, *changed);
  }
  const Frame& f = changed ? *changed : in;
  // One entry point per kind towards the driver, whoever wrote the frame (a bridge, Dial's early
  // media, an app): only voice goes through the tech's write().
  switch (f.kind) {
    case FrameKind::Control:
      tech_->indicate_data(*this, static_cast<Control>(f.subclass), indication_data(f));
      return;
    case FrameKind::DtmfBegin:
      tech_->send_digit_begin(*this, f.digit());
      return;
    case FrameKind::DtmfEnd:
      tech_->send_digit_end(*this, f.digit(), f.duration);
      return;
    case FrameKind::Text:
      tech_->send_text(*this, f.text_view());
      return;
    default: break;
  }
  if (f.kind == FrameKind::Voice && !f.format.is_none() && f.format != native_formats_.front() &&
      std::find(native_formats_.begin(), native_formats_.end(), f.format) == native_formats_.end()) {
    media_state().write_translated(*this, *tech_, f);
    return;
  }
  tech_->write(*this, f);
}

void Channel::attach_audio_hook(std::shared_ptr<AudioHook> hook) {
  if (!hook) return;
  asio::dispatch(strand_, [self = shared_from_this(), hook = std::move(hook)]() mutable {
    if (self->hung_up_.load()) {
      hook->on_detach(*self);
      return;
    }
    self->hooks_.push_back(std::move(hook));
    if (self->hook_count_.fetch_add(1) == 0) self->tech_->audio_hooks_changed(*self, true);
    media_taps_changed(self);
  });
}

void Channel::detach_audio_hook(const std::shared_ptr<AudioHook>& hook) {
  asio::dispatch(strand_, [self = shared_from_this(), hook] {
    auto it = std::find(self->hooks_.begin(), self->hooks_.end(), hook);
    if (it == self->hooks_.end()) return;
    auto h = std::move(*it);
    self->hooks_.erase(it);
    h->on_detach(*self);
    if (self->hook_count_.fetch_sub(1) == 1) self->tech_->audio_hooks_changed(*self, false);
    media_taps_changed(self);
  });
}

std::vector<std::string_view> Channel::audio_hook_kinds() const {
  std::vector<std::string_view> out;
  for (const auto& h : hooks_) out.push_back(h->kind());
  return out;
}

void Channel::run_hooks(AudioHook::Direction dir, Frame& f) {
  // Index loop: a hook may detach itself (dispatch runs inline on the strand).
  for (std::size_t i = 0; i < hooks_.size(); ++i) {
    auto keep = hooks_[i];
    keep->on_frame(*this, dir, f);
  }
}

void Channel::detach_all_hooks() {
  auto hooks = std::move(hooks_);
  hooks_.clear();
  for (auto& h : hooks) h->on_detach(*this);
  if (!hooks.empty() && hook_count_.exchange(0) > 0) tech_->audio_hooks_changed(*this, false);
}

ChannelMedia& Channel::media_state() {
  if (!media_) media_ = std::make_unique<ChannelMedia>();
  return *media_;
}

// The getters below run on any thread (console, AMI, apps saving a format to restore), while
// ChannelMedia is strand-only: each setter publishes its value in an atomic, at the call (so the
// caller reads back what it set) and again when the strand applies it (so the last applied wins).
namespace {
std::uint64_t pack_format(media::Format f) {
  return static_cast<std::uint64_t>(f.codec) | (std::uint64_t{f.channels} << 8) | (std::uint64_t{f.rate} << 16);
}
media::Format unpack_format(std::uint64_t v) {
  return {static_cast<media::Codec>(v & 0xff), static_cast<std::uint32_t>(v >> 16), static_cast<std::uint8_t>(v >> 8)};
}
}  // namespace

void Channel::set_write_format(media::Format f) {
  media_->published_write_format.store(pack_format(f));
  asio::dispatch(strand_, [self = shared_from_this(), f] {
    auto& m = self->media_state();
    m.write_format = f;
    m.published_write_format.store(pack_format(f));
    m.prepare_write(*self, f);
  });
}

media::Format Channel::write_format() const {
  const auto f = unpack_format(media_->published_write_format.load());
  return f.is_none() ? native_format() : f;
}

void Channel::set_read_format(media::Format f) {
  media_->published_read_format.store(pack_format(f));
  asio::dispatch(strand_, [self = shared_from_this(), f] {
    auto& m = self->media_state();
    m.read_format = f;
    m.published_read_format.store(pack_format(f));
  });
}

media::Format Channel::read_format() const {
  const auto f = unpack_format(media_->published_read_format.load());
  return f.is_none() ? native_format() : f;
}

void Channel::set_dtmf_detection(bool on) {
  media_->published_detect_dtmf.store(on);
  asio::dispatch(strand_, [self = shared_from_this(), on] {
    auto& m = self->media_state();
    m.detect_dtmf = on;
    m.published_detect_dtmf.store(on);
    media_taps_changed(self);
  });
}

void Channel::set_audio_mute(MuteDirection d, bool on) {
  if (d != MuteDirection::Out) mute_in_.store(on);
  if (d != MuteDirection::In) mute_out_.store(on);
  media_taps_changed(shared_from_this());
}

bool Channel::dtmf_detection() const { return media_->published_detect_dtmf.load(); }

void Channel::send_digit(char digit, std::chrono::milliseconds duration) {
  auto self = shared_from_this();
  asio::dispatch(strand_, [self, digit, duration] {
    if (self->hung_up_.load()) return;
    if (self->tech_->wants_inband_dtmf()) {
      media::start_inband_dtmf(self, digit, duration);
    } else {
      self->tech_->send_digit_begin(*self, digit);
      self->tech_->send_digit_end(*self, digit, duration);
    }
    DtmfEnd ev;
    ev.channel = self->snapshot();
    ev.digit = digit;
    ev.received = false;
    ev.duration = duration;
    self->engine_.events().emit(std::move(ev));
  });
}

void Channel::send_text(std::string_view text) {
  auto self = shared_from_this();
  asio::dispatch(strand_, [self, t = std::string(text)] {
    if (!self->hung_up_.load()) self->tech_->send_text(*self, t);
  });
}

void Channel::queue_frame(Frame f) {
  if (strand_.running_in_this_thread()) {
    deliver(std::move(f));
    return;
  }
  asio::post(strand_, frame_pool::pooled([self = shared_from_this(), f = std::move(f)]() mutable {
    self->deliver(std::move(f));
  }));
}

void Channel::deliver(Frame f) {
  if (hung_up_.load()) return;
  if (f.kind == FrameKind::Voice && media_ && (media_->detect_dtmf || !media_->read_format.is_none())) {
    std::vector<Frame> digits;
    const bool keep = media_->process_inbound(*this, f, digits);
    for (auto& d : digits) deliver(std::move(d));
    if (!keep) return;
  }
  if (f.kind == FrameKind::Voice && mute_in_.load() && f.format.is_audio()) f = silence_like(f);
  if (f.kind == FrameKind::Voice && !hooks_.empty()) run_hooks(AudioHook::Direction::Read, f);
  if (f.kind == FrameKind::Control && direction_ == ChannelDirection::Outbound) {
    if (f.is_control(Control::Answer)) set_state(ChannelState::Up);
    else if (f.is_control(Control::Ringing) && state() != ChannelState::Up) set_state(ChannelState::Ringing);
  }
  if (f.kind == FrameKind::DtmfBegin) {
    DtmfBegin ev;
    ev.channel = snapshot();
    ev.digit = f.digit();
    engine_.events().emit(std::move(ev));
  } else if (f.kind == FrameKind::DtmfEnd) {
    DtmfEnd ev;
    ev.channel = snapshot();
    ev.digit = f.digit();
    ev.duration = f.duration;
    engine_.events().emit(std::move(ev));
  }
  if (sink_) {
    sink_(f);
    return;
  }
  if (f.kind == FrameKind::Voice) {
    // Shed the oldest voice until this frame fits; control, DTMF and text are never dropped.
    const auto add_time = f.voice_duration();
    const std::size_t add_bytes = f.payload ? payload_capacity_for(f.payload->size()) : 0;
    while (inbox_.voice_duration() + add_time > kInboxVoiceTime || inbox_.voice_bytes() + add_bytes > kInboxVoiceBytes) {
      if (!inbox_.drop_oldest_voice()) break;
      frame_pool::bump(frame_pool::thread_counters().voice_shed);
    }
    if (add_time > kInboxVoiceTime || add_bytes > kInboxVoiceBytes) {
      frame_pool::bump(frame_pool::thread_counters().voice_shed);
      return;
    }
  }
  inbox_.push_back(std::move(f));
  wake();
}

void Channel::set_frame_sink(FrameSink sink) {
  sink_ = std::move(sink);
  if (sink_) {
    // Hand over what arrived before the bridge took the channel.
    while (!inbox_.empty()) {
      auto f = inbox_.pop_front();
      sink_(f);
    }
  }
}

void Channel::flush_inbound() { inbox_.clear(); }

Channel::InboxUsage Channel::inbox_usage() const {
  return {inbox_.size(), inbox_.voice_duration(), inbox_.memory_bytes()};
}

void Channel::wake() {
  if (!strand_.running_in_this_thread()) {
    asio::post(strand_, [self = shared_from_this()] { self->wake(); });
    return;
  }
  for (auto* t : waiters_) t->cancel();
}

asio::awaitable<void> Channel::wait_once(std::chrono::steady_clock::time_point deadline) {
  asio::steady_timer timer(strand_);
  timer.expires_at(deadline);
  waiters_.push_back(&timer);
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  std::erase(waiters_, &timer);
}

namespace {
std::chrono::steady_clock::time_point deadline_after(std::chrono::milliseconds t) {
  return t.count() < 0 ? std::chrono::steady_clock::time_point::max() : std::chrono::steady_clock::now() + t;
}
}  // namespace

asio::awaitable<std::optional<Frame>> Channel::read(std::chrono::milliseconds timeout) {
  assert(strand_.running_in_this_thread());
  const auto deadline = deadline_after(timeout);
  for (;;) {
    if (!inbox_.empty()) co_return inbox_.pop_front();
    if (softhangup_.load() || std::chrono::steady_clock::now() >= deadline) co_return std::nullopt;
    co_await wait_once(deadline);
  }
}

asio::awaitable<bool> Channel::sleep(std::chrono::milliseconds d) {
  assert(strand_.running_in_this_thread());
  const auto deadline = deadline_after(d);
  for (;;) {
    inbox_.clear();
    if (softhangup_.load()) co_return false;
    if (std::chrono::steady_clock::now() >= deadline) co_return true;
    co_await wait_once(deadline);
  }
}

asio::awaitable<bool> Channel::wait_until(std::function<bool()> pred, std::chrono::milliseconds timeout) {
  assert(strand_.running_in_this_thread());
  const auto deadline = deadline_after(timeout);
  for (;;) {
    if (pred()) co_return true;
    if (softhangup_.load() || std::chrono::steady_clock::now() >= deadline) co_return pred();
    co_await wait_once(deadline);
  }
}

}  // namespace telephony
