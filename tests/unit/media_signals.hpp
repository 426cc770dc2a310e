// Test signals for the media unit tests (sines, speech-like noise, SNR with lag search).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <span>
#include <vector>

namespace media_test {

inline std::vector<std::int16_t> sine(std::uint32_t rate, double hz, std::size_t n, double amp = 10000,
                                      std::size_t offset = 0) {
  std::vector<std::int16_t> v(n);
  for (std::size_t i = 0; i < n; ++i)
    v[i] = static_cast<std::int16_t>(std::lround(amp * std::sin(2 * std::numbers::pi * hz * static_cast<double>(i + offset) / rate)));
  return v;
}

// Voiced-speech-like signal: a glottal pulse train (pitch gliding 100..180 Hz) through three
// formant resonators, with syllable-rate amplitude modulation, plus breath noise.
inline std::vector<std::int16_t> speech_like(std::size_t n, std::uint32_t seed = 1) {
  std::vector<std::int16_t> v(n);
  std::uint32_t lcg = seed;
  auto noise = [&] {
    lcg = lcg * 1664525u + 1013904223u;
    return static_cast<double>(static_cast<std::int32_t>(lcg >> 8) - (1 << 23)) / (1 << 23);
  };
  struct Res { double a1, a2, y1 = 0, y2 = 0; };
  auto make = [](double f, double bw) {
    const double r = std::exp(-std::numbers::pi * bw / 8000), w = 2 * std::numbers::pi * f / 8000;
    return Res{2 * r * std::cos(w), -r * r};
  };
  Res f[3] = {make(700, 90), make(1220, 110), make(2600, 160)};
  double phase = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / 8000;
    const double pitch = 140 + 40 * std::sin(2 * std::numbers::pi * 0.7 * t);
    phase += pitch / 8000;
    double x = 0;
    if (phase >= 1) {
      phase -= 1;
      x = 1.0;
    }
    x += 0.05 * noise();
    double y = 0;
    for (auto& r : f) {
      const double o = x + r.a1 * r.y1 + r.a2 * r.y2;
      r.y2 = r.y1;
      r.y1 = o;
      y += o;
    }
    const double env = 0.5 + 0.5 * std::sin(2 * std::numbers::pi * 4 * t);
    v[i] = static_cast<std::int16_t>(std::clamp(y * 2500 * env, -32000.0, 32000.0));
  }
  return v;
}

// SNR in dB of `got` against `ref`, after searching the delay in [0, max_lag] samples (codecs
// and resamplers delay the signal) and skipping `skip` warm-up samples.
inline double snr_db(std::span<const std::int16_t> ref, std::span<const std::int16_t> got,
                     std::size_t max_lag, std::size_t skip) {
  double best = -1e9;
  for (std::size_t lag = 0; lag <= max_lag; ++lag) {
    double sig = 0, err = 0;
    for (std::size_t i = skip; i + lag < got.size() && i < ref.size(); ++i) {
      const double r = ref[i], g = got[i + lag];
      sig += r * r;
      err += (r - g) * (r - g);
    }
    if (err > 0 && sig > 0) best = std::max(best, 10 * std::log10(sig / err));
  }
  return best;
}

}  // namespace media_test
