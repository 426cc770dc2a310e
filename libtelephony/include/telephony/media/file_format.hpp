// Audio files: the formats Asterisk reads and writes for Playback()/Record()/MixMonitor, chosen
// by file extension, and the lookup that picks which file on disk plays for a prompt name.
//
// Extensions: .wav (RIFF/WAVE: PCM16 mono at 8/16/48 kHz, G.711 µ-law or A-law mono 8 kHz;
// .wav16 is accepted as an alias), .ulaw/.ul/.pcm, .alaw/.al, .sln/.raw (slin 8 kHz), .sln16,
// .sln48 (headerless host-order PCM16).
//
// parse_wav_header() accepts a RIFF/WAVE byte image with a 'fmt ' chunk before 'data',
// WAVE_FORMAT_PCM (16-bit), ALAW (6), MULAW (7) or EXTENSIBLE wrapping one of those, one channel.
// Unknown chunks (LIST, fact, ...) are skipped. It rejects everything else - bad magic, chunks
// running past the end, stereo, 8/24-bit PCM, inconsistent block alignment - with an Error whose
// `where` is "offset N". It allocates nothing. A data size of 0 or 0xFFFFFFFF (a writer that
// never finalised) means "to the end of the file".
//
// AudioFileReader loads the file into memory once (prompts are small; long recordings stream
// through AudioFileWriter, not the reader) and then hands out 20 ms frames without allocating.
// AudioFileWriter appends frames and rewrites the RIFF and data sizes on close().
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/media/format.hpp"
#include "telephony/result.hpp"

namespace telephony::media {

enum class AudioFileType : std::uint8_t { Wav, Ulaw, Alaw, Sln, Sln16, Sln48 };

// "wav" -> Wav, "ulaw" -> Ulaw, ... (no leading dot, case-sensitive like Asterisk).
std::optional<AudioFileType> audio_file_type_for_extension(std::string_view ext);

struct WavInfo {
  Format format;               // ulaw, alaw or slin at the file's rate
  std::size_t data_offset = 0; // first byte of sample data
  std::size_t data_size = 0;   // bytes of sample data (whole samples only)
};

Result<WavInfo> parse_wav_header(std::span<const std::uint8_t> file);

class AudioFileReader {
 public:
  static Result<AudioFileReader> open(const std::filesystem::path& path);
  // For in-memory images (tests, fuzzing): `type` as the extension would say.
  static Result<AudioFileReader> from_bytes(AudioFileType type, std::vector<std::uint8_t> bytes);

  // What read_frame() returns: ulaw, alaw, or slin at the file rate.
  Format format() const { return format_; }
  std::uint32_t rate() const { return format_.rate; }
  std::size_t total_samples() const { return data_size_ / bytes_per_sample(); }
  std::size_t position() const { return pos_ / bytes_per_sample(); }
  double duration_seconds() const { return static_cast<double>(total_samples()) / rate(); }

  // Next 20 ms of raw payload in format() (shorter at the end, empty at EOF). For slin files
  // the bytes are host-order int16 (slin_samples() views them).
  std::span<const std::uint8_t> read_frame();
  // Next 20 ms decoded to slin at rate() (G.711 files are decoded, slin files passed through).
  std::span<const std::int16_t> read_slin();
  void seek_samples(std::size_t sample);

 private:
  AudioFileReader() = default;
  std::size_t bytes_per_sample() const { return format_.codec == Codec::Slin ? 2 : 1; }

  std::vector<std::uint8_t> bytes_;
  std::vector<std::int16_t> frame_;  // decode buffer, 20 ms
  Format format_;
  std::size_t data_offset_ = 0, data_size_ = 0, pos_ = 0;
};

class AudioFileWriter {
 public:
  // The extension picks the container. For .wav, `wav_format` picks the encoding: slin(8000|
  // 16000|48000), ulaw() or alaw(). Raw extensions imply their own format and ignore it.
  static Result<AudioFileWriter> create(const std::filesystem::path& path,
                                        Format wav_format = Format::slin(8000));
  AudioFileWriter(AudioFileWriter&&) noexcept;
  AudioFileWriter& operator=(AudioFileWriter&&) noexcept;
  ~AudioFileWriter();  // closes (and finalises) if close() was not called

  Format format() const { return format_; }
  // slin at format().rate; encoded to the file's format.
  Result<void> write(std::span<const std::int16_t> slin);
  // Bytes already in format() (e.g. a µ-law RTP payload into a .ulaw file).
  Result<void> write_payload(std::span<const std::uint8_t> payload);
  std::size_t samples_written() const { return data_bytes_ / (format_.codec == Codec::Slin ? 2 : 1); }
  // Flushes, rewrites the RIFF/data sizes, closes the file.
  Result<void> close();

 private:
  AudioFileWriter() = default;
  std::FILE* file_ = nullptr;
  std::filesystem::path path_;
  Format format_;
  bool wav_ = false;
  std::uint32_t data_bytes_ = 0;
  std::vector<std::uint8_t> encode_buf_;
};

// Which file plays for prompt `name` ("hello-world", "digits/1"), the way Asterisk searches:
// <dir>/<language>/, then the language without its region (en_GB -> en), then <dir>/en/, then
// <dir>/ itself; in each folder the extension whose format is cheapest to translate to
// `preferred` (the channel's native format) wins, an exact format match first. An absolute
// `name` skips the folder search. Returns the full path including extension.
// A language whose folder does not exist is served from its first voice folder, such as
// en_US_f_Allison for `en` (Debian's asterisk-core-sounds-en-wav without asterisk-core-sounds-en).
std::optional<std::filesystem::path> find_sound_file(const std::filesystem::path& sounds_dir,
                                                     std::string_view language,
                                                     std::string_view name, Format preferred);
// The folders find_sound_file() searches for `language`, in order (a missing language folder is
// listed under its plain name, so messages say where it was looked for).
std::vector<std::filesystem::path> sound_search_dirs(const std::filesystem::path& sounds_dir, std::string_view language);
// The folder that holds `language`'s prompts (<dir>/<language> or a voice folder), if any.
std::optional<std::filesystem::path> prompts_folder(const std::filesystem::path& sounds_dir, std::string_view language);
// "prompt 'x' not found (language en); tried <dir>/en/x.*, <dir>/x.*": every path searched.
std::string sound_not_found_message(const std::filesystem::path& sounds_dir, std::string_view language,
                                    std::string_view name);

}  // namespace telephony::media
