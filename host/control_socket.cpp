#include "control_socket.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <iostream>
#include <memory>

#include "line_editor.hpp"

namespace telephonyd {

namespace asio = boost::asio;
using stream = asio::local::stream_protocol;

namespace {
// A request line starting with this byte asks for completions of the rest of the line.
constexpr std::string_view kCompleteRequest = "\x01complete ";

class ConsoleSession : public std::enable_shared_from_this<ConsoleSession> {
 public:
  ConsoleSession(telephony::Engine& e, stream::socket s) : engine_(e), socket_(std::move(s)) {}
  void start() { read(); }

 private:
  void read() {
    asio::async_read_until(socket_, buf_, '\n', [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
      if (ec) return;
      std::string line(asio::buffers_begin(self->buf_.data()), asio::buffers_begin(self->buf_.data()) + static_cast<long>(n));
      self->buf_.consume(n);
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
      telephony::ConsoleResult r;
      if (line.rfind(kCompleteRequest, 0) == 0) {
        // Tab completion from `-r`: the candidates, one per line.
        for (const auto& c : self->engine_.commands().complete(std::string_view(line).substr(kCompleteRequest.size())))
          r.output += c + "\n";
      } else {
        r = self->engine_.commands().execute(line);
      }
      self->reply_ = r.output;
      self->reply_.push_back('\0');
      self->reply_ += std::to_string(r.status) + "\n";
      asio::async_write(self->socket_, asio::buffer(self->reply_), [self](boost::system::error_code ec2, std::size_t) {
        if (!ec2) self->read();
      });
    });
  }
  telephony::Engine& engine_;
  stream::socket socket_;
  asio::streambuf buf_{1 << 16};
  std::string reply_;
};

int connect_to(const std::filesystem::path& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Sends one command and collects the reply up to the NUL + status line.
bool exchange(int fd, const std::string& command, std::string& output, int& status) {
  std::string req = command + "\n";
  if (::write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) return false;
  std::string got;
  char buf[4096];
  for (;;) {
    auto nul = got.find('\0');
    if (nul != std::string::npos && got.find('\n', nul) != std::string::npos) {
      output = got.substr(0, nul);
      status = std::atoi(got.c_str() + nul + 1);
      return true;
    }
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) {
      output = got;
      status = 0;
      return !got.empty();
    }
    got.append(buf, static_cast<std::size_t>(n));
  }
}
}  // namespace

ControlSocketServer::ControlSocketServer(telephony::Engine& engine, std::filesystem::path path)
    : engine_(engine), path_(std::move(path)) {}

ControlSocketServer::~ControlSocketServer() { stop(); }

telephony::Result<void> ControlSocketServer::start() {
  std::error_code fec;
  std::filesystem::create_directories(path_.parent_path(), fec);
  // A socket left by a crashed daemon is replaced; a live one means another daemon runs here.
  if (std::filesystem::exists(path_)) {
    int fd = connect_to(path_);
    if (fd >= 0) {
      ::close(fd);
      return telephony::fail("another telephonyd is running (control socket answers)", path_.string());
    }
    std::filesystem::remove(path_, fec);
  }
  boost::system::error_code ec;
  acceptor_ = std::make_unique<stream::acceptor>(engine_.io());
  acceptor_->open(stream(), ec);
  if (!ec) acceptor_->bind(stream::endpoint(path_.string()), ec);
  if (!ec) acceptor_->listen(16, ec);
  if (ec) return telephony::fail("cannot listen on control socket: " + ec.message(), path_.string());
  ::chmod(path_.c_str(), 0660);
  accept();
  return {};
}

void ControlSocketServer::accept() {
  acceptor_->async_accept([this](boost::system::error_code ec, stream::socket s) {
    if (ec) return;
    std::make_shared<ConsoleSession>(engine_, std::move(s))->start();
    accept();
  });
}

void ControlSocketServer::stop() {
  if (acceptor_) {
    boost::system::error_code ec;
    acceptor_->close(ec);
    acceptor_.reset();
    std::error_code fec;
    std::filesystem::remove(path_, fec);
  }
}

int run_remote_command(const std::filesystem::path& socket, const std::string& command) {
  int fd = connect_to(socket);
  if (fd < 0) {
    std::fprintf(stderr, "Unable to connect to remote telephonyd (does %s exist?)\n", socket.c_str());
    return 1;
  }
  std::string out;
  int status = 1;
  bool ok = exchange(fd, command, out, status);
  ::close(fd);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return ok ? (status == 0 ? 0 : 1) : 1;
}

int run_remote_console(const std::filesystem::path& socket) {
  int fd = connect_to(socket);
  if (fd < 0) {
    std::fprintf(stderr, "Unable to connect to remote telephonyd (does %s exist?)\n", socket.c_str());
    return 1;
  }
  bool lost = false;
  auto run = [&](const std::string& line, std::string& out, int& status) {
    if (!exchange(fd, line, out, status)) {
      lost = true;
      return false;
    }
    return true;
  };
  std::unique_ptr<LineEditor> editor;
  if (::isatty(0) && ::isatty(1)) {
    const char* home = std::getenv("HOME");
    const std::filesystem::path hist = std::filesystem::path(home ? home : ".") / ".telephonyd_history";
    editor = std::make_unique<LineEditor>(
        "telephonyd*CLI> ",
        [&](const std::string& line) {
          std::string out;
          int status = 0;
          std::vector<std::string> cands;
          if (!run(std::string(kCompleteRequest) + line, out, status)) return cands;
          std::size_t pos = 0;
          while (pos < out.size()) {
            auto nl = out.find('\n', pos);
            if (nl == std::string::npos) nl = out.size();
            if (nl > pos) cands.push_back(out.substr(pos, nl - pos));
            pos = nl + 1;
          }
          return cands;
        },
        hist);
  }
  std::string line;
  for (;;) {
    if (editor) {
      auto l = editor->read_line();
      if (!l) break;
      line = *l;
    } else if (!std::getline(std::cin, line)) {
      break;
    }
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
    if (line == "exit" || line == "quit") break;
    if (line.empty()) continue;
    if (editor) editor->add_history(line);
    std::string out;
    int status = 0;
    if (!run(line, out, status)) break;
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
  }
  ::close(fd);
  if (lost) {
    std::fprintf(stderr, "Disconnected from telephonyd\n");
    return 1;
  }
  return 0;
}

}  // namespace telephonyd
