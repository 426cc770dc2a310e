// ChanSpy's audio taps: the rings between the spied call and the spy, and the per-frame work on
// each side (spy_taps.hpp).
#include "apps/spy_taps.hpp"

#include <algorithm>
#include <cstring>

namespace telephony::dialplan::spy {

namespace {

constexpr std::size_t kSpyRing = kRate;          // 1 s per direction before the spy is deemed late
constexpr std::size_t kWhisperRing = kRate / 5;  // 200 ms: whispered speech never lags further
constexpr std::size_t kLagTolerance = kRate / 10;
constexpr std::size_t kMaxPoolSlots = 64;

std::int16_t saturate(std::int32_t v) {
  return static_cast<std::int16_t>(std::clamp(v, -32768, 32767));
}

}  // namespace

// --- SampleRing ----------------------------------------------------------------------------------

void SampleRing::push(std::span<const std::int16_t> in) {
  const std::size_t w = write_.load(std::memory_order_relaxed);
  const std::size_t r = read_.load(std::memory_order_acquire);
  const std::size_t n = std::min(in.size(), buf_.size() - (w - r));
  for (std::size_t i = 0; i < n; ++i) buf_[(w + i) % buf_.size()] = in[i];
  write_.store(w + n, std::memory_order_release);
}

std::size_t SampleRing::available() const {
  return write_.load(std::memory_order_acquire) - read_.load(std::memory_order_relaxed);
}

std::size_t SampleRing::pop_mix(std::span<std::int16_t> out) {
  const std::size_t r = read_.load(std::memory_order_relaxed);
  const std::size_t n = std::min(out.size(), write_.load(std::memory_order_acquire) - r);
  for (std::size_t i = 0; i < n; ++i)
    out[i] = saturate(std::int32_t{out[i]} + buf_[(r + i) % buf_.size()]);
  read_.store(r + n, std::memory_order_release);
  return n;
}

void SampleRing::drop(std::size_t n) {
  const std::size_t r = read_.load(std::memory_order_relaxed);
  n = std::min(n, write_.load(std::memory_order_acquire) - r);
  read_.store(r + n, std::memory_order_release);
}

// --- frames
// ---------------------------------------------------------------------------------------

std::span<const std::int16_t> SlinView::of(const Frame& f) {
  const auto slin = media::Format::slin(kRate);
  if (f.format == slin) return media::slin_samples(f.data());
  if (!path_) {
    auto p = media::TranslationGraph::shared().build_path(f.format, slin);
    if (!p) return {};
    path_.emplace(std::move(*p));
  }
  auto out = path_->convert(f.format, f.data());
  if (!out) return {};
  return media::slin_samples(*out);
}

Frame PcmFramePool::make(std::span<const std::int16_t> pcm) {
  const std::size_t bytes = pcm.size() * 2;
  auto fill = [&](std::vector<std::uint8_t>& v) {
    v.resize(bytes);  // within the reserve: no allocation
    std::memcpy(v.data(), pcm.data(), bytes);
  };
  for (std::size_t n = 0; n < slots_.size(); ++n) {
    auto& slot = slots_[next_];
    next_ = (next_ + 1) % slots_.size();
    if (slot.use_count() == 1) {
      // Every consumer released it; acquire pairs with their release of the count.
      std::atomic_thread_fence(std::memory_order_acquire);
      fill(*slot);
      return Frame::voice(media::Format::slin(kRate),
                          std::shared_ptr<const std::vector<std::uint8_t>>(slot),
                          static_cast<std::uint32_t>(pcm.size()));
    }
  }
  auto fresh = std::make_shared<std::vector<std::uint8_t>>();
  fresh->reserve(kMaxSamples * 2);
  fill(*fresh);
  if (slots_.size() < kMaxPoolSlots) slots_.push_back(fresh);
  return Frame::voice(media::Format::slin(kRate),
                      std::shared_ptr<const std::vector<std::uint8_t>>(fresh),
                      static_cast<std::uint32_t>(pcm.size()));
}

void apply_volume(std::span<std::int16_t> pcm, int factor) {
  if (factor > 1)
    for (auto& s : pcm) s = saturate(std::int32_t{s} * factor);
  else if (factor < -1)
    for (auto& s : pcm) s = static_cast<std::int16_t>(s / -factor);
}

// --- SpyTap
// ---------------------------------------------------------------------------------------

SpyTap::SpyTap(bool read_only) : read_only_(read_only), read_(kSpyRing), write_(kSpyRing) {}

void SpyTap::on_frame(Channel&, Direction dir, Frame& f) {
  if (f.kind != FrameKind::Voice || !f.format.is_audio()) return;
  if (dir == Direction::Write && read_only_) return;
  auto pcm = (dir == Direction::Read ? read_view_ : write_view_).of(f);
  (dir == Direction::Read ? read_ : write_).push(pcm);
}

std::size_t SpyTap::mix_into(std::span<std::int16_t> out) {
  const std::size_t r = read_.available(), w = read_only_ ? 0 : write_.available();
  std::size_t n = read_only_ ? r : std::min(r, w);
  const std::size_t lead = std::max(r, w);
  if (!read_only_ && lead > kLagTolerance) n = std::max(n, lead - kLagTolerance);
  n = std::min(n, out.size());
  std::fill_n(out.begin(), n, std::int16_t{0});
  read_.pop_mix(out.first(n));
  if (!read_only_) write_.pop_mix(out.first(n));
  return n;
}

// --- WhisperTap
// -----------------------------------------------------------------------------------

WhisperTap::WhisperTap() : ring_(kWhisperRing) { scratch_.reserve(PcmFramePool::kMaxSamples); }

void WhisperTap::on_frame(Channel&, Direction dir, Frame& f) {
  if (dir != Direction::Write || f.kind != FrameKind::Voice || !f.format.is_audio()) return;
  if (ring_.available() == 0) return;
  auto pcm = view_.of(f);
  if (pcm.empty() || pcm.size() > PcmFramePool::kMaxSamples) return;
  scratch_.assign(pcm.begin(), pcm.end());
  ring_.pop_mix(scratch_);
  f = pool_.make(scratch_);
}

}  // namespace telephony::dialplan::spy
