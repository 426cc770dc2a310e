// FastAGI: the AGI protocol over a TCP connection to an AGI server (agi://host[:port]/script).
// Resolution and connection run on the channel's strand with a 2 s limit per attempt (Asterisk's
// MAX_AGI_CONNECT), every resolved address tried in order.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agi/agi_transport.hpp"
#include "agi/line_stream.hpp"
#include "telephony/engine.hpp"

namespace telephony::agi {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

struct SocketStreams {
  tcp::socket socket;
  tcp::socket& in() { return socket; }
  tcp::socket& out() { return socket; }
  void close() {
    boost::system::error_code ec;
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
  }
};

class FastAgiTransport : public AgiTransport {
 public:
  explicit FastAgiTransport(std::shared_ptr<LineStream<SocketStreams>> lines) : lines_(std::move(lines)) {}
  ~FastAgiTransport() override {
    lines_->set_waker({});
    lines_->close();
  }
  void send(std::string text) override { lines_->send(std::move(text)); }
  std::optional<std::string> next_line() override { return lines_->next_line(); }
  bool closed() const override { return lines_->closed(); }
  void set_waker(std::function<void()> wake) override { lines_->set_waker(std::move(wake)); }
  void notify_hangup() override { lines_->send("HANGUP\n"); }
  bool network() const override { return true; }
  asio::awaitable<AgiStatus> finish(bool) override {
    lines_->set_waker({});
    // Let queued output (the final HANGUP) go out before the socket closes.
    asio::steady_timer t(co_await asio::this_coro::executor);
    for (int i = 0; i < 20 && lines_->pending_output(); ++i) {
      t.expires_after(5ms);
      boost::system::error_code ec;
      co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    lines_->close();
    co_return AgiStatus::Success;
  }

 private:
  std::shared_ptr<LineStream<SocketStreams>> lines_;
};

}  // namespace

asio::awaitable<Result<std::shared_ptr<AgiTransport>>> connect_fastagi(Channel::Ptr chan, AgiLocation where) {
  auto& strand = chan->strand();
  tcp::resolver resolver(strand);
  boost::system::error_code ec;
  auto results = co_await resolver.async_resolve(where.host, std::to_string(where.port),
                                                 asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return fail("Unable to locate host '" + where.host + "': " + ec.message());
  std::string last_error = "no address";
  for (const auto& entry : results) {
    // Shared with the timeout handler, which may run after this frame moved on.
    auto sock = std::make_shared<tcp::socket>(strand);
    auto timed_out = std::make_shared<bool>(false);
    asio::steady_timer timer(strand);
    timer.expires_after(2s);
    timer.async_wait([sock, timed_out](const boost::system::error_code& e) {
      if (!e) {
        *timed_out = true;
        boost::system::error_code ignored;
        sock->cancel(ignored);
      }
    });
    boost::system::error_code cec;
    co_await sock->async_connect(entry.endpoint(), asio::redirect_error(asio::use_awaitable, cec));
    timer.cancel();
    if (cec) {
      last_error = *timed_out ? "timed out after 2000 ms" : cec.message();
      continue;
    }
    sock->set_option(tcp::no_delay(true), ec);
    auto lines = std::make_shared<LineStream<SocketStreams>>(SocketStreams{std::move(*sock)});
    lines->start();
    lines->send("agi_network: yes\n");
    if (!where.script.empty()) lines->send("agi_network_script: " + where.script + "\n");
    co_return std::shared_ptr<AgiTransport>(std::make_shared<FastAgiTransport>(std::move(lines)));
  }
  co_return fail("Connecting to '" + where.host + ":" + std::to_string(where.port) + "' failed: " + last_error);
}

}  // namespace telephony::agi
