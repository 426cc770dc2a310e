// AMD(): answering-machine detection on the channel's inbound audio, with amd.conf defaults
// (AmdModule) overridden by the application's arguments; sets AMDSTATUS and AMDCAUSE.
#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>
#include <cstdlib>
#include <map>

#include "apps/audio_analysis.hpp"
#include "apps/dialplan_apps.hpp"
#include "apps/media_apps.hpp"
#include "telephony/config/module_config.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/engine.hpp"
#include "telephony/media/amd.hpp"
#include "telephony/media/codec.hpp"
#include "telephony/media/file_format.hpp"

namespace telephony::media {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using dialplan::AppResult;
using dialplan::Execution;

namespace {

struct AmdStore {
  std::mutex mu;
  AmdSettings settings;
};

std::mutex g_stores_mu;
std::map<const Engine*, std::weak_ptr<AmdStore>> g_stores;

std::shared_ptr<AmdStore> store_of(Engine& engine) {
  std::lock_guard lock(g_stores_mu);
  auto it = g_stores.find(&engine);
  return it == g_stores.end() ? nullptr : it->second.lock();
}

// Plays `file` paced by the wall clock while AMD listens (amd.conf playback_file / 10th argument).
struct BackgroundPrompt {
  std::optional<AudioFileReader> reader;
  std::chrono::steady_clock::time_point next{};
  void pump(Channel& chan) {
    if (!reader) return;
    const auto now = std::chrono::steady_clock::now();
    while (reader && next <= now) {
      auto bytes = reader->read_frame();
      if (bytes.empty()) {
        reader.reset();
        break;
      }
      const auto fmt = reader->format();
      chan.write(Frame::voice(fmt, std::vector<std::uint8_t>(bytes.begin(), bytes.end()),
                              static_cast<std::uint32_t>(fmt.codec == Codec::Slin ? bytes.size() / 2 : bytes.size())));
      next += 20ms;
    }
  }
};

asio::awaitable<AppResult> amd_app(std::shared_ptr<AmdStore> store, Execution& x, std::string_view data) {
  Channel& chan = x.channel();
  AmdSettings s;
  {
    std::lock_guard lock(store->mu);
    s = store->settings;
  }
  // AMD([initialSilence][,greeting][,afterGreetingSilence][,totalAnalysisTime][,miniumWordLength]
  //     [,betweenWordSilence][,maximumNumberOfWords][,silenceThreshold][,maximumWordLength][,audioFile])
  auto args = dialplan::split_args(data);
  int* fields[] = {&s.initial_silence,       &s.greeting,          &s.after_greeting_silence,
                   &s.total_analysis_time,   &s.min_word_length,   &s.between_words_silence,
                   &s.maximum_number_of_words, &s.silence_threshold, &s.maximum_word_length};
  for (std::size_t i = 0; i < args.size() && i < std::size(fields); ++i)
    if (!dialplan::media_apps::trim(args[i]).empty()) *fields[i] = std::atoi(args[i].c_str());
  if (args.size() > 9 && !dialplan::media_apps::trim(args[9]).empty()) s.playback_file = dialplan::media_apps::trim(args[9]);
  x.engine().log().verbose(
      "amd", "AMD: " + chan.name() + " initialSilence [" + std::to_string(s.initial_silence) + "] greeting [" +
                 std::to_string(s.greeting) + "] afterGreetingSilence [" + std::to_string(s.after_greeting_silence) +
                 "] totalAnalysisTime [" + std::to_string(s.total_analysis_time) + "] minimumWordLength [" +
                 std::to_string(s.min_word_length) + "] betweenWordsSilence [" + std::to_string(s.between_words_silence) +
                 "] maximumNumberOfWords [" + std::to_string(s.maximum_number_of_words) + "] silenceThreshold [" +
                 std::to_string(s.silence_threshold) + "] maximumWordLength [" + std::to_string(s.maximum_word_length) +
                 "]");
  // The longest wait for a frame is twice the smallest interval the algorithm cares about.
  int max_wait = 50;
  for (int v : {s.initial_silence, s.greeting, s.after_greeting_silence, s.total_analysis_time, s.min_word_length,
                s.between_words_silence})
    if (v > 0) max_wait = std::min(max_wait, v);

  const dialplan::SlinReadFormat slin(chan);
  BackgroundPrompt prompt;
  if (!s.playback_file.empty()) {
    if (auto path = find_sound_file(x.engine().options().dirs.sounds, chan.language(), s.playback_file,
                                    chan.native_format())) {
      if (auto r = AudioFileReader::open(*path)) {
        prompt.reader.emplace(std::move(*r));
        prompt.next = std::chrono::steady_clock::now();
      }
    } else {
      dialplan::media_apps::warn(x, "AMD", "prompt '" + s.playback_file + "' not found");
    }
  }

  AnsweringMachineDetector detector(s);
  const auto start = std::chrono::steady_clock::now();
  std::optional<AmdDecision> decision;
  std::size_t audio_frames = 0;
  std::vector<std::int16_t> pcm;
  while (!decision) {
    prompt.pump(chan);
    const auto before = std::chrono::steady_clock::now();
    auto f = co_await chan.read(std::chrono::milliseconds(2 * max_wait));
    if (!f && chan.hangup_requested()) {
      decision = AmdDecision{AmdStatus::Hangup, ""};
      break;
    }
    // Real time bounds the analysis too, in case frames stall.
    if (std::chrono::steady_clock::now() - start > std::chrono::milliseconds(s.total_analysis_time)) {
      decision = AmdDecision{AmdStatus::NotSure, (audio_frames ? "TOOLONG-" : "NOAUDIODATA-") +
                                                     std::to_string(detector.total_ms())};
      break;
    }
    if (!f) {
      decision = detector.on_no_frame(static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - before).count()));
      continue;
    }
    if (f->kind != FrameKind::Voice) continue;
    ++audio_frames;
    const auto samples = dialplan::slin_view(*f, pcm);
    if (samples.empty()) continue;
    decision = detector.on_voice(samples, f->format.rate ? f->format.rate : 8000);
  }
  chan.set_variable("AMDSTATUS", std::string(to_string(decision->status)));
  chan.set_variable("AMDCAUSE", decision->cause);
  x.engine().log().verbose("amd", "AMD: " + chan.name() + " " + std::string(to_string(decision->status)) + " " +
                                      decision->cause);
  co_return AppResult::Continue;
}

}  // namespace

