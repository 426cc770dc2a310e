// ChannelMedia (per-channel translation and DTMF DSP) and the generator tasks that feed a
// channel's write path (tones, milliwatt, inband DTMF).
#include "telephony/media/channel_media.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <cctype>
#include <cstring>

#include "channel_media_state.hpp"
#include "telephony/driver_abilities.hpp"
#include "telephony/engine.hpp"
#include "telephony/media/codec.hpp"
#include "telephony/media/dtmf.hpp"

namespace telephony {

namespace asio = boost::asio;

namespace {
Frame voice_copy(media::Format fmt, std::span<const std::uint8_t> bytes, std::uint32_t samples) {
  return Frame::voice(fmt, std::vector<std::uint8_t>(bytes.begin(), bytes.end()), samples);
}

std::uint32_t samples_in(media::Format fmt, std::size_t bytes, std::uint32_t fallback) {
  switch (fmt.codec) {
    case media::Codec::Slin: return static_cast<std::uint32_t>(bytes / 2);
    case media::Codec::Ulaw:
    case media::Codec::Alaw: return static_cast<std::uint32_t>(bytes);
    case media::Codec::G722: return static_cast<std::uint32_t>(bytes * 2);
    default: return fallback;  // Opus: same duration as the input frame
  }
}

// Samples of the output frame for an input frame of `in_samples` at `in_rate`.
std::uint32_t scaled(std::uint32_t in_samples, std::uint32_t in_rate, std::uint32_t out_rate) {
  return in_rate ? static_cast<std::uint32_t>(std::uint64_t(in_samples) * out_rate / in_rate) : in_samples;
}
}  // namespace

ChannelMedia::ChannelMedia() = default;
ChannelMedia::~ChannelMedia() = default;

void ChannelMedia::prepare_write(const Channel& chan, media::Format from) {
  if (from.is_none() || !from.is_audio() || from == chan.native_format()) return;
  if (write_path_ && write_path_->from() == from && write_path_->to() == chan.native_format()) return;
  auto p = media::TranslationGraph::shared().build_path(from, chan.native_format());
  if (p) write_path_.emplace(std::move(*p));
}

void ChannelMedia::write_translated(Channel& chan, ChannelTech& tech, const Frame& f) {
  const media::Format to = chan.native_format();
  if (!write_path_ || write_path_->to() != to) {
    auto p = media::TranslationGraph::shared().build_path(f.format, to);
    if (!p) {
      chan.engine().log().warning("media", chan.name() + ": no translation " + f.format.name() + " -> " +
                                               to.name() + ": " + p.error().to_string());
      return;
    }
    write_path_.emplace(std::move(*p));
  }
  auto out = write_path_->convert(f.format, f.data());
  if (!out) {
    chan.engine().log().warning("media", chan.name() + ": write translation failed: " + out.error().to_string());
    return;
  }
  if (out->empty()) return;  // an encoder accumulating a full frame
  const auto samples = samples_in(to, out->size(), scaled(f.samples, f.format.rate, to.rate));
  tech.write(chan, voice_copy(to, *out, samples));
}

bool ChannelMedia::process_inbound(Channel& chan, Frame& f, std::vector<Frame>& digits) {
  if (detect_dtmf && f.format.is_audio()) {
    std::span<const std::int16_t> pcm;
    if (f.format == media::Format::slin(8000)) {
      pcm = media::slin_samples(f.data());
    } else {
      if (!detect_path_ || detect_path_->from() != f.format) {
        auto p = media::TranslationGraph::shared().build_path(f.format, media::Format::slin(8000));
        if (p) detect_path_.emplace(std::move(*p));
      }
      if (detect_path_) {
        if (auto out = detect_path_->convert(f.format, f.data())) {
          detect_buf_.resize(out->size() / 2);
          std::memcpy(detect_buf_.data(), out->data(), detect_buf_.size() * 2);
          pcm = detect_buf_;
        }
      }
    }
    if (!detector_) detector_ = std::make_unique<media::DtmfDetector>();
    for (const auto& ev : detector_->process(pcm)) {
      if (ev.begin) {
        digits.push_back(Frame::dtmf_begin(ev.digit));
        digit_start_ = ev.sample;
      } else {
        const auto held = std::chrono::milliseconds((ev.sample - digit_start_) / 8);
        digits.push_back(Frame::dtmf_end(ev.digit, held));
      }
    }
  }
  if (!read_format.is_none() && f.format != read_format && f.format.is_audio()) {
    if (!read_path_ || read_path_->to() != read_format) {
      auto p = media::TranslationGraph::shared().build_path(f.format, read_format);
      if (!p) {
        chan.engine().log().warning("media", chan.name() + ": no translation " + f.format.name() + " -> " +
                                                 read_format.name());
        return false;
      }
      read_path_.emplace(std::move(*p));
    }
    auto out = read_path_->convert(f.format, f.data());
    if (!out || out->empty()) return false;
    const auto samples = samples_in(read_format, out->size(), scaled(f.samples, f.format.rate, read_format.rate));
    f = voice_copy(read_format, *out, samples);
  }
  return true;
}

}  // namespace telephony

