// AudioSocket(uuid,host:port): the call's audio both ways over TCP in Asterisk's AudioSocket
// framing (media/audiosocket.hpp). The socket is read on the channel's strand: audio from the
// server is written to the channel as it arrives, while the application's loop forwards what the
// caller says (and DTMF) to the server. Registering the application also registers the
// AudioSocket/ channel technology (audiosocket_driver.cpp) for Dial().
#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>

#include "apps/audio_analysis.hpp"
#include "apps/audiosocket_link.hpp"
#include "apps/dialplan_apps.hpp"
#include "apps/media_apps.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/engine.hpp"
#include "telephony/media/audiosocket.hpp"

namespace telephony::dialplan {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace media_apps;

namespace {

asio::awaitable<AppResult> audiosocket_app(Execution& x, std::string_view data) {
  Channel& chan = x.channel();
  auto args = split_args(data);
  const std::string id = args.empty() ? std::string() : trim(args[0]);
  if (id.empty()) {
    x.engine().log().error("audiosocket", "UUID is required (" + chan.name() + ")");
    co_return AppResult::Hangup;
  }
  auto uuid = media::parse_uuid(id);
  if (!uuid) {
    x.engine().log().error("audiosocket", "Failed to parse UUID '" + id + "' (" + chan.name() + ")");
    co_return AppResult::Hangup;
  }
  auto service = split_audiosocket_service(args.size() > 1 ? trim(args[1]) : std::string());
  if (!service) {
    x.engine().log().error("audiosocket", service.error().to_string() + " (" + chan.name() + ")");
    co_return AppResult::Hangup;
  }
  auto sock = co_await connect_audiosocket(chan, service->first, service->second);
  if (!sock) {
    x.engine().log().error("audiosocket", sock.error().to_string() + " (" + chan.name() + ")");
    co_return AppResult::Hangup;
  }
  if (chan.state() != ChannelState::Up) {
    x.engine().log().error("audiosocket", "Channel is not answered (" + chan.name() + ")");
    co_return AppResult::Hangup;
  }
  const SlinReadFormat slin(chan);
  chan.set_write_format(media::Format::slin());
  // The server's audio is what the caller hears; every message wakes the loop below.
  auto chan_ptr = x.channel_ptr();
  AudioSocketLink::Handlers handlers;
  handlers.on_audio = [chan_ptr](Frame f) { chan_ptr->write(f); };
  handlers.on_change = [chan_ptr] { chan_ptr->wake(); };
  auto link = std::make_shared<AudioSocketLink>(std::move(*sock), std::move(handlers));
  link->send_uuid(*uuid);
  link->start();
  AppResult result = AppResult::Continue;
  auto last_frame = std::chrono::steady_clock::now();
  for (;;) {
    for (;;) {
      auto f = co_await chan.read(0ms);
      if (!f) break;
      last_frame = std::chrono::steady_clock::now();
      link->send_frame(*f);
    }
    if (chan.hangup_requested()) {
      result = AppResult::Hangup;
      break;
    }
    if (link->state() == AudioSocketLink::State::RemoteEnded) break;
    if (link->state() == AudioSocketLink::State::Failed) {
      x.engine().log().warning("audiosocket", link->error() + " (" + chan.name() + ")");
      result = AppResult::Hangup;
      break;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - std::max(last_frame, link->last_received()) > 2s) {
      x.engine().log().error("audiosocket", "Reached timeout after 2000 ms of no activity on AudioSocket connection "
                                            "between '" + chan.name() + "' and '" + std::string(args[1]) + "'");
      result = AppResult::Hangup;
      break;
    }
    // Any frame, any message from the server (it wakes the channel) or hangup ends this wait.
    int checks = 0;
    co_await chan.wait_until([&checks] { return checks++ > 0; }, 500ms);
  }
  link->close();
  co_return result;
}

}  // namespace

void register_audiosocket_application(Engine& engine) {
  register_audiosocket_driver(engine);
  add_application(
      engine, "AudioSocket",
      doc("Transmit and receive PCM audio between a channel and a TCP socket server.", "AudioSocket(uuid,service)",
          "Connects to service (host:port, or [v6-address]:port), sends the call's UUID, then streams what the "
          "caller says as signed linear 8 kHz audio messages (and DTMF digits) while playing the audio messages "
          "the server sends back. Ends when the server sends a hangup message or closes the connection (the "
          "dialplan continues), or when the call hangs up, the server reports an error, or nothing moves either "
          "way for 2 seconds (the call ends). Does not answer: answer first. Framing: kind byte, 16-bit big-endian "
          "length, payload (0x00 hangup, 0x01 UUID, 0x03 DTMF, 0x10 audio, 0xff error).",
          {{"uuid", "the call's identifier for the server, in 8-4-4-4-12 form"},
           {"service", "host:port of the AudioSocket server"}},
          {"EAGI"}),
      audiosocket_app);
}

}  // namespace telephony::dialplan
