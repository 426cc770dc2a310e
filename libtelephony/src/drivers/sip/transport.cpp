// UDP, TCP and TLS transports on Asio (see transport.hpp).
#include "transport.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <array>
#include <deque>
#include <map>
#include <mutex>

#include "telephony/sip/message.hpp"

namespace telephony::sip {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;

std::string Address::to_string() const { return host() + ":" + std::to_string(port); }
std::string Address::host() const { return ip.is_v6() ? "[" + ip.to_string() + "]" : ip.to_string(); }

Address Transport::advertised() const {
  Address a = local_;
  if (!options_.external_signaling_address.empty()) {
    boost::system::error_code ec;
    auto ext = asio::ip::make_address(options_.external_signaling_address, ec);
    if (!ec) a.ip = ext;
    if (options_.external_signaling_port) a.port = options_.external_signaling_port;
    return a;
  }
  if (a.ip.is_unspecified()) a.ip = a.ip.is_v6() ? asio::ip::address(asio::ip::address_v6::loopback())
                                                 : asio::ip::address(asio::ip::address_v4::loopback());
  return a;
}

std::string_view Transport::via_name() const {
  switch (options_.protocol) {
    case TransportProtocol::Udp: return "UDP";
    case TransportProtocol::Tcp: return "TCP";
    case TransportProtocol::Tls: return "TLS";
  }
  return "UDP";
}

namespace {

class UdpTransport : public Transport {
 public:
  UdpTransport(asio::io_context& io, TransportOptions o, Receiver r, TransportLimits lim, Logger& log)
      : Transport(std::move(o), log), socket_(io), receiver_(std::move(r)), limits_(lim) {}

  Result<void> bind() {
    boost::system::error_code ec;
    auto ip = asio::ip::make_address(options_.bind_address, ec);
    if (ec) return fail("bad bind address " + options_.bind_address);
    udp::endpoint ep(ip, options_.bind_port);
    socket_.open(ep.protocol(), ec);
    if (!ec) socket_.set_option(udp::socket::reuse_address(true), ec);
    // Large socket buffers: a burst of calls must not be lost in the kernel (sipp's -buff_size).
    if (!ec) socket_.set_option(asio::socket_base::receive_buffer_size(4 << 20), ec);
    if (!ec) socket_.set_option(asio::socket_base::send_buffer_size(4 << 20), ec);
    if (!ec) socket_.bind(ep, ec);
    if (ec) return fail("cannot bind udp " + Address{ip, options_.bind_port}.to_string() + ": " + ec.message());
    auto bound = socket_.local_endpoint(ec);
    local_ = Address{bound.address(), bound.port()};
    return {};
  }

  void start() {
    for (unsigned i = 0; i < std::max(1u, limits_.receive_loops); ++i) receive(std::make_shared<Loop>());
  }

  void send(const Address& to, std::string bytes, const std::shared_ptr<Connection>&,
            std::function<void(const std::string&)> on_error) override {
    if (!socket_.is_open()) return;  // stopped: late retransmissions go nowhere
    boost::system::error_code ec;
    socket_.send_to(asio::buffer(bytes), udp::endpoint(to.ip, to.port), 0, ec);
    if (ec) {
      log_.warning("res_pjsip", "Error sending to " + to.to_string() + " over udp: " + ec.message());
      if (on_error) on_error(ec.message());
    }
  }

  void stop() override {
    boost::system::error_code ec;
    socket_.close(ec);
  }

 private:
  struct Loop {
    std::array<char, 65536> buf;
    udp::endpoint from;
  };

  void receive(std::shared_ptr<Loop> loop) {
    auto* l = loop.get();
    socket_.async_receive_from(asio::buffer(l->buf), l->from,
                               [self = std::static_pointer_cast<UdpTransport>(shared_from_this()),
                                loop = std::move(loop)](boost::system::error_code ec, std::size_t n) mutable {
                                 if (ec == asio::error::operation_aborted || !self->socket_.is_open()) return;
                                 if (!ec) self->deliver(*loop, n);
                                 self->receive(std::move(loop));
                               });
  }