namespace telephony::media {

std::uint32_t generation_rate(const Channel& chan) {
  const auto r = chan.native_format().rate;
  return (r == 8000 || r == 16000 || r == 48000) ? r : 8000;
}

void start_generator(const Channel::Ptr& chan, std::shared_ptr<GeneratorTask> task) {
  asio::dispatch(chan->strand(), [chan, task] {
    auto& m = chan->media_state();
    if (m.generator && m.generator != task) {
      m.generator->stop();
      m.generator->running_.store(false);
    }
    m.generator = task;
    if (chan->is_hung_up()) return;
    task->running_.store(true);
    task->rate_ = generation_rate(*chan);
    task->buf_.assign(samples_per_frame(task->rate_), 0);
    task->prepare(task->rate_);
    task->timer_ = std::make_unique<asio::steady_timer>(chan->strand());
    task->next_ = std::chrono::steady_clock::now();
    telephony::media_taps_changed(chan);  // a natively relayed leg goes back to frames first
    task->tick(chan);
  });
}

void stop_generator(const Channel::Ptr& chan) {
  asio::dispatch(chan->strand(), [chan] {
    auto& m = chan->media_state();
    if (m.generator) m.generator->stop();
  });
}

void GeneratorTask::tick(Channel::Ptr chan) {
  auto& m = chan->media_state();
  const bool current = m.generator.get() == this;
  if (!current || stop_requested_.load() || chan->is_hung_up() || !running_.load()) {
    running_.store(false);
    if (current) {
      m.generator.reset();
      telephony::media_taps_changed(chan);
    }
    return;
  }
  std::fill(buf_.begin(), buf_.end(), 0);
  if (!fill(buf_, rate_)) {
    running_.store(false);
    m.generator.reset();
    telephony::media_taps_changed(chan);
    return;
  }
  chan->write(Frame::voice(Format::slin(rate_), std::vector<std::uint8_t>(slin_bytes(buf_).begin(), slin_bytes(buf_).end()),
                           static_cast<std::uint32_t>(buf_.size())));
  frames_.fetch_add(1);
  // Absolute deadlines: a late wake-up shortens the next wait instead of shifting every frame.
  next_ += std::chrono::milliseconds(20);
  timer_->expires_at(next_);
  timer_->async_wait([self = shared_from_this(), chan](boost::system::error_code ec) {
    if (ec) {
      self->running_.store(false);
      return;
    }
    self->tick(chan);
  });
}

namespace {
class ToneTask : public GeneratorTask {
 public:
  explicit ToneTask(ToneSpec spec) : spec_(std::move(spec)) {}
  std::string_view kind() const override { return "tones"; }
  void prepare(std::uint32_t rate) override { gen_.emplace(spec_, rate); }
  bool fill(std::span<std::int16_t> out, std::uint32_t) override {
    if (gen_->finished()) return false;
    gen_->generate(out);
    return true;
  }

 private:
  ToneSpec spec_;
  std::optional<ToneGenerator> gen_;
};

class MilliwattTask : public GeneratorTask {
 public:
  explicit MilliwattTask(MilliwattKind k) : kind_(k) {}
  std::string_view kind() const override { return "milliwatt"; }
  void prepare(std::uint32_t rate) override { gen_.emplace(rate, kind_); }
  bool fill(std::span<std::int16_t> out, std::uint32_t) override {
    gen_->generate(out);
    return true;
  }

 private:
  MilliwattKind kind_;
  std::optional<MilliwattGenerator> gen_;
};

class InbandDtmfTask : public GeneratorTask {
 public:
  InbandDtmfTask(char digit, std::chrono::milliseconds on) : digit_(digit), on_(on) {}
  std::string_view kind() const override { return "dtmf"; }
  void prepare(std::uint32_t rate) override {
    gen_.emplace(rate);
    gen_->play(digit_, static_cast<std::uint32_t>(std::max<long>(on_.count(), 40)), 60);
  }
  bool fill(std::span<std::int16_t> out, std::uint32_t) override {
    if (!gen_->busy()) return false;
    gen_->generate(out);
    return true;
  }

 private:
  char digit_;
  std::chrono::milliseconds on_;
  std::optional<DtmfGenerator> gen_;
};
}  // namespace

Result<std::shared_ptr<GeneratorTask>> play_tones(const Channel::Ptr& chan, ToneSpec spec) {
  auto task = std::make_shared<ToneTask>(std::move(spec));
  start_generator(chan, task);
  return std::shared_ptr<GeneratorTask>(task);
}

Result<std::shared_ptr<GeneratorTask>> play_tones(const Channel::Ptr& chan, std::string_view spec_or_name,
                                                  std::string_view zone) {
  std::string_view text = spec_or_name;
  if (auto ind = find_indication(zone, spec_or_name)) {
    text = *ind;
  } else if (!spec_or_name.empty() && std::isalpha(static_cast<unsigned char>(spec_or_name.front())) &&
             spec_or_name.front() != 'M') {
    return fail("no indication '" + std::string(spec_or_name) + "' in tone zone '" + std::string(zone) + "'",
                "PlayTones");
  }
  auto spec = parse_tone_spec(text);
  if (!spec) return fail(spec.error().message, "PlayTones(" + std::string(text) + ") " + spec.error().where);
  return play_tones(chan, std::move(*spec));
}

std::shared_ptr<GeneratorTask> play_milliwatt(const Channel::Ptr& chan, MilliwattKind kind) {
  auto task = std::make_shared<MilliwattTask>(kind);
  start_generator(chan, task);
  return task;
}

Result<std::shared_ptr<GeneratorTask>> ring_with_tones(const Channel::Ptr& chan, std::string_view zone) {
  chan->indicate(Control::Ringing);
  return play_tones(chan, "ring", zone);
}

void start_inband_dtmf(const Channel::Ptr& chan, char digit, std::chrono::milliseconds on) {
  if (!dtmf_tones(digit)) return;
  start_generator(chan, std::make_shared<InbandDtmfTask>(digit, on));
}

}  // namespace telephony::media
