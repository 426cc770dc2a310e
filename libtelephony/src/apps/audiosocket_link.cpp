// The AudioSocket connection shared by AudioSocket() and the AudioSocket/ channel driver.
#include "apps/audiosocket_link.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace telephony::dialplan {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

void AudioSocketLink::close() {
  boost::system::error_code ec;
  sock_.shutdown(tcp::socket::shutdown_both, ec);
  sock_.close(ec);
}

void AudioSocketLink::send_uuid(const media::Uuid& u) {
  Out o;
  o.header = media::encode_audiosocket_header(media::AudioSocketKind::Uuid, 16);
  std::copy(u.begin(), u.end(), o.small.begin());
  o.small_len = 16;
  push(std::move(o));
}

void AudioSocketLink::send_dtmf(char digit) {
  Out o;
  o.header = media::encode_audiosocket_header(media::AudioSocketKind::Dtmf, 1);
  o.small[0] = static_cast<std::uint8_t>(digit);
  o.small_len = 1;
  push(std::move(o));
}

void AudioSocketLink::send_frame(const Frame& f) {
  if (f.kind == FrameKind::DtmfEnd) return send_dtmf(f.digit());
  if (f.kind != FrameKind::Voice || f.format.codec != media::Codec::Slin || f.data().empty()) return;
  auto kind = media::AudioSocketKind::Audio;
  if (f.format.rate == 16000) kind = media::AudioSocketKind::Audio16;
  else if (f.format.rate == 48000) kind = media::AudioSocketKind::Audio48;
  Out o;
  o.header = media::encode_audiosocket_header(kind, static_cast<std::uint16_t>(std::min<std::size_t>(f.data().size(), 65535)));
  o.frame = f;  // shares the payload
  push(std::move(o));
}

void AudioSocketLink::push(Out o) {
  if (state_ == State::Failed || write_failed_) return;
  outq_.push_back(std::move(o));
  if (outq_.size() == 1) write_next();
}

void AudioSocketLink::write_next() {
  auto& o = outq_.front();
  std::array<asio::const_buffer, 2> bufs{
      asio::buffer(o.header),
      o.small_len ? asio::buffer(o.small.data(), o.small_len)
                  : asio::buffer(o.frame.data().data(), std::min<std::size_t>(o.frame.data().size(), 65535))};
  asio::async_write(sock_, bufs, [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
    if (ec) {
      self->write_failed_ = true;
      self->outq_.clear();
      return;
    }
    self->outq_.pop_front();
    if (!self->outq_.empty()) self->write_next();
  });
}

void AudioSocketLink::read_more() {
  sock_.async_read_some(asio::buffer(rbuf_), [self = shared_from_this()](const boost::system::error_code& ec,
                                                                        std::size_t n) { self->on_read(ec, n); });
}

void AudioSocketLink::fail(std::string why) {
  state_ = State::Failed;
  error_ = std::move(why);
}

void AudioSocketLink::on_read(const boost::system::error_code& ec, std::size_t n) {
  if (state_ != State::Open) return;
  if (ec) {
    if (ec == asio::error::operation_aborted) return;  // we closed it
    // The server closing the connection is a normal end, as an explicit hangup message.
    if (ec == asio::error::eof || ec == asio::error::connection_reset) state_ = State::RemoteEnded;
    else fail("AudioSocket read failed: " + ec.message());
    if (h_.on_change) h_.on_change();
    return;
  }
  last_rx_ = std::chrono::steady_clock::now();
  dec_.feed(std::span<const std::uint8_t>(rbuf_.data(), n));
  for (;;) {
    auto m = dec_.next();
    if (!m) {
      fail("malformed AudioSocket data from the server: " + m.error().to_string());
      break;
    }
    if (!*m) break;
    const auto& msg = **m;
    if (const auto rate = media::audiosocket_rate(msg.kind)) {
      if (h_.on_audio)
        h_.on_audio(Frame::voice(media::Format::slin(rate), std::vector<std::uint8_t>(msg.payload.begin(), msg.payload.end()),
                                 static_cast<std::uint32_t>(msg.payload.size() / 2)));
    } else if (msg.kind == media::AudioSocketKind::Hangup) {
      state_ = State::RemoteEnded;
      break;
    } else if (msg.kind == media::AudioSocketKind::Error) {
      std::string code;
      for (auto b : msg.payload) code += (code.empty() ? "" : " ") + std::to_string(b);
      fail("the AudioSocket server reported an error" + (code.empty() ? std::string() : " (code " + code + ")"));
      break;
    } else {
      fail("the AudioSocket server sent a message only the engine may send (kind " +
           std::to_string(static_cast<int>(msg.kind)) + ")");
      break;
    }
  }
  if (h_.on_change) h_.on_change();
  if (state_ == State::Open) read_more();
}

Result<std::pair<std::string, std::string>> split_audiosocket_service(std::string_view s) {
  std::string host, port;
  if (!s.empty() && s.front() == '[') {
    const auto close = s.find(']');
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':')
      return fail("AudioSocket service '" + std::string(s) + "' needs [address]:port");
    host = std::string(s.substr(1, close - 1));
    port = std::string(s.substr(close + 2));
  } else {
    const auto colon = s.rfind(':');
    if (colon == std::string_view::npos) return fail("AudioSocket service '" + std::string(s) + "' needs host:port");
    host = std::string(s.substr(0, colon));
    port = std::string(s.substr(colon + 1));
  }
  if (host.empty() || port.empty()) return fail("AudioSocket service '" + std::string(s) + "' needs host:port");
  return std::pair{host, port};
}

asio::awaitable<Result<tcp::socket>> connect_audiosocket(Channel& chan, std::string host, std::string port) {
  tcp::resolver resolver(chan.strand());
  boost::system::error_code ec;
  auto results = co_await resolver.async_resolve(host, port, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return fail("Failed to resolve AudioSocket service '" + host + ":" + port + "': " + ec.message());
  for (const auto& entry : results) {
    // Shared with the timeout handler, which may run after this frame moved on.
    auto sock = std::make_shared<tcp::socket>(chan.strand());
    auto timer = std::make_shared<asio::steady_timer>(chan.strand());
    timer->expires_after(2s);
    timer->async_wait([sock](const boost::system::error_code& e) {
      boost::system::error_code ignored;
      if (!e) sock->cancel(ignored);
    });
    boost::system::error_code cec;
    co_await sock->async_connect(entry.endpoint(), asio::redirect_error(asio::use_awaitable, cec));
    timer->cancel();
    if (cec) continue;
    sock->set_option(tcp::no_delay(true), cec);
    co_return std::move(*sock);
  }
  co_return fail("Failed to connect to AudioSocket service '" + host + ":" + port + "'");
}

}  // namespace telephony::dialplan
