// Single-frequency and call-progress tone detection (see media/tone_detect.hpp).
#include "telephony/media/tone_detect.hpp"

#include <algorithm>
#include <cmath>

#include "telephony/media/spectrum.hpp"

namespace telephony::media {

namespace {
// Normalised powers (a sine of amplitude A has power A*A/2).
constexpr double kToneMinPower = 3000;      // single tone: amplitude about 78 (-52 dBFS)
constexpr double kProgressMinPower = 6000;  // call-progress pair member: amplitude about 110
constexpr double kSingleMinPower = 60000;   // SIT / 400 Hz / 425 Hz alone: amplitude about 350
constexpr double kTalkPower = 5.5e6;        // voice: RMS about 2300 (Asterisk's talk energy)
}  // namespace

SingleToneDetector::SingleToneDetector(double freq_hz, int duration_ms, int db, std::uint32_t rate)
    : freq_(freq_hz), rate_(rate) {
  const double x = std::pow(10.0, db / 10.0);
  ratio_ = x / (x + 1);
  std::size_t block = rate / 50;
  long long periods = static_cast<long long>(static_cast<double>(block) * freq_hz / rate);
  if (periods < 5) periods = 5;
  block = static_cast<std::size_t>(std::llround(static_cast<double>(periods) * rate / freq_hz));
  if (block == 0) block = rate / 50;
  block_.assign(block, 0);
  const long long duration_samples = static_cast<long long>(duration_ms) * rate / 1000 * 9 / 10;
  hits_required_ = static_cast<int>(std::max<long long>(1, (duration_samples - (static_cast<long long>(block) - 1)) /
                                                               static_cast<long long>(block)));
}

void SingleToneDetector::block_done() {
  const double total = mean_power(block_);
  const double tone = goertzel_power(block_, rate_, freq_);
  const bool hit = tone >= kToneMinPower && tone > total * ratio_;
  if (hit_count_) ++hit_count_;
  if (hit == last_hit_) {
    if (!hit) hit_count_ = 0;          // two misses in a row: the tone ended
    else if (!hit_count_) hit_count_ = 1;  // two hits in a row: it started
  }
  if (hit_count_ == hits_required_) ++detections_;
  last_hit_ = hit;
  fill_ = 0;
}

int SingleToneDetector::process(std::span<const std::int16_t> samples) {
  detections_ = 0;
  for (auto s : samples) {
    block_[fill_++] = s;
    if (fill_ == block_.size()) block_done();
  }
  return detections_;
}

std::string_view to_string(ProgressTone t) {
  switch (t) {
    case ProgressTone::Silence: return "SILENCE";
    case ProgressTone::Ringing: return "RINGING";
    case ProgressTone::DialTone: return "DIALTONE";
    case ProgressTone::Talking: return "TALKING";
    case ProgressTone::Busy: return "BUSY";
    case ProgressTone::Special1: return "SPECIAL1";
    case ProgressTone::Special2: return "SPECIAL2";
    case ProgressTone::Sit: return "SIT";
    case ProgressTone::NumberUnobtainable: return "NUT";
  }
  return "SILENCE";
}

std::optional<CallProgressDetector> CallProgressDetector::for_zone(std::string_view zone, std::uint32_t rate) {
  if (zone.empty() || zone == "us" || zone == "ca") return CallProgressDetector(Mode::NorthAmerica, rate);
  if (zone == "cr" || zone == "br") return CallProgressDetector(Mode::CostaRica, rate);
  if (zone == "uk") return CallProgressDetector(Mode::Uk, rate);
  return std::nullopt;
}

CallProgressDetector::CallProgressDetector(Mode m, std::uint32_t rate) : mode_(m), rate_(rate) {
  std::size_t block = 183;
  switch (m) {
    case Mode::NorthAmerica: freqs_ = {350, 440, 480, 620, 950, 1400, 1800}; break;
    case Mode::CostaRica:
      freqs_ = {425};
      block = 188;
      break;
    case Mode::Uk:
      freqs_ = {350, 400, 440};
      block = 160;
      break;
  }
  block_.assign(block * rate / 8000, 0);
}

bool CallProgressDetector::process(std::span<const std::int16_t> samples) {
  bool any = false;
  for (auto s : samples) {
    block_[fill_++] = s;
    if (fill_ == block_.size()) {
      classify();
      fill_ = 0;
      any = true;
    }
  }
  return any;
}

void CallProgressDetector::classify() {
  const double e = mean_power(block_);
  double p[7] = {};
  for (std::size_t i = 0; i < freqs_.size(); ++i) p[i] = goertzel_power(block_, rate_, freqs_[i]);
  // Both tones strong, each well above the other candidates, and together most of the block.
  auto pair = [&](double a, double b, double i1, double i2) {
    return a >= kProgressMinPower && b >= kProgressMinPower && a >= 10 * i1 && a >= 10 * i2 && b >= 10 * i1 &&
           b >= 10 * i2 && a + b >= 0.75 * e;
  };
  // A single tone may share its block with the next one of a sequence (SIT): a quarter of the
  // block's power is what a tone filling half of it gives.
  auto single = [&](double a) { return a >= kSingleMinPower && a >= 0.15 * e; };
  ProgressTone next = ProgressTone::Silence;
  switch (mode_) {
    case Mode::NorthAmerica:
      if (pair(p[2], p[3], p[0], p[1])) next = ProgressTone::Busy;
      else if (pair(p[1], p[2], p[0], p[3])) next = ProgressTone::Ringing;
      else if (pair(p[0], p[1], p[2], p[3])) next = ProgressTone::DialTone;
      else if (single(p[4])) next = ProgressTone::Special1;
      else if (single(p[5])) {
        if (state_ == ProgressTone::Special1 || state_ == ProgressTone::Special2) next = ProgressTone::Special2;
      } else if (single(p[6])) {
        if (state_ == ProgressTone::Special2 || state_ == ProgressTone::Sit) next = ProgressTone::Sit;
      } else if (e >= kTalkPower) {
        next = ProgressTone::Talking;
      }
      break;
    case Mode::CostaRica:
      if (single(p[0])) next = ProgressTone::Ringing;
      else if (e >= kTalkPower) next = ProgressTone::Talking;
      break;
    case Mode::Uk:
      if (single(p[1])) next = ProgressTone::NumberUnobtainable;
      else if (pair(p[0], p[2], p[1], p[1])) next = ProgressTone::DialTone;
      break;
  }
  if (next == state_) {
    ++count_;
  } else {
    state_ = next;
    count_ = 1;
  }
}

}  // namespace telephony::media
