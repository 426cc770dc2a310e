// Echo() and StreamEcho(): what the caller sends comes straight back (audio and DTMF) until # or hangup.
#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>

#include "apps/dialplan_apps.hpp"
#include "apps/media_apps.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/media/channel_media.hpp"

namespace telephony::dialplan {

namespace asio = boost::asio;
using namespace media_apps;

namespace {

asio::awaitable<AppResult> echo(Execution& x, std::string_view) {
  Channel& chan = x.channel();
  media::stop_generator(x.channel_ptr());
  for (;;) {
    auto f = co_await chan.read(std::chrono::milliseconds(-1));
    if (chan.hangup_requested()) co_return AppResult::Hangup;
    if (!f) continue;
    if (f->kind == FrameKind::DtmfEnd) {
      if (f->digit() == '#') co_return AppResult::Continue;
      chan.send_digit(f->digit(), f->duration.count() > 0 ? f->duration : std::chrono::milliseconds(100));
      continue;
    }
    if (f->kind == FrameKind::Voice) chan.write(*f);
  }
}

}  // namespace

void register_echo_application(Engine& engine) {
  add_application(engine, "Echo",
                  doc("Echo media, DTMF back to the calling party.", "Echo()",
                      "Sends every audio frame and DTMF digit the caller sends straight back, until the caller "
                      "presses # (the call then continues at the next priority) or hangs up. A quick test of a "
                      "device's audio path and latency.",
                      {}, {"Milliwatt", "Playback"}),
                  echo);
  add_application(engine, "StreamEcho",
                  doc("Echo media, up to 'N' streams of a type, and DTMF back to the calling party",
                      "StreamEcho([num[,type]])",
                      "Echoes the caller's audio and DTMF back as Echo() does, until # or hangup. Channels here carry "
                      "one audio stream, so num and type (asking for more streams of audio or video) are accepted "
                      "and have no effect.",
                      {{"num", "number of streams of the type (accepted)"}, {"type", "audio or video (accepted)"}},
                      {"Echo"}),
                  echo);
}

}  // namespace telephony::dialplan
