// Answering-machine detection: the AMD() application's decision from the timing of silence and
// words at the start of an answered call, with app_amd's algorithm and amd.conf's settings, so an
// auto-dialer tuned on Asterisk gets the same AMDSTATUS/AMDCAUSE here.
//
// The detector is fed voice frames (signed linear) and, when no frame came for a while, the time
// that passed. Every voice frame is classed silent or not (SilenceDetector, silence_threshold);
// a run of voice of at least min_word_length ms entered from silence is a word; silence of at
// least between_words_silence ms separates words. It decides:
//   MACHINE  INITIALSILENCE-<silence>-<initial_silence>  silence before any word lasted too long
//   MACHINE  MAXWORDLENGTH-<ms>        one utterance longer than maximum_word_length
//   MACHINE  MAXWORDS-<n>-<max>        more than maximum_number_of_words words
//   MACHINE  LONGGREETING-<ms>-<max>   the voice of the greeting lasted greeting ms
//   HUMAN    HUMAN-<silence>-<after>   after the first word, after_greeting_silence of silence
//   NOTSURE  TOOLONG-<ms>              total_analysis_time of audio without a decision
//   NOTSURE  NOAUDIODATA-<ms>          (from the application) no voice frame at all in time
// The numbers in the causes are app_amd's. Pure; no allocation while deciding.
//
// AmdModule ("app_amd") reads amd.conf [general]: initial_silence, greeting,
// after_greeting_silence, total_analysis_time, min_word_length, between_words_silence,
// maximum_number_of_words, silence_threshold, maximum_word_length, playback_file. A value that is
// not a whole number is an error naming file:line (the running settings stay); an unknown key is
// a warning, as in Asterisk. AMD() works without the module, on app_amd's defaults.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "telephony/media/voice_activity.hpp"
#include "telephony/module.hpp"

namespace telephony {
class Engine;
}
namespace telephony::config {
struct ConfigFile;
}

namespace telephony::media {

struct AmdSettings {
  int initial_silence = 2500;
  int greeting = 1500;
  int after_greeting_silence = 800;
  int total_analysis_time = 5000;
  int min_word_length = 100;
  int between_words_silence = 50;
  int maximum_number_of_words = 2;
  int silence_threshold = kDefaultSilenceThreshold;
  int maximum_word_length = 5000;
  std::string playback_file;  // played to the callee while AMD listens (empty: nothing)
};

enum class AmdStatus { Machine, Human, NotSure, Hangup };
std::string_view to_string(AmdStatus s);  // "MACHINE", "HUMAN", "NOTSURE", "HANGUP"

struct AmdDecision {
  AmdStatus status = AmdStatus::NotSure;
  std::string cause;  // AMDCAUSE, e.g. "MAXWORDS-3-2"
};

class AnsweringMachineDetector {
 public:
  explicit AnsweringMachineDetector(const AmdSettings& s);
  // One voice frame at `rate`; a decision once there is one.
  std::optional<AmdDecision> on_voice(std::span<const std::int16_t> samples, std::uint32_t rate);
  // `ms` passed without any frame (only total time advances, as in app_amd).
  std::optional<AmdDecision> on_no_frame(int ms);
  // Analysed audio time so far (iTotalTime).
  int total_ms() const { return total_ms_; }
  int words() const { return words_; }

 private:
  std::optional<AmdDecision> decide(AmdStatus s, std::string cause);
  AmdSettings s_;
  SilenceDetector silence_;
  bool in_initial_silence_ = true;
  bool in_greeting_ = false;
  bool in_word_ = true;  // app_amd starts in STATE_IN_WORD
  int voice_ms_ = 0;
  int silence_ms_ = 0;
  int consecutive_voice_ms_ = 0;
  int total_ms_ = 0;
  int words_ = 0;
};

// amd.conf [general] over `base` (the defaults): errors name file:line.
Result<AmdSettings, Errors> amd_settings_from_config(const config::ConfigFile& file, std::string* warnings = nullptr);

class AmdModule : public Module {
 public:
  // Registers AMD() (once per engine) on the built-in defaults.
  explicit AmdModule(Engine& engine);
  std::string_view name() const override { return "app_amd"; }
  std::string_view config_file() const override { return "amd.conf"; }
  Result<void, Errors> check(const std::filesystem::path& config_dir) override;
  Result<void, Errors> load(const std::filesystem::path& config_dir) override;

 private:
  Engine& engine_;
};

// Registers AMD() on `engine` if it is not there yet; the settings it uses are amd_settings(engine).
void install_amd(Engine& engine);
AmdSettings amd_settings(Engine& engine);
void set_amd_settings(Engine& engine, AmdSettings s);

}  // namespace telephony::media
