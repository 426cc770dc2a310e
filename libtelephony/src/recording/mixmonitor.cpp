// MixMonitor's engine: the audio hook that keeps both directions in step and fills chunks on the
// channel's strand, and the writer that owns the files on the worker pool (mixmonitor.hpp).
#include "telephony/media/mixmonitor.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <span>

#include "telephony/engine.hpp"
#include "telephony/media/file_format.hpp"
#include "telephony/media/translator.hpp"

namespace telephony::media {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxChunks =
    40;  // 20 s of audio waiting for a stalled disk, then audio is dropped
constexpr char kDatastore[] = "mixmonitor";

// The slin rate a file of this name is written at (its extension's format).
std::optional<std::uint32_t> file_rate(const fs::path& p) {
  const std::string ext = p.extension().string();
  if (ext.size() < 2) return std::nullopt;
  const std::string_view e = std::string_view(ext).substr(1);
  auto type = audio_file_type_for_extension(e);
  if (!type) return std::nullopt;
  switch (*type) {
    case AudioFileType::Wav:
      return e == "wav16" ? 16000u : 8000u;
    case AudioFileType::Sln16:
      return 16000u;
    case AudioFileType::Sln48:
      return 48000u;
    default:
      return 8000u;
  }
}

bool raw_slin(const fs::path& p) {
  auto t =
      audio_file_type_for_extension(p.extension().string().substr(p.extension().empty() ? 0 : 1));
  return t == AudioFileType::Sln || t == AudioFileType::Sln16 || t == AudioFileType::Sln48;
}

std::int16_t scaled(std::int32_t s, int volume) {
  // Asterisk's volume factor: 2^x louder for x > 0, 2^-x quieter for x < 0, saturating.
  if (volume > 0)
    s *= (1 << volume);
  else if (volume < 0)
    s /= (1 << -volume);
  return static_cast<std::int16_t>(std::clamp(s, -32768, 32767));
}

std::string next_id() {
  static std::atomic<std::uint32_t> seq{0};
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%08x", 0x4d4d0000u + seq.fetch_add(1) + 1);
  return buf;
}

// One direction on the strand: its decoder and the samples not yet mixed (a FIFO with a head).
struct Leg {
  std::optional<TranslatorPath> path;
  std::vector<std::int16_t> pending;  // reserved once; [head, size) is waiting
  std::size_t head = 0;
  std::atomic<bool> muted{false};
  int volume = 0;

  std::size_t waiting() const { return pending.size() - head; }
  const std::int16_t* data() const { return pending.data() + head; }
  void consume(std::size_t n) {
    head += n;
    if (head >= pending.size()) {
      pending.clear();
      head = 0;
    }
  }
  void reset() {
    pending.clear();
    head = 0;
  }
  void append(std::span<const std::int16_t> pcm) {
    if (pending.size() + pcm.size() > pending.capacity() && head > 0) {
      pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(head));
      head = 0;
    }
    // Never grow (the reserve is a second of audio): the oldest samples give way.
    const std::size_t room = pending.capacity() - pending.size();
    if (pcm.size() > room) consume(std::min(waiting(), pcm.size() - room));
    if (head > 0 && pending.size() + pcm.size() > pending.capacity()) {
      pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(head));
      head = 0;
    }
    const bool mute = muted.load(std::memory_order_relaxed);
    for (auto s : pcm) pending.push_back(mute ? std::int16_t{0} : scaled(s, volume));
  }
};

struct Chunk {
  std::vector<std::int16_t> mix, read, write;
};

}  // namespace

