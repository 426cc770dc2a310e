// The answering-machine decision and amd.conf (see media/amd.hpp).
#include "telephony/media/amd.hpp"

#include <strings.h>

#include <charconv>

#include "telephony/config/config.hpp"

namespace telephony::media {

std::string_view to_string(AmdStatus s) {
  switch (s) {
    case AmdStatus::Machine: return "MACHINE";
    case AmdStatus::Human: return "HUMAN";
    case AmdStatus::NotSure: return "NOTSURE";
    case AmdStatus::Hangup: return "HANGUP";
  }
  return "NOTSURE";
}

AnsweringMachineDetector::AnsweringMachineDetector(const AmdSettings& s) : s_(s), silence_(s.silence_threshold) {}

std::optional<AmdDecision> AnsweringMachineDetector::decide(AmdStatus s, std::string cause) {
  return AmdDecision{s, std::move(cause)};
}

std::optional<AmdDecision> AnsweringMachineDetector::on_no_frame(int ms) {
  total_ms_ += ms;
  if (total_ms_ >= s_.total_analysis_time) return decide(AmdStatus::NotSure, "TOOLONG-" + std::to_string(total_ms_));
  return std::nullopt;
}

std::optional<AmdDecision> AnsweringMachineDetector::on_voice(std::span<const std::int16_t> samples, std::uint32_t rate) {
  const int frame_ms = rate ? static_cast<int>(samples.size() * 1000 / rate) : 0;
  total_ms_ += frame_ms;
  if (total_ms_ >= s_.total_analysis_time) return decide(AmdStatus::NotSure, "TOOLONG-" + std::to_string(total_ms_));

  if (silence_.process(samples, rate)) {
    silence_ms_ = silence_.silence_ms();
    if (silence_ms_ >= s_.between_words_silence) {
      in_word_ = false;
      consecutive_voice_ms_ = 0;
    }
    if (in_initial_silence_ && silence_ms_ >= s_.initial_silence)
      return decide(AmdStatus::Machine,
                    "INITIALSILENCE-" + std::to_string(silence_ms_) + "-" + std::to_string(s_.initial_silence));
    if (in_greeting_ && silence_ms_ >= s_.after_greeting_silence)
      return decide(AmdStatus::Human,
                    "HUMAN-" + std::to_string(silence_ms_) + "-" + std::to_string(s_.after_greeting_silence));
    return std::nullopt;
  }

  consecutive_voice_ms_ += frame_ms;
  voice_ms_ += frame_ms;
  // A word starts when enough voice follows silence.
  if (consecutive_voice_ms_ >= s_.min_word_length && !in_word_) {
    ++words_;
    in_word_ = true;
  }
  if (consecutive_voice_ms_ >= s_.maximum_word_length)
    return decide(AmdStatus::Machine, "MAXWORDLENGTH-" + std::to_string(consecutive_voice_ms_));
  if (words_ > s_.maximum_number_of_words)
    return decide(AmdStatus::Machine,
                  "MAXWORDS-" + std::to_string(words_) + "-" + std::to_string(s_.maximum_number_of_words));
  if (in_greeting_ && voice_ms_ >= s_.greeting)
    return decide(AmdStatus::Machine, "LONGGREETING-" + std::to_string(voice_ms_) + "-" + std::to_string(s_.greeting));
  if (voice_ms_ >= s_.min_word_length) silence_ms_ = 0;
  if (consecutive_voice_ms_ >= s_.min_word_length && !in_greeting_) {
    in_initial_silence_ = false;
    in_greeting_ = true;
  }
  return std::nullopt;
}

Result<AmdSettings, Errors> amd_settings_from_config(const config::ConfigFile& file, std::string* warnings) {
  AmdSettings s;
  Errors errors;
  struct Key {
    const char* name;
    int* target;
  };
  const Key keys[] = {{"initial_silence", &s.initial_silence},
                      {"greeting", &s.greeting},
                      {"after_greeting_silence", &s.after_greeting_silence},
                      {"total_analysis_time", &s.total_analysis_time},
                      {"min_word_length", &s.min_word_length},
                      {"between_words_silence", &s.between_words_silence},
                      {"maximum_number_of_words", &s.maximum_number_of_words},
                      {"silence_threshold", &s.silence_threshold},
                      {"maximum_word_length", &s.maximum_word_length}};
  for (const auto& sec : file.sections) {
    if (strcasecmp(sec.name.c_str(), "general") != 0) continue;
    for (const auto& e : sec.entries) {
      if (strcasecmp(e.name.c_str(), "playback_file") == 0) {
        s.playback_file = e.value;
        continue;
      }
      bool known = false;
      for (const auto& k : keys) {
        if (strcasecmp(e.name.c_str(), k.name) != 0) continue;
        known = true;
        int v = 0;
        auto [end, ec] = std::from_chars(e.value.data(), e.value.data() + e.value.size(), v);
        if (ec != std::errc() || end != e.value.data() + e.value.size() || v < 0)
          errors.items.push_back({"'" + e.name + "' needs a whole number of " +
                                      (k.target == &s.maximum_number_of_words ? std::string("words")
                                       : k.target == &s.silence_threshold     ? std::string("amplitude (0-32767)")
                                                                              : std::string("milliseconds")) +
                                      ", not '" + e.value + "'",
                                  e.where.to_string()});
        else *k.target = v;
      }
      if (!known && warnings)
        *warnings += e.where.to_string() + ": unknown keyword '" + e.name + "' in [general] of amd.conf (ignored)\n";
    }
  }
  if (!errors.items.empty()) return Unexpected<Errors>{std::move(errors)};
  return s;
}

}  // namespace telephony::media
