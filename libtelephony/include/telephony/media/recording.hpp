// Recording: what a channel says, written to a file, as a coroutine on the channel's strand —
// the engine side of Record() (and of voicemail's "leave a message").
//
// record_file() optionally plays the "beep" prompt, then reads the channel's inbound voice and
// writes it to `path`, whose extension picks the container and codec (.wav, .ulaw, .alaw, .sln,
// .sln16 … as media/file_format.hpp lists). A .wav file records slin at the channel's native rate
// (8 or 16 kHz; 48 kHz stays 48 kHz). It stops, like Record(), on: a terminator digit (DTMF),
// `silence` of continuous quiet (SILENCE; the quiet tail is trimmed from the file), `max_duration`
// of wall-clock time (TIMEOUT), or hangup (HANGUP; what was recorded is kept). The result's
// status names are Record()'s RECORD_STATUS values.
#pragma once

#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <filesystem>
#include <string>

#include "telephony/channel.hpp"

namespace telephony::media {

struct RecordOptions {
  std::chrono::milliseconds max_duration{0};  // 0: no limit
  std::chrono::milliseconds silence{0};       // 0: no silence detection
  int silence_threshold = 256;  // mean absolute sample below this is quiet (Asterisk's default)
  bool beep = true;              // play "beep" first (Record's `q` option turns it off)
  bool append = false;           // add to an existing file (Record's `a`)
  std::string terminators = "#";  // digits that end the recording (`t`: "*"; `y`: any)
  bool skip_if_not_up = false;   // `s`: return SKIP when the channel is not answered
  bool trim_silence = true;      // on SILENCE drop the quiet tail (Record's `u` keeps it)
};

enum class RecordStatus { Dtmf, Silence, Skip, Timeout, Hangup, Error };
// RECORD_STATUS value: "DTMF", "SILENCE", "SKIP", "TIMEOUT", "HANGUP", "ERROR".
std::string_view to_string(RecordStatus s);

struct RecordResult {
  RecordStatus status = RecordStatus::Error;
  char digit = '\0';
  std::size_t samples = 0;            // samples in the file after this recording (incl. appended)
  std::uint32_t rate = 8000;
  std::string error;                  // Error: what failed and where
  double seconds() const { return rate ? static_cast<double>(samples) / rate : 0; }
};

boost::asio::awaitable<RecordResult> record_file(Channel::Ptr chan, std::filesystem::path path,
                                                 RecordOptions opts = {});

}  // namespace telephony::media