// One running recording: the hook on the strand, the files on the worker pool.
class Recording : public AudioHook, public std::enable_shared_from_this<Recording> {
 public:
  Recording(Engine& engine, const Channel::Ptr& chan, MixMonitorOptions opts, std::uint32_t rate)
      : engine_(engine),
        chan_(chan),
        opts_(std::move(opts)),
        id_(next_id()),
        rate_(rate),
        tolerance_(rate / 10),
        chunk_samples_(rate / 2),
        skip_until_(std::chrono::steady_clock::now() + opts_.skip) {
    for (auto* leg : {&read_, &write_}) leg->pending.reserve(rate);
    read_.volume = opts_.read_volume;
    write_.volume = opts_.write_volume;
    ready_.reserve(kMaxChunks);
    free_.reserve(kMaxChunks);
    batch_.reserve(kMaxChunks);
    chunk_ = make_chunk();
    total_chunks_ = 1;
  }

  std::string_view kind() const override { return opts_.kind; }
  const std::string& id() const { return id_; }
  const MixMonitorOptions& options() const { return opts_; }

  MixMonitorInfo info() const {
    MixMonitorInfo i{id_, opts_.kind, opts_.file, opts_.read_file, opts_.write_file};
    i.read_muted = read_.muted.load();
    i.write_muted = write_.muted.load();
    i.paused = paused_.load();
    return i;
  }
  void mute(bool read, bool write, bool on) {
    if (read) read_.muted.store(on);
    if (write) write_.muted.store(on);
  }
  void pause(bool on) { paused_.store(on); }
  void rename_to(fs::path base) {
    std::lock_guard lock(mu_);
    new_base_ = std::move(base);
  }
  // `done` runs once the files are closed (at once if they already are).
  void when_closed(std::function<void()> done) {
    if (!done) return;
    {
      std::lock_guard lock(mu_);
      if (!closed_) {
        on_closed_.push_back(std::move(done));
        return;
      }
    }
    done();
  }

  // Worker pool: opens the files, then writes what arrived meanwhile.
  void open(MixMonitorStarted started) {
    auto r = open_files();
    if (!r) {
      engine_.log().warning("mixmonitor", r.error().to_string());
      {
        std::lock_guard lock(mu_);
        failed_ = true;
      }
      if (auto c = chan_.lock()) c->detach_audio_hook(shared_from_this());
      if (started) started(Unexpected<Error>{r.error()});
      drain();
      return;
    }
    if (auto c = chan_.lock()) {
      MixMonitorEvent ev;
      ev.name = opts_.kind == "Monitor" ? "MonitorStart" : "MixMonitorStart";
      ev.channel = c->snapshot();
      engine_.events().emit(std::move(ev));
    }
    engine_.log().verbose(2, "mixmonitor", "Begin MixMonitor Recording " + name());
    if (started) started(id_);
    drain();
  }

  // --- strand ---------------------------------------------------------------------------------
  void on_frame(Channel& chan, Direction dir, Frame& f) override {
    if (f.kind != FrameKind::Voice || !f.format.is_audio() || detached_) return;
    if (paused_.load(std::memory_order_relaxed) || (opts_.bridged_only && !chan.has_frame_sink()) ||
        (opts_.skip.count() > 0 && std::chrono::steady_clock::now() < skip_until_)) {
      read_.reset();
      write_.reset();
      return;
    }
    Leg& leg = dir == Direction::Read ? read_ : write_;
    std::span<const std::int16_t> pcm;
    if (f.format == Format::slin(rate_)) {
      pcm = slin_samples(f.data());
    } else {
      if (!leg.path) {
        auto p = TranslationGraph::shared().build_path(f.format, Format::slin(rate_));
        if (!p) return;
        leg.path.emplace(std::move(*p));
      }
      auto out = leg.path->convert(f.format, f.data());
      if (!out) return;
      pcm = slin_samples(*out);
    }
    if (pcm.empty()) return;
    leg.append(pcm);
    // n: each leg file gets its own direction as it came.
    if (opts_.no_leg_sync && !(dir == Direction::Read ? opts_.read_file : opts_.write_file).empty())
      push_leg(dir == Direction::Read, pcm, leg);
    sync(false);
  }