  void deliver(Loop& l, std::size_t n) {
    Address from{l.from.address(), l.from.port()};
    if (n > limits_.max_message) {
      log_.warning("res_pjsip", "Dropped a " + std::to_string(n) + " byte datagram from " + from.to_string() +
                                    ": larger than the " + std::to_string(limits_.max_message) + " byte limit");
      return;
    }
    if (n == 0 || (n <= 4 && std::string_view(l.buf.data(), n).find_first_not_of("\r\n") == std::string_view::npos))
      return;  // keep-alive
    receiver_(std::string_view(l.buf.data(), n), Source{from, shared_from_this(), nullptr});
  }

  udp::socket socket_;
  Receiver receiver_;
  TransportLimits limits_;
};

}  // namespace

// A TCP or TLS connection: reads, frames and delivers; writes in order from a queue.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  virtual ~Connection() = default;
  virtual void write(std::string bytes) = 0;
  virtual void close() = 0;
  Address remote;
};

namespace {

template <class Stream>
class StreamConnection;

template <class Stream>
class StreamTransport : public Transport {
 public:
  StreamTransport(asio::io_context& io, TransportOptions o, Receiver r, TransportLimits lim, Logger& log,
                  std::shared_ptr<asio::ssl::context> ssl)
      : Transport(std::move(o), log), io_(io), acceptor_(io), receiver_(std::move(r)), limits_(lim), ssl_(std::move(ssl)) {}

  Result<void> bind() {
    boost::system::error_code ec;
    auto ip = asio::ip::make_address(options_.bind_address, ec);
    if (ec) return fail("bad bind address " + options_.bind_address);
    tcp::endpoint ep(ip, options_.bind_port);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      return fail("cannot listen on " + std::string(to_string(options_.protocol)) + " " +
                  Address{ip, options_.bind_port}.to_string() + ": " + ec.message());
    auto bound = acceptor_.local_endpoint(ec);
    local_ = Address{bound.address(), bound.port()};
    return {};
  }

  void start() { accept(); }

  void send(const Address& to, std::string bytes, const std::shared_ptr<Connection>& connection,
            std::function<void(const std::string&)> on_error) override;

  void stop() override {
    boost::system::error_code ec;
    acceptor_.close(ec);
    std::map<std::string, std::weak_ptr<Connection>> conns;
    {
      std::lock_guard lock(mu_);
      conns.swap(conns_);
    }
    for (auto& [k, w] : conns)
      if (auto c = w.lock()) c->close();
  }

  std::size_t connection_count() const override {
    std::lock_guard lock(mu_);
    std::size_t n = 0;
    for (auto& [k, w] : conns_) n += w.expired() ? 0 : 1;
    return n;
  }

  void deliver(std::string_view bytes, const Address& from, const std::shared_ptr<Connection>& c) {
    receiver_(bytes, Source{from, shared_from_this(), c});
  }
  void forget(const Address& a, const Connection* c) {
    std::lock_guard lock(mu_);
    auto it = conns_.find(a.to_string());
    if (it != conns_.end()) {
      auto cur = it->second.lock();
      if (!cur || cur.get() == c) conns_.erase(it);
    }
  }
  Logger& log() { return log_; }
  const TransportLimits& limits() const { return limits_; }
  asio::ssl::context* ssl() { return ssl_.get(); }

 private:
  void accept();
  void remember(const std::shared_ptr<Connection>& c) {
    std::lock_guard lock(mu_);
    conns_[c->remote.to_string()] = c;
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  Receiver receiver_;
  TransportLimits limits_;
  std::shared_ptr<asio::ssl::context> ssl_;
  mutable std::mutex mu_;
  std::map<std::string, std::weak_ptr<Connection>> conns_;
};

using TcpStream = tcp::socket;
using TlsStream = asio::ssl::stream<tcp::socket>;

tcp::socket& lowest(TcpStream& s) { return s; }
tcp::socket& lowest(TlsStream& s) { return s.next_layer(); }

template <class Stream>
class StreamConnection : public Connection {
 public:
  using Owner = StreamTransport<Stream>;
  StreamConnection(std::shared_ptr<Owner> owner, Stream stream)
      : owner_(std::move(owner)), strand_(asio::make_strand(lowest(stream).get_executor())), stream_(std::move(stream)) {}

