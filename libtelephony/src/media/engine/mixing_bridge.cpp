// MixingBridge: mixer-driven bridge technology (see media/mixing_bridge.hpp).
#include "telephony/media/mixing_bridge.hpp"

#include <algorithm>
#include <cstring>

#include "telephony/engine.hpp"
#include "telephony/media/codec.hpp"

namespace telephony::media {

namespace asio = boost::asio;
using namespace std::chrono_literals;

struct MixingBridge::Member {
  Channel::Ptr chan;
  std::string uniqueid;
  Format native;
  std::uint32_t formats_generation = 0;  // the channel's native_formats_generation() `native` is from
  MixingMemberOptions opts;
  ParticipantId id = 0;
  std::deque<Frame> queued;                  // talker input waiting for a tick
  std::optional<TranslatorPath> decode;      // inbound -> slin(rate)
  std::optional<TranslatorPath> encode;      // slin(rate) -> native (talkers)
};

namespace {
std::uint32_t mix_rate_for(Format f) {
  if (f.rate >= 48000) return 48000;
  if (f.rate >= 16000) return 16000;
  return 8000;
}

std::uint32_t samples_for(Format f, std::size_t bytes, std::uint32_t frame_samples_at_rate) {
  switch (f.codec) {
    case Codec::Slin: return static_cast<std::uint32_t>(bytes / 2);
    case Codec::Ulaw:
    case Codec::Alaw: return static_cast<std::uint32_t>(bytes);
    case Codec::G722: return static_cast<std::uint32_t>(bytes * 2);
    default: return frame_samples_at_rate;
  }
}
}  // namespace

MixingBridge::MixingBridge(MixingBridgeSettings settings) : settings_(settings) {
  rebuild_mixer(settings_.rate ? mix_rate_for(Format::slin(settings_.rate)) : 8000);
}

MixingBridge::~MixingBridge() = default;

MixingBridge::Stats MixingBridge::stats() const {
  std::lock_guard lock(stats_mu_);
  return stats_;
}

void MixingBridge::set_member_options(const Channel& chan, MixingMemberOptions opts) {
  std::lock_guard lock(options_mu_);
  options_[chan.uniqueid()] = opts;
  options_dirty_.store(true);
}

void MixingBridge::set_muted(const Channel& chan, bool muted) {
  std::lock_guard lock(options_mu_);
  options_[chan.uniqueid()].muted = muted;
  options_dirty_.store(true);
}

void MixingBridge::set_gain_db(const Channel& chan, double db) {
  std::lock_guard lock(options_mu_);
  options_[chan.uniqueid()].gain_db = db;
  options_dirty_.store(true);
}

void MixingBridge::set_listen_gain_db(const Channel& chan, double db) {
  std::lock_guard lock(options_mu_);
  options_[chan.uniqueid()].listen_gain_db = db;
  options_dirty_.store(true);
}

MixingBridge::Member* MixingBridge::find(const Channel* chan) {
  for (auto& m : members_)
    if (m->chan.get() == chan) return m.get();
  return nullptr;
}

std::uint32_t MixingBridge::wanted_rate() const {
  if (settings_.rate) return mix_rate_for(Format::slin(settings_.rate));
  std::uint32_t r = rate_.load();
  for (const auto& m : members_) r = std::max(r, mix_rate_for(m->native));
  return r;
}

void MixingBridge::rebuild_mixer(std::uint32_t rate) {
  MixerSettings ms;
  ms.rate = rate;
  ms.talk_threshold_dbfs = settings_.talk_threshold_dbfs;
  ms.talk_hangover_ms = settings_.talk_hangover_ms;
  mixer_ = std::make_unique<Mixer>(ms);
  rate_.store(rate);
  scratch_.assign(mixer_->frame_samples(), 0);
  shared_.clear();
  for (auto& m : members_) {
    m->id = mixer_->join(m->opts.listen_only ? MixRole::Listener : MixRole::Talker);
    mixer_->set_muted(m->id, m->opts.muted);
    mixer_->set_gain_db(m->id, m->opts.gain_db);
    mixer_->set_listen_gain_db(m->id, m->opts.listen_gain_db);
    m->decode.reset();
    m->encode.reset();
  }
}

void MixingBridge::apply_options() {
  if (!options_dirty_.exchange(false)) return;
  std::lock_guard lock(options_mu_);
  for (auto& m : members_) {
    auto it = options_.find(m->uniqueid);
    if (it == options_.end()) continue;
    const auto& o = it->second;
    if (o.listen_only != m->opts.listen_only) {
      // Role change: leave and rejoin the mixer in the new role (fades like a join).
      mixer_->leave(m->id);
      m->id = mixer_->join(o.listen_only ? MixRole::Listener : MixRole::Talker);
      m->queued.clear();
    }
    m->opts = o;
    mixer_->set_muted(m->id, o.muted);
    mixer_->set_gain_db(m->id, o.gain_db);
    mixer_->set_listen_gain_db(m->id, o.listen_gain_db);
  }
}

void MixingBridge::on_join(Bridge& bridge, Channel& chan) {
  auto m = std::make_unique<Member>();
  m->chan = chan.shared_from_this();
  m->uniqueid = chan.uniqueid();
  m->formats_generation = chan.native_formats_generation();  // before the read: a change between is seen
  m->native = chan.native_format();
  {
    std::lock_guard lock(options_mu_);
    if (auto it = options_.find(m->uniqueid); it != options_.end()) m->opts = it->second;
  }
  members_.push_back(std::move(m));
  if (const auto r = wanted_rate(); r != rate_.load()) {
    // Everyone rejoins the new mixer (a one-frame fade-in); rare: only a higher-rate joiner.
    rebuild_mixer(r);
  } else {
    auto& nm = *members_.back();
    nm.id = mixer_->join(nm.opts.listen_only ? MixRole::Listener : MixRole::Talker);
    mixer_->set_muted(nm.id, nm.opts.muted);
    mixer_->set_gain_db(nm.id, nm.opts.gain_db);
    mixer_->set_listen_gain_db(nm.id, nm.opts.listen_gain_db);
  }
  if (!timer_running_) start_timer(bridge);
}

void MixingBridge::on_leave(Bridge&, Channel& chan) {
  auto it = std::find_if(members_.begin(), members_.end(), [&](auto& m) { return m->chan.get() == &chan; });
  if (it == members_.end()) return;
  mixer_->leave((*it)->id);
  members_.erase(it);
  {
    std::lock_guard lock(options_mu_);
    options_.erase(chan.uniqueid());
  }
}

void MixingBridge::on_frame(Bridge&, Channel& from, const Frame& f) {
  if (f.kind != FrameKind::Voice || !f.format.is_audio()) return;  // DTMF/control: not mixed
  auto* m = find(&from);
  if (!m || m->opts.listen_only || (m->opts.muted && !m->opts.detect_talking)) return;
  m->queued.push_back(f);
  if (m->queued.size() > settings_.max_queued_frames) {
    m->queued.pop_front();
    std::lock_guard lock(stats_mu_);
    ++stats_.frames_dropped;
  }
}

void MixingBridge::start_timer(Bridge& bridge) {
  if (!timer_) timer_.emplace(bridge.strand());
  timer_running_ = true;
  next_tick_ = std::chrono::steady_clock::now() + 20ms;
  timer_->expires_at(next_tick_);
  timer_->async_wait([weak = std::weak_ptr<Bridge>(bridge.shared_from_this()), this](boost::system::error_code ec) {
    auto b = weak.lock();
    if (ec || !b) return;  // the bridge (and this technology) may be gone: touch nothing
    on_timer(*b);
  });
}

void MixingBridge::on_timer(Bridge& bridge) {
  if (members_.empty()) {
    timer_running_ = false;
    return;
  }
  tick_once(bridge);
  // Absolute deadlines: a late tick is followed by a shorter wait, never a drifting clock. After
  // a long stall (> 5 ticks) restart from now rather than firing a burst.
  next_tick_ += 20ms;
  const auto now = std::chrono::steady_clock::now();
  if (now - next_tick_ > 100ms) next_tick_ = now + 20ms;
  timer_->expires_at(next_tick_);
  timer_->async_wait([weak = std::weak_ptr<Bridge>(bridge.shared_from_this()), this](boost::system::error_code ec) {
    auto b = weak.lock();
    if (ec || !b) return;
    on_timer(*b);
  });
}

void MixingBridge::follow_native_formats() {
  // A member whose driver renegotiated (a SIP re-INVITE to another codec) gets the mix in its new
  // format from this tick; a higher rate may move the whole mix up (as a wideband joiner does).
  bool changed = false;
  for (auto& m : members_) {
    const auto g = m->chan->native_formats_generation();
    if (g == m->formats_generation) continue;
    m->formats_generation = g;
    m->native = m->chan->native_format();
    m->encode.reset();
    changed = true;
  }
  if (changed)
    if (const auto r = wanted_rate(); r != rate_.load()) rebuild_mixer(r);
}

void MixingBridge::tick_once(Bridge& bridge) {
  apply_options();
  follow_native_formats();
  const std::uint32_t rate = rate_.load();
  const Format mix_format = Format::slin(rate);
  const std::size_t n = mixer_->frame_samples();

  // 1. Input: one frame per talker, decoded to the mix rate.
  for (auto& m : members_) {
    if (m->opts.listen_only || m->queued.empty()) continue;
    Frame f = std::move(m->queued.front());
    m->queued.pop_front();
    if (f.format == mix_format) {
      mixer_->put_input(m->id, slin_samples(f.data()));
      continue;
    }
    if (!m->decode || m->decode->from() != f.format) {
      auto p = TranslationGraph::shared().build_path(f.format, mix_format);
      if (!p) continue;
      m->decode.emplace(std::move(*p));
    }
    if (auto out = m->decode->convert(f.format, f.data()); out && !out->empty()) {
      std::memcpy(scratch_.data(), out->data(), std::min(out->size(), n * 2));
      mixer_->put_input(m->id, std::span<const std::int16_t>(scratch_.data(), std::min(out->size() / 2, n)));
    }
  }

  mixer_->tick();

  if (settings_.talk_events) {
    for (const auto& te : mixer_->talk_events()) {
      for (auto& m : members_) {
        if (m->id != te.id || m->opts.listen_only) continue;
        BridgeMemberTalking ev;
        ev.bridge = bridge.snapshot();
        ev.channel = m->chan->snapshot();
        ev.talking = te.talking;
        bridge.engine().events().emit(std::move(ev));
      }
    }
  }

  // 2. Output. Shared encoders are reset per tick: a format with no listener left costs nothing.
  for (auto& s : shared_) s.frame = Frame{};
  std::uint64_t out_frames = 0, shared_encodes = 0;
  const auto mix = mixer_->listener_mix();
  for (auto& m : members_) {
    if (m->opts.private_audio) continue;
    if (m->opts.listen_only || mixer_->hears_listener_mix(m->id)) {
      SharedEncoder* enc = nullptr;
      for (auto& s : shared_)
        if (s.format == m->native) enc = &s;
      if (!enc) {
        shared_.push_back(SharedEncoder{m->native, std::nullopt, Frame{}});
        enc = &shared_.back();
        if (m->native != mix_format) {
          auto p = TranslationGraph::shared().build_path(mix_format, m->native);
          if (p) enc->path.emplace(std::move(*p));
        }
      }
      if (enc->frame.kind != FrameKind::Voice) {
        if (m->native == mix_format || !enc->path) {
          enc->frame = Frame::voice(mix_format, std::vector<std::uint8_t>(slin_bytes(mix).begin(), slin_bytes(mix).end()),
                                    static_cast<std::uint32_t>(n));
        } else if (auto out = enc->path->convert(slin_bytes(mix)); out && !out->empty()) {
          enc->frame = Frame::voice(m->native, std::vector<std::uint8_t>(out->begin(), out->end()),
                                    samples_for(m->native, out->size(), static_cast<std::uint32_t>(n * m->native.rate / rate)));
        } else {
          continue;
        }
        ++shared_encodes;
      }
      bridge.write_to(m->chan, enc->frame);
      ++out_frames;
      continue;
    }
    const auto own = mixer_->output(m->id);
    if (own.empty()) continue;
    if (m->native == mix_format) {
      bridge.write_to(m->chan, Frame::voice(mix_format, std::vector<std::uint8_t>(slin_bytes(own).begin(), slin_bytes(own).end()),
                                            static_cast<std::uint32_t>(n)));
      ++out_frames;
      continue;
    }
    if (!m->encode || m->encode->to() != m->native) {
      auto p = TranslationGraph::shared().build_path(mix_format, m->native);
      if (!p) continue;
      m->encode.emplace(std::move(*p));
    }
    if (auto out = m->encode->convert(slin_bytes(own)); out && !out->empty()) {
      bridge.write_to(m->chan, Frame::voice(m->native, std::vector<std::uint8_t>(out->begin(), out->end()),
                                            samples_for(m->native, out->size(), static_cast<std::uint32_t>(n * m->native.rate / rate))));
      ++out_frames;
    }
  }
  std::lock_guard lock(stats_mu_);
  ++stats_.ticks;
  stats_.shared_encodes += shared_encodes;
  stats_.frames_out += out_frames;
}

}  // namespace telephony::media