  void on_detach(Channel&) override {
    if (detached_) return;
    detached_ = true;
    sync(true);
    bool post = false;
    {
      std::lock_guard lock(mu_);
      if (chunk_ && !empty(*chunk_)) ready_.push_back(std::move(chunk_));
      closing_ = true;
      post = !writing_;
      writing_ = true;
    }
    unregister();
    if (post) post_drain();
  }

 private:
  std::string name() const {
    if (!opts_.file.empty()) return opts_.file.string();
    return !opts_.read_file.empty() ? opts_.read_file.string() : opts_.write_file.string();
  }

  std::unique_ptr<Chunk> make_chunk() const {
    auto c = std::make_unique<Chunk>();
    c->mix.reserve(chunk_samples_ * 2);
    c->read.reserve(chunk_samples_);
    c->write.reserve(chunk_samples_);
    return c;
  }
  static bool empty(const Chunk& c) { return c.mix.empty() && c.read.empty() && c.write.empty(); }

  // Room left in the current chunk, in samples per direction.
  std::size_t room() const {
    if (!chunk_) return 0;
    const std::size_t mixed = opts_.interleaved ? chunk_->mix.size() / 2 : chunk_->mix.size();
    const std::size_t used = std::max({mixed, chunk_->read.size(), chunk_->write.size()});
    return chunk_samples_ > used ? chunk_samples_ - used : 0;
  }

  // Mixes what both directions have; a direction that has been silent for longer than the
  // tolerance is stood in for by silence. `all`: everything (the recording ends).
  void sync(bool all) {
    const std::size_t both = std::min(read_.waiting(), write_.waiting());
    if (both > 0) emit(both, true, true);
    const std::size_t keep = all ? 0 : tolerance_;
    if (read_.waiting() > keep) emit(read_.waiting() - keep, true, false);
    if (write_.waiting() > keep) emit(write_.waiting() - keep, false, true);
  }

  void emit(std::size_t n, bool from_read, bool from_write) {
    while (n > 0) {
      if (room() == 0) hand_off();
      const std::size_t piece = chunk_ ? std::min(n, room()) : n;
      const std::int16_t* r = from_read ? read_.data() : nullptr;
      const std::int16_t* w = from_write ? write_.data() : nullptr;
      if (chunk_) {
        const bool legs = !opts_.no_leg_sync;
        for (std::size_t i = 0; i < piece; ++i) {
          const std::int32_t rs = r ? r[i] : 0, ws = w ? w[i] : 0;
          if (!opts_.file.empty()) {
            if (opts_.interleaved) {
              chunk_->mix.push_back(static_cast<std::int16_t>(rs));
              chunk_->mix.push_back(static_cast<std::int16_t>(ws));
            } else {
              chunk_->mix.push_back(static_cast<std::int16_t>(std::clamp(rs + ws, -32768, 32767)));
            }
          }
          if (legs && !opts_.read_file.empty())
            chunk_->read.push_back(static_cast<std::int16_t>(rs));
          if (legs && !opts_.write_file.empty())
            chunk_->write.push_back(static_cast<std::int16_t>(ws));
        }
      } else {
        dropped_ += piece;  // the disk is 20 s behind: this audio is lost (logged at close)
      }
      if (from_read) read_.consume(piece);
      if (from_write) write_.consume(piece);
      n -= piece;
    }
  }

  void push_leg(bool read, std::span<const std::int16_t> pcm, const Leg& leg) {
    const bool mute = leg.muted.load(std::memory_order_relaxed);
    while (!pcm.empty()) {
      if (chunk_ && (read ? chunk_->read : chunk_->write).size() >= chunk_samples_) hand_off();
      if (!chunk_) {
        dropped_ += pcm.size();
        return;
      }
      auto& v = read ? chunk_->read : chunk_->write;
      const std::size_t piece = std::min(pcm.size(), chunk_samples_ - v.size());
      for (std::size_t i = 0; i < piece; ++i)
        v.push_back(mute ? std::int16_t{0} : scaled(pcm[i], leg.volume));
      pcm = pcm.subspan(piece);
    }
  }

