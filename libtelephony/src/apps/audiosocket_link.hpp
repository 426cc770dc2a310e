// Internal: one AudioSocket TCP connection bound to a channel's strand — what AudioSocket() and
// the AudioSocket/ channel driver share. Reads are decoded on the strand and handed to `on_audio`
// (the app writes them to the caller; the driver queues them as the channel's inbound audio);
// `on_change` runs whenever the link's state changes (server hangup, error) or a message arrived.
// Writes are queued; a voice frame is sent with its payload shared, not copied.
#pragma once

#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <array>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "telephony/channel.hpp"
#include "telephony/media/audiosocket.hpp"
#include "telephony/result.hpp"

namespace telephony::dialplan {

class AudioSocketLink : public std::enable_shared_from_this<AudioSocketLink> {
 public:
  enum class State { Open, RemoteEnded, Failed };
  struct Handlers {
    std::function<void(Frame)> on_audio;
    std::function<void()> on_change;
  };

  AudioSocketLink(boost::asio::ip::tcp::socket sock, Handlers h) : sock_(std::move(sock)), h_(std::move(h)) {}

  void start() { read_more(); }
  void close();
  State state() const { return state_; }
  const std::string& error() const { return error_; }
  std::chrono::steady_clock::time_point last_received() const { return last_rx_; }

  void send_uuid(const media::Uuid& u);
  // Voice (slin 8/16/48 kHz) as an audio message, a DtmfEnd as a DTMF message; others ignored.
  void send_frame(const Frame& f);
  void send_dtmf(char digit);

 private:
  struct Out {
    std::array<std::uint8_t, media::kAudioSocketHeader> header{};
    Frame frame;
    std::array<std::uint8_t, 16> small{};
    std::size_t small_len = 0;
  };
  void push(Out o);
  void write_next();
  void read_more();
  void on_read(const boost::system::error_code& ec, std::size_t n);
  void fail(std::string why);

  boost::asio::ip::tcp::socket sock_;
  Handlers h_;
  media::AudioSocketDecoder dec_;
  std::array<std::uint8_t, 4096> rbuf_{};
  std::deque<Out> outq_;
  State state_ = State::Open;
  bool write_failed_ = false;
  std::string error_;
  std::chrono::steady_clock::time_point last_rx_ = std::chrono::steady_clock::now();
};

// "host:port" or "[v6]:port" (the port is required).
Result<std::pair<std::string, std::string>> split_audiosocket_service(std::string_view s);
// Resolves and connects on the channel's strand, 2 s per address, TCP_NODELAY.
boost::asio::awaitable<Result<boost::asio::ip::tcp::socket>> connect_audiosocket(Channel& chan, std::string host,
                                                                                 std::string port);

// The AudioSocket/host:port/uuid[/c(codec)] channel technology (registered by install_audiosocket).
void register_audiosocket_driver(Engine& engine);

}  // namespace telephony::dialplan
