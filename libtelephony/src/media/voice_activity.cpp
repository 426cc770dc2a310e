// Energy silence detection (see media/voice_activity.hpp).
#include "telephony/media/voice_activity.hpp"

#include <cstdlib>

namespace telephony::media {

bool SilenceDetector::process(std::span<const std::int16_t> samples, std::uint32_t rate) {
  if (samples.empty() || rate == 0) return silence_ms_ > 0;
  long long accum = 0;
  for (auto s : samples) accum += std::abs(static_cast<int>(s));
  const long long mean = accum / static_cast<long long>(samples.size());
  const int ms = static_cast<int>(samples.size() * 1000 / rate);
  if (mean < threshold_) {
    silence_ms_ += ms;
    noise_ms_ = 0;
    return true;
  }
  noise_ms_ += ms;
  silence_ms_ = 0;
  return false;
}

}  // namespace telephony::media
