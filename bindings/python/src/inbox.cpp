#include "inbox.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace telephony::python {

namespace {
thread_local bool tls_engine_call = false;
}

Inbox::Inbox() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
}

Inbox::~Inbox() {
  if (fd_ >= 0) ::close(fd_);
}

void Inbox::push(std::shared_ptr<InboxItem> item) {
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    items_.push_back(std::move(item));
    pushed_at_.push_back(std::chrono::steady_clock::now());
    if (!signalled_) {
      signalled_ = true;
      const std::uint64_t one = 1;
      // Non-blocking; the counter cannot overflow with one write per empty->non-empty edge.
      [[maybe_unused]] auto n = ::write(fd_, &one, sizeof one);
    }
  }
  cv_.notify_one();
  stall_cv_.notify_all();
}

void Inbox::reset_fd_locked() {
  if (!signalled_) return;
  std::uint64_t v;
  [[maybe_unused]] auto n = ::read(fd_, &v, sizeof v);
  signalled_ = false;
}

std::vector<std::shared_ptr<InboxItem>> Inbox::take(std::size_t max, std::optional<std::chrono::milliseconds> timeout) {
  std::vector<std::shared_ptr<InboxItem>> out;
  std::unique_lock lock(mu_);
  if (arriving_ > 0) --arriving_;
  auto ready = [&] { return closed_ || !items_.empty(); };
  if (!ready()) {
    ++waiting_;
    if (timeout) cv_.wait_for(lock, *timeout, ready);
    else cv_.wait(lock, ready);
    --waiting_;
  }
  if (closed_) return out;
  while (!items_.empty() && out.size() < max) {
    out.push_back(std::move(items_.front()));
    items_.pop_front();
    pushed_at_.pop_front();
  }
  if (items_.empty()) reset_fd_locked();
  return out;
}

bool Inbox::wait_stalled(std::chrono::milliseconds threshold, std::chrono::milliseconds timeout) {
  using clock = std::chrono::steady_clock;
  std::unique_lock lock(mu_);
  const auto deadline = clock::now() + timeout;
  for (;;) {
    if (closed_) return false;
    const auto now = clock::now();
    auto until = deadline;
    if (!pushed_at_.empty()) {
      const auto due = pushed_at_.front() + threshold;
      if (now >= due && waiting_.load() == 0 && arriving_ == 0) return true;
      // Past due but a taker is about to take it: look again shortly rather than spin.
      until = std::min(until, std::max(due, now + std::chrono::milliseconds(1)));
    }
    if (now >= deadline) return false;
    stall_cv_.wait_until(lock, until);
  }
}

void Inbox::expect_taker() {
  std::lock_guard lock(mu_);
  ++arriving_;
}

void Inbox::close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    items_.clear();
    pushed_at_.clear();
    // Left readable: a loop watching it drains once more and sees the inbox closed.
    if (!signalled_) {
      signalled_ = true;
      const std::uint64_t one = 1;
      [[maybe_unused]] auto n = ::write(fd_, &one, sizeof one);
    }
  }
  cv_.notify_all();
  stall_cv_.notify_all();
}

bool Inbox::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

std::size_t Inbox::queued() const {
  std::lock_guard lock(mu_);
  return items_.size();
}

// ---- Operation ----------------------------------------------------------------------------------

void Operation::complete(Maker make) {
  std::shared_ptr<Inbox> notify;
  {
    std::lock_guard lock(mu_);
    if (done_) return;
    done_ = true;
    make_ = std::move(make);
    notify = std::move(watcher_);
  }
  cv_.notify_all();
  if (notify) notify->push(shared_from_this());
}

bool Operation::done() const {
  std::lock_guard lock(mu_);
  return done_;
}

bool Operation::wait_for(double seconds) {
  py::gil_scoped_release release;
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, std::chrono::duration<double>(seconds), [&] { return done_; });
}

py::object Operation::wait() {
  for (;;) {
    {
      py::gil_scoped_release release;
      std::unique_lock lock(mu_);
      if (cv_.wait_for(lock, std::chrono::milliseconds(100), [&] { return done_; })) break;
    }
    // Ctrl-C: the main thread's signal handlers run here (KeyboardInterrupt propagates).
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
  }
  return result();
}

py::object Operation::result() {
  Maker make;
  {
    std::lock_guard lock(mu_);
    if (!done_) throw std::logic_error("operation is still running");
    make = make_;
  }
  return make ? make() : py::none();
}

void Operation::watch(std::shared_ptr<Inbox> inbox, std::uint64_t token) {
  bool now = false;
  {
    std::lock_guard lock(mu_);
    token_ = token;
    if (done_) now = true;
    else watcher_ = inbox;
  }
  if (now) inbox->push(shared_from_this());
}

Operation::Maker none_result() {
  return [] { return py::none(); };
}

Operation::Maker error_result(PyObject* type, std::string message) {
  return [type, message = std::move(message)]() -> py::object {
    PyErr_SetString(type, message.c_str());
    throw py::error_already_set();
  };
}

// ---- EngineCall ---------------------------------------------------------------------------------

EngineCall::EngineCall() : previous_(tls_engine_call) { tls_engine_call = true; }
EngineCall::~EngineCall() { tls_engine_call = previous_; }
bool EngineCall::active() { return tls_engine_call; }

}  // namespace telephony::python