  // Server side: TLS handshake, then read.
  void start_accepted() {
    auto self = std::static_pointer_cast<StreamConnection>(shared_from_this());
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      stream_.async_handshake(asio::ssl::stream_base::server,
                              asio::bind_executor(strand_, [self](boost::system::error_code ec) {
                                if (ec) {
                                  self->owner_->log().notice("res_pjsip", "TLS handshake with " + self->remote.to_string() +
                                                                            " failed: " + ec.message());
                                  return self->close();
                                }
                                self->ready_ = true;
                                self->read();
                                self->flush();
                              }));
    } else {
      ready_ = true;
      read();
    }
  }

  // Client side: connect (and handshake), then read; queued writes go out once ready.
  void start_connect(const Address& to, std::function<void(const std::string&)> on_error) {
    auto self = std::static_pointer_cast<StreamConnection>(shared_from_this());
    lowest(stream_).async_connect(
        tcp::endpoint(to.ip, to.port), asio::bind_executor(strand_, [self, on_error](boost::system::error_code ec) {
          if (ec) {
            self->owner_->log().warning("res_pjsip", "Cannot connect to " + self->remote.to_string() + ": " + ec.message());
            if (on_error) on_error(ec.message());
            return self->close();
          }
          if constexpr (std::is_same_v<Stream, TlsStream>) {
            self->stream_.async_handshake(asio::ssl::stream_base::client,
                                          asio::bind_executor(self->strand_, [self, on_error](boost::system::error_code e2) {
                                            if (e2) {
                                              if (on_error) on_error(e2.message());
                                              return self->close();
                                            }
                                            self->ready_ = true;
                                            self->read();
                                            self->flush();
                                          }));
          } else {
            self->ready_ = true;
            self->read();
            self->flush();
          }
        }));
  }

  void write(std::string bytes) override {
    auto self = std::static_pointer_cast<StreamConnection>(shared_from_this());
    asio::post(strand_, [self, b = std::move(bytes)]() mutable {
      if (self->closed_) return;
      self->out_.push_back(std::move(b));
      if (self->ready_ && self->out_.size() == 1) self->flush();
    });
  }

  void close() override {
    auto self = std::static_pointer_cast<StreamConnection>(shared_from_this());
    asio::post(strand_, [self] {
      if (self->closed_) return;
      self->closed_ = true;
      boost::system::error_code ec;
      lowest(self->stream_).shutdown(tcp::socket::shutdown_both, ec);
      lowest(self->stream_).close(ec);
      self->owner_->forget(self->remote, self.get());
    });
  }

 private:
  void flush() {
    if (closed_ || out_.empty() || writing_) return;
    writing_ = true;
    auto self = std::static_pointer_cast<StreamConnection>(shared_from_this());
    asio::async_write(stream_, asio::buffer(out_.front()),
                      asio::bind_executor(strand_, [self](boost::system::error_code ec, std::size_t) {
                        self->writing_ = false;
                        if (ec) return self->close();
                        self->out_.pop_front();
                        self->flush();
                      }));
  }

  void read() {
    auto self = std::static_pointer_cast<StreamConnection>(shared_from_this());
    stream_.async_read_some(asio::buffer(chunk_), asio::bind_executor(strand_, [self](boost::system::error_code ec,
                                                                                       std::size_t n) {
      if (ec) return self->close();
      self->in_.append(self->chunk_.data(), n);
      for (;;) {
        auto f = frame_stream(self->in_, self->owner_->limits().max_message);
        if (f.status == StreamFrame::Status::NeedMore) {
          if (f.skip && f.skip == self->in_.size()) self->in_.clear();  // only keep-alives
          break;
        }
        if (f.status == StreamFrame::Status::Bad) {
          self->owner_->log().warning("res_pjsip", "Closing " + std::string(self->owner_->via_name()) +
                                                       " connection from " + self->remote.to_string() + ": " + f.reason);
          return self->close();
        }
        self->owner_->deliver(std::string_view(self->in_).substr(f.skip, f.length), self->remote, self);
        self->in_.erase(0, f.skip + f.length);
      }
      self->read();
    }));
  }

