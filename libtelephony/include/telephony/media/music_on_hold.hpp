// Music on hold: musiconhold.conf classes and the generator that plays one on a channel
// (StartMusicOnHold/StopMusicOnHold, MusicOnHold(), a bridge putting a peer on hold).
//
// Supported: `mode=files` classes — `directory=` (absolute, or relative to astdatadir as Asterisk
// resolves it), `sort=random|alpha` (random by default shuffles once per start; alpha plays in
// file name order), every readable audio file in the folder. Other modes (custom, mp3, quietmp3
// …) are rejected with file:line: they spawn external players, which this engine does not do.
// A class whose folder has no playable files is an error at load (Asterisk only warns and then
// plays silence; a silent hold is worse than a failed reload).
//
// Without a configured "default" class, default_moh_class() uses Debian's
// asterisk-moh-opsound-wav files (/usr/share/asterisk/moh) when installed, and otherwise a tone
// class (a quiet 440 Hz pattern) so a caller on hold always hears that they are on hold.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "telephony/channel.hpp"
#include "telephony/config/config.hpp"
#include "telephony/media/channel_media.hpp"
#include "telephony/result.hpp"

namespace telephony::media {

struct MohClass {
  enum class Mode { Files, Tone };
  std::string name;
  Mode mode = Mode::Files;
  std::filesystem::path directory;
  bool random = true;
  std::vector<std::filesystem::path> files;  // resolved at load, sorted by name
  std::string tone = "440/1500,0/3500";  // Mode::Tone: tonelist (repeating)
};

// Every [class] of musiconhold.conf ([general] is skipped). `data_dir` resolves relative folders.
Result<std::vector<MohClass>, Errors> moh_classes_from_config(const config::ConfigFile& file,
                                                              const std::filesystem::path& data_dir);

// The built-in default class described above.
MohClass default_moh_class(const std::filesystem::path& debian_moh_dir = "/usr/share/asterisk/moh");

// Starts `cls` on `chan` (replacing the channel's generator). Files loop forever until
// stop_generator(chan) or hangup; `seed` makes the random order reproducible (tests).
std::shared_ptr<GeneratorTask> start_moh(const Channel::Ptr& chan, const MohClass& cls, unsigned seed = 0);
void stop_moh(const Channel::Ptr& chan);

}  // namespace telephony::media
