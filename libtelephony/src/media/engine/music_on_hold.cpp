// Music on hold classes and their generator (media/music_on_hold.hpp).
#include "telephony/media/music_on_hold.hpp"

#include <algorithm>
#include <random>

#include "telephony/media/file_format.hpp"
#include "telephony/media/resampler.hpp"
#include "telephony/media/tone.hpp"

namespace telephony::media {

namespace {
std::vector<std::filesystem::path> playable_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (!e.is_regular_file()) continue;
    const auto ext = e.path().extension().string();
    if (ext.size() > 1 && audio_file_type_for_extension(ext.substr(1))) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class MohFilesTask : public GeneratorTask {
 public:
  MohFilesTask(std::vector<std::filesystem::path> files, bool random, unsigned seed)
      : files_(std::move(files)), random_(random), rng_(seed ? seed : std::random_device{}()) {}
  std::string_view kind() const override { return "moh"; }
  void prepare(std::uint32_t rate) override {
    rate_ = rate;
    if (random_) std::shuffle(files_.begin(), files_.end(), rng_);
  }
  bool fill(std::span<std::int16_t> out, std::uint32_t) override {
    std::size_t done = 0;
    int misses = 0;
    while (done < out.size()) {
      if (!reader_ || reader_exhausted_) {
        if (!open_next() && ++misses > static_cast<int>(files_.size())) return false;  // nothing playable
        continue;
      }
      // Pull file samples at the file's rate; convert to the channel rate when they differ.
      auto pcm = reader_->read_slin();
      if (pcm.empty()) {
        reader_exhausted_ = true;
        continue;
      }
      if (reader_->rate() == rate_) {
        // read_slin hands 20 ms at the file rate, which equals the frame here.
        const auto n = std::min(pcm.size(), out.size() - done);
        std::copy_n(pcm.begin(), n, out.begin() + done);
        done += n;
      } else {
        tmp_.resize(resampler_->output_size(pcm.size()) + 1);
        const auto n = std::min(resampler_->process(pcm, tmp_), out.size() - done);
        std::copy_n(tmp_.begin(), n, out.begin() + done);
        done += n;
      }
    }
    return true;
  }

 private:
  bool open_next() {
    if (files_.empty()) return false;
    const auto& path = files_[next_++ % files_.size()];
    auto r = AudioFileReader::open(path);
    if (!r) return false;
    reader_.emplace(std::move(*r));
    reader_exhausted_ = false;
    if (reader_->rate() != rate_) {
      auto rs = Resampler::create(reader_->rate(), rate_);
      if (!rs) return false;
      resampler_.emplace(std::move(*rs));
    }
    return true;
  }
  std::vector<std::filesystem::path> files_;
  bool random_;
  std::mt19937 rng_;
  std::uint32_t rate_ = 8000;
  std::size_t next_ = 0;
  std::optional<AudioFileReader> reader_;
  bool reader_exhausted_ = true;
  std::optional<Resampler> resampler_;
  std::vector<std::int16_t> tmp_;
};
}  // namespace

Result<std::vector<MohClass>, Errors> moh_classes_from_config(const config::ConfigFile& file,
                                                              const std::filesystem::path& data_dir) {
  std::vector<MohClass> out;
  Errors errors;
  for (const auto& sec : file.sections) {
    if (sec.is_template || sec.name == "general") continue;
    MohClass cls;
    cls.name = sec.name;
    const auto mode = sec.get("mode").value_or("files");
    if (mode != "files") {
      errors.items.push_back({"music on hold class [" + sec.name + "]: mode=" + mode +
                                  " is not supported (only mode=files)",
                              sec.where.to_string()});
      continue;
    }
    const auto dir = sec.get("directory");
    if (!dir || dir->empty()) {
      errors.items.push_back({"music on hold class [" + sec.name + "] needs directory=", sec.where.to_string()});
      continue;
    }
    cls.directory = std::filesystem::path(*dir).is_absolute() ? std::filesystem::path(*dir) : data_dir / *dir;
    const auto sort = sec.get("sort").value_or("random");
    if (sort == "alpha") {
      cls.random = false;
    } else if (sort == "random" || sort == "randstart") {
      cls.random = true;
    } else {
      const auto* e = sec.find("sort");
      errors.items.push_back({"sort=" + sort + " in [" + sec.name + "]: expected random or alpha",
                              e ? e->where.to_string() : sec.where.to_string()});
      continue;
    }
    cls.files = playable_files(cls.directory);
    if (cls.files.empty()) {
      const auto* e = sec.find("directory");
      errors.items.push_back({"music on hold class [" + sec.name + "]: no playable audio files in " +
                                  cls.directory.string(),
                              e ? e->where.to_string() : sec.where.to_string()});
      continue;
    }
    out.push_back(std::move(cls));
  }
  if (!errors.items.empty()) return Unexpected<Errors>{std::move(errors)};
  return out;
}

MohClass default_moh_class(const std::filesystem::path& debian_moh_dir) {
  MohClass cls;
  cls.name = "default";
  cls.directory = debian_moh_dir;
  cls.files = playable_files(debian_moh_dir);
  if (cls.files.empty()) cls.mode = MohClass::Mode::Tone;
  return cls;
}

std::shared_ptr<GeneratorTask> start_moh(const Channel::Ptr& chan, const MohClass& cls, unsigned seed) {
  if (cls.mode == MohClass::Mode::Tone) {
    auto t = play_tones(chan, cls.tone);
    if (t) return *t;
    return nullptr;
  }
  auto task = std::make_shared<MohFilesTask>(cls.files, cls.random, seed);
  start_generator(chan, task);
  return task;
}

void stop_moh(const Channel::Ptr& chan) { stop_generator(chan); }

}  // namespace telephony::media
