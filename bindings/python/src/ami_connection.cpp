#include "ami_connection.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <future>

#include <pybind11/stl.h>

#include "errors.hpp"

namespace telephony::python {

namespace asio = boost::asio;

namespace {
Operation::Maker ami_error(const std::string& message) { return error_result(exception_types().ami, message); }

Operation::Maker message_result(ami::Message m) {
  return [m = std::move(m)] { return py::cast(m); };
}
}  // namespace

AmiConnection::AmiConnection(std::string host, std::uint16_t port, double timeout, std::size_t event_capacity)
    : host_(std::move(host)), port_(port), work_(asio::make_work_guard(io_)),
      client_(std::make_unique<ami::Client>(io_)),
      events_(std::make_shared<EventStream>(EventStream::Options{{}, event_capacity})) {
  client_->set_timeout(std::chrono::milliseconds(static_cast<long long>(timeout * 1000)));
  std::weak_ptr<EventStream> weak = events_;
  client_->on_event([weak](const ami::Message& m) {
    if (auto s = weak.lock()) s->push_message(m);
  });
  thread_ = std::thread([this] { io_.run(); });
  watch_connection();
}

// The client has no "closed by the peer" callback: look every 200 ms, and end the event stream
// once an open connection is gone, so that `for ev in client.events()` finishes.
void AmiConnection::watch_connection() {
  auto timer = std::make_shared<asio::steady_timer>(io_);
  asio::co_spawn(
      io_,
      [this, timer]() -> asio::awaitable<void> {
        bool seen_open = false;
        for (;;) {
          timer->expires_after(std::chrono::milliseconds(200));
          boost::system::error_code ec;
          co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
          if (ec) co_return;
          if (client_->is_open()) {
            seen_open = true;
          } else if (seen_open) {
            {
              std::lock_guard lock(mu_);
              open_ = false;
            }
            events_->close();
            co_return;
          }
        }
      },
      asio::detached);
}

AmiConnection::~AmiConnection() {
  py::gil_scoped_release release;
  asio::post(io_, [this] { client_->close(); });
  work_.reset();
  io_.stop();
  if (thread_.joinable()) thread_.join();
  client_.reset();
  events_->close();
}

template <class Body>
std::shared_ptr<Operation> AmiConnection::run(Body body) {
  auto op = std::make_shared<Operation>();
  asio::co_spawn(
      io_,
      [op, body = std::move(body)]() mutable -> asio::awaitable<void> {
        Operation::Maker result;
        try {
          result = co_await body();
        } catch (const std::exception& e) {
          result = ami_error(e.what());
        }
        op->complete(std::move(result));
      },
      asio::detached);
  return op;
}

std::shared_ptr<Operation> AmiConnection::connect() {
  return run([this]() -> asio::awaitable<Operation::Maker> {
    if (client_->is_open()) co_return none_result();
    auto r = co_await client_->connect(host_, port_);
    if (!r) co_return ami_error("cannot connect to AMI at " + host_ + ":" + std::to_string(port_) + ": " +
                                r.error().to_string());
    std::lock_guard lock(mu_);
    banner_ = client_->banner();
    open_ = true;
    co_return none_result();
  });
}

std::shared_ptr<Operation> AmiConnection::login(std::string user, std::string secret, bool events, bool md5) {
  return run([this, user = std::move(user), secret = std::move(secret), events,
              md5]() -> asio::awaitable<Operation::Maker> {
    if (!client_->is_open()) {
      auto c = co_await client_->connect(host_, port_);
      if (!c) co_return ami_error("cannot connect to AMI at " + host_ + ":" + std::to_string(port_) + ": " +
                                  c.error().to_string());
      std::lock_guard lock(mu_);
      banner_ = client_->banner();
      open_ = true;
    }
    Result<ami::Message> r = ami::Message();
    if (md5) r = co_await client_->login_md5(user, secret);
    else r = co_await client_->login(user, secret, events);
    if (!r) co_return ami_error("AMI login as '" + user + "' failed: " + r.error().to_string());
    co_return message_result(std::move(*r));
  });
}

std::shared_ptr<Operation> AmiConnection::send(ami::Message action) {
  return run([this, action = std::move(action)]() mutable -> asio::awaitable<Operation::Maker> {
    if (!client_->is_open()) co_return ami_error("not connected (call login() first)");
    auto r = co_await client_->send(std::move(action));
    if (!r) co_return ami_error(r.error().to_string());
    co_return message_result(std::move(*r));
  });
}

std::shared_ptr<Operation> AmiConnection::send_list(ami::Message action) {
  return run([this, action = std::move(action)]() mutable -> asio::awaitable<Operation::Maker> {
    if (!client_->is_open()) co_return ami_error("not connected (call login() first)");
    auto r = co_await client_->send_list(std::move(action));
    if (!r) co_return ami_error(r.error().to_string());
    co_return [items = std::move(*r)] { return py::object(py::cast(items)); };
  });
}

void AmiConnection::close() {
  auto done = std::make_shared<std::promise<void>>();
  auto f = done->get_future();
  {
    py::gil_scoped_release release;
    asio::post(io_, [this, done] {
      client_->close();
      done->set_value();
    });
    f.wait_for(std::chrono::seconds(2));
  }
  std::lock_guard lock(mu_);
  open_ = false;
}

bool AmiConnection::is_open() const {
  std::lock_guard lock(mu_);
  return open_;
}

std::string AmiConnection::banner() const {
  std::lock_guard lock(mu_);
  return banner_;
}

}  // namespace telephony::python