  std::shared_ptr<Owner> owner_;
  asio::strand<asio::any_io_executor> strand_;
  Stream stream_;
  std::array<char, 8192> chunk_{};
  std::string in_;
  std::deque<std::string> out_;
  bool ready_ = false;
  bool writing_ = false;
  bool closed_ = false;
};

template <class Stream>
void StreamTransport<Stream>::accept() {
  auto self = std::static_pointer_cast<StreamTransport>(shared_from_this());
  acceptor_.async_accept(asio::make_strand(io_), [self](boost::system::error_code ec, tcp::socket sock) {
    if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
    if (!ec) {
      boost::system::error_code e2;
      auto peer = sock.remote_endpoint(e2);
      if (!e2) {
        std::shared_ptr<StreamConnection<Stream>> c;
        if constexpr (std::is_same_v<Stream, TlsStream>)
          c = std::make_shared<StreamConnection<Stream>>(self, Stream(std::move(sock), *self->ssl_));
        else
          c = std::make_shared<StreamConnection<Stream>>(self, std::move(sock));
        c->remote = Address{peer.address(), peer.port()};
        self->remember(c);
        c->start_accepted();
      }
    }
    self->accept();
  });
}

template <class Stream>
void StreamTransport<Stream>::send(const Address& to, std::string bytes, const std::shared_ptr<Connection>& connection,
                                   std::function<void(const std::string&)> on_error) {
  std::shared_ptr<Connection> c = connection;
  if (!c) {
    std::lock_guard lock(mu_);
    auto it = conns_.find(to.to_string());
    if (it != conns_.end()) c = it->second.lock();
  }
  if (!c) {
    auto self = std::static_pointer_cast<StreamTransport>(shared_from_this());
    std::shared_ptr<StreamConnection<Stream>> fresh;
    tcp::socket sock(asio::make_strand(io_));
    if constexpr (std::is_same_v<Stream, TlsStream>)
      fresh = std::make_shared<StreamConnection<Stream>>(self, Stream(std::move(sock), *ssl_));
    else
      fresh = std::make_shared<StreamConnection<Stream>>(self, std::move(sock));
    fresh->remote = to;
    remember(fresh);
    fresh->start_connect(to, on_error);
    c = fresh;
  }
  c->write(std::move(bytes));
}

}  // namespace

Result<std::shared_ptr<Transport>> start_transport(asio::io_context& io, const TransportOptions& options,
                                                   Receiver receiver, TransportLimits limits, Logger& log) {
  switch (options.protocol) {
    case TransportProtocol::Udp: {
      auto t = std::make_shared<UdpTransport>(io, options, std::move(receiver), limits, log);
      if (auto r = t->bind(); !r) return Unexpected<Error>{r.error()};
      t->start();
      return std::shared_ptr<Transport>(t);
    }
    case TransportProtocol::Tcp: {
      auto t = std::make_shared<StreamTransport<TcpStream>>(io, options, std::move(receiver), limits, log, nullptr);
      if (auto r = t->bind(); !r) return Unexpected<Error>{r.error()};
      t->start();
      return std::shared_ptr<Transport>(t);
    }
    case TransportProtocol::Tls: {
      auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls);
      ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
      boost::system::error_code ec;
      ctx->use_certificate_chain_file(options.cert_file, ec);
      if (ec) return fail("cannot read cert_file " + options.cert_file + ": " + ec.message(), options.where.to_string());
      ctx->use_private_key_file(options.priv_key_file, asio::ssl::context::pem, ec);
      if (ec)
        return fail("cannot read priv_key_file " + options.priv_key_file + ": " + ec.message(), options.where.to_string());
      if (!options.ca_list_file.empty()) {
        ctx->load_verify_file(options.ca_list_file, ec);
        if (ec) return fail("cannot read ca_list_file " + options.ca_list_file, options.where.to_string());
      }
      ctx->set_verify_mode(options.verify_client ? asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert
                                                 : asio::ssl::verify_none);
      auto t = std::make_shared<StreamTransport<TlsStream>>(io, options, std::move(receiver), limits, log, ctx);
      if (auto r = t->bind(); !r) return Unexpected<Error>{r.error()};
      t->start();
      return std::shared_ptr<Transport>(t);
    }
  }
  return fail("unknown transport protocol");
}

}  // namespace telephony::sip
