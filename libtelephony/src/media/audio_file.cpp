// Audio file reader/writer (prompt lookup: sound_search.cpp).
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>

#include "telephony/media/codec.hpp"
#include "telephony/media/file_format.hpp"
#include "telephony/media/translator.hpp"

namespace telephony::media {
namespace {

Format raw_format(AudioFileType t) {
  switch (t) {
    case AudioFileType::Ulaw: return Format::ulaw();
    case AudioFileType::Alaw: return Format::alaw();
    case AudioFileType::Sln16: return Format::slin(16000);
    case AudioFileType::Sln48: return Format::slin(48000);
    case AudioFileType::Sln:
    case AudioFileType::Wav: break;
  }
  return Format::slin(8000);
}

void put16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v);
  p[1] = static_cast<std::uint8_t>(v >> 8);
}
void put32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

// PCM: 44-byte canonical header. G.711: an 18-byte fmt (cbSize = 0) and a 'fact' chunk, as the
// WAVE spec asks of non-PCM data; 58 bytes in all.
constexpr std::size_t kPcmHeader = 44, kG711Header = 58;

std::array<std::uint8_t, kG711Header> wav_header(Format f, std::uint32_t data_bytes, std::size_t& len) {
  std::array<std::uint8_t, kG711Header> h{};
  const bool pcm = f.codec == Codec::Slin;
  len = pcm ? kPcmHeader : kG711Header;
  const std::uint16_t bytes_per_sample = pcm ? 2 : 1;
  std::memcpy(h.data(), "RIFF", 4);
  put32(h.data() + 4, static_cast<std::uint32_t>(len - 8 + data_bytes + (data_bytes & 1)));
  std::memcpy(h.data() + 8, "WAVEfmt ", 8);
  put32(h.data() + 16, pcm ? 16 : 18);
  put16(h.data() + 20, pcm ? 1 : (f.codec == Codec::Ulaw ? 7 : 6));
  put16(h.data() + 22, 1);
  put32(h.data() + 24, f.rate);
  put32(h.data() + 28, f.rate * bytes_per_sample);
  put16(h.data() + 32, bytes_per_sample);
  put16(h.data() + 34, static_cast<std::uint16_t>(bytes_per_sample * 8));
  std::size_t o = 36;
  if (!pcm) {
    put16(h.data() + 36, 0);  // cbSize
    std::memcpy(h.data() + 38, "fact", 4);
    put32(h.data() + 42, 4);
    put32(h.data() + 46, data_bytes);  // sample count == bytes for 8-bit G.711
    o = 50;
  }
  std::memcpy(h.data() + o, "data", 4);
  put32(h.data() + o + 4, data_bytes);
  return h;
}

std::string errno_text() { return std::strerror(errno); }

}  // namespace

std::optional<AudioFileType> audio_file_type_for_extension(std::string_view e) {
  if (e == "wav" || e == "wav16" || e == "WAV") return AudioFileType::Wav;
  if (e == "ulaw" || e == "ul" || e == "pcm" || e == "mu") return AudioFileType::Ulaw;
  if (e == "alaw" || e == "al") return AudioFileType::Alaw;
  if (e == "sln" || e == "raw" || e == "slin") return AudioFileType::Sln;
  if (e == "sln16") return AudioFileType::Sln16;
  if (e == "sln48") return AudioFileType::Sln48;
  return std::nullopt;
}

// ---- reader -----------------------------------------------------------------------------------

Result<AudioFileReader> AudioFileReader::from_bytes(AudioFileType type, std::vector<std::uint8_t> bytes) {
  AudioFileReader r;
  if (type == AudioFileType::Wav) {
    auto info = parse_wav_header(bytes);
    if (!info) return Unexpected<Error>{info.error()};
    r.format_ = info->format;
    r.data_offset_ = info->data_offset;
    r.data_size_ = info->data_size;
  } else {
    r.format_ = raw_format(type);
    r.data_offset_ = 0;
    r.data_size_ = bytes.size() & ~static_cast<std::size_t>(r.format_.codec == Codec::Slin ? 1 : 0);
  }
  r.bytes_ = std::move(bytes);
  r.frame_.resize(samples_per_frame(r.format_.rate));
  return r;
}

Result<AudioFileReader> AudioFileReader::open(const std::filesystem::path& path) {
  const std::string ext = path.extension().string();
  auto type = audio_file_type_for_extension(ext.empty() ? std::string_view{} : std::string_view(ext).substr(1));
  if (!type) return fail("unknown audio file extension '" + ext + "'", path.string());
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("cannot open: " + errno_text(), path.string());
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto r = from_bytes(*type, std::move(bytes));
  if (!r) return fail(r.error().message, path.string() + " " + r.error().where);
  return r;
}

std::span<const std::uint8_t> AudioFileReader::read_frame() {
  const std::size_t want = samples_per_frame(format_.rate) * bytes_per_sample();
  const std::size_t n = std::min(want, data_size_ - pos_);
  std::span<const std::uint8_t> out(bytes_.data() + data_offset_ + pos_, n);
  pos_ += n;
  return out;
}

