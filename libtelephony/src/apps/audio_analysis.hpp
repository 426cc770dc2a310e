// Internal: what the audio-analysis applications (AMD, WaitForSilence, WaitForNoise,
// BackgroundDetect, WaitForTone, ToneScan) share — a signed-linear view of an inbound voice frame,
// and the channel's read format switched to slin for the duration of the analysis.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "telephony/channel.hpp"
#include "telephony/media/codec.hpp"
#include "telephony/media/translator.hpp"

namespace telephony::dialplan {

// The frame's samples as slin: a view of the payload when it is slin already, else G.711 decoded
// into `scratch` (which keeps its capacity, so steady state does not allocate). Empty for other
// codecs (the read format normally makes every frame slin before it gets here).
inline std::span<const std::int16_t> slin_view(const Frame& f, std::vector<std::int16_t>& scratch) {
  const auto data = f.data();
  switch (f.format.codec) {
    case media::Codec::Slin: return media::slin_samples(data);
    case media::Codec::Ulaw:
      scratch.resize(data.size());
      media::g711::ulaw_decode(data, scratch);
      return scratch;
    case media::Codec::Alaw:
      scratch.resize(data.size());
      media::g711::alaw_decode(data, scratch);
      return scratch;
    default: return {};
  }
}

// Sets the read format to slin 8 kHz and puts the previous one back when it goes.
class SlinReadFormat {
 public:
  explicit SlinReadFormat(Channel& chan) : chan_(chan), previous_(chan.read_format()) {
    chan_.set_read_format(media::Format::slin());
  }
  ~SlinReadFormat() { chan_.set_read_format(previous_); }
  SlinReadFormat(const SlinReadFormat&) = delete;
  SlinReadFormat& operator=(const SlinReadFormat&) = delete;

 private:
  Channel& chan_;
  media::Format previous_;
};

}  // namespace telephony::dialplan
