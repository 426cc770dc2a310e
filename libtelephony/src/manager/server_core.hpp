// Internal: state shared by manager::Server and its sessions. Not installed.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "telephony/manager/server.hpp"

namespace telephony::manager {

class Session;

struct ServerConfig {
  ServerOptions options;
  std::vector<UserOptions> users;
};

struct Server::Core : std::enable_shared_from_this<Server::Core> {
  explicit Core(boost::asio::io_context& io_context) : io(io_context) {}

  boost::asio::io_context& io;

  mutable std::mutex config_mu;
  std::shared_ptr<const ServerConfig> config;
  std::shared_ptr<const ServerConfig> snapshot() const {
    std::lock_guard lock(config_mu);
    return config;
  }

  mutable std::mutex actions_mu;
  ActionTable actions;
  std::shared_ptr<const ActionEntry> find_action(std::string_view name) const {
    std::lock_guard lock(actions_mu);
    return actions.find(name);
  }

  mutable std::mutex sessions_mu;
  std::vector<std::shared_ptr<Session>> sessions;
  void remove(const Session* s);
  bool user_logged_in(std::string_view user) const;

  std::mutex log_mu;
  LogSink log_sink;
  void log(const std::string& line);
  SecuritySink security_sink;  // guarded by log_mu
  void security(const SecurityReport& r) {
    std::lock_guard lock(log_mu);
    if (security_sink) security_sink(r);
  }

  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> tls_acceptor;
  std::unique_ptr<boost::asio::ssl::context> tls_context;
  void accept_next(bool tls);
  std::atomic<bool> stopped{false};

  std::chrono::system_clock::time_point started = std::chrono::system_clock::now();
  std::chrono::system_clock::time_point last_reload = started;

  std::atomic<unsigned> unauthenticated{0};
  std::atomic<std::uint64_t> open_sessions{0}, authenticated{0}, events_published{0}, auth_failures{0},
      write_timeout_disconnects{0}, queue_overflow_disconnects{0}, authtimeout_disconnects{0},
      authlimit_rejections{0};
};

}  // namespace telephony::manager
