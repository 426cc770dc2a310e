// G.722: 7 kHz wideband audio at 64 kbit/s (ITU-T G.722, mode 1), the "HD voice" codec of
// most desk phones.
//
// Sub-band ADPCM: a 24-tap QMF splits 16 kHz slin into a 0-4 kHz band coded with 6 bits per
// sample and a 4-8 kHz band coded with 2 bits, one byte per pair of input samples. Written from
// the arithmetic in the ITU-T recommendation; encoder and decoder each keep their adaptive
// predictor state, so one object serves one stream. No allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace telephony::media {

namespace g722_detail {
struct Band {
  int s = 0, sp = 0, sz = 0;
  int r[3] = {0, 0, 0};
  int a[3] = {0, 0, 0}, ap[3] = {0, 0, 0};
  int p[3] = {0, 0, 0};
  int d[7] = {0, 0, 0, 0, 0, 0, 0};
  int b[7] = {0, 0, 0, 0, 0, 0, 0}, bp[7] = {0, 0, 0, 0, 0, 0, 0};
  int sg[7] = {0, 0, 0, 0, 0, 0, 0};
  int nb = 0;
  int det = 0;
};
}  // namespace g722_detail

class G722Encoder {
 public:
  G722Encoder();
  // 16 kHz slin in, one byte per two samples out (an odd trailing sample is held for the next
  // call). Returns bytes written; `out` needs (in.size() + 1) / 2 bytes.
  std::size_t encode(std::span<const std::int16_t> in, std::span<std::uint8_t> out);

 private:
  int x_[24] = {};
  g722_detail::Band band_[2];
  std::int16_t held_ = 0;
  bool have_held_ = false;
};

class G722Decoder {
 public:
  G722Decoder();
  // Two 16 kHz samples per input byte; `out` needs 2 * in.size() samples.
  std::size_t decode(std::span<const std::uint8_t> in, std::span<std::int16_t> out);

 private:
  int x_[24] = {};
  g722_detail::Band band_[2];
};

}  // namespace telephony::media
