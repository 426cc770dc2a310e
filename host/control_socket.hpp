// The remote console: a UNIX stream socket in rundir (telephonyd.ctl, mode 0660). Each request
// is one command line ending in '\n'; the reply is the command's output, a NUL byte, the status
// digit (0 ok, 1 failure, 2 usage) and '\n'. A connection may carry many requests (`-r`).
#pragma once

#include <boost/asio/local/stream_protocol.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "telephony/engine.hpp"

namespace telephonyd {

class ControlSocketServer {
 public:
  ControlSocketServer(telephony::Engine& engine, std::filesystem::path path);
  ~ControlSocketServer();
  telephony::Result<void> start();
  void stop();

 private:
  void accept();
  telephony::Engine& engine_;
  std::filesystem::path path_;
  std::unique_ptr<boost::asio::local::stream_protocol::acceptor> acceptor_;
};

// Client side: runs one command and prints its output; returns the process exit code.
int run_remote_command(const std::filesystem::path& socket, const std::string& command);
// Interactive console on stdin/stdout.
int run_remote_console(const std::filesystem::path& socket);

}  // namespace telephonyd