  // The current chunk goes to the writer; a free one (or a new one, up to kMaxChunks) takes its
  // place.
  void hand_off() {
    bool post = false, grow = false;
    {
      std::lock_guard lock(mu_);
      if (chunk_) ready_.push_back(std::move(chunk_));
      if (!free_.empty()) {
        chunk_ = std::move(free_.back());
        free_.pop_back();
      } else if (total_chunks_ < kMaxChunks) {
        ++total_chunks_;
        grow = true;
      }
      post = !writing_;
      if (post) writing_ = true;
    }
    if (grow) chunk_ = make_chunk();  // only while the writer is behind; steady state reuses chunks
    if (post) post_drain();
  }

  void post_drain() {
    auto self = shared_from_this();
    engine_.run_blocking([self] { self->drain(); });
  }

  void unregister();

  // --- worker pool ----------------------------------------------------------------------------
  Result<void> open_files() {
    for (const auto* p : {&opts_.file, &opts_.read_file, &opts_.write_file}) {
      if (p->empty()) {
        writers_.emplace_back(std::nullopt);
        continue;
      }
      std::error_code ec;
      if (p->has_parent_path()) fs::create_directories(p->parent_path(), ec);
      std::vector<std::int16_t> previous;
      if (opts_.append && fs::exists(*p, ec)) {
        auto old = AudioFileReader::open(*p);
        if (!old) return fail("cannot append: " + old.error().to_string(), p->string());
        if (old->rate() != rate_)
          return fail("cannot append " + std::to_string(rate_) + " Hz audio to a " +
                          std::to_string(old->rate()) + " Hz file",
                      p->string());
        for (auto s = old->read_slin(); !s.empty(); s = old->read_slin())
          previous.insert(previous.end(), s.begin(), s.end());
      }
      auto w = AudioFileWriter::create(*p, Format::slin(rate_));
      if (!w) return fail(w.error().message, w.error().where);
      if (!previous.empty()) (void)w->write(previous);
      writers_.emplace_back(std::move(*w));
    }
    return {};
  }

  void write_chunk(const Chunk& c) {
    const std::vector<std::int16_t>* data[3] = {&c.mix, &c.read, &c.write};
    for (std::size_t i = 0; i < writers_.size(); ++i) {
      if (!writers_[i] || data[i]->empty()) continue;
      auto r = writers_[i]->write(*data[i]);
      if (!r && !write_error_logged_) {
        write_error_logged_ = true;
        engine_.log().warning("mixmonitor", "MixMonitor write failed: " + r.error().to_string());
      }
    }
  }

  void drain() {
    for (;;) {
      {
        std::lock_guard lock(mu_);
        if (ready_.empty()) {
          if (!closing_ || closed_) {
            writing_ = false;
            return;
          }
          break;  // everything written: close
        }
        std::swap(ready_, batch_);
      }
      if (!failed_)
        for (const auto& c : batch_) write_chunk(*c);
      std::lock_guard lock(mu_);
      for (auto& c : batch_) {
        c->mix.clear();
        c->read.clear();
        c->write.clear();
        free_.push_back(std::move(c));
      }
      batch_.clear();
    }
    finish();
  }

