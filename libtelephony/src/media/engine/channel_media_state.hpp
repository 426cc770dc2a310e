// ChannelMedia: the media engine's per-channel state, owned by Channel and touched only on the
// channel's strand, but for the published_* atomics that other threads read. Internal to the
// library: Channel calls it for voice that needs translation or DSP, and the media engine
// (playback, generators) keeps the channel's active generator here.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "telephony/channel.hpp"
#include "telephony/media/dtmf.hpp"
#include "telephony/media/translator.hpp"

namespace telephony {

namespace media {
class GeneratorTask;
}

class ChannelMedia {
 public:
  ChannelMedia();
  ~ChannelMedia();

  media::Format write_format;  // announced by set_write_format (None: not announced)
  media::Format read_format;   // None: deliver as the device sent it
  bool detect_dtmf = false;
  // The three above as Channel's any-thread getters see them (write_format(), read_format(),
  // dtmf_detection()): stored by the setters, read without a lock. A packed media::Format
  // (channel.cpp pack_format); 0 is Codec::None, "not set".
  std::atomic<std::uint64_t> published_write_format{0};
  std::atomic<std::uint64_t> published_read_format{0};
  std::atomic<bool> published_detect_dtmf{false};

  // Voice written in `f.format` that the device does not speak: translate and hand to the tech.
  void write_translated(Channel& chan, ChannelTech& tech, const Frame& f);
  // Inbound voice: runs DTMF detection (appending DtmfBegin/End frames to `digits`) and read
  // format translation (replacing `f`). Returns false when the frame should be dropped.
  bool process_inbound(Channel& chan, Frame& f, std::vector<Frame>& digits);
  // Pre-builds the write path for `from` (set_write_format).
  void prepare_write(const Channel& chan, media::Format from);

  // The one generator (tones, MOH, inband DTMF) that currently feeds this channel's write path.
  std::shared_ptr<media::GeneratorTask> generator;

 private:
  std::optional<media::TranslatorPath> write_path_;
  std::optional<media::TranslatorPath> read_path_;
  std::optional<media::TranslatorPath> detect_path_;  // inbound voice -> slin 8 kHz for the detector
  std::unique_ptr<media::DtmfDetector> detector_;
  std::vector<std::int16_t> detect_buf_;
  std::uint64_t digit_start_ = 0;
};

}  // namespace telephony

namespace telephony::media {
// send_digit() on a channel whose tech wants inband DTMF: the digit's tones are generated into
// the write path for `on` (then 50 ms of silence) by a generator task on the channel strand.
void start_inband_dtmf(const Channel::Ptr& chan, char digit, std::chrono::milliseconds on);
}  // namespace telephony::media