std::span<const std::int16_t> AudioFileReader::read_slin() {
  auto raw = read_frame();
  switch (format_.codec) {
    case Codec::Ulaw: return {frame_.data(), g711::ulaw_decode(raw, frame_)};
    case Codec::Alaw: return {frame_.data(), g711::alaw_decode(raw, frame_)};
    default: {
      // Copy: the data chunk may start at an odd offset, and WAV is little-endian on disk.
      const std::size_t n = raw.size() / 2;
      for (std::size_t i = 0; i < n; ++i)
        frame_[i] = static_cast<std::int16_t>(raw[2 * i] | raw[2 * i + 1] << 8);
      return {frame_.data(), n};
    }
  }
}

void AudioFileReader::seek_samples(std::size_t sample) {
  pos_ = std::min(sample * bytes_per_sample(), data_size_);
}

// ---- writer -----------------------------------------------------------------------------------

Result<AudioFileWriter> AudioFileWriter::create(const std::filesystem::path& path, Format wav_format) {
  const std::string ext = path.extension().string();
  auto type = audio_file_type_for_extension(ext.empty() ? std::string_view{} : std::string_view(ext).substr(1));
  if (!type) return fail("unknown audio file extension '" + ext + "'", path.string());
  AudioFileWriter w;
  w.wav_ = *type == AudioFileType::Wav;
  if (w.wav_) {
    const bool ok = wav_format == Format::ulaw() || wav_format == Format::alaw() ||
                    (wav_format.codec == Codec::Slin &&
                     (wav_format.rate == 8000 || wav_format.rate == 16000 || wav_format.rate == 48000));
    if (!ok) return fail("cannot write " + wav_format.name() + " into a WAV file", path.string());
    w.format_ = wav_format;
  } else {
    w.format_ = raw_format(*type);
  }
  w.path_ = path;
  w.file_ = std::fopen(path.c_str(), "wb");
  if (w.file_ == nullptr) return fail("cannot create: " + errno_text(), path.string());
  if (w.wav_) {
    std::size_t len = 0;
    auto h = wav_header(w.format_, 0, len);
    if (std::fwrite(h.data(), 1, len, w.file_) != len) return fail("write failed: " + errno_text(), path.string());
  }
  return w;
}

AudioFileWriter::AudioFileWriter(AudioFileWriter&& o) noexcept
    : file_(std::exchange(o.file_, nullptr)), path_(std::move(o.path_)), format_(o.format_),
      wav_(o.wav_), data_bytes_(o.data_bytes_), encode_buf_(std::move(o.encode_buf_)) {}
AudioFileWriter& AudioFileWriter::operator=(AudioFileWriter&& o) noexcept {
  if (this != &o) {
    (void)close();
    file_ = std::exchange(o.file_, nullptr);
    path_ = std::move(o.path_);
    format_ = o.format_;
    wav_ = o.wav_;
    data_bytes_ = o.data_bytes_;
    encode_buf_ = std::move(o.encode_buf_);
  }
  return *this;
}
AudioFileWriter::~AudioFileWriter() { (void)close(); }

Result<void> AudioFileWriter::write_payload(std::span<const std::uint8_t> payload) {
  if (file_ == nullptr) return fail("write after close", path_.string());
  if (static_cast<std::uint64_t>(data_bytes_) + payload.size() > 0xFFFFFFF0u)
    return fail("WAV/raw file would exceed 4 GiB", path_.string());
  if (std::fwrite(payload.data(), 1, payload.size(), file_) != payload.size())
    return fail("write failed: " + errno_text(), path_.string());
  data_bytes_ += static_cast<std::uint32_t>(payload.size());
  return {};
}

Result<void> AudioFileWriter::write(std::span<const std::int16_t> slin) {
  switch (format_.codec) {
    case Codec::Ulaw:
      encode_buf_.resize(slin.size());
      g711::ulaw_encode(slin, encode_buf_);
      return write_payload(encode_buf_);
    case Codec::Alaw:
      encode_buf_.resize(slin.size());
      g711::alaw_encode(slin, encode_buf_);
      return write_payload(encode_buf_);
    default:
      if (wav_) {
        // WAV is little-endian regardless of host order.
        encode_buf_.resize(slin.size() * 2);
        for (std::size_t i = 0; i < slin.size(); ++i) {
          const auto v = static_cast<std::uint16_t>(slin[i]);
          encode_buf_[2 * i] = static_cast<std::uint8_t>(v);
          encode_buf_[2 * i + 1] = static_cast<std::uint8_t>(v >> 8);
        }
        return write_payload(encode_buf_);
      }
      return write_payload(slin_bytes(slin));
  }
}

Result<void> AudioFileWriter::close() {
  if (file_ == nullptr) return {};
  std::FILE* f = std::exchange(file_, nullptr);
  bool ok = true;
  if (wav_) {
    if (data_bytes_ & 1) ok = std::fputc(0, f) != EOF;  // RIFF pad byte
    std::size_t len = 0;
    auto h = wav_header(format_, data_bytes_, len);
    ok = ok && std::fseek(f, 0, SEEK_SET) == 0 && std::fwrite(h.data(), 1, len, f) == len;
  }
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) return fail("finalising file failed: " + errno_text(), path_.string());
  return {};
}

}  // namespace telephony::media