  void finish() {
    std::vector<fs::path> files;
    fs::path new_base;
    {
      std::lock_guard lock(mu_);
      new_base = new_base_;
    }
    const fs::path* paths[3] = {&opts_.file, &opts_.read_file, &opts_.write_file};
    for (std::size_t i = 0; i < writers_.size(); ++i) {
      if (!writers_[i]) continue;
      if (auto r = writers_[i]->close(); !r)
        engine_.log().warning("mixmonitor", r.error().to_string());
      fs::path final = *paths[i];
      if (!new_base.empty() && !opts_.base.empty()) {
        // ChangeMonitor: the new base keeps the file's -in/-out and extension.
        const std::string old_name = paths[i]->filename().string(),
                          base_name = opts_.base.filename().string();
        const std::string suffix = old_name.rfind(base_name, 0) == 0
                                       ? old_name.substr(base_name.size())
                                       : paths[i]->extension().string();
        final = fs::path(new_base.string() + suffix);
        std::error_code ec;
        if (final.has_parent_path()) fs::create_directories(final.parent_path(), ec);
        fs::rename(*paths[i], final, ec);
        if (ec)
          engine_.log().warning("mixmonitor", "cannot rename " + paths[i]->string() + " to " +
                                                  final.string() + ": " + ec.message());
      }
      files.push_back(final);
    }
    if (dropped_ > 0)
      engine_.log().warning("mixmonitor", name() + ": " + std::to_string(dropped_ * 1000 / rate_) +
                                              " ms of audio lost (the disk did not keep up)");
    engine_.log().verbose(2, "mixmonitor", "End MixMonitor Recording " + name());
    if (!opts_.command.empty() && !failed_) {
      engine_.log().verbose(2, "mixmonitor", "Executing [" + opts_.command + "]");
      const int st = std::system(opts_.command.c_str());
      if (st != 0)
        engine_.log().notice("mixmonitor",
                             "'" + opts_.command + "' exited with status " + std::to_string(st));
    }
    if (opts_.delete_when_done)
      for (const auto& f : files) {
        std::error_code ec;
        fs::remove(f, ec);
      }
    std::vector<std::function<void()>> done;
    {
      std::lock_guard lock(mu_);
      closed_ = true;
      writing_ = false;
      done.swap(on_closed_);
    }
    for (auto& d : done) d();
  }

  Engine& engine_;
  std::weak_ptr<Channel> chan_;
  const MixMonitorOptions opts_;
  const std::string id_;
  const std::uint32_t rate_;
  const std::size_t tolerance_;      // samples one direction may lead before silence stands in
  const std::size_t chunk_samples_;  // per direction per chunk: 500 ms
  const std::chrono::steady_clock::time_point skip_until_;
  std::atomic<bool> paused_{false};

  // strand
  Leg read_, write_;
  std::unique_ptr<Chunk> chunk_;
  bool detached_ = false;
  std::uint64_t dropped_ = 0;

  // shared with the worker
  std::mutex mu_;
  std::vector<std::unique_ptr<Chunk>> ready_, free_;
  std::size_t total_chunks_ = 0;
  bool writing_ = true;  // the open job is the first writer
  bool closing_ = false, closed_ = false, failed_ = false;
  fs::path new_base_;
  std::vector<std::function<void()>> on_closed_;

  // worker
  std::vector<std::unique_ptr<Chunk>> batch_;
  std::vector<std::optional<AudioFileWriter>> writers_;
  bool write_error_logged_ = false;
};

namespace {

struct ChannelRecordings {
  std::mutex mu;
  std::vector<std::shared_ptr<Recording>> list;  // oldest first
};

std::shared_ptr<ChannelRecordings> recordings_of(const Channel& chan) {
  return std::static_pointer_cast<ChannelRecordings>(chan.datastore(kDatastore));
}

std::shared_ptr<ChannelRecordings> recordings_for(Channel& chan) {
  return std::static_pointer_cast<ChannelRecordings>(
      chan.datastore_or_create(kDatastore, [] { return std::make_shared<ChannelRecordings>(); }));
}

// The recordings of `kind` (or the one with `id`), newest first.
std::vector<std::shared_ptr<Recording>> select(const Channel& chan, std::string_view id,
                                               std::string_view kind) {
  std::vector<std::shared_ptr<Recording>> out;
  auto recs = recordings_of(chan);
  if (!recs) return out;
  std::lock_guard lock(recs->mu);
  for (auto it = recs->list.rbegin(); it != recs->list.rend(); ++it)
    if (id.empty() ? (*it)->kind() == kind : (*it)->id() == id) out.push_back(*it);
  return out;
}

}  // namespace

