// AudioSocket/host:port/uuid[/c(codec)]: a channel whose far end is an AudioSocket server, so
// Dial() (or Originate) can bridge a caller to a voice bot. Calling it connects, sends the UUID and
// answers at once (as chan_audiosocket); the server's audio is the channel's inbound audio, what
// the channel is sent goes to the server; a hangup message or a closed connection hangs it up.
// The channel speaks signed linear 8 kHz (the c() option is accepted for slin16/slin48 only).
#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "apps/audiosocket_link.hpp"
#include "apps/dialplan_apps.hpp"
#include "telephony/driver.hpp"
#include "telephony/engine.hpp"

namespace telephony::dialplan {

namespace asio = boost::asio;

namespace {

struct Target {
  std::string host, port, uuid_text;
  media::Uuid uuid{};
  media::Format format = media::Format::slin();
};

// "host:port/uuid[/c(codec)]"
Result<Target> parse_target(std::string_view resource) {
  Target t;
  const auto slash = resource.find('/', resource.starts_with('[') ? resource.find(']') : 0);
  if (slash == std::string_view::npos) return fail("AudioSocket/" + std::string(resource) + ": needs host:port/uuid");
  auto service = split_audiosocket_service(resource.substr(0, slash));
  if (!service) return Unexpected<Error>{service.error()};
  t.host = service->first;
  t.port = service->second;
  std::string_view rest = resource.substr(slash + 1);
  const auto opts_at = rest.find('/');
  t.uuid_text = std::string(rest.substr(0, opts_at));
  auto uuid = media::parse_uuid(t.uuid_text);
  if (!uuid) return fail("AudioSocket/" + std::string(resource) + ": " + uuid.error().message);
  t.uuid = *uuid;
  if (opts_at != std::string_view::npos) {
    std::string_view opts = rest.substr(opts_at + 1);
    if (opts.starts_with("c(") && opts.ends_with(")")) {
      auto codec = opts.substr(2, opts.size() - 3);
      if (codec == "slin16") t.format = media::Format::slin(16000);
      else if (codec == "slin48") t.format = media::Format::slin(48000);
      else if (codec != "slin") return fail("AudioSocket: codec '" + std::string(codec) + "' is not signed linear");
    } else if (!opts.empty()) {
      return fail("AudioSocket: unknown option '" + std::string(opts) + "'");
    }
  }
  return t;
}

class AudioSocketTech : public ChannelTech {
 public:
  explicit AudioSocketTech(Target t) : target_(std::move(t)) {}

  Result<void> call(Channel& chan, std::string_view, std::chrono::milliseconds) override {
    auto self = chan.shared_from_this();
    asio::co_spawn(
        chan.strand(),
        [this, self]() -> asio::awaitable<void> {
          auto sock = co_await connect_audiosocket(*self, target_.host, target_.port);
          if (!sock || hung_up_) {
            if (!sock) self->engine().log().warning("audiosocket", sock.error().to_string() + " (" + self->name() + ")");
            self->request_hangup(HangupCause::NetworkOutOfOrder);
            co_return;
          }
          std::weak_ptr<Channel> weak = self;
          AudioSocketLink::Handlers h;
          h.on_audio = [weak](Frame f) {
            if (auto c = weak.lock()) c->queue_frame(std::move(f));
          };
          h.on_change = [this, weak] {
            auto c = weak.lock();
            if (!c || !link_) return;
            if (link_->state() == AudioSocketLink::State::RemoteEnded) c->request_hangup(HangupCause::NormalClearing);
            else if (link_->state() == AudioSocketLink::State::Failed) {
              c->engine().log().warning("audiosocket", link_->error() + " (" + c->name() + ")");
              c->request_hangup(HangupCause::NetworkOutOfOrder);
            }
          };
          link_ = std::make_shared<AudioSocketLink>(std::move(*sock), std::move(h));
          link_->send_uuid(target_.uuid);
          link_->start();
          self->queue_frame(Frame::control(Control::Answer));
        },
        asio::detached);
    return {};
  }
  void hangup(Channel&) override {
    hung_up_ = true;
    if (link_) link_->close();
    link_.reset();
  }
  void write(Channel&, const Frame& f) override {
    if (link_ && f.kind == FrameKind::Voice) link_->send_frame(f);
  }
  void send_digit_end(Channel&, char digit, std::chrono::milliseconds) override {
    if (link_) link_->send_dtmf(digit);
  }
  std::vector<media::Format> native_formats() const override { return {target_.format}; }

 private:
  Target target_;
  std::shared_ptr<AudioSocketLink> link_;  // strand only
  bool hung_up_ = false;
};

class AudioSocketDriver : public ChannelDriver {
 public:
  std::string_view technology() const override { return "AudioSocket"; }
  std::string_view description() const override { return "AudioSocket Channel Driver"; }
  Result<Channel::Ptr> request(Engine& engine, const ChannelRequest& req) override {
    auto target = parse_target(req.resource);
    if (!target) return Unexpected<Error>{target.error()};
    Engine::ChannelInit init;
    init.tech = "AudioSocket";
    init.resource = req.resource;
    init.requestor = req.requestor;
    init.direction = ChannelDirection::Outbound;
    init.uniqueid = req.uniqueid;
    // Named as chan_audiosocket names them: AudioSocket/<host:port>-<uuid>.
    init.name_override = "AudioSocket/" + target->host + ":" + target->port + "-" + target->uuid_text;
    const std::string service = target->host + ":" + target->port, uuid = target->uuid_text;
    init.impl = std::make_unique<AudioSocketTech>(std::move(*target));
    auto chan = engine.create_channel(std::move(init));
    chan->set_variable("AUDIOSOCKET_UUID", uuid);
    chan->set_variable("AUDIOSOCKET_SERVICE", service);
    return chan;
  }
};

}  // namespace

void register_audiosocket_driver(Engine& engine) {
  if (!engine.drivers().find("AudioSocket")) (void)engine.drivers().add("AudioSocket", std::make_shared<AudioSocketDriver>());
}

}  // namespace telephony::dialplan
