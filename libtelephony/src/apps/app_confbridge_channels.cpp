// The helper channels of a conference room: CBRec/<room> (a listen-only member whose device is a
// file: what the room sounds like is written to the recording) and CBAnn/<room> (a talker whose
// device plays prompts: join/leave sounds are heard by everybody). Both run like any channel, on
// their own strand, and leave the room by being kicked or by the room ending.
#include <utility>  // before asio
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "apps/confbridge_room.hpp"
#include "telephony/engine.hpp"
#include "telephony/media/file_format.hpp"
#include "telephony/media/translator.hpp"

namespace telephony::confbridge {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

class RecorderTech : public ChannelTech {
 public:
  RecorderTech(media::AudioFileWriter writer, media::Format native) : writer_(std::move(writer)), native_(native) {}
  ~RecorderTech() override { close(); }
  void write(Channel&, const Frame& f) override {
    if (f.kind != FrameKind::Voice || !writer_) return;
    if (f.format == native_) (void)writer_->write(media::slin_samples(f.data()));
    else if (f.format == writer_->format()) (void)writer_->write_payload(f.data());
  }
  void hangup(Channel&) override { close(); }
  std::vector<media::Format> native_formats() const override { return {native_}; }

 private:
  void close() {
    if (writer_) (void)writer_->close();
    writer_.reset();
  }
  std::optional<media::AudioFileWriter> writer_;
  media::Format native_;
};

// Whatever the room sends the announcer is dropped: it only speaks.
class AnnouncerTech : public ChannelTech {};

std::uint32_t room_rate(const BridgeProfile& p) {
  if (p.internal_sample_rate >= 48000) return 48000;
  if (p.internal_sample_rate >= 16000) return 16000;
  return 8000;
}

void join_in_background(const Bridge::Ptr& bridge, const Channel::Ptr& chan) {
  asio::co_spawn(
      chan->strand(),
      [bridge, chan]() -> asio::awaitable<void> {
        co_await bridge->join(chan);
        chan->hangup();
      },
      asio::detached);
}

}  // namespace

Result<Channel::Ptr> start_room_recorder(Engine& engine, Conference& conf, const std::filesystem::path& path) {
  const auto rate = room_rate(conf.profile);
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  auto writer = media::AudioFileWriter::create(path, media::Format::slin(rate));
  if (!writer) return fail("cannot record conference '" + conf.name + "' to " + path.string() + ": " + writer.error().to_string());
  Engine::ChannelInit init;
  init.tech = "CBRec";
  init.resource = conf.name;
  init.impl = std::make_unique<RecorderTech>(std::move(*writer), media::Format::slin(rate));
  auto chan = engine.create_channel(std::move(init));
  chan->set_state(ChannelState::Up);
  conf.tech->mixing().set_member_options(*chan, {.listen_only = true});
  join_in_background(conf.bridge, chan);
  return chan;
}

Channel::Ptr start_room_announcer(Engine& engine, Conference& conf) {
  Engine::ChannelInit init;
  init.tech = "CBAnn";
  init.resource = conf.name;
  init.impl = std::make_unique<AnnouncerTech>();
  auto chan = engine.create_channel(std::move(init));
  chan->set_state(ChannelState::Up);
  join_in_background(conf.bridge, chan);
  return chan;
}

void play_into_room(const Channel::Ptr& announcer, std::string prompt, std::function<void()> done) {
  asio::co_spawn(
      announcer->strand(),
      [announcer, prompt = std::move(prompt), done = std::move(done)]() -> asio::awaitable<void> {
        auto& engine = announcer->engine();
        auto file = media::find_sound_file(engine.options().dirs.sounds, "en", prompt, media::Format::slin());
        std::optional<media::AudioFileReader> reader;
        if (file) {
          auto r = media::AudioFileReader::open(*file);
          if (r) reader.emplace(std::move(*r));
        }
        if (!reader) {
          engine.log().warning("app_confbridge", (file ? "prompt '" + file->string() + "' cannot be read"
                                                      : media::sound_not_found_message(engine.options().dirs.sounds,
                                                                                       "en", prompt)) +
                                                 "; not played into the room");
        } else {
          // Frames go *in* from the announcer's device side, paced by absolute deadlines, so the
          // room's mixer takes one per tick as from any talker.
          asio::steady_timer timer(announcer->strand());
          auto next = std::chrono::steady_clock::now();
          while (!announcer->hangup_requested()) {
            auto bytes = reader->read_frame();
            if (bytes.empty()) break;
            const auto fmt = reader->format();
            const auto samples = static_cast<std::uint32_t>(fmt.codec == media::Codec::Slin ? bytes.size() / 2 : bytes.size());
            announcer->queue_frame(Frame::voice(fmt, std::vector<std::uint8_t>(bytes.begin(), bytes.end()), samples));
            next += 20ms;
            timer.expires_at(next);
            boost::system::error_code ec;
            co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
          }
        }
        if (done) done();
      },
      asio::detached);
}

}  // namespace telephony::confbridge
