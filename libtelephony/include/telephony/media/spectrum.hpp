// Spectrum probes: Goertzel power at one frequency and a dominant-frequency search.
//
// The DTMF detector uses goertzel_power() on fixed blocks; tests and tone checks use
// dominant_frequency() to say "this buffer is a 1 kHz tone" without an FFT library. Pure
// functions, no allocation.
#pragma once

#include <cstdint>
#include <span>

namespace telephony::media {

// Power of `freq_hz` in `samples`, normalised so that a full-buffer sine of amplitude A yields
// about A*A/2 (the sine's mean power) independent of the buffer length.
double goertzel_power(std::span<const std::int16_t> samples, std::uint32_t rate, double freq_hz);

// Mean power of the buffer (sum of squares / N).
double mean_power(std::span<const std::int16_t> samples);

// Frequency in [lo_hz, hi_hz] with the highest Goertzel power, searched at `step_hz`
// resolution and then refined by a parabolic fit over the neighbouring steps.
double dominant_frequency(std::span<const std::int16_t> samples, std::uint32_t rate,
                          double lo_hz = 50, double hi_hz = 4000, double step_hz = 5);

// Level in dB relative to full-scale sine (0 dBFS = amplitude 32767).
double power_dbfs(double mean_power);

}  // namespace telephony::media
