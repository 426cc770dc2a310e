// Call progress detection (see tdm/call_progress.hpp).
#include "telephony/tdm/call_progress.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>

#include "telephony/media/spectrum.hpp"
#include "telephony/media/tone.hpp"

namespace telephony::tdm {

namespace {

Result<ProgressTone> tone_of(const media::ToneZoneData& zone, std::string_view name) {
  auto list = zone.tone(name);
  if (!list) return fail("tone zone '" + zone.country + "' has no '" + std::string(name) + "' tone");
  auto spec = media::parse_tone_spec(*list);
  if (!spec) return fail("tone '" + std::string(name) + "': " + spec.error().to_string());
  ProgressTone t;
  for (const auto& p : spec->parts) {
    if (p.freq1 > 0 && t.f1 == 0) {
      t.f1 = p.freq1;
      t.f2 = p.modulate ? 0 : p.freq2;
    }
    if (p.duration_ms) t.cadence.push_back(static_cast<int>(p.duration_ms));
  }
  if (t.f1 == 0) return fail("tone '" + std::string(name) + "' has no frequency");
  return t;
}

bool near(int measured, int expected) {
  const int tol = std::max(40, expected / 4);
  return std::abs(measured - expected) <= tol;
}

bool cadence_matches(const std::vector<int>& cad, int on, int off) {
  for (std::size_t i = 0; i + 1 < cad.size(); i += 2)
    if (near(on, cad[i]) && near(off, cad[i + 1])) return true;
  return false;
}

bool same_set(const ProgressTone& a, const ProgressTone& b) {
  return std::abs(a.f1 - b.f1) < 1 && std::abs(a.f2 - b.f2) < 1;
}

}  // namespace

std::string_view to_string(ProgressEvent e) {
  switch (e) {
    case ProgressEvent::None: return "none";
    case ProgressEvent::DialTone: return "dialtone";
    case ProgressEvent::Ringing: return "ringing";
    case ProgressEvent::Busy: return "busy";
    case ProgressEvent::Congestion: return "congestion";
    case ProgressEvent::Answer: return "answer";
  }
  return "none";
}

Result<CallProgressTones> CallProgressTones::from_zone(const media::ToneZoneData& zone) {
  CallProgressTones t;
  auto dial = tone_of(zone, "dial");
  auto ring = tone_of(zone, "ring");
  auto busy = tone_of(zone, "busy");
  if (!dial) return Unexpected<Error>{dial.error()};
  if (!ring) return Unexpected<Error>{ring.error()};
  if (!busy) return Unexpected<Error>{busy.error()};
  auto congestion = tone_of(zone, "congestion");
  t.dial = *dial;
  t.ring = *ring;
  t.busy = *busy;
  t.congestion = congestion ? *congestion : *busy;
  return t;
}

CallProgressDetector::CallProgressDetector(CallProgressTones tones, int busycount, std::vector<int> busypattern)
    : tones_(std::move(tones)), busycount_(std::max(1, busycount)), block_(kBlock) {
  busy_cadence_ = busypattern.size() >= 2 ? std::move(busypattern) : tones_.busy.cadence;
}

void CallProgressDetector::reset() {
  fill_ = 0;
  current_ = Class::Silence;
  run_ms_ = last_on_ms_ = 0;
  last_on_set_ = Class::Silence;
  busy_cycles_ = congestion_cycles_ = 0;
  voice_window_ = 0;
  dial_seen_ = ring_seen_ = done_ = false;
}

CallProgressDetector::Class CallProgressDetector::classify() const {
  const std::span<const std::int16_t> b(block_.data(), kBlock);
  const double energy = media::mean_power(b);
  if (media::power_dbfs(energy) < -45) return Class::Silence;
  auto share = [&](const ProgressTone& t) {
    const double p1 = media::goertzel_power(b, 8000, t.f1);
    if (t.f2 == 0) return p1 / energy >= 0.6;
    const double p2 = media::goertzel_power(b, 8000, t.f2);
    return (p1 + p2) / energy >= 0.6 && p1 / energy >= 0.15 && p2 / energy >= 0.15;
  };
  // Sets with equal frequencies report as the first kind; cadence tells them apart later.
  if (share(tones_.dial)) return Class::Dial;
  if (share(tones_.ring)) return Class::Ring;
  if (share(tones_.busy)) return Class::Busy;
  if (share(tones_.congestion)) return Class::Congestion;
  return Class::Voice;
}

ProgressEvent CallProgressDetector::process(std::span<const std::int16_t> samples) {
  ProgressEvent first = ProgressEvent::None;
  while (!samples.empty()) {
    const std::size_t take = std::min(samples.size(), kBlock - fill_);
    std::copy_n(samples.begin(), take, block_.begin() + static_cast<std::ptrdiff_t>(fill_));
    fill_ += take;
    samples = samples.subspan(take);
    if (fill_ < kBlock) break;
    fill_ = 0;
    const auto ev = on_block(classify());
    if (first == ProgressEvent::None) first = ev;
  }
  return first;
}

ProgressEvent CallProgressDetector::on_block(Class c) {
  if (done_) return ProgressEvent::None;
  voice_window_ = ((voice_window_ << 1) | (c == Class::Voice ? 1 : 0)) & 0xff;
  if (std::popcount(static_cast<unsigned>(voice_window_)) >= 5) {
    done_ = true;
    return ProgressEvent::Answer;
  }
  auto tone_of_class = [&](Class k) -> const ProgressTone* {
    switch (k) {
      case Class::Dial: return &tones_.dial;
      case Class::Ring: return &tones_.ring;
      case Class::Busy: return &tones_.busy;
      case Class::Congestion: return &tones_.congestion;
      default: return nullptr;
    }
  };
  if (c == current_) {
    run_ms_ += 20;
    const auto* set = tone_of_class(c);
    if (!set) return ProgressEvent::None;
    if (!dial_seen_ && same_set(*set, tones_.dial) && run_ms_ >= 300) {
      dial_seen_ = true;
      return ProgressEvent::DialTone;
    }
    const int ring_on = tones_.ring.cadence.empty() ? 1000 : tones_.ring.cadence[0];
    if (!ring_seen_ && same_set(*set, tones_.ring) && run_ms_ >= ring_on * 3 / 4) {
      ring_seen_ = true;
      return ProgressEvent::Ringing;
    }
    return ProgressEvent::None;
  }
  const Class prev = current_;
  const int prev_ms = run_ms_;
  current_ = c;
  run_ms_ = 20;
  if (tone_of_class(prev)) {
    last_on_set_ = prev;
    last_on_ms_ = prev_ms;
    return ProgressEvent::None;
  }
  if (prev == Class::Silence && tone_of_class(last_on_set_)) {
    const auto ev = cadence_done(last_on_set_, last_on_ms_, prev_ms);
    last_on_set_ = Class::Silence;
    return ev;
  }
  return ProgressEvent::None;
}

ProgressEvent CallProgressDetector::cadence_done(Class set, int on_ms, int off_ms) {
  const ProgressTone* t = set == Class::Dial ? &tones_.dial
                          : set == Class::Ring ? &tones_.ring
                          : set == Class::Busy ? &tones_.busy
                                               : &tones_.congestion;
  if (same_set(*t, tones_.busy) && cadence_matches(busy_cadence_, on_ms, off_ms)) {
    if (++busy_cycles_ >= busycount_) {
      done_ = true;
      return ProgressEvent::Busy;
    }
    return ProgressEvent::None;
  }
  if (same_set(*t, tones_.congestion) && cadence_matches(tones_.congestion.cadence, on_ms, off_ms)) {
    if (++congestion_cycles_ >= busycount_) {
      done_ = true;
      return ProgressEvent::Congestion;
    }
    return ProgressEvent::None;
  }
  busy_cycles_ = congestion_cycles_ = 0;
  return ProgressEvent::None;
}

}  // namespace telephony::tdm
