// ami::Client: a C++ AMI client over TCP or TLS, driven by Boost.Asio coroutines.
//
// It speaks to Asterisk and to our own manager::Server: reads the `Asterisk Call Manager/x`
// banner, sends actions and matches each response to its request by ActionID (assigning one
// when the caller did not), hands every event (and every response nobody waits for) to an
// event callback, and logs in with a plain secret or an MD5 challenge. Responses of both
// Command styles arrive in one shape: `Output` headers (see Parser's command_follows mode).
//
// Threading: a Client belongs to one io_context thread (or strand); call it only from there.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include "telephony/manager/message.hpp"
#include "telephony/manager/parser.hpp"
#include "telephony/result.hpp"

namespace telephony::ami {

class Client {
 public:
  using EventCallback = std::function<void(const Message&)>;

  explicit Client(boost::asio::io_context& io);
  // TLS: the context decides verification; the client does the handshake after connecting.
  Client(boost::asio::io_context& io, boost::asio::ssl::context& tls);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Connects, waits for the banner (fails if it does not start with "Asterisk") and starts reading.
  boost::asio::awaitable<Result<void>> connect(std::string host, std::uint16_t port);
  const std::string& banner() const noexcept { return banner_; }

  // Sends `action` and waits for its Response. For list actions the response is what arrives
  // first; the items come through the event callback (or use send_list()).
  boost::asio::awaitable<Result<Message>> send(Message action);
  // Sends a list action and collects events carrying its ActionID up to the `EventList: Complete`
  // event; returns the response followed by the items and the complete event.
  boost::asio::awaitable<Result<std::vector<Message>>> send_list(Message action);

  // Action: Login with Username/Secret; fails unless the answer is Response: Success.
  boost::asio::awaitable<Result<Message>> login(std::string user, std::string secret, bool events = true);
  // Action: Challenge (AuthType: MD5), then Login with Key = md5(challenge + secret).
  boost::asio::awaitable<Result<Message>> login_md5(std::string user, std::string secret);

  void on_event(EventCallback cb) { on_event_ = std::move(cb); }
  // Closes the connection; pending sends fail with "connection closed".
  void close();
  bool is_open() const noexcept { return open_; }
  // How long send() waits for a response.
  void set_timeout(std::chrono::milliseconds t) { timeout_ = t; }

 private:
  struct Pending;
  boost::asio::awaitable<void> read_loop();
  void enqueue(std::string bytes);
  void start_write();
  boost::asio::ip::tcp::socket& tcp() { return tls_ ? tls_->next_layer() : socket_; }
  boost::asio::awaitable<std::size_t> read_some(char* data, std::size_t size, boost::system::error_code& ec);
  void dispatch(Message m);
  void fail_all(std::string_view why);

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::socket socket_;
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> tls_;  // owns the socket when TLS
  Parser parser_;
  std::string banner_;
  std::string line_;  // banner bytes before the first CRLF
  EventCallback on_event_;
  std::map<std::string, std::shared_ptr<Pending>, std::less<>> pending_;
  std::uint64_t next_id_ = 1;
  bool open_ = false;
  bool writing_ = false;
  std::vector<std::string> write_queue_;
  std::string write_buf_;
  std::chrono::milliseconds timeout_{5000};
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// Lower-case hex MD5 of `text` (the AMI challenge digest).
std::string md5_hex(std::string_view text);

}  // namespace telephony::ami
