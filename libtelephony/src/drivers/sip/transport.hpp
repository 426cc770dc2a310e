// SIP transports (RFC 3261 §18): UDP sockets, TCP and TLS listeners with their connections, on
// the engine's io_context. A transport hands every received message to one Receiver with where
// it came from; it frames streams by Content-Length (frame_stream) and drops what exceeds the
// configured size with one log line. Sending picks an existing connection to the destination
// (connection reuse, RFC 3261 §18.1.1) or opens one; UDP sends are immediate.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "telephony/logger.hpp"
#include "telephony/result.hpp"
#include "telephony/sip/options.hpp"

namespace telephony::sip {

struct Address {
  boost::asio::ip::address ip;
  std::uint16_t port = 0;
  std::string to_string() const;  // "1.2.3.4:5060", "[::1]:5060"
  std::string host() const;       // "1.2.3.4", "[::1]" (URI form)
  bool operator==(const Address&) const = default;
};

class Transport;
class Connection;  // a TCP/TLS connection; opaque outside transport.cpp

// Where a message came from: responses and in-dialog requests go back the same way.
struct Source {
  Address remote;
  std::shared_ptr<Transport> transport;
  std::shared_ptr<Connection> connection;  // null for UDP
};

using Receiver = std::function<void(std::string_view bytes, const Source& from)>;

class Transport : public std::enable_shared_from_this<Transport> {
 public:
  virtual ~Transport() = default;
  const TransportOptions& options() const { return options_; }
  TransportProtocol protocol() const { return options_.protocol; }
  bool reliable() const { return options_.protocol != TransportProtocol::Udp; }
  // The address the transport is bound to (port resolved when 0 was asked).
  Address local() const { return local_; }
  // Address to put in Via/Contact: external_signaling_address when set, else the bound one
  // (0.0.0.0/:: replaced by the loopback of the family, which is what tests and lone hosts need).
  Address advertised() const;
  std::string_view via_name() const;  // "UDP", "TCP", "TLS"

  // Sends one message. For streams, `connection` (when given and open) is used, else an open
  // connection to `to`, else a new one. Failures are logged and reported through `on_error`.
  virtual void send(const Address& to, std::string bytes, const std::shared_ptr<Connection>& connection,
                    std::function<void(const std::string&)> on_error = {}) = 0;
  virtual void stop() = 0;
  virtual std::size_t connection_count() const { return 0; }

 protected:
  Transport(TransportOptions o, Logger& log) : options_(std::move(o)), log_(log) {}
  TransportOptions options_;
  Logger& log_;
  Address local_;
};

struct TransportLimits {
  std::size_t max_message = 65535;
  unsigned receive_loops = 2;  // concurrent UDP receives (one per engine thread is plenty)
};

// Binds and starts receiving. The error names the address and protocol.
Result<std::shared_ptr<Transport>> start_transport(boost::asio::io_context& io, const TransportOptions& options,
                                                   Receiver receiver, TransportLimits limits, Logger& log);

}  // namespace telephony::sip
