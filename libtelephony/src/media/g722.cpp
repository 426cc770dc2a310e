// ITU-T G.722 64 kbit/s sub-band ADPCM.
#include "telephony/media/g722.hpp"

#include <algorithm>

namespace telephony::media {
namespace {

using g722_detail::Band;

int sat16(int v) { return std::clamp(v, -32768, 32767); }

// QMF coefficients (G.722 Table 11), used symmetrically over 24 taps.
constexpr int kQmf[12] = {3, -11, 12, 32, -210, 951, 3876, -805, 362, -156, 53, -11};

// Lower band: 6-bit quantizer decision levels and the code words for each interval.
constexpr int kQ6[32] = {0,    35,   72,   110,  150,  190,  233,  276,  323,  370,  422,
                         473,  530,  587,  650,  714,  786,  858,  940,  1023, 1121, 1219,
                         1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919, 0,    0};
constexpr int kIln[32] = {0,  63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19,
                          18, 17, 16, 15, 14, 13, 12, 11, 10, 9,  8,  7,  6,  5,  4,  0};
constexpr int kIlp[32] = {0,  61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47,
                          46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 0};
// Inverse quantizers: 4-bit (for prediction) and 6-bit (for reconstruction).
constexpr int kQm4[16] = {0,     -20456, -12896, -8968, -6288, -4240, -2584, -1200,
                          20456, 12896,  8968,   6288,  4240,  2584,  1200,  0};
constexpr int kQm6[64] = {
    -136,   -136,   -136,   -136,   -24808, -21904, -19008, -16704, -14984, -13512, -12280,
    -11192, -10232, -9360,  -8576,  -7856,  -7192,  -6576,  -6000,  -5456,  -4944,  -4464,
    -4008,  -3576,  -3168,  -2776,  -2400,  -2032,  -1688,  -1360,  -1040,  -728,   24808,
    21904,  19008,  16704,  14984,  13512,  12280,  11192,  10232,  9360,   8576,   7856,
    7192,   6576,   6000,   5456,   4944,   4464,   4008,   3576,   3168,   2776,   2400,
    2032,   1688,   1360,   1040,   728,    432,    136,    -432,   -136};
// Log scale factor adaptation (lower band) and the inverse log table.
constexpr int kWl[8] = {-60, -30, 58, 172, 334, 538, 1198, 3042};
constexpr int kRl42[16] = {0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0};
constexpr int kIlb[32] = {2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543,
                          2599, 2656, 2714, 2774, 2834, 2896, 2960, 3025, 3091, 3158, 3228,
                          3298, 3371, 3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008};
// Higher band: 2-bit quantizer.
constexpr int kIhn[3] = {0, 1, 0};
constexpr int kIhp[3] = {0, 3, 2};
constexpr int kQm2[4] = {-7408, -1616, 7408, 1616};
constexpr int kWh[3] = {0, -214, 798};
constexpr int kRh2[4] = {2, 1, 2, 1};

// Scale factor from the log domain: 2^(nb / 2048) via the 32-entry mantissa table.
int scale_factor(int nb, int shift_base) {
  const int mant = (nb >> 6) & 31;
  const int exp = shift_base - (nb >> 11);
  const int v = exp < 0 ? kIlb[mant] << -exp : kIlb[mant] >> exp;
  return v << 2;
}

// Adaptive predictor update (pole-zero, G.722 blocks 4L/4H), given the quantized difference.
void update_predictor(Band& b, int d) {
  b.d[0] = d;
  b.r[0] = sat16(b.s + d);
  b.p[0] = sat16(b.sz + d);

  // Sixth-order zero section: sign-sign LMS with leakage.
  const int step = d == 0 ? 0 : 128;
  b.sg[0] = d >> 15;
  for (int i = 1; i < 7; ++i) {
    b.sg[i] = b.d[i] >> 15;
    const int wd2 = b.sg[i] == b.sg[0] ? step : -step;
    const int wd3 = (b.b[i] * 32640) >> 15;
    b.bp[i] = sat16(wd2 + wd3);
  }

  // Second pole, then first pole with the stability constraint |a1| <= 15360 - a2.
  b.sg[0] = b.p[0] >> 15;
  b.sg[1] = b.p[1] >> 15;
  b.sg[2] = b.p[2] >> 15;
  int wd1 = sat16(b.a[1] * 4);
  int wd2 = b.sg[0] == b.sg[1] ? -wd1 : wd1;
  if (wd2 > 32767) wd2 = 32767;
  int wd3 = (wd2 >> 7) + (b.sg[0] == b.sg[2] ? 128 : -128);
  wd3 += (b.a[2] * 32512) >> 15;
  b.ap[2] = std::clamp(wd3, -12288, 12288);

  wd1 = b.sg[0] == b.sg[1] ? 192 : -192;
  wd2 = (b.a[1] * 32640) >> 15;
  b.ap[1] = sat16(wd1 + wd2);
  wd3 = sat16(15360 - b.ap[2]);
  b.ap[1] = std::clamp(b.ap[1], -wd3, wd3);

  for (int i = 6; i > 0; --i) {
    b.d[i] = b.d[i - 1];
    b.b[i] = b.bp[i];
  }
  for (int i = 2; i > 0; --i) {
    b.r[i] = b.r[i - 1];
    b.p[i] = b.p[i - 1];
    b.a[i] = b.ap[i];
  }

  // Predicted signal: pole part from reconstructed signal, zero part from differences.
  wd1 = (b.a[1] * sat16(b.r[1] + b.r[1])) >> 15;
  wd2 = (b.a[2] * sat16(b.r[2] + b.r[2])) >> 15;
  b.sp = sat16(wd1 + wd2);
  b.sz = 0;
  for (int i = 6; i > 0; --i) b.sz += (b.b[i] * sat16(b.d[i] + b.d[i])) >> 15;
  b.sz = sat16(b.sz);
  b.s = sat16(b.sp + b.sz);
}

void adapt_low(Band& b, int ilow4) {
  const int wd = (b.nb * 127) >> 7;
  b.nb = std::clamp(wd + kWl[kRl42[ilow4]], 0, 18432);
  b.det = scale_factor(b.nb, 8);
}

void adapt_high(Band& b, int ihigh) {
  const int wd = (b.nb * 127) >> 7;
  b.nb = std::clamp(wd + kWh[kRh2[ihigh]], 0, 22528);
  b.det = scale_factor(b.nb, 10);
}

}  // namespace

G722Encoder::G722Encoder() {
  band_[0].det = 32;
  band_[1].det = 8;
}

std::size_t G722Encoder::encode(std::span<const std::int16_t> in, std::span<std::uint8_t> out) {
  std::size_t o = 0, i = 0;
  auto next = [&]() -> int { return in[i++]; };
  while (o < out.size()) {
    int s0, s1;
    if (have_held_) {
      if (i >= in.size()) break;
      s0 = held_;
      have_held_ = false;
      s1 = next();
    } else {
      if (i + 1 >= in.size()) {
        if (i < in.size()) {
          held_ = static_cast<std::int16_t>(in[i++]);
          have_held_ = true;
        }
        break;
      }
      s0 = next();
      s1 = next();
    }
    // Transmit QMF: shift two samples in, split into low and high band.
    std::copy(x_ + 2, x_ + 24, x_);
    x_[22] = s0;
    x_[23] = s1;
    int sumodd = 0, sumeven = 0;
    for (int k = 0; k < 12; ++k) {
      sumodd += x_[2 * k] * kQmf[k];
      sumeven += x_[2 * k + 1] * kQmf[11 - k];
    }
    const int xlow = (sumeven + sumodd) >> 14;
    const int xhigh = (sumeven - sumodd) >> 14;

    // Lower band: 6-bit quantization of the prediction error.
    Band& lo = band_[0];
    const int el = sat16(xlow - lo.s);
    const int wd = el >= 0 ? el : -(el + 1);
    int q = 1;
    while (q < 30 && wd >= (kQ6[q] * lo.det) >> 12) ++q;
    const int ilow = el < 0 ? kIln[q] : kIlp[q];
    const int dlow = (lo.det * kQm4[ilow >> 2]) >> 15;
    adapt_low(lo, ilow >> 2);
    update_predictor(lo, dlow);

    // Higher band: 2-bit quantization.
    Band& hi = band_[1];
    const int eh = sat16(xhigh - hi.s);
    const int wdh = eh >= 0 ? eh : -(eh + 1);
    const int mih = wdh >= ((564 * hi.det) >> 12) ? 2 : 1;
    const int ihigh = eh < 0 ? kIhn[mih] : kIhp[mih];
    const int dhigh = (hi.det * kQm2[ihigh]) >> 15;
    adapt_high(hi, ihigh);
    update_predictor(hi, dhigh);

    out[o++] = static_cast<std::uint8_t>((ihigh << 6) | ilow);
  }
  return o;
}

G722Decoder::G722Decoder() {
  band_[0].det = 32;
  band_[1].det = 8;
}

std::size_t G722Decoder::decode(std::span<const std::uint8_t> in, std::span<std::int16_t> out) {
  std::size_t o = 0;
  for (std::uint8_t code : in) {
    if (o + 2 > out.size()) break;
    const int ilow = code & 0x3F;
    const int ihigh = (code >> 6) & 0x03;

    Band& lo = band_[0];
    const int dlow6 = (lo.det * kQm6[ilow]) >> 15;
    const int rlow = std::clamp(lo.s + dlow6, -16384, 16383);
    const int dlow4 = (lo.det * kQm4[ilow >> 2]) >> 15;
    adapt_low(lo, ilow >> 2);
    update_predictor(lo, dlow4);

    Band& hi = band_[1];
    const int dhigh = (hi.det * kQm2[ihigh]) >> 15;
    const int rhigh = std::clamp(dhigh + hi.s, -16384, 16383);
    adapt_high(hi, ihigh);
    update_predictor(hi, dhigh);

    // Receive QMF: recombine the bands into two 16 kHz samples.
    std::copy(x_ + 2, x_ + 24, x_);
    x_[22] = rlow + rhigh;
    x_[23] = rlow - rhigh;
    int xout1 = 0, xout2 = 0;
    for (int k = 0; k < 12; ++k) {
      xout2 += x_[2 * k] * kQmf[k];
      xout1 += x_[2 * k + 1] * kQmf[11 - k];
    }
    out[o++] = static_cast<std::int16_t>(sat16(xout1 >> 11));
    out[o++] = static_cast<std::int16_t>(sat16(xout2 >> 11));
  }
  return o;
}

}  // namespace telephony::media