void Recording::unregister() {
  auto c = chan_.lock();
  if (!c) return;
  if (auto recs = recordings_of(*c)) {
    std::lock_guard lock(recs->mu);
    std::erase_if(recs->list, [this](const auto& r) { return r.get() == this; });
  }
}

void start_mixmonitor(const Channel::Ptr& chan, MixMonitorOptions opts, MixMonitorStarted started) {
  auto refuse = [&](std::string why, std::string where) {
    if (started) started(fail(std::move(why), std::move(where)));
  };
  if (opts.file.empty() && opts.read_file.empty() && opts.write_file.empty())
    return refuse("MixMonitor needs a file name (or r() / t())", chan->name());
  std::optional<std::uint32_t> rate;
  for (const auto* p : {&opts.file, &opts.read_file, &opts.write_file}) {
    if (p->empty()) continue;
    auto r = file_rate(*p);
    if (!r)
      return refuse("unknown audio file extension '" + p->extension().string() + "'", p->string());
    if (rate && *rate != *r)
      return refuse("the files of one recording must share one sample rate (" +
                        std::to_string(*rate) + " vs " + std::to_string(*r) + " Hz)",
                    p->string());
    rate = r;
  }
  if (opts.interleaved && !opts.file.empty() && !raw_slin(opts.file))
    return refuse("option D (interleaved) needs a raw slin file (.raw, .sln, .sln16, .sln48)",
                  opts.file.string());
  opts.read_volume = std::clamp(opts.read_volume, -4, 4);
  opts.write_volume = std::clamp(opts.write_volume, -4, 4);
  if (chan->is_hung_up()) return refuse("channel is hung up", chan->name());
  Engine& engine = chan->engine();
  auto rec = std::make_shared<Recording>(engine, chan, std::move(opts), *rate);
  {
    auto recs = recordings_for(*chan);
    std::lock_guard lock(recs->mu);
    recs->list.push_back(rec);
  }
  chan->attach_audio_hook(rec);
  engine.run_blocking(
      [rec, started = std::move(started)]() mutable { rec->open(std::move(started)); });
}

bool stop_mixmonitor(const Channel::Ptr& chan, std::string_view id, std::string_view kind,
                     std::function<void()> stopped) {
  auto found = select(*chan, id, kind);
  if (found.empty()) return false;
  auto rec = found.front();
  rec->when_closed(std::move(stopped));
  MixMonitorEvent ev;
  ev.name = rec->kind() == "Monitor" ? "MonitorStop" : "MixMonitorStop";
  ev.channel = chan->snapshot();
  chan->engine().events().emit(std::move(ev));
  chan->detach_audio_hook(rec);
  return true;
}

int mute_mixmonitor(Channel& chan, std::string_view id, std::string_view kind, bool read,
                    bool write, bool on) {
  auto found = select(chan, id, kind);
  for (auto& r : found) r->mute(read, write, on);
  return static_cast<int>(found.size());
}

int pause_mixmonitor(Channel& chan, std::string_view kind, bool paused) {
  auto found = select(chan, {}, kind);
  for (auto& r : found) r->pause(paused);
  return static_cast<int>(found.size());
}

bool rename_mixmonitor(Channel& chan, std::string_view kind, const fs::path& new_base) {
  auto found = select(chan, {}, kind);
  if (found.empty()) return false;
  found.front()->rename_to(new_base);
  return true;
}

std::vector<MixMonitorInfo> list_mixmonitors(const Channel& chan) {
  std::vector<MixMonitorInfo> out;
  auto recs = recordings_of(chan);
  if (!recs) return out;
  std::lock_guard lock(recs->mu);
  for (const auto& r : recs->list) out.push_back(r->info());
  return out;
}

}  // namespace telephony::media
