// ConferenceRegistry: the live rooms, their users, and every control over them (mute, kick,
// lock, record, DTMF menus, marked-user rules). One mutex guards all rooms; kicks and wakes are
// collected under it and carried out after it is released, because waking a channel may run the
// waiting user's predicate (which takes the mutex again).
#include <utility>  // before asio
#include <boost/asio/post.hpp>

#include <algorithm>
#include <ctime>
#include <functional>

#include "apps/confbridge_room.hpp"
#include "telephony/engine.hpp"
#include "telephony/media/channel_media.hpp"

namespace telephony::confbridge {

namespace asio = boost::asio;
using namespace std::chrono_literals;

using After = std::vector<std::function<void()>>;

struct ConferenceRegistry::Impl {
  mutable std::mutex mu;
  std::map<std::string, std::shared_ptr<Conference>, std::less<>> rooms;
  std::shared_ptr<const Profiles> profiles = std::make_shared<const Profiles>(Profiles::defaults());
  EventBus::Subscription talk_sub;

  std::shared_ptr<Conference> find(std::string_view name) const {
    auto it = rooms.find(name);
    return it == rooms.end() ? nullptr : it->second;
  }
};

namespace {

constexpr double kVolumeStepDb = 3;
constexpr double kVolumeLimitDb = 15;
constexpr auto kMenuDigitTimeout = 1500ms;

std::size_t count_marked(const Conference& c) {
  return static_cast<std::size_t>(std::count_if(c.members.begin(), c.members.end(), [](auto& m) { return m->user.marked; }));
}

template <class E>
E user_event(const Conference& c, const Member& m) {
  E ev;
  ev.bridge = c.bridge->snapshot();
  ev.conference = c.name;
  ev.channel = m.chan->snapshot();
  ev.admin = m.user.admin;
  return ev;
}

// Asks a user to leave: out of the bridge if in it, out of the wait if waiting.
void request_leave(After& after, const Conference& c, Member& m, LeaveReason why) {
  m.leave = why;
  after.push_back([bridge = c.bridge, chan = m.chan] {
    bridge->kick(chan);
    chan->wake();
  });
}

// Sets the mute state and queues the Mute/Unmute event (emitted once the lock is released).
void apply_mute(After& after, Engine& engine, const Conference& c, Member& m, bool muted) {
  m.muted = muted;
  c.tech->mixing().set_muted(*m.chan, muted);
  if (muted) {
    auto ev = user_event<ConfbridgeMute>(c, m);
    after.push_back([&engine, ev]() mutable { engine.events().emit(std::move(ev)); });
  } else {
    auto ev = user_event<ConfbridgeUnmute>(c, m);
    after.push_back([&engine, ev]() mutable { engine.events().emit(std::move(ev)); });
  }
}

void run(After& after) {
  for (auto& f : after) f();
  after.clear();
}

bool selects(const Member& m, std::string_view who) {
  if (who == "all") return true;
  if (who == "participants") return !m.user.admin;
  return m.chan->name() == who;
}

}  // namespace

// ---- technology ----------------------------------------------------------------------------------

void ConferenceTechnology::on_join(Bridge& bridge, Channel& chan) {
  mixing_.on_join(bridge, chan);
  auto reg = registry_.lock();
  auto conf = conference_.lock();
  if (reg && conf) reg->on_bridge_join(conf, chan);
}

void ConferenceTechnology::on_frame(Bridge& bridge, Channel& from, const Frame& f) {
  if (f.kind == FrameKind::DtmfEnd) {
    auto reg = registry_.lock();
    auto conf = conference_.lock();
    if (reg && conf) reg->on_dtmf(conf, from, f.digit());
    return;
  }
  if (f.kind == FrameKind::DtmfBegin) return;  // menus act on the end of a digit
  mixing_.on_frame(bridge, from, f);
}

// ---- registry ------------------------------------------------------------------------------------

ConferenceRegistry::ConferenceRegistry(Engine& engine) : engine_(engine), impl_(std::make_unique<Impl>()) {}
ConferenceRegistry::~ConferenceRegistry() = default;

std::shared_ptr<const Profiles> ConferenceRegistry::profiles() const {
  std::lock_guard lock(impl_->mu);
  return impl_->profiles;
}

void ConferenceRegistry::set_profiles(std::shared_ptr<const Profiles> p) {
  std::lock_guard lock(impl_->mu);
  impl_->profiles = std::move(p);
}

void ConferenceRegistry::subscribe_talk_events() {
  std::weak_ptr<ConferenceRegistry> weak = weak_from_this();
  impl_->talk_sub = engine_.events().subscribe({.name = "confbridge", .capacity = 8192}, [weak](const EventPtr& ev) {
    auto* t = ev->as<BridgeMemberTalking>();
    auto self = weak.lock();
    if (!t || !self) return;
    std::optional<ConfbridgeTalking> out;
    {
      std::lock_guard lock(self->impl_->mu);
      for (auto& [name, conf] : self->impl_->rooms) {
        if (conf->bridge->uniqueid() != t->bridge.uniqueid) continue;
        for (auto& m : conf->members) {
          if (m->chan->name() != t->channel.name) continue;
          m->talking = t->talking;
          if (m->user.talk_detection_events) {
            out = user_event<ConfbridgeTalking>(*conf, *m);
            out->talking = t->talking;
          }
        }
      }
    }
    if (out) self->engine_.events().emit(std::move(*out));
  });
}

Result<ConferenceRegistry::Joined, ConferenceRegistry::JoinRefusal> ConferenceRegistry::enter(
    std::string_view name, const BridgeProfile& bridge, const UserProfile& user, const Menu& menu, media::MohClass moh,
    const Channel::Ptr& chan) {
  After after;
  Joined j;
  bool created = false;
  {
    std::lock_guard lock(impl_->mu);
    auto conf = impl_->find(name);
    if (!conf) {
      conf = std::make_shared<Conference>();
      conf->name = std::string(name);
      conf->profile = bridge;
      media::MixingBridgeSettings settings;
      settings.rate = bridge.internal_sample_rate;
      auto tech = std::make_unique<ConferenceTechnology>(weak_from_this(), settings);
      tech->set_conference(conf);
      conf->tech = tech.get();
      BridgeOptions opts;
      opts.type = "base";
      opts.name = conf->name;
      opts.creator = "ConfBridge";
      opts.dissolve_when_alone = false;
      conf->bridge = Bridge::create(engine_, std::move(opts), std::move(tech));
      impl_->rooms.emplace(conf->name, conf);
      created = true;
    }
    if (conf->locked && !user.admin) return Unexpected<JoinRefusal>{JoinRefusal::Locked};
    if (conf->profile.max_members && conf->members.size() >= conf->profile.max_members && !user.admin)
      return Unexpected<JoinRefusal>{JoinRefusal::Full};
    auto m = std::make_shared<Member>();
    m->chan = chan;
    m->user = user;
    m->bridge_profile = conf->profile.name;
    m->menu = menu;
    m->order = conf->next_order++;
    m->muted = user.startmuted || (conf->muted && !user.admin);
    m->moh = std::move(moh);
    const bool first_marked = user.marked && count_marked(*conf) == 0;
    // A user who will wait for a marked user is not active: the lone user keeps their music.
    m->waiting = user.wait_marked && !user.marked && count_marked(*conf) == 0;
    conf->members.push_back(m);
    conf->tech->mixing().set_member_options(*chan, mixing_options(*m));
    refresh_private_audio(after, conf);
    if (first_marked)
      for (auto& other : conf->members)
        if (other->waiting) after.push_back([c = other->chan] { c->wake(); });
    if (created) {
      ConfbridgeStart ev;
      ev.bridge = conf->bridge->snapshot();
      ev.conference = conf->name;
      engine_.events().emit(std::move(ev));
    }
    auto ev = user_event<ConfbridgeJoin>(*conf, *m);
    ev.muted = m->muted;
    engine_.events().emit(std::move(ev));
    j.conference = conf;
    j.member = m;
  }
  run(after);
  if (created && bridge.record_conference) {
    if (start_recording(name) == ControlResult::Failed)
      engine_.log().warning("app_confbridge", "conference '" + std::string(name) + "': recording could not start");
  }
  return j;
}

void ConferenceRegistry::leave(const Joined& j, LeaveReason) {
  After after;
  bool ended = false;
  auto& conf = *j.conference;
  {
    std::lock_guard lock(impl_->mu);
    auto it = std::find(conf.members.begin(), conf.members.end(), j.member);
    if (it == conf.members.end()) return;
    conf.members.erase(it);
    auto ev = user_event<ConfbridgeLeave>(conf, *j.member);
    engine_.events().emit(std::move(ev));
    if (j.member->user.marked && count_marked(conf) == 0) {
      // The last marked user left: end_marked users go on in the dialplan, wait_marked users
      // wait again.
      for (auto& m : conf.members) {
        if (m->user.end_marked) request_leave(after, conf, *m, LeaveReason::EndMarked);
        else if (m->user.wait_marked && !m->user.marked && !m->waiting) request_leave(after, conf, *m, LeaveReason::BackToWaiting);
      }
    }
    refresh_private_audio(after, j.conference);
    if (conf.members.empty() && !conf.ended) {
      conf.ended = true;
      if (auto r = impl_->rooms.find(conf.name); r != impl_->rooms.end() && r->second.get() == &conf) impl_->rooms.erase(r);
      ended = true;
    }
  }
  run(after);
  if (!ended) {
    if (!j.member->user.quiet) announce(j.conference, "confbridge-leave");
    return;
  }
  // Dissolving kicks the recorder and the announcer too; they hang up behind it.
  conf.bridge->dissolve();
  ConfbridgeEnd ev;
  ev.bridge = conf.bridge->snapshot();
  ev.conference = conf.name;
  engine_.events().emit(std::move(ev));
}

bool ConferenceRegistry::must_wait(const Joined& j) const {
  std::lock_guard lock(impl_->mu);
  const auto& u = j.member->user;
  return u.wait_marked && !u.marked && count_marked(*j.conference) == 0;
}

LeaveReason ConferenceRegistry::pending_leave(const Joined& j) const {
  std::lock_guard lock(impl_->mu);
  return j.member->leave;
}

void ConferenceRegistry::clear_back_to_waiting(const Joined& j) {
  std::lock_guard lock(impl_->mu);
  if (j.member->leave == LeaveReason::BackToWaiting) j.member->leave = LeaveReason::None;
}

void ConferenceRegistry::set_waiting(const Joined& j, bool waiting) {
  After after;
  {
    std::lock_guard lock(impl_->mu);
    j.member->waiting = waiting;
    refresh_private_audio(after, j.conference);
  }
  run(after);
}

std::size_t ConferenceRegistry::parties(const Joined& j) const {
  std::lock_guard lock(impl_->mu);
  return j.conference->members.size();
}

void ConferenceRegistry::prepare_join(const Joined& j) {
  std::lock_guard lock(impl_->mu);
  j.conference->tech->mixing().set_member_options(*j.member->chan, mixing_options(*j.member));
}

void ConferenceRegistry::on_bridge_join(const std::shared_ptr<Conference>& conf, Channel& chan) {
  After after;
  {
    std::lock_guard lock(impl_->mu);
    for (auto& m : conf->members) {
      if (m->chan.get() != &chan) continue;
      m->in_bridge = true;
      // A leave decided while the user was on the way in (the marked user left meanwhile).
      if (m->leave != LeaveReason::None) request_leave(after, *conf, *m, m->leave);
    }
    refresh_private_audio(after, conf);
  }
  run(after);
}

ControlResult ConferenceRegistry::set_muted(std::string_view name, std::string_view who, bool muted) {
  After after;
  {
    std::lock_guard lock(impl_->mu);
    auto conf = impl_->find(name);
    if (!conf) return ControlResult::NoConference;
    bool any = false;
    for (auto& m : conf->members) {
      if (!selects(*m, who)) continue;
      any = true;
      apply_mute(after, engine_, *conf, *m, muted);
    }
    // As Asterisk documents for ConfbridgeMute/Unmute: a Channel that is not a complete name
    // mutes the first member (in join order) whose channel name starts with it.
    if (!any && !who.empty()) {
      for (auto& m : conf->members) {
        if (!m->chan->name().starts_with(who)) continue;
        any = true;
        apply_mute(after, engine_, *conf, *m, muted);
        break;
      }
    }
    if (!any) return ControlResult::NoMember;
  }
  run(after);
  return ControlResult::Ok;
}

ControlResult ConferenceRegistry::kick(std::string_view name, std::string_view who) {
  After after;
  {
    std::lock_guard lock(impl_->mu);
    auto conf = impl_->find(name);
    if (!conf) return ControlResult::NoConference;
    bool any = false;
    for (auto& m : conf->members) {
      if (!selects(*m, who)) continue;
      any = true;
      request_leave(after, *conf, *m, LeaveReason::Kicked);
    }
    if (!any) return ControlResult::NoMember;
  }
  run(after);
  return ControlResult::Ok;
}

ControlResult ConferenceRegistry::set_locked(std::string_view name, bool locked) {
  std::lock_guard lock(impl_->mu);
  auto conf = impl_->find(name);
  if (!conf) return ControlResult::NoConference;
  conf->locked = locked;
  return ControlResult::Ok;
}

ControlResult ConferenceRegistry::start_recording(std::string_view name, std::string file) {
  ConfbridgeRecord ev;
  {
    std::lock_guard lock(impl_->mu);
    auto conf = impl_->find(name);
    if (!conf) return ControlResult::NoConference;
    if (conf->recorder) return ControlResult::AlreadyRecording;
    if (file.empty()) file = conf->profile.record_file;
    if (file.empty()) file = "confbridge-" + conf->name + "-" + std::to_string(std::time(nullptr)) + ".wav";
    std::filesystem::path path(file);
    if (path.is_relative()) path = engine_.options().dirs.recordings / path;
    if (!path.has_extension()) path += ".wav";
    auto rec = start_room_recorder(engine_, *conf, path);
    if (!rec) {
      engine_.log().error("app_confbridge", rec.error().to_string());
      return ControlResult::Failed;
    }
    conf->recorder = *rec;
    conf->record_file = path.string();
    ev.bridge = conf->bridge->snapshot();
    ev.conference = conf->name;
  }
  engine_.events().emit(std::move(ev));
  return ControlResult::Ok;
}

ControlResult ConferenceRegistry::stop_recording(std::string_view name) {
  ConfbridgeStopRecord ev;
  Channel::Ptr recorder;
  Bridge::Ptr bridge;
  {
    std::lock_guard lock(impl_->mu);
    auto conf = impl_->find(name);
    if (!conf) return ControlResult::NoConference;
    if (!conf->recorder) return ControlResult::NotRecording;
    recorder = std::move(conf->recorder);
    conf->recorder = nullptr;
    bridge = conf->bridge;
    ev.bridge = bridge->snapshot();
    ev.conference = conf->name;
  }
  bridge->kick(recorder);
  engine_.events().emit(std::move(ev));
  return ControlResult::Ok;
}

std::vector<ConferenceInfo> ConferenceRegistry::rooms() const {
  std::vector<ConferenceInfo> out;
  std::vector<std::string> names;
  {
    std::lock_guard lock(impl_->mu);
    for (auto& [n, c] : impl_->rooms) names.push_back(n);
  }
  for (auto& n : names)
    if (auto r = room(n)) out.push_back(std::move(*r));
  return out;
}

std::optional<ConferenceInfo> ConferenceRegistry::room(std::string_view name) const {
  std::lock_guard lock(impl_->mu);
  auto conf = impl_->find(name);
  if (!conf) return std::nullopt;
  ConferenceInfo i;
  i.name = conf->name;
  i.bridge_uniqueid = conf->bridge->uniqueid();
  i.bridge_profile = conf->profile.name;
  i.parties = conf->members.size();
  for (auto& m : conf->members) {
    i.admins += m->user.admin;
    i.marked += m->user.marked;
    i.waiting += m->waiting;
  }
  i.locked = conf->locked;
  i.muted = conf->muted;
  i.recording = conf->recorder != nullptr;
  i.record_file = conf->record_file;
  return i;
}

std::optional<std::vector<MemberInfo>> ConferenceRegistry::members(std::string_view name) const {
  std::lock_guard lock(impl_->mu);
  auto conf = impl_->find(name);
  if (!conf) return std::nullopt;
  std::vector<MemberInfo> out;
  for (auto& m : conf->members) {
    MemberInfo i;
    i.channel = m->chan->snapshot();
    i.user_profile = m->user.name;
    i.bridge_profile = m->bridge_profile;
    i.menu = m->menu.name;
    i.admin = m->user.admin;
    i.marked = m->user.marked;
    i.wait_marked = m->user.wait_marked;
    i.end_marked = m->user.end_marked;
    i.waiting = m->waiting;
    i.muted = m->muted;
    i.talking = m->talking;
    i.joined = m->joined;
    out.push_back(std::move(i));
  }
  return out;
}

// ---- announcements -------------------------------------------------------------------------------

void ConferenceRegistry::announce(const std::shared_ptr<Conference>& conf, std::string prompt) {
  Channel::Ptr announcer;
  std::string next;
  {
    std::lock_guard lock(impl_->mu);
    if (conf->ended) return;
    conf->prompts.push_back(std::move(prompt));
    if (conf->announcer_busy) return;
    if (!conf->announcer) conf->announcer = start_room_announcer(engine_, *conf);
    conf->announcer_busy = true;
    next = std::move(conf->prompts.front());
    conf->prompts.pop_front();
    announcer = conf->announcer;
  }
  std::weak_ptr<ConferenceRegistry> weak = weak_from_this();
  std::weak_ptr<Conference> weak_conf = conf;
  std::function<void()> done;
  done = [weak, weak_conf] {
    auto self = weak.lock();
    auto c = weak_conf.lock();
    if (!self || !c) return;
    std::string more;
    Channel::Ptr ann;
    {
      std::lock_guard lock(self->impl_->mu);
      c->announcer_busy = false;
      if (c->ended || c->prompts.empty()) return;
      more = std::move(c->prompts.front());
      c->prompts.pop_front();
    }
    self->announce(c, std::move(more));
  };
  play_into_room(announcer, std::move(next), std::move(done));
}

// ---- what one user hears instead of the room ---------------------------------------------------

void ConferenceRegistry::refresh_private_audio(Deferred& after, const std::shared_ptr<Conference>& conf) {
  const auto active = static_cast<std::size_t>(
      std::count_if(conf->members.begin(), conf->members.end(), [](auto& m) { return !m->waiting; }));
  std::weak_ptr<ConferenceRegistry> weak = weak_from_this();
  for (auto& m : conf->members) {
    if (!m->in_bridge || m->prompt_playing) continue;  // waiting music is the user's own loop's
    bool want_private = m->moh_playing;
    if (!m->private_prompts.empty()) {
      // A prompt replaces the music; the music comes back when it is over, if still wanted.
      std::vector<std::string> prompts(m->private_prompts.begin(), m->private_prompts.end());
      m->private_prompts.clear();
      m->prompt_playing = true;
      m->moh_playing = false;
      want_private = true;
      after.push_back([weak, conf, m, prompts = std::move(prompts)]() mutable {
        media::play_prompts_in_background(m->chan, std::move(prompts), [weak, conf, m] {
          if (auto self = weak.lock()) self->private_prompt_done(conf, m);
        });
      });
    } else {
      const bool want_moh = m->user.music_on_hold_when_empty && !m->waiting && active == 1;
      if (want_moh && !m->moh_playing) {
        after.push_back([chan = m->chan, cls = m->moh] { media::start_moh(chan, cls); });
      } else if (!want_moh && m->moh_playing) {
        after.push_back([chan = m->chan] { media::stop_moh(chan); });
      }
      m->moh_playing = want_moh;
      want_private = want_moh;
    }
    if (want_private != m->private_audio) {
      m->private_audio = want_private;
      conf->tech->mixing().set_member_options(*m->chan, mixing_options(*m));
    }
  }
}

void ConferenceRegistry::private_prompt_done(const std::shared_ptr<Conference>& conf, const std::shared_ptr<Member>& m) {
  After after;
  {
    std::lock_guard lock(impl_->mu);
    if (!m->prompt_playing) return;
    m->prompt_playing = false;
    if (std::find(conf->members.begin(), conf->members.end(), m) == conf->members.end()) return;
    if (m->private_audio && m->private_prompts.empty()) {
      m->private_audio = false;  // refresh turns it on again if music follows
      conf->tech->mixing().set_member_options(*m->chan, mixing_options(*m));
    }
    refresh_private_audio(after, conf);
  }
  run(after);
}

void ConferenceRegistry::play_to_user(const Joined& j, std::string prompt) {
  After after;
  {
    std::lock_guard lock(impl_->mu);
    j.member->private_prompts.push_back(std::move(prompt));
    refresh_private_audio(after, j.conference);
  }
  run(after);
}

void ConferenceRegistry::end_private_audio(const Joined& j) {
  bool stop = false;
  {
    std::lock_guard lock(impl_->mu);
    auto& m = *j.member;
    m.in_bridge = false;
    stop = m.prompt_playing || m.moh_playing;
    // Out of the bridge already: the mixing options are set again when the user rejoins.
    m.prompt_playing = m.moh_playing = m.private_audio = false;
    m.private_prompts.clear();
  }
  if (stop) media::stop_generator(j.member->chan);
}

// ---- DTMF menus ----------------------------------------------------------------------------------

void ConferenceRegistry::on_dtmf(const std::shared_ptr<Conference>& conf, Channel& chan, char digit) {
  std::vector<MenuAction> actions;
  std::shared_ptr<Member> who;
  {
    std::lock_guard lock(impl_->mu);
    for (auto& m : conf->members)
      if (m->chan.get() == &chan) who = m;
    if (!who) return;
    auto& buf = who->dtmf;
    auto classify = [&](const MenuEntry*& exact, bool& longer) {
      exact = nullptr;
      longer = false;
      for (auto& e : who->menu.entries) {
        if (e.dtmf == buf) exact = &e;
        else if (e.dtmf.size() > buf.size() && e.dtmf.compare(0, buf.size(), buf) == 0) longer = true;
      }
    };
    buf += digit;
    const MenuEntry* exact = nullptr;
    bool longer = false;
    classify(exact, longer);
    if (!exact && !longer && buf.size() > 1) {
      buf.assign(1, digit);  // the digit may start a new sequence
      classify(exact, longer);
    }
    if (who->dtmf_timer) who->dtmf_timer->cancel();
    if (exact && !longer) {
      actions = exact->actions;
      buf.clear();
    } else if (!longer) {
      buf.clear();
    } else {
      // A longer sequence may follow: wait for the next digit, then act on what was pressed.
      if (!who->dtmf_timer) who->dtmf_timer = std::make_unique<asio::steady_timer>(conf->bridge->strand());
      who->dtmf_timer->expires_after(kMenuDigitTimeout);
      std::weak_ptr<ConferenceRegistry> weak = weak_from_this();
      who->dtmf_timer->async_wait([weak, conf, who, pressed = buf](boost::system::error_code ec) {
        auto self = weak.lock();
        if (ec || !self) return;
        std::vector<MenuAction> late;
        {
          std::lock_guard lock(self->impl_->mu);
          if (who->dtmf != pressed) return;
          for (auto& e : who->menu.entries)
            if (e.dtmf == pressed) late = e.actions;
          who->dtmf.clear();
        }
        self->run_menu_actions(conf, who, late);
      });
    }
  }
  run_menu_actions(conf, who, actions);
}

void ConferenceRegistry::run_menu_actions(const std::shared_ptr<Conference>& conf, const std::shared_ptr<Member>& who,
                                          const std::vector<MenuAction>& actions) {
  for (auto action : actions) {
    After after;
    {
      std::lock_guard lock(impl_->mu);
      if (std::find(conf->members.begin(), conf->members.end(), who) == conf->members.end()) return;
      auto& mixing = conf->tech->mixing();
      switch (action) {
        case MenuAction::ToggleMute:
          // As Asterisk: the user hears conf-muted / conf-unmuted (quiet or not).
          apply_mute(after, engine_, *conf, *who, !who->muted);
          who->private_prompts.push_back(who->muted ? "conf-muted" : "conf-unmuted");
          refresh_private_audio(after, conf);
          break;
        case MenuAction::LeaveConference: request_leave(after, *conf, *who, LeaveReason::Dtmf); break;
        case MenuAction::AdminKickLast: {
          if (!who->user.admin) break;
          std::shared_ptr<Member> last;
          for (auto& m : conf->members)
            if (m != who && !m->user.admin && (!last || m->order > last->order)) last = m;
          if (last) request_leave(after, *conf, *last, LeaveReason::Kicked);
          break;
        }
        case MenuAction::AdminToggleConferenceLock:
          if (who->user.admin) conf->locked = !conf->locked;
          break;
        case MenuAction::AdminToggleMuteParticipants:
          if (!who->user.admin) break;
          conf->muted = !conf->muted;
          for (auto& m : conf->members)
            if (!m->user.admin) apply_mute(after, engine_, *conf, *m, conf->muted);
          break;
        case MenuAction::IncreaseTalkingVolume:
        case MenuAction::DecreaseTalkingVolume:
        case MenuAction::ResetTalkingVolume:
          who->talk_gain_db = action == MenuAction::ResetTalkingVolume ? 0
                              : std::clamp(who->talk_gain_db + (action == MenuAction::IncreaseTalkingVolume ? kVolumeStepDb : -kVolumeStepDb),
                                           -kVolumeLimitDb, kVolumeLimitDb);
          mixing.set_gain_db(*who->chan, who->talk_gain_db);
          break;
        case MenuAction::IncreaseListeningVolume:
        case MenuAction::DecreaseListeningVolume:
        case MenuAction::ResetListeningVolume:
          who->listen_gain_db = action == MenuAction::ResetListeningVolume ? 0
                                : std::clamp(who->listen_gain_db + (action == MenuAction::IncreaseListeningVolume ? kVolumeStepDb : -kVolumeStepDb),
                                             -kVolumeLimitDb, kVolumeLimitDb);
          mixing.set_listen_gain_db(*who->chan, who->listen_gain_db);
          break;
        case MenuAction::NoOp: break;
      }
    }
    run(after);
  }
}

}  // namespace telephony::confbridge
