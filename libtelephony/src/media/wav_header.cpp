// RIFF/WAVE header parsing (no allocation) - see file_format.hpp for what is accepted.
#include <cstring>
#include <string>

#include "telephony/media/file_format.hpp"

namespace telephony::media {
namespace {

std::uint32_t le32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
         static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}
std::uint16_t le16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] | p[1] << 8);
}
Unexpected<Error> at(std::size_t offset, std::string why) {
  return fail(std::move(why), "offset " + std::to_string(offset));
}

constexpr std::uint16_t kPcm = 1, kAlaw = 6, kMulaw = 7, kExtensible = 0xFFFE;

}  // namespace

Result<WavInfo> parse_wav_header(std::span<const std::uint8_t> f) {
  const std::size_t size = f.size();
  if (size < 12) return at(0, "file too short for a RIFF/WAVE header (" + std::to_string(size) + " bytes)");
  if (std::memcmp(f.data(), "RIFF", 4) != 0) return at(0, "missing 'RIFF' magic");
  if (std::memcmp(f.data() + 8, "WAVE", 4) != 0) return at(8, "RIFF form type is not 'WAVE'");

  bool have_fmt = false;
  Format format;
  std::size_t off = 12;
  while (true) {
    if (off + 8 > size) {
      return at(off, have_fmt ? "no 'data' chunk before end of file" : "no 'fmt ' chunk before end of file");
    }
    const std::uint8_t* hdr = f.data() + off;
    const std::uint32_t chunk_size = le32(hdr + 4);
    const std::size_t body = off + 8;
    const std::size_t remaining = size - body;

    if (std::memcmp(hdr, "fmt ", 4) == 0) {
      if (chunk_size < 16) return at(off + 4, "'fmt ' chunk too short (" + std::to_string(chunk_size) + " bytes, need 16)");
      if (chunk_size > remaining) return at(off + 4, "'fmt ' chunk runs past end of file");
      const std::uint8_t* p = f.data() + body;
      std::uint16_t tag = le16(p);
      const std::uint16_t channels = le16(p + 2);
      const std::uint32_t rate = le32(p + 4);
      const std::uint16_t block_align = le16(p + 12);
      const std::uint16_t bits = le16(p + 14);
      if (tag == kExtensible) {
        if (chunk_size < 40) return at(body, "WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk shorter than 40 bytes");
        tag = le16(p + 24);  // first two bytes of the sub-format GUID are the format tag
      }
      if (channels != 1) return at(body + 2, "only mono is supported, file has " + std::to_string(channels) + " channels");
      if (tag == kPcm) {
        if (bits != 16) return at(body + 14, "PCM with " + std::to_string(bits) + " bits per sample is not supported (16 only)");
        if (rate != 8000 && rate != 12000 && rate != 16000 && rate != 24000 && rate != 32000 &&
            rate != 44100 && rate != 48000)
          return at(body + 4, "unsupported PCM sample rate " + std::to_string(rate));
        if (block_align != 2) return at(body + 12, "block align " + std::to_string(block_align) + " does not match 16-bit mono");
        format = Format::slin(rate);
      } else if (tag == kMulaw || tag == kAlaw) {
        if (bits != 8) return at(body + 14, "G.711 with " + std::to_string(bits) + " bits per sample (must be 8)");
        if (rate != 8000) return at(body + 4, "G.711 at " + std::to_string(rate) + " Hz is not supported (8000 only)");
        if (block_align != 1) return at(body + 12, "block align " + std::to_string(block_align) + " does not match 8-bit mono");
        format = tag == kMulaw ? Format::ulaw() : Format::alaw();
      } else {
        return at(body, "unsupported WAVE format tag " + std::to_string(tag));
      }
      have_fmt = true;
    } else if (std::memcmp(hdr, "data", 4) == 0) {
      if (!have_fmt) return at(off, "'data' chunk before 'fmt ' chunk");
      std::size_t data_size = chunk_size;
      if (chunk_size == 0 || chunk_size == 0xFFFFFFFFu) {
        data_size = remaining;  // never finalised: take what is there
      } else if (chunk_size > remaining) {
        return at(off + 4, "'data' chunk size " + std::to_string(chunk_size) + " exceeds the " +
                               std::to_string(remaining) + " bytes left in the file");
      }
      if (format.codec == Codec::Slin) data_size &= ~static_cast<std::size_t>(1);
      return WavInfo{format, body, data_size};
    } else if (chunk_size > remaining) {
      std::string id(reinterpret_cast<const char*>(hdr), 4);
      for (char& ch : id)
        if (ch < 0x20 || ch > 0x7E) ch = '?';  // the id goes into a log line
      return at(off + 4, "chunk '" + id +
                             "' size " + std::to_string(chunk_size) + " runs past end of file");
    }
    // RIFF chunks are padded to an even size.
    const std::size_t next = body + chunk_size + (chunk_size & 1);
    if (next <= off) return at(off, "chunk size overflow");
    off = next;
  }
}

}  // namespace telephony::media
