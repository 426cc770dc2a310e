// Internal: the audio taps ChanSpy and ExtenSpy put on channels (telephony/audiohook.hpp).
//
// SpyTap sits on the spied channel and copies both directions of its voice, as signed-linear
// 8 kHz, into two single-producer/single-consumer rings that the spying channel drains on its own
// strand. WhisperTap sits on a channel whose hearing the spy joins (the spied channel for whisper,
// its bridge peer as well for barge) and mixes what the spy says, from a ring the spy fills, into
// the voice written to that channel's device. Between the two calls only the rings' atomic
// indices are shared: no lock, no post per frame, and — once the rings, the translation paths and
// the frame pools exist — no allocation per frame (tests/alloc/chanspy_alloc_test.cpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "telephony/audiohook.hpp"
#include "telephony/frame.hpp"
#include "telephony/media/translator.hpp"

namespace telephony::dialplan::spy {

inline constexpr std::uint32_t kRate = 8000;

// Fixed-capacity ring of samples written by one strand and read by another.
class SampleRing {
 public:
  explicit SampleRing(std::size_t capacity) : buf_(capacity) {}
  // Producer: appends what fits and drops the rest (the reader is late; its backlog stays bounded).
  void push(std::span<const std::int16_t> in);
  // Consumer side.
  std::size_t available() const;
  // Adds (saturating) up to out.size() samples into out; returns how many.
  std::size_t pop_mix(std::span<std::int16_t> out);
  void drop(std::size_t n);

 private:
  std::vector<std::int16_t> buf_;
  std::atomic<std::size_t> read_{0}, write_{0};  // running counts; index = count % capacity
};

// A voice frame as slin 8 kHz samples: a view of the frame itself when it already is, else through
// a translation path built on first use (and rebuilt by the path when the format changes).
class SlinView {
 public:
  std::span<const std::int16_t> of(const Frame& f);

 private:
  std::optional<media::TranslatorPath> path_;
};

// Voice frames whose payloads are recycled once every consumer dropped them (use count back to
// one): the spy's output and the whispered frames cost no allocation in steady state.
class PcmFramePool {
 public:
  static constexpr std::size_t kMaxSamples = 960;  // 120 ms per frame at most
  Frame make(std::span<const std::int16_t> pcm);

 private:
  std::vector<std::shared_ptr<std::vector<std::uint8_t>>> slots_;
  std::size_t next_ = 0;
};

// Scales by Asterisk's audiohook volume factor: v > 0 multiplies by v, v < 0 divides by -v.
void apply_volume(std::span<std::int16_t> pcm, int factor);

class SpyTap : public AudioHook {
 public:
  // read_only: only what the spied channel says (option o), not what it hears.
  explicit SpyTap(bool read_only);
  std::string_view kind() const override { return "ChanSpy"; }
  void on_frame(Channel& chan, Direction dir, Frame& f) override;
  void on_detach(Channel&) override { detached_.store(true); }
  bool detached() const { return detached_.load(); }

  // Spy strand: mixes up to out.size() samples of the call into out (zeroed first) and returns
  // how many. Both directions go out together; one that lags more than 100 ms is stood in for by
  // silence so a one-way call is still heard.
  std::size_t mix_into(std::span<std::int16_t> out);

 private:
  const bool read_only_;
  SlinView read_view_, write_view_;
  SampleRing read_, write_;
  std::atomic<bool> detached_{false};
};

class WhisperTap : public AudioHook {
 public:
  WhisperTap();
  std::string_view kind() const override { return "ChanSpy"; }
  void on_frame(Channel& chan, Direction dir, Frame& f) override;
  // Spy strand: what the spy says, to be mixed into what this channel hears.
  void say(std::span<const std::int16_t> pcm) { ring_.push(pcm); }

 private:
  SampleRing ring_;
  SlinView view_;
  std::vector<std::int16_t> scratch_;
  PcmFramePool pool_;
};

}  // namespace telephony::dialplan::spy
