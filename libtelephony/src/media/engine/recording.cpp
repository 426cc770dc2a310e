// record_file: Record()'s engine side (see media/recording.hpp).
#include "telephony/media/recording.hpp"

#include <cassert>
#include <cmath>
#include <cstring>
#include <optional>

#include "telephony/engine.hpp"
#include "telephony/media/dtmf.hpp"
#include "telephony/media/file_format.hpp"
#include "telephony/media/playback.hpp"
#include "telephony/media/translator.hpp"

namespace telephony::media {

namespace asio = boost::asio;

std::string_view to_string(RecordStatus s) {
  switch (s) {
    case RecordStatus::Dtmf: return "DTMF";
    case RecordStatus::Silence: return "SILENCE";
    case RecordStatus::Skip: return "SKIP";
    case RecordStatus::Timeout: return "TIMEOUT";
    case RecordStatus::Hangup: return "HANGUP";
    case RecordStatus::Error: return "ERROR";
  }
  return "ERROR";
}

namespace {
std::uint32_t wav_rate_for(const Channel& chan) {
  const auto r = chan.read_format().rate;
  return (r == 16000 || r == 48000) ? r : 8000;
}

// The rate the writer wants slin at: raw extensions fix it, .wav follows the channel.
Format file_slin_format(const std::filesystem::path& path, const Channel& chan) {
  const auto ext = path.extension().string();
  const auto type = audio_file_type_for_extension(ext.empty() ? ext : ext.substr(1));
  if (!type) return Format::slin(8000);
  switch (*type) {
    case AudioFileType::Sln16: return Format::slin(16000);
    case AudioFileType::Sln48: return Format::slin(48000);
    case AudioFileType::Wav: return Format::slin(wav_rate_for(chan));
    default: return Format::slin(8000);
  }
}

bool is_quiet(std::span<const std::int16_t> pcm, int threshold) {
  if (pcm.empty()) return true;
  std::int64_t sum = 0;
  for (auto s : pcm) sum += std::abs(static_cast<int>(s));
  return sum / static_cast<std::int64_t>(pcm.size()) < threshold;
}
}  // namespace

asio::awaitable<RecordResult> record_file(Channel::Ptr chan, std::filesystem::path path, RecordOptions opts) {
  assert(chan->strand().running_in_this_thread());
  RecordResult r;
  if (opts.skip_if_not_up && chan->state() != ChannelState::Up) {
    r.status = RecordStatus::Skip;
    co_return r;
  }
  const std::string terminators = opts.terminators == "any" ? std::string(kDtmfDigits) : opts.terminators;
  const Format slin = file_slin_format(path, *chan);
  r.rate = slin.rate;

  // Append: the old audio is read back and rewritten ahead of the new (the writer always
  // produces a fresh, consistent header).
  std::vector<std::int16_t> previous;
  if (opts.append && std::filesystem::exists(path)) {
    auto old = AudioFileReader::open(path);
    if (!old) {
      r.error = "cannot append to " + path.string() + ": " + old.error().to_string();
      co_return r;
    }
    if (old->rate() != slin.rate) {
      r.error = "cannot append " + std::to_string(slin.rate) + " Hz audio to " + path.string() + " (" +
                std::to_string(old->rate()) + " Hz)";
      co_return r;
    }
    for (auto s = old->read_slin(); !s.empty(); s = old->read_slin()) previous.insert(previous.end(), s.begin(), s.end());
  }
  if (path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
  }
  auto writer = AudioFileWriter::create(path, slin);
  if (!writer) {
    r.error = writer.error().to_string();
    chan->engine().log().warning("record", chan->name() + ": " + r.error);
    co_return r;
  }
  if (!previous.empty()) (void)writer->write(previous);

  if (opts.beep) {
    // Named arguments, not temporaries: GCC 12 destroys temporaries in a co_await operand twice.
    PlayOptions beep_opts;
    std::string beep_name = "beep";
    auto beep = co_await play_file(chan, std::move(beep_name), std::move(beep_opts));
    if (beep.status == PlayStatus::HungUp) {
      (void)writer->close();
      r.samples = writer->samples_written();
      r.status = RecordStatus::Hangup;
      co_return r;
    }
    chan->flush_inbound();  // what was said over the beep is not part of the message
  }

  std::optional<TranslatorPath> to_slin;
  std::vector<std::int16_t> pcm;
  std::vector<std::int16_t> quiet_tail;  // held back until sound resumes (trimmed on SILENCE)
  const std::size_t silence_samples =
      static_cast<std::size_t>(opts.silence.count()) * slin.rate / 1000;
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = opts.max_duration.count() > 0 ? start + opts.max_duration
                                                       : std::chrono::steady_clock::time_point::max();
  RecordStatus status = RecordStatus::Hangup;
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    if (chan->hangup_requested()) {
      status = RecordStatus::Hangup;
      break;
    }
    if (now >= deadline) {
      status = RecordStatus::Timeout;
      break;
    }
    const auto wait = deadline == std::chrono::steady_clock::time_point::max()
                          ? std::chrono::milliseconds(-1)
                          : std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
    auto f = co_await chan->read(wait);
    if (!f) continue;
    if (f->kind == FrameKind::DtmfEnd && terminators.find(f->digit()) != std::string::npos) {
      r.digit = f->digit();
      status = RecordStatus::Dtmf;
      break;
    }
    if (f->kind != FrameKind::Voice || !f->format.is_audio()) continue;
    std::span<const std::int16_t> in;
    if (f->format == slin) {
      in = slin_samples(f->data());
    } else {
      if (!to_slin || to_slin->from() != f->format) {
        auto p = TranslationGraph::shared().build_path(f->format, slin);
        if (!p) continue;
        to_slin.emplace(std::move(*p));
      }
      auto out = to_slin->convert(f->format, f->data());
      if (!out) continue;
      pcm.resize(out->size() / 2);
      std::memcpy(pcm.data(), out->data(), pcm.size() * 2);
      in = pcm;
    }
    if (silence_samples > 0 && is_quiet(in, opts.silence_threshold)) {
      quiet_tail.insert(quiet_tail.end(), in.begin(), in.end());
      if (quiet_tail.size() >= silence_samples) {
        status = RecordStatus::Silence;
        if (opts.trim_silence) quiet_tail.clear();
        break;
      }
      continue;
    }
    if (!quiet_tail.empty()) {
      (void)writer->write(quiet_tail);
      quiet_tail.clear();
    }
    if (auto w = writer->write(in); !w) {
      r.error = w.error().to_string();
      status = RecordStatus::Error;
      break;
    }
  }
  if (!quiet_tail.empty()) (void)writer->write(quiet_tail);  // a short pause before # or hangup stays
  r.samples = writer->samples_written();
  if (auto c = writer->close(); !c && status != RecordStatus::Error) {
    r.error = c.error().to_string();
    status = RecordStatus::Error;
  }
  r.status = status;
  co_return r;
}

}  // namespace telephony::media
