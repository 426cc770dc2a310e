// Fuzz target: the WAV reader. Any byte image must either parse (and then every frame must be
// readable to EOF within the image) or fail with an offset - never crash or read out of bounds.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "telephony/media/file_format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace telephony::media;
  auto info = parse_wav_header({data, size});
  if (info) {
    if (info->data_offset + info->data_size > size) std::abort();  // header lied, parser believed it
  } else if (info.error().where.rfind("offset ", 0) != 0) {
    std::abort();  // every rejection names an offset
  }
  auto reader = AudioFileReader::from_bytes(AudioFileType::Wav, std::vector<std::uint8_t>(data, data + size));
  if (!reader) return 0;
  std::size_t total = 0;
  for (auto s = reader->read_slin(); !s.empty(); s = reader->read_slin()) total += s.size();
  if (total != reader->total_samples()) std::abort();
  return 0;
}
