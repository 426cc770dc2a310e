// Prompts played by a generator (media/channel_media.hpp): the channel's owner stays where it is
// (ConfBridge keeps the user in the room) while the prompts go out on the channel's strand.
#include <utility>  // before asio
#include <boost/asio/post.hpp>

#include <algorithm>

#include "telephony/engine.hpp"
#include "telephony/media/channel_media.hpp"
#include "telephony/media/file_format.hpp"
#include "telephony/media/playback.hpp"
#include "telephony/media/resampler.hpp"

namespace telephony::media {

namespace {

class PromptTask : public GeneratorTask {
 public:
  PromptTask(const Channel::Ptr& chan, std::vector<std::string> names, std::function<void()> on_done)
      : chan_(chan), names_(std::move(names)), on_done_(std::move(on_done)) {}
  std::string_view kind() const override { return "prompt"; }

 protected:
  void prepare(std::uint32_t rate) override { rate_ = rate; }

  bool fill(std::span<std::int16_t> out, std::uint32_t) override {
    std::size_t done = 0;
    while (done < out.size()) {
      if (!reader_ && !open_next()) break;
      auto pcm = reader_->read_slin();
      if (pcm.empty()) {
        reader_.reset();
        continue;
      }
      if (!resampler_) {
        const auto n = std::min(pcm.size(), out.size() - done);
        std::copy_n(pcm.begin(), n, out.begin() + static_cast<std::ptrdiff_t>(done));
        done += n;
      } else {
        tmp_.resize(resampler_->output_size(pcm.size()) + 1);
        const auto n = std::min(resampler_->process(pcm, tmp_), out.size() - done);
        std::copy_n(tmp_.begin(), n, out.begin() + static_cast<std::ptrdiff_t>(done));
        done += n;
      }
    }
    if (done > 0) return true;  // the last partial frame is padded with silence
    finish();
    return false;
  }

 private:
  // Opens the next prompt that can be played; false when none is left.
  bool open_next() {
    auto chan = chan_.lock();
    if (!chan) return false;
    auto& engine = chan->engine();
    while (next_ < names_.size()) {
      const auto& name = names_[next_++];
      const auto path = find_sound_file(engine.options().dirs.sounds, chan->language(), name, Format::slin(rate_));
      if (!path) {
        engine.log().warning("playback", chan->name() + ": " +
                                             sound_not_found_message(engine.options().dirs.sounds, chan->language(), name));
        continue;
      }
      auto r = AudioFileReader::open(*path);
      if (!r) {
        engine.log().warning("playback", chan->name() + ": " + r.error().to_string());
        continue;
      }
      resampler_.reset();
      if (r->rate() != rate_) {
        auto rs = Resampler::create(r->rate(), rate_);
        if (!rs) continue;
        resampler_.emplace(std::move(*rs));
      }
      reader_.emplace(std::move(*r));
      publish_playback_started(*chan, name, path->string());
      return true;
    }
    return false;
  }

  // The owner hears about the end after this tick has retired the generator (posted, so that a
  // generator it starts from on_done is not the one being retired).
  void finish() {
    auto chan = chan_.lock();
    if (!chan || !on_done_) return;
    boost::asio::post(chan->strand(), std::move(on_done_));
    on_done_ = nullptr;
  }

  std::weak_ptr<Channel> chan_;
  std::vector<std::string> names_;
  std::function<void()> on_done_;
  std::size_t next_ = 0;
  std::uint32_t rate_ = 8000;
  std::optional<AudioFileReader> reader_;
  std::optional<Resampler> resampler_;
  std::vector<std::int16_t> tmp_;
};

}  // namespace

std::shared_ptr<GeneratorTask> play_prompts_in_background(const Channel::Ptr& chan, std::vector<std::string> names,
                                                          std::function<void()> on_done) {
  auto task = std::make_shared<PromptTask>(chan, std::move(names), std::move(on_done));
  start_generator(chan, task);
  return task;
}

}  // namespace telephony::media
