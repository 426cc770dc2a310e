// MixMonitor: recording a call while it goes on — Asterisk's MixMonitor() and its Monitor()
// family — as an audio hook on the channel (audiohook.hpp).
//
// A recording sees the channel's voice in both directions: Read (what the channel's device
// sends: the caller's voice, the "receive" leg, Monitor's -in file) and Write (what the device
// is sent: what the caller hears, the "transmit" leg, Monitor's -out file). It writes up to
// three files: the two directions mixed, and each direction alone (MixMonitor's r() and t()).
// The directions are kept in step the way Asterisk's audiohooks do: when one direction has sent
// nothing for 100 ms, silence stands in for it, so the legs stay the same length and aligned
// with the mix (option n leaves the legs unpadded).
//
// Threads: frames are decoded, scaled (v/V/W), mixed and copied into 500 ms chunks on the
// channel's strand without allocating; full chunks go to the engine's worker pool, which owns
// the files (open, append, write, close, rename, post-processing command). Nothing touches the
// disk on a call thread. A channel with a recording is tapped (Channel::has_audio_hooks()), so a
// native media path (an RTP relay between two SIP legs) falls back to frames while it records.
//
// Files: the extension picks the format as media/file_format.hpp lists (.wav is 8 kHz PCM,
// .wav16 16 kHz, .sln16/.sln48 raw slin at 16/48 kHz, .ulaw/.alaw G.711); all files of one
// recording share one sample rate. Relative names are under Directories::recordings (Asterisk's
// monitor directory); missing folders are created.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "telephony/channel.hpp"
#include "telephony/events.hpp"
#include "telephony/result.hpp"

namespace telephony::media {

struct MixMonitorOptions {
  std::filesystem::path file;        // the mix; empty: none (then r() or t() must be given)
  std::filesystem::path read_file;   // r(): the Read direction alone
  std::filesystem::path write_file;  // t(): the Write direction alone
  bool append = false;               // a: add to existing files
  bool bridged_only = false;         // b: write only while the channel is in a bridge
  bool interleaved =
      false;  // D: the mix as 2-channel interleaved slin (Read, Write), raw files only
  bool no_leg_sync = false;           // n: legs get what arrived, no silence padding
  int read_volume = 0;                // v(x): Read scaled by 2^x (x in -4..4)
  int write_volume = 0;               // V(x): Write scaled by 2^x
  std::chrono::milliseconds skip{0};  // s(x): write nothing during the first x
  bool delete_when_done = false;      // d: remove the files after the command ran
  std::string command;  // run with /bin/sh on the worker pool once the files are closed
  std::string kind =
      "MixMonitor";            // "Monitor" for the Monitor() family (its own start/stop/events)
  std::filesystem::path base;  // Monitor(): the name the files derive from (ChangeMonitor renames)
};

// What `mixmonitor list` and MIXMONITOR() report about one running recording.
struct MixMonitorInfo {
  std::string id;  // "0x…", as Asterisk's MixMonitorID
  std::string kind;
  std::filesystem::path file, read_file, write_file;
  bool read_muted = false, write_muted = false, paused = false;
};

// MixMonitorStart, MixMonitorStop, MixMonitorMute (Direction, State), MonitorStart, MonitorStop.
struct MixMonitorEvent : Event {
  static constexpr std::string_view kType = "MixMonitorEvent";
  std::string_view type() const override { return kType; }
  std::string name;
  ChannelSnapshot channel;
  std::vector<std::pair<std::string, std::string>> fields;
};

// Asterisk's option letters and file names of MixMonitor(file,options,command), with relative
// names under `recordings`: a, b, D, n, d, v(x), V(x), W(x), r(file), t(file), s(secs), i(var)
// (the variable the id goes to, returned in `id_variable`). Accepted and ignored with a warning:
// B(), p, P, c, m(), S(). Errors name the option.
struct ParsedMixMonitor {
  MixMonitorOptions options;
  std::string id_variable;
  std::vector<std::string> warnings;
};
Result<ParsedMixMonitor> parse_mixmonitor(std::string_view file, std::string_view options,
                                          std::string_view command,
                                          const std::filesystem::path& recordings);

// Attaches a recording; `started` runs (on the worker pool) once the files are open — with the
// recording's id — or could not be opened (the recording is then removed again).
using MixMonitorStarted = std::function<void(Result<std::string>)>;
void start_mixmonitor(const Channel::Ptr& chan, MixMonitorOptions opts,
                      MixMonitorStarted started = {});
// Stops the recording `id`, or (empty id) the newest of `kind`; `stopped` runs once its files are
// closed (and its command started). False when there is no such recording.
bool stop_mixmonitor(const Channel::Ptr& chan, std::string_view id,
                     std::string_view kind = "MixMonitor", std::function<void()> stopped = {});
// Mutes (silence, keeping the timing) or unmutes one direction or both of recording `id`, or of
// every recording of `kind` when `id` is empty. Returns how many recordings changed.
int mute_mixmonitor(Channel& chan, std::string_view id, std::string_view kind, bool read,
                    bool write, bool on);
// PauseMonitor/UnpauseMonitor: while paused nothing is written. Returns how many changed.
int pause_mixmonitor(Channel& chan, std::string_view kind, bool paused);
// ChangeMonitor: the files of the `kind` recording get `new_base` (plus their -in/-out and
// extension) when they are closed. False when there is none.
bool rename_mixmonitor(Channel& chan, std::string_view kind, const std::filesystem::path& new_base);
std::vector<MixMonitorInfo> list_mixmonitors(const Channel& chan);

// The MixMonitor/StopMixMonitor/Monitor family applications, MIXMONITOR() and the
// `mixmonitor start|stop|list` console command.
void register_mixmonitor_applications(Engine& engine);

}  // namespace telephony::media
