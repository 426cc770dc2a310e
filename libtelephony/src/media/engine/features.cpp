// FeatureRelay: two-party relay with features.conf DTMF feature detection (media/features.hpp).
#include "telephony/media/features.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "telephony/engine.hpp"

namespace telephony::media {

std::string_view to_string(Feature f) {
  switch (f) {
    case Feature::BlindTransfer: return "blindxfer";
    case Feature::AttendedTransfer: return "atxfer";
    case Feature::Disconnect: return "disconnect";
  }
  return "disconnect";
}

Result<FeatureMap, Errors> feature_map_from_config(const config::ConfigFile& file) {
  FeatureMap map;
  Errors errors;
  auto valid_code = [](std::string_view v) {
    return std::all_of(v.begin(), v.end(), [](char c) {
      return (c >= '0' && c <= '9') || c == '*' || c == '#' || (c >= 'A' && c <= 'D');
    });
  };
  for (const auto* sec : file.sections_named("general")) {
    if (const auto* e = sec->find("featuredigittimeout")) {
      char* end = nullptr;
      const long v = std::strtol(e->value.c_str(), &end, 10);
      if (e->value.empty() || *end != '\0' || v <= 0 || v > 60000)
        errors.items.push_back({"featuredigittimeout must be milliseconds between 1 and 60000, got '" + e->value + "'",
                                e->where.to_string()});
      else
        map.digit_timeout = std::chrono::milliseconds(v);
    }
    // Asterisk gives transferdigittimeout in seconds (default 3).
    if (const auto* e = sec->find("transferdigittimeout")) {
      char* end = nullptr;
      const long v = std::strtol(e->value.c_str(), &end, 10);
      if (e->value.empty() || *end != '\0' || v <= 0 || v > 600)
        errors.items.push_back({"transferdigittimeout must be seconds between 1 and 600, got '" + e->value + "'",
                                e->where.to_string()});
      else
        map.transfer_digit_timeout = std::chrono::seconds(v);
    }
  }
  for (const auto* sec : file.sections_named("featuremap")) {
    for (const auto& e : sec->entries) {
      std::string key = e.name;
      std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
      std::string* slot = key == "blindxfer" ? &map.blindxfer
                          : key == "atxfer"  ? &map.atxfer
                          : key == "disconnect" ? &map.disconnect
                                                : nullptr;
      if (!slot) {
        // automon/automixmon/parkcall belong to modules not written yet: say so instead of a silent no-op.
        errors.items.push_back({"unsupported feature '" + e.name + "' in [featuremap] (supported: blindxfer, atxfer, disconnect)",
                                e.where.to_string()});
        continue;
      }
      if (!valid_code(e.value)) {
        errors.items.push_back({"feature code '" + e.value + "' for " + e.name + " may only hold 0-9 * # A-D",
                                e.where.to_string()});
        continue;
      }
      *slot = e.value;
    }
  }
  if (!errors.items.empty()) return Unexpected<Errors>{std::move(errors)};
  return map;
}

FeatureRelay::FeatureRelay(FeatureMap map, FeatureSet default_set) : map_(std::move(map)), default_set_(default_set) {}

void FeatureRelay::set_features(const Channel& chan, FeatureSet set) {
  std::lock_guard lock(sets_mu_);
  sets_[chan.uniqueid()] = set;
}

FeatureSet FeatureRelay::features_of(const std::string& uniqueid) const {
  std::lock_guard lock(sets_mu_);
  auto it = sets_.find(uniqueid);
  return it == sets_.end() ? default_set_ : it->second;
}

std::optional<Feature> FeatureRelay::exact(const FeatureSet& set, const std::string& code) const {
  if (set.blindxfer && !map_.blindxfer.empty() && code == map_.blindxfer) return Feature::BlindTransfer;
  if (set.atxfer && !map_.atxfer.empty() && code == map_.atxfer) return Feature::AttendedTransfer;
  if (set.disconnect && !map_.disconnect.empty() && code == map_.disconnect) return Feature::Disconnect;
  return std::nullopt;
}

bool FeatureRelay::extended(const FeatureSet& set, const std::string& prefix) const {
  auto longer = [&](const std::string& code) { return code.size() > prefix.size() && code.starts_with(prefix); };
  return (set.blindxfer && longer(map_.blindxfer)) || (set.atxfer && longer(map_.atxfer)) ||
         (set.disconnect && longer(map_.disconnect));
}

void FeatureRelay::on_join(Bridge& bridge, Channel& chan) {
  auto c = std::make_unique<Collector>();
  c->chan = &chan;
  c->uniqueid = chan.uniqueid();
  collectors_.push_back(std::move(c));
  bridge.tell_native_peers();  // DTMF still reaches us as frames when the driver relays natively
}

void FeatureRelay::on_leave(Bridge& bridge, Channel& chan) {
  std::erase_if(collectors_, [&](auto& c) { return c->chan == &chan; });
  bridge.tell_native_peers(&chan);
}

FeatureRelay::Collector* FeatureRelay::collector(Channel& chan) {
  for (auto& c : collectors_)
    if (c->chan == &chan) return c.get();
  return nullptr;
}

Channel::Ptr FeatureRelay::peer_of(Bridge& bridge, const Channel& chan) const {
  for (auto& m : bridge.members())
    if (m.get() != &chan) return m;
  return nullptr;
}

void FeatureRelay::flush(Bridge& bridge, Collector& c, const Channel::Ptr& to) {
  if (to)
    for (char d : c.digits) {
      bridge.write_to(to, Frame::dtmf_begin(d));
      bridge.write_to(to, Frame::dtmf_end(d, std::chrono::milliseconds(100)));
    }
  c.digits.clear();
  ++c.generation;
  if (c.timer) c.timer->cancel();
}

void FeatureRelay::arm_timer(Bridge& bridge, Collector& c) {
  if (!c.timer) c.timer = std::make_unique<boost::asio::steady_timer>(bridge.strand());
  c.timer->expires_after(c.capture ? c.capture->timeout : map_.digit_timeout);
  c.timer->async_wait([this, weak = std::weak_ptr<Bridge>(bridge.shared_from_this()), uid = c.uniqueid,
                       gen = c.generation](boost::system::error_code ec) {
    auto b = weak.lock();
    if (ec || !b) return;
    Collector* col = nullptr;
    for (auto& x : collectors_)
      if (x->uniqueid == uid) col = x.get();
    if (!col || col->generation != gen) return;
    if (col->capture) {
      end_capture(*col);
      return;
    }
    if (col->digits.empty()) return;
    // Timeout: a complete code that a longer one could have extended runs now; anything else
    // was not a feature and goes to the peer.
    const auto set = features_of(uid);
    if (auto f = exact(set, col->digits)) {
      col->digits.clear();
      ++col->generation;
      activate(*b, *col->chan, *f);
    } else {
      flush(*b, *col, peer_of(*b, *col->chan));
    }
  });
}

void FeatureRelay::capture_digits(Bridge& bridge, Channel& who, DigitCapture capture) {
  Collector* c = collector(who);
  if (!c) return;
  c->digits.clear();
  c->captured.clear();
  c->capture = std::move(capture);
  ++c->generation;
  arm_timer(bridge, *c);
}

void FeatureRelay::capture_digit(Bridge& bridge, Collector& c, const Frame& f) {
  if (f.kind != FrameKind::DtmfEnd) return;  // the begin says nothing yet; neither half is relayed
  c.captured += f.digit();
  ++c.generation;
  if (c.capture->complete && c.capture->complete(c.captured)) {
    if (c.timer) c.timer->cancel();
    end_capture(c);
    return;
  }
  arm_timer(bridge, c);
}

void FeatureRelay::end_capture(Collector& c) {
  auto done = std::move(c.capture->finished);
  auto digits = std::exchange(c.captured, {});
  c.capture.reset();
  ++c.generation;
  if (done) done(std::move(digits));
}

void FeatureRelay::on_frame(Bridge& bridge, Channel& from, const Frame& f) {
  const bool dtmf = f.kind == FrameKind::DtmfBegin || f.kind == FrameKind::DtmfEnd;
  Collector* c = dtmf ? collector(from) : nullptr;
  if (c && c->capture) {
    capture_digit(bridge, *c, f);
    return;
  }
  const FeatureSet set = c ? features_of(c->uniqueid) : FeatureSet::none();
  const bool watching = c && (set.blindxfer || set.atxfer || set.disconnect);
  if (!watching) {
    for (auto& m : bridge.members())
      if (m.get() != &from) bridge.write_to(m, f);
    return;
  }
  const std::string candidate = c->digits + f.digit();
  const bool could_be_feature = exact(set, candidate) || extended(set, candidate);
  if (f.kind == FrameKind::DtmfBegin) {
    // Hold the begin back while it may start (or continue) a code; the peer must not hear the
    // first half of a feature code.
    c->begin_forwarded = !could_be_feature && c->digits.empty();
    if (c->begin_forwarded)
      if (auto p = peer_of(bridge, from)) bridge.write_to(p, f);
    return;
  }
  // DtmfEnd
  if (!could_be_feature) {
    auto peer = peer_of(bridge, from);
    flush(bridge, *c, peer);
    if (peer) {
      if (!c->begin_forwarded) bridge.write_to(peer, Frame::dtmf_begin(f.digit()));
      bridge.write_to(peer, f);
    }
    c->begin_forwarded = false;
    return;
  }
  c->begin_forwarded = false;
  c->digits = candidate;
  ++c->generation;
  if (auto feat = exact(set, candidate); feat && !extended(set, candidate)) {
    c->digits.clear();
    if (c->timer) c->timer->cancel();
    activate(bridge, from, *feat);
    return;
  }
  arm_timer(bridge, *c);
}

void FeatureRelay::activate(Bridge& bridge, Channel& who, Feature f) {
  FeatureActivation act{f, who.shared_from_this(), peer_of(bridge, who), bridge.weak_from_this()};
  bridge.engine().log().verbose("features", who.name() + " activated feature " + std::string(to_string(f)) +
                                                " in bridge " + bridge.uniqueid());
  if (f == Feature::Disconnect) {
    bridge.kick(act.who);
  } else if (on_transfer) {
    on_transfer(act);
  } else {
    bridge.engine().log().notice("features", std::string(to_string(f)) + " pressed on " + who.name() +
                                                 " but no transfer handler is connected; ignored");
  }
  if (on_feature) on_feature(act);
}

}  // namespace telephony::media
