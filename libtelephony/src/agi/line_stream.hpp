// Internal: newline-framed text over an Asio stream pair, driven on the channel's strand (the
// streams are created with that strand as their executor, so every completion handler runs there).
// `Streams` owns the I/O objects and gives in(), out() and close(): two pipe descriptors for a
// script, one socket for FastAGI. The pending handlers keep the LineStream alive; close() cancels
// them, which is how the owner ends it.
// Reads split complete lines into a queue and ring the session's waker; writes are queued and
// sent one after the other, so send() never blocks the coroutine that answers a command.
// A line longer than kMaxLine, a read error or end of file closes the reading side; a write error
// drops further output (the peer is gone; its end of file follows).
#pragma once

#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace telephony::agi {

template <class Streams>
class LineStream : public std::enable_shared_from_this<LineStream<Streams>> {
 public:
  static constexpr std::size_t kMaxLine = 1 << 20;  // 1 MiB: SET VARIABLE with a large value

  explicit LineStream(Streams s) : s_(std::move(s)) {}
  Streams& streams() { return s_; }
  void close() { s_.close(); }

  void start() { read_more(); }
  void set_waker(std::function<void()> w) { waker_ = std::move(w); }

  std::optional<std::string> next_line() {
    if (lines_.empty()) return std::nullopt;
    std::string l = std::move(lines_.front());
    lines_.pop_front();
    return l;
  }
  bool closed() const { return closed_ && lines_.empty(); }
  bool write_failed() const { return write_failed_; }
  bool pending_output() const { return !outq_.empty(); }

  void send(std::string text) {
    if (write_failed_ || text.empty()) return;
    outq_.push_back(std::move(text));
    if (outq_.size() == 1) write_next();
  }

 private:
  void ring() {
    if (waker_) waker_();
  }

  void read_more() {
    auto self = this->shared_from_this();
    boost::asio::async_read_until(s_.in(), boost::asio::dynamic_buffer(buf_, kMaxLine), '\n',
                                  [self](const boost::system::error_code& ec, std::size_t n) { self->on_read(ec, n); });
  }

  void on_read(const boost::system::error_code& ec, std::size_t n) {
    if (!ec) {
      std::string line = buf_.substr(0, n - 1);
      buf_.erase(0, n);
      lines_.push_back(std::move(line));
      // Several lines may already be buffered: split them all before ringing.
      for (auto nl = buf_.find('\n'); nl != std::string::npos; nl = buf_.find('\n')) {
        lines_.push_back(buf_.substr(0, nl));
        buf_.erase(0, nl + 1);
      }
      ring();
      read_more();
      return;
    }
    // End of file (or error): a last line without its newline still counts, as with fgets.
    if (!buf_.empty() && ec != boost::asio::error::not_found) lines_.push_back(std::move(buf_));
    buf_.clear();
    closed_ = true;
    ring();
  }

  void write_next() {
    auto self = this->shared_from_this();
    boost::asio::async_write(s_.out(), boost::asio::buffer(outq_.front()),
                             [self](const boost::system::error_code& ec, std::size_t) {
                               if (ec) {
                                 self->write_failed_ = true;
                                 self->outq_.clear();
                                 return;
                               }
                               self->outq_.pop_front();
                               if (!self->outq_.empty()) self->write_next();
                             });
  }

  Streams s_;
  std::string buf_;
  std::deque<std::string> lines_;
  std::deque<std::string> outq_;
  std::function<void()> waker_;
  bool closed_ = false;
  bool write_failed_ = false;
};

}  // namespace telephony::agi
