// Generator applications: PlayTones/StopPlayTones, Milliwatt, and Ringing/Progress, which add the
// ring tone in band where the channel cannot signal ringing by itself.
#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>
#include <functional>

#include "apps/dialplan_apps.hpp"
#include "apps/media_apps.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/media/channel_media.hpp"

namespace telephony::dialplan {

namespace asio = boost::asio;
using namespace media_apps;

namespace {

asio::awaitable<AppResult> play_tones(Execution& x, std::string_view data) {
  const std::string spec = trim(data);
  if (spec.empty()) {
    warn(x, "PlayTones", "nothing to play (give an indication name or a tonelist)");
    co_return AppResult::Continue;
  }
  auto r = media::play_tones(x.channel_ptr(), spec, tone_zone(x.channel()));
  if (!r) warn(x, "PlayTones", r.error().to_string());
  co_return AppResult::Continue;
}

asio::awaitable<AppResult> stop_play_tones(Execution& x, std::string_view) {
  media::stop_generator(x.channel_ptr());
  co_return AppResult::Continue;
}

asio::awaitable<AppResult> milliwatt(Execution& x, std::string_view data) {
  Channel& chan = x.channel();
  if (chan.state() != ChannelState::Up) chan.answer();
  const bool old_style = trim(data).find('o') != std::string::npos;
  auto task = media::play_milliwatt(x.channel_ptr(), old_style ? media::MilliwattKind::DigitalMilliwatt
                                                               : media::MilliwattKind::Tone1004);
  // Runs until the caller hangs up (or something replaces the generator). The predicate is a
  // named object: GCC 12 destroys temporaries of a co_await operand twice, which would release
  // the captured task twice.
  std::function<bool()> ended = [task] { return !task->running(); };
  co_await chan.wait_until(std::move(ended), std::chrono::milliseconds(-1));
  media::stop_generator(x.channel_ptr());
  co_return chan.hangup_requested() ? AppResult::Hangup : AppResult::Continue;
}

// A channel that is already answered cannot signal "ringing" any more, and an analog-style
// device (one that wants inband DTMF) has no signalling for it at all: the caller hears the
// zone's ring tone instead, as Asterisk plays it when the driver cannot indicate.
asio::awaitable<AppResult> ringing(Execution& x, std::string_view) {
  Channel& chan = x.channel();
  if (chan.state() == ChannelState::Up) {
    // No signalling exists for ringing on an answered call: only the tone.
    if (auto r = media::play_tones(x.channel_ptr(), "ring", tone_zone(chan)); !r) warn(x, "Ringing", r.error().to_string());
  } else if (chan.tech().wants_inband_dtmf()) {
    if (auto r = media::ring_with_tones(x.channel_ptr(), tone_zone(chan)); !r) warn(x, "Ringing", r.error().to_string());
  } else {
    chan.indicate(Control::Ringing);
  }
  co_return AppResult::Continue;
}

asio::awaitable<AppResult> progress(Execution& x, std::string_view) {
  x.channel().indicate(Control::Progress);
  co_return AppResult::Continue;
}

}  // namespace

void register_tone_applications(Engine& engine) {
  add_application(engine, "PlayTones",
                  doc("Play a tone list.", "PlayTones(arg)",
                      "Starts playing a tone in the background and continues at once: arg is an indication name of "
                      "the tone zone (dial, busy, ring, congestion, callwaiting, dialrecall, record, info) or a "
                      "tonelist such as 440+480/2000,0/4000 (f1+f2/ms, ! for play once, M for musical notes). "
                      "A later Playback/Background/Read/Say stops it, as does StopPlayTones.",
                      {{"arg", "indication name or tonelist"}}, {"StopPlayTones", "Ringing", "Progress"}),
                  play_tones);
  add_application(engine, "StopPlayTones",
                  doc("Stop playing a tone list.", "StopPlayTones()",
                      "Stops the tone started by PlayTones (or any other background generator on the channel).", {},
                      {"PlayTones"}),
                  stop_play_tones);
  add_application(engine, "Milliwatt",
                  doc("Generates a 0 dBm0 tone.", "Milliwatt([options])",
                      "Answers and sends a 1004 Hz tone at 0 dBm0 (the test tone) until the caller hangs up.",
                      {{"options", "o: the digital milliwatt sequence (1000 Hz) of older versions"}},
                      {"Echo", "PlayTones"}),
                  milliwatt);
  add_application(engine, "Ringing",
                  doc("Indicate ringing tone.", "Ringing()",
                      "Asks the channel to indicate ringing. When the channel cannot (it is already answered, or the "
                      "device needs in-band signalling) the ring tone of the tone zone is played in band instead "
                      "until a prompt, StopPlayTones or another tone replaces it.",
                      {}, {"Progress", "Answer", "PlayTones"}),
                  ringing);
  add_application(engine, "Progress",
                  doc("Indicate progress.", "Progress()",
                      "Asks the channel to indicate in-band progress (early media): audio played next is heard "
                      "before the call is answered.",
                      {}, {"Ringing", "Answer"}),
                  progress);
  add_application(engine, "Proceeding",
                  doc("Indicate proceeding.", "Proceeding()",
                      "Asks the channel to indicate that the call is proceeding (ISDN CALL PROCEEDING; SIP has no "
                      "equivalent and ignores it).",
                      {}, {"Progress", "Ringing", "Answer"}),
                  [](Execution& x, std::string_view) -> asio::awaitable<AppResult> {
                    x.channel().indicate(Control::Proceeding);
                    co_return AppResult::Continue;
                  });
}

}  // namespace telephony::dialplan
