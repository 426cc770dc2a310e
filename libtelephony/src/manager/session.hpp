// Internal: one AMI connection (TCP or TLS) of a manager::Server. Not installed.
//
// Reads and handles actions one at a time in a coroutine on the session's strand; writes from a
// bounded queue that any thread may fill (publish, async action responders). The queue and the
// close flag are guarded by a mutex held only for pushes and swaps, never across I/O.
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>  // boost 1.74 awaitable.hpp uses std::exchange without including it
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include "server_core.hpp"
#include "telephony/manager/parser.hpp"

namespace telephony::manager {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<Server::Core> core, boost::asio::ip::tcp::socket socket, boost::asio::ssl::context* tls);
  void start();

  // Any thread.
  void offer_event(const std::shared_ptr<const std::string>& bytes, const ami::Message& event, PrivilegeSet classes);
  void enqueue(std::string bytes);
  void close(std::string reason);
  bool authenticated() const noexcept { return authenticated_.load(std::memory_order_acquire); }
  std::string user() const;
  std::uint64_t id() const noexcept { return id_; }
  // `manager show connected`, `core show taskprocessors`: who, from where, since when, queue.
  SessionSummary summary() const;
  SecurityReport security_report(std::string event, std::string account) const;

 private:
  boost::asio::awaitable<void> run();
  boost::asio::awaitable<void> handle(ami::Message m);
  boost::asio::awaitable<void> login(const ami::Message& m);
  void reply(const ami::Message& request, ami::Message response);
  void dispatch_registered(ami::Message m);
  void push(std::shared_ptr<const std::string> bytes);
  enum class PushResult { Queued, Kick, Overflow, Dropped };
  PushResult push_locked(std::shared_ptr<const std::string> bytes);  // mu_ held
  void after_push(PushResult r);
  void finish_wait_event();  // any thread: sends WaitEventComplete if a WaitEvent is pending
  void write_next();
  void do_close(const std::string& reason);  // on strand
  boost::asio::awaitable<std::size_t> read_some(char* p, std::size_t n, boost::system::error_code& ec);

  std::shared_ptr<Server::Core> core_;
  boost::asio::any_io_executor ex_;  // the session's strand
  std::optional<boost::asio::ip::tcp::socket> plain_;
  std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> tls_;
  boost::asio::steady_timer auth_timer_;
  boost::asio::steady_timer write_deadline_;
  boost::asio::steady_timer wait_event_timer_;
  ami::Parser parser_;
  const std::uint64_t id_;
  std::string remote_;
  std::string challenge_;

  // Set once at login on the strand; read by publishers after authenticated_ is seen true.
  SessionInfo info_;
  std::chrono::milliseconds writetimeout_{100};
  std::atomic<bool> authenticated_{false};
  std::atomic<std::uint32_t> event_mask_{0};

  mutable std::mutex mu_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  std::shared_ptr<const FilterSet> filters_;
  std::size_t queue_limit_ = 10000;
  std::size_t high_water_ = 0;
  std::uint64_t sent_ = 0;
  const std::chrono::system_clock::time_point connected_at_ = std::chrono::system_clock::now();
  bool writing_ = false;
  bool closed_ = false;
  bool close_after_flush_ = false;
  // WaitEvent in progress: the ActionID to put on WaitEventComplete (empty string if none).
  std::optional<std::string> waiting_for_event_;

  // Strand-only.
  std::vector<std::shared_ptr<const std::string>> inflight_;
  std::string wbuf_;  // the batch in flight, owned until its write completes
  // Write watchdog (strand-only state): the batch in flight and when it started.
  bool write_in_flight_ = false;
  bool watchdog_armed_ = false;
  std::chrono::steady_clock::time_point write_started_{};
  void arm_write_watchdog(std::chrono::steady_clock::duration after);
  bool io_open_ = true;
};

}  // namespace telephony::manager
