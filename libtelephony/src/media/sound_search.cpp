// Asterisk-style prompt lookup: which folders are searched for a language, and which file in
// them plays best on a channel.
#include <algorithm>
#include <string>
#include <system_error>

#include "telephony/media/file_format.hpp"
#include "telephony/media/translator.hpp"

namespace telephony::media {
namespace {

struct Candidate {
  const char* ext;
  Format format;
};
// Every extension we can play, with the format its contents are in (.wav is 8 kHz PCM by
// Asterisk convention; .wav16 16 kHz).
constexpr Candidate kCandidates[] = {
    {"sln48", Format::slin(48000)}, {"sln16", Format::slin(16000)}, {"wav16", Format::slin(16000)},
    {"sln", Format::slin(8000)},    {"wav", Format::slin(8000)},    {"ulaw", Format::ulaw()},
    {"alaw", Format::alaw()},
};

std::optional<std::filesystem::path> best_in(const std::filesystem::path& base, Format preferred) {
  std::optional<std::filesystem::path> best;
  double best_cost = 0;
  std::error_code ec;
  for (const auto& c : kCandidates) {
    std::filesystem::path p = base;
    p += ".";
    p += c.ext;
    if (!std::filesystem::is_regular_file(p, ec)) continue;
    double cost = 0;
    if (!(c.format == preferred)) {
      auto pc = TranslationGraph::shared().path_cost_us(c.format, preferred);
      cost = pc ? *pc + 1e-3 : 1e9;  // any real step loses to an exact match
    }
    if (!best || cost < best_cost) {
      best = p;
      best_cost = cost;
    }
  }
  return best;
}

// <dir>/<language>, or when that folder does not exist, the first voice folder for it
// (<language>_<anything>, such as en_US_f_Allison: what Debian's asterisk-core-sounds-en-wav
// installs without the `en` link of asterisk-core-sounds-en).
std::optional<std::filesystem::path> language_folder(const std::filesystem::path& sounds_dir, std::string_view language) {
  std::error_code ec;
  auto direct = sounds_dir / std::string(language);
  if (std::filesystem::is_directory(direct, ec)) return direct;
  std::vector<std::filesystem::path> voices;
  const std::string prefix = std::string(language) + "_";
  for (const auto& e : std::filesystem::directory_iterator(sounds_dir, ec)) {
    const auto name = e.path().filename().string();
    if (name.compare(0, prefix.size(), prefix) == 0 && e.is_directory(ec)) voices.push_back(e.path());
  }
  if (voices.empty()) return std::nullopt;
  return *std::min_element(voices.begin(), voices.end());
}

}  // namespace

std::vector<std::filesystem::path> sound_search_dirs(const std::filesystem::path& sounds_dir, std::string_view language) {
  std::vector<std::filesystem::path> dirs;
  auto add = [&](std::string_view lang) {
    if (lang.empty()) return;
    auto d = language_folder(sounds_dir, lang);
    // A missing folder is still named, so a "not found" message shows where it was looked for.
    auto folder = d ? *d : sounds_dir / std::string(lang);
    if (std::find(dirs.begin(), dirs.end(), folder) == dirs.end()) dirs.push_back(std::move(folder));
  };
  add(language);
  if (auto u = language.find('_'); u != std::string_view::npos) add(language.substr(0, u));
  add("en");
  dirs.push_back(sounds_dir);
  return dirs;
}

std::optional<std::filesystem::path> prompts_folder(const std::filesystem::path& sounds_dir, std::string_view language) {
  return language_folder(sounds_dir, language);
}

std::optional<std::filesystem::path> find_sound_file(const std::filesystem::path& sounds_dir,
                                                     std::string_view language,
                                                     std::string_view name, Format preferred) {
  if (name.empty()) return std::nullopt;
  if (name.front() == '/') return best_in(std::filesystem::path(name), preferred);
  for (const auto& d : sound_search_dirs(sounds_dir, language))
    if (auto p = best_in(d / std::string(name), preferred)) return p;
  return std::nullopt;
}

std::string sound_not_found_message(const std::filesystem::path& sounds_dir, std::string_view language,
                                    std::string_view name) {
  std::string tried;
  if (!name.empty() && name.front() == '/') {
    tried = std::string(name) + ".*";
  } else {
    for (const auto& d : sound_search_dirs(sounds_dir, language))
      tried += (tried.empty() ? "" : ", ") + (d / std::string(name)).string() + ".*";
  }
  return "prompt '" + std::string(name) + "' not found (language " + std::string(language.empty() ? "en" : language) +
         "); tried " + tried;
}

}  // namespace telephony::media