void install_amd(Engine& engine) {
  std::lock_guard lock(g_stores_mu);
  if (auto it = g_stores.find(&engine); it != g_stores.end() && !it->second.expired()) return;
  auto store = std::make_shared<AmdStore>();
  g_stores[&engine] = store;
  dialplan::add_application(
      engine, "AMD",
      Documentation{
          "Attempt to detect answering machines.",
          "AMD([initialSilence[,greeting[,afterGreetingSilence[,totalAnalysisTime[,miniumWordLength[,"
          "betweenWordSilence[,maximumNumberOfWords[,silenceThreshold[,maximumWordLength[,audioFile]]]]]]]]]])",
          "Listens to the start of an answered (outbound) call and decides whether a person or an answering "
          "machine picked up, from the timing of silence and words. Defaults come from amd.conf [general] (or "
          "app_amd's built-in values); arguments override them. Sets AMDSTATUS to MACHINE, HUMAN, NOTSURE or "
          "HANGUP and AMDCAUSE to TOOLONG-<ms>, NOAUDIODATA-<ms>, INITIALSILENCE-<silence>-<max>, "
          "HUMAN-<silence>-<after>, LONGGREETING-<voice>-<max>, MAXWORDLENGTH-<ms> or MAXWORDS-<n>-<max>. "
          "Times in milliseconds.",
          {{"initialSilence", "longest silence before the greeting (MACHINE beyond)"},
           {"greeting", "longest greeting (MACHINE beyond)"},
           {"afterGreetingSilence", "silence after the greeting that means HUMAN"},
           {"totalAnalysisTime", "give up (NOTSURE) after this long"},
           {"miniumWordLength", "shortest voice counted as a word"},
           {"betweenWordSilence", "shortest silence between two words"},
           {"maximumNumberOfWords", "more words than this means MACHINE"},
           {"silenceThreshold", "mean amplitude (0-32767) below which audio is silence"},
           {"maximumWordLength", "longest single utterance (MACHINE beyond)"},
           {"audioFile", "a prompt played to the callee meanwhile"}},
          {"WaitForSilence", "WaitForNoise"}},
      [store](Execution& x, std::string_view data) { return amd_app(store, x, data); });
}

AmdSettings amd_settings(Engine& engine) {
  auto store = store_of(engine);
  if (!store) return {};
  std::lock_guard lock(store->mu);
  return store->settings;
}

void set_amd_settings(Engine& engine, AmdSettings s) {
  install_amd(engine);
  auto store = store_of(engine);
  std::lock_guard lock(store->mu);
  store->settings = std::move(s);
}

AmdModule::AmdModule(Engine& engine) : engine_(engine) { install_amd(engine); }

Result<void, Errors> AmdModule::check(const std::filesystem::path& dir) {
  auto cfg = config::load_module_config(dir, "amd.conf");
  if (!cfg) return Unexpected<Errors>{cfg.error()};
  auto s = amd_settings_from_config(*cfg);
  if (!s) return Unexpected<Errors>{s.error()};
  return {};
}

Result<void, Errors> AmdModule::load(const std::filesystem::path& dir) {
  auto cfg = config::load_module_config(dir, "amd.conf");
  if (!cfg) return Unexpected<Errors>{cfg.error()};
  std::string warnings;
  auto s = amd_settings_from_config(*cfg, &warnings);
  if (!s) return Unexpected<Errors>{s.error()};
  for (std::size_t at = 0, nl; (nl = warnings.find('\n', at)) != std::string::npos; at = nl + 1)
    engine_.log().warning("app_amd", warnings.substr(at, nl - at));
  set_amd_settings(engine_, std::move(*s));
  return {};
}

}  // namespace telephony::media
