// Playback: prompts played on a channel as coroutines on its strand — the engine side of
// Playback(), Background(), ControlPlayback and the Say* applications.
//
// play_file() finds the prompt with find_sound_file() under engine.options().dirs.sounds (the
// channel's language folder, its base language, then en), reads it in 20 ms frames and writes
// them PACED: frame k is written at start + k*20 ms on a steady clock (absolute deadlines, so a
// late wake-up never accumulates into drift). Between frames it reads the channel's inbound
// frames, so a DTMF digit listed in `interrupt_digits` stops the prompt at once and is reported.
// Hangup wakes the wait and ends the playback with PlayStatus::HungUp. Files play in their own
// format; Channel::write translates to the device's codec.
//
// The Say* helpers turn text into prompt lists from Asterisk's English prompt set (digits/N,
// digits/hundred, letters/x, phonetic/x_p …) and play them as one sequence.
#pragma once

#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/channel.hpp"
#include "telephony/events.hpp"

namespace telephony {
// Published by play_files() as each prompt starts, in the order the caller hears them: how tests,
// AMI and logs see which files Playback/Say*/Read played. `prompt` is the name as asked
// ("digits/5"), `path` the file found for the channel's language and format.
struct PlaybackStarted : ChannelEvent {
  static constexpr std::string_view kType = "PlaybackStarted";
  std::string_view type() const override { return kType; }
  std::string prompt;
  std::string path;
};
}  // namespace telephony

namespace telephony::media {

struct PlayOptions {
  std::string language;          // empty: the channel's language
  std::string interrupt_digits;  // digits that stop playback ("" none; "any" -> all 16)
  std::chrono::milliseconds skip{0};  // start this far into the (first) file
  bool skip_missing = false;     // a missing prompt is skipped instead of ending with NotFound
};

enum class PlayStatus { Played, Interrupted, NotFound, HungUp, Failed };
std::string_view to_string(PlayStatus s);  // "PLAYED", "INTERRUPTED", "NOTFOUND", "HANGUP", "FAILED"

struct PlayResult {
  PlayStatus status = PlayStatus::Played;
  char digit = '\0';          // Interrupted: the digit
  std::string file;           // NotFound/Failed: the prompt name; else the last file played
  std::string error;          // Failed/NotFound: why
  std::size_t frames = 0;     // voice frames written
  std::chrono::milliseconds elapsed{0};
  bool ok() const { return status == PlayStatus::Played || status == PlayStatus::Interrupted; }
};

// One prompt ("hello-world", "digits/5", or an absolute path with or without extension).
boost::asio::awaitable<PlayResult> play_file(Channel::Ptr chan, std::string name, PlayOptions opts = {});
// Several prompts back to back (the "a&b&c" of Playback). Stops at the first interruption,
// missing file (NotFound; the files before it have played) or hangup.
boost::asio::awaitable<PlayResult> play_files(Channel::Ptr chan, std::vector<std::string> names,
                                              PlayOptions opts = {});

// Publishes PlaybackStarted for `chan` (play_files does it for every prompt; applications that
// stream a file themselves, such as ControlPlayback, call it too).
void publish_playback_started(Channel& chan, std::string_view prompt, std::string_view path);

// Prompt lists (pure; exposed for tests and for the applications' "dry-run" of what will play).
// Digits 0-9, '*' -> digits/star, '#' -> digits/pound, '-' -> digits/minus; other characters
// are skipped.
std::vector<std::string> digit_prompts(std::string_view digits);
// English cardinal: "minus", 1..20, 30..90, "hundred", "thousand", "million", "billion".
std::vector<std::string> number_prompts(long long n);
// letters/a..z, digits for 0-9, and letters/<symbol name> for the punctuation Asterisk has.
std::vector<std::string> alpha_prompts(std::string_view text);
// phonetic/a_p ("alpha") … phonetic/z_p, digits for 0-9, else as alpha_prompts.
std::vector<std::string> phonetic_prompts(std::string_view text);

boost::asio::awaitable<PlayResult> say_digits(Channel::Ptr chan, std::string digits, PlayOptions opts = {});
boost::asio::awaitable<PlayResult> say_number(Channel::Ptr chan, long long n, PlayOptions opts = {});
boost::asio::awaitable<PlayResult> say_alpha(Channel::Ptr chan, std::string text, PlayOptions opts = {});
boost::asio::awaitable<PlayResult> say_phonetic(Channel::Ptr chan, std::string text, PlayOptions opts = {});

}  // namespace telephony::media
