// Shared fixture for AMI server tests: a server on 127.0.0.1 (port 0) whose io_context runs on a
// background thread, a way to run client coroutines to completion, and raw sockets for clients
// that misbehave on purpose.
#pragma once

#include <poll.h>
#include <sys/socket.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "telephony/manager/client.hpp"
#include "telephony/manager/server.hpp"

namespace ami_test {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using telephony::ami::Message;
using namespace telephony::manager;

inline UserOptions user(std::string name, std::string secret, std::string_view read = "all", std::string_view write = "all") {
  UserOptions u;
  u.name = std::move(name);
  u.secret = std::move(secret);
  u.read = *PrivilegeSet::parse(read);
  u.write = *PrivilegeSet::parse(write);
  return u;
}

class IoThread {
 public:
  IoThread() : guard_(asio::make_work_guard(io)), thread_([this] { io.run(); }) {}
  ~IoThread() {
    guard_.reset();
    io.stop();
    thread_.join();
  }
  // Runs a coroutine on the io thread and waits for its result.
  template <class T>
  T run(asio::awaitable<T> aw) {
    // use_future needs a default-constructible result; Result<T> is not, optional<Result<T>> is.
    auto wrapped = [](asio::awaitable<T> a) -> asio::awaitable<std::optional<T>> {
      co_return std::optional<T>(co_await std::move(a));
    };
    return std::move(*asio::co_spawn(io, wrapped(std::move(aw)), asio::use_future).get());
  }
  // Runs `f` on the io thread and waits (for objects that live on that thread).
  void sync(std::function<void()> f) {
    asio::co_spawn(io, [f]() -> asio::awaitable<void> { f(); co_return; }, asio::use_future).get();
  }
  asio::io_context io;

 private:
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::thread thread_;
};

// Collects events a Client reports (on the io thread) for assertions on the test thread. The
// collected state is shared with every sink() handed to a client, so a client that outlives the
// log (test-body logs die before the fixture's clients) delivers into a live object.
class EventLog {
 public:
  void add(const Message& m) { state_->add(m); }
  std::function<void(const Message&)> sink() const {
    return [s = state_](const Message& m) { s->add(m); };
  }
  // Waits until `pred` holds for the collected events or the timeout passes.
  bool wait(std::function<bool(const std::vector<Message>&)> pred, std::chrono::milliseconds t = 5000ms) {
    std::unique_lock lock(state_->mu);
    return state_->cv.wait_for(lock, t, [&] { return pred(state_->events); });
  }
  std::size_t count(std::string_view event) {
    std::lock_guard lock(state_->mu);
    std::size_t n = 0;
    for (const auto& e : state_->events) n += telephony::ami::iequals(e.event(), event);
    return n;
  }
  std::vector<Message> snapshot() {
    std::lock_guard lock(state_->mu);
    return state_->events;
  }

 private:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<Message> events;
    void add(const Message& m) {
      std::lock_guard lock(mu);
      events.push_back(m);
      cv.notify_all();
    }
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

// A blocking socket used to play clients that misbehave (never read, never log in, ...).
class RawClient {
 public:
  explicit RawClient(std::uint16_t port, int rcvbuf = 0) : sock_(io_) {
    sock_.open(asio::ip::tcp::v4());
    if (rcvbuf > 0) sock_.set_option(asio::socket_base::receive_buffer_size(rcvbuf));
    sock_.connect({asio::ip::make_address("127.0.0.1"), port});
  }
  void send(std::string_view bytes) { asio::write(sock_, asio::buffer(bytes.data(), bytes.size())); }
  // Reads until `needle` is in what was read, EOF, or timeout; returns everything read so far.
  std::string read_until(std::string_view needle, std::chrono::milliseconds timeout = 3000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (data_.find(needle) == std::string::npos && !eof_) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{sock_.native_handle(), POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[4096];
      boost::system::error_code ec;
      const auto n = sock_.read_some(asio::buffer(buf), ec);
      if (ec) {
        eof_ = true;
        break;
      }
      data_.append(buf, n);
    }
    return data_;
  }
  bool closed_by_peer(std::chrono::milliseconds timeout = 3000ms) {
    read_until("\x01never\x01", timeout);
    return eof_;
  }

 private:
  asio::io_context io_;
  asio::ip::tcp::socket sock_;
  std::string data_;
  bool eof_ = false;
};

}  // namespace ami_test
