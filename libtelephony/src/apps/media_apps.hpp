// The media dialplan applications (internal): registration entry points of app_playback.cpp,
// app_record.cpp, app_read.cpp, app_say.cpp, app_tones.cpp, app_moh.cpp, app_dtmf.cpp and
// app_echo.cpp, plus the small argument helpers they share (media_app_support.cpp).
// Behaviour and the choices made where Asterisk is silent: docs/media-apps.md.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/channel.hpp"
#include "telephony/documentation.hpp"
#include "telephony/media/music_on_hold.hpp"

namespace telephony {
class Engine;
}

namespace telephony::dialplan {

class Execution;

// Everything below, in one call (install_dialplan makes it).
void register_media_applications(Engine& engine);

void register_playback_applications(Engine& engine);  // Playback, Background, ControlPlayback
void register_record_application(Engine& engine);     // Record
void register_read_applications(Engine& engine);      // Read, WaitDigit
void register_say_applications(Engine& engine);       // SayDigits, SayNumber, SayAlpha, SayPhonetic
void register_tone_applications(Engine& engine);      // PlayTones, StopPlayTones, Milliwatt, Ringing, Progress
void register_moh_applications(Engine& engine);       // MusicOnHold, StartMusicOnHold, StopMusicOnHold
void register_dtmf_applications(Engine& engine);      // SendDTMF
void register_echo_application(Engine& engine);       // Echo

namespace media_apps {

Documentation doc(std::string synopsis, std::string syntax, std::string description,
                  std::vector<std::pair<std::string, std::string>> args, std::vector<std::string> see);

std::string trim(std::string_view s);
std::string lower(std::string_view s);
// "a&b&&c" -> {"a", "b", "c"} (each trimmed, empty names dropped).
std::vector<std::string> split_prompts(std::string_view files);
// Seconds as written ("1.5"); nullopt when empty or not a non-negative number.
std::optional<std::chrono::milliseconds> parse_seconds(std::string_view s);
// A whole non-negative integer; nullopt otherwise.
std::optional<long long> parse_integer(std::string_view s);
// Answers unless the channel is up or `noanswer`. Prompts stop any generator first (tones,
// music on hold), as Asterisk's file streaming deactivates the channel generator.
void prepare_for_prompt(Channel& chan, bool noanswer);
// The tone zone indications come from (Asterisk's CHANNEL(tonezone); "us" here).
std::string tone_zone(const Channel& chan);
void warn(Execution& x, std::string_view app, std::string_view message);
// The music on hold class to play: `name`, else CHANNEL(musicclass), else "default" (configured,
// or the built-in one); an unknown name warns (naming `app`) and falls back to "default".
media::MohClass resolve_moh_class(Execution& x, std::string name, std::string_view app);
// The same for a channel that runs no dialplan (Page()'s paged phones); warnings go to the log.
media::MohClass resolve_moh_class(Engine& engine, Channel& chan, std::string name, std::string_view app);

}  // namespace media_apps
}  // namespace telephony::dialplan
