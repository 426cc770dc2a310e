#include "telephony/media/spectrum.hpp"

#include <cmath>
#include <numbers>

namespace telephony::media {

double goertzel_power(std::span<const std::int16_t> x, std::uint32_t rate, double freq) {
  if (x.empty()) return 0;
  const double w = 2.0 * std::numbers::pi * freq / rate;
  const double coeff = 2.0 * std::cos(w);
  double s1 = 0, s2 = 0;
  for (std::int16_t v : x) {
    const double s0 = v + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;  // |X(f)|^2
  const double n = static_cast<double>(x.size());
  return 2.0 * power / (n * n);  // sine of amplitude A -> A^2/2
}

double mean_power(std::span<const std::int16_t> x) {
  if (x.empty()) return 0;
  double e = 0;
  for (std::int16_t v : x) e += static_cast<double>(v) * v;
  return e / static_cast<double>(x.size());
}

double dominant_frequency(std::span<const std::int16_t> x, std::uint32_t rate, double lo,
                          double hi, double step) {
  double best_f = lo, best_p = -1, prev_p = 0, next_p = 0;
  double last_p = 0;
  bool capture_next = false;
  for (double f = lo; f <= hi; f += step) {
    const double p = goertzel_power(x, rate, f);
    if (capture_next) {
      next_p = p;
      capture_next = false;
    }
    if (p > best_p) {
      best_p = p;
      best_f = f;
      prev_p = last_p;
      capture_next = true;
      next_p = 0;
    }
    last_p = p;
  }
  // Parabolic interpolation between the neighbours refines the estimate below `step`.
  const double denom = prev_p - 2 * best_p + next_p;
  if (denom < 0 && best_f > lo && best_f + step <= hi) {
    const double delta = 0.5 * (prev_p - next_p) / denom;
    if (delta > -1 && delta < 1) return best_f + delta * step;
  }
  return best_f;
}

double power_dbfs(double p) {
  constexpr double kFullScale = 32767.0 * 32767.0 / 2.0;
  if (p <= 0) return -200;
  return 10.0 * std::log10(p / kFullScale);
}

}  // namespace telephony::media
