// `sock` spans: each channel a Unix datagram socket <dir>/<n> speaking tdm/wire.hpp.
//
// Receiving runs on the attached channel's executor (the line's strand), so a datagram is decoded
// and handed to the line without another hop. Sending uses ::sendto on the non-blocking socket
// from whatever thread writes (a channel's strand): one system call, no allocation; a full
// socket buffer drops the block (counted) rather than stall a call.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/local/datagram_protocol.hpp>
#include <cerrno>
#include <cstring>

#include "handler_arena.hpp"
#include "soft_channel.hpp"
#include "soft_spans.hpp"

namespace telephony::tdm {

namespace {

using boost::asio::local::datagram_protocol;

class SocketLink : public WireLink, public std::enable_shared_from_this<SocketLink> {
 public:
  SocketLink(boost::asio::io_context& io, std::filesystem::path path, Law law, Span& span, SpanLog log)
      : socket_(io), path_(std::move(path)), law_(law == Law::Alaw ? WireLaw::Alaw : WireLaw::Ulaw), span_(span),
        log_(std::move(log)) {}

  void set_channel(std::weak_ptr<SoftChannel> c) { channel_ = std::move(c); }

  Result<void> open() {
    std::error_code fs_ec;
    std::filesystem::remove(path_, fs_ec);
    boost::system::error_code ec;
    socket_.open(datagram_protocol(), ec);
    if (!ec) socket_.bind(datagram_protocol::endpoint(path_.string()), ec);
    if (!ec) socket_.non_blocking(true, ec);
    if (ec) return fail("cannot bind " + path_.string() + ": " + ec.message());
    struct stat st {};
    if (::stat(path_.c_str(), &st) == 0) inode_ = st.st_ino;
    return {};
  }

  // Closes on the attached channel's strand when there is one (the socket's operations run
  // there), else at once. The socket file goes too unless a newer span already bound that path
  // (dahdi restart builds the new span before the old one's close has run).
  void close() {
    auto self = shared_from_this();
    auto finish = [self] {
      boost::system::error_code ec;
      self->socket_.close(ec);
      struct stat st {};
      if (::stat(self->path_.c_str(), &st) == 0 && st.st_ino == self->inode_) ::unlink(self->path_.c_str());
    };
    if (executor_ && generation_.load() > 0) boost::asio::post(*executor_, finish);
    else finish();
  }

  void bind(std::optional<SpanChannel::Executor> ex) override {
    // Called on the strand of the line that attaches or detaches: the pending receive (if any)
    // belongs to the previous attachment and is cancelled before a new one starts.
    const auto generation = ++generation_;
    boost::system::error_code ec;
    if (socket_.is_open()) socket_.cancel(ec);
    if (!ex || !socket_.is_open()) return;
    executor_ = ex;
    receive(generation);
  }

  void send_signal(LineSignal s) override {
    std::array<std::uint8_t, kWireHeader> buf;
    const auto n = encode_wire_signal(buf, next_seq(), s);
    transmit(buf.data(), n);
  }

  void send_audio(std::span<const std::uint8_t> g711) override {
    std::array<std::uint8_t, kWireMaxDatagram> buf;
    const auto n = encode_wire_audio(buf, next_seq(), law_, g711);
    if (n) transmit(buf.data(), n);
  }

  std::string describe() const override { return "socket " + path_.string(); }

  SoftChannelStats stats() const override {
    SoftChannelStats s;
    s.rx_messages = rx_.load();
    s.rx_rejected = rejected_.load();
    s.tx_dropped = dropped_.load();
    std::lock_guard lock(peer_mu_);
    s.peer = peer_name_.empty() ? (peer_len_ ? "(unnamed)" : "none") : peer_name_;
    return s;
  }

 private:
  std::uint16_t next_seq() { return seq_.fetch_add(1, std::memory_order_relaxed); }

  void transmit(const std::uint8_t* data, std::size_t n) {
    sockaddr_un peer{};
    socklen_t len = 0;
    {
      std::lock_guard lock(peer_mu_);
      peer = peer_;
      len = peer_len_;
    }
    if (!len) {
      ++dropped_;  // nobody attached yet: a port with no phone plugged in
      return;
    }
    if (::sendto(socket_.native_handle(), data, n, MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&peer), len) < 0) {
      ++dropped_;
      if (errno == ECONNREFUSED || errno == ENOENT) {
        std::lock_guard lock(peer_mu_);
        peer_len_ = 0;  // the peer process is gone; wait for the next one to say hello
        peer_name_.clear();
      }
    }
  }

  void receive(std::uint64_t generation) {
    auto self = shared_from_this();
    socket_.async_receive_from(
        boost::asio::buffer(rx_buf_), sender_,
        boost::asio::bind_executor(*executor_, arena_bound(arena_, [self, generation](const boost::system::error_code& ec,
                                                                                    std::size_t n) {
          if (ec || generation != self->generation_) return;
          self->on_datagram(n);
          self->receive(generation);
        })));
  }

  void on_datagram(std::size_t n) {
    ++rx_;
    auto msg = decode_wire(std::span<const std::uint8_t>(rx_buf_.data(), n));
    if (!msg) {
      reject(msg.error().to_string());
      return;
    }
    remember_peer(msg->type == WireType::Hello ? msg->hello_name() : std::string_view());
    auto chan = channel_.lock();
    if (!chan) return;
    switch (msg->type) {
      case WireType::Audio:
        if (msg->law() != law_) {
          reject(std::string("audio in ") + (msg->law() == WireLaw::Alaw ? "A-law" : "µ-law") + " on a " +
                 (law_ == WireLaw::Alaw ? "A-law" : "µ-law") + " span");
          return;
        }
        chan->on_wire_audio(msg->payload);
        return;
      case WireType::Signal: chan->on_wire_signal(msg->signal()); return;
      case WireType::Alarm: alarm_(span_, msg->code); return;
      case WireType::Hello: return;
    }
  }

  void remember_peer(std::string_view hello) {
    const auto len = static_cast<socklen_t>(sender_.size());
    if (len <= sizeof(sa_family_t)) return;  // an unbound sender cannot be answered
    std::lock_guard lock(peer_mu_);
    std::memcpy(&peer_, sender_.data(), std::min<std::size_t>(len, sizeof peer_));
    peer_len_ = len;
    if (!hello.empty()) peer_name_ = std::string(hello);
  }

  void reject(const std::string& why) {
    if (rejected_.fetch_add(1) < 10 && log_) log_(describe() + ": dropped a datagram: " + why);
  }

 public:
  // Applies alarm bits from the peer to the span (set by SocketSpan).
  std::function<void(Span&, std::uint8_t)> alarm_;

 private:
  datagram_protocol::socket socket_;
  const std::filesystem::path path_;
  const WireLaw law_;
  Span& span_;
  SpanLog log_;
  std::weak_ptr<SoftChannel> channel_;
  std::optional<SpanChannel::Executor> executor_;
  std::atomic<std::uint64_t> generation_{0};
  ino_t inode_ = 0;
  std::array<std::uint8_t, kWireMaxDatagram + 1> rx_buf_{};
  datagram_protocol::endpoint sender_;
  mutable std::mutex peer_mu_;
  sockaddr_un peer_{};
  socklen_t peer_len_ = 0;
  std::string peer_name_;
  std::atomic<std::uint16_t> seq_{0};
  std::atomic<std::uint64_t> rx_{0}, rejected_{0}, dropped_{0};
  HandlerArena arena_;  // each datagram's receive operation allocates nothing
};

class SocketSpan : public Span {
 public:
  SocketSpan(boost::asio::io_context& io, int number, std::filesystem::path dir, std::vector<Law> laws, SpanLog log)
      // The description (40 columns in `dahdi show status`) names the directory, the span name
      // the whole path.
      : Span(number, "SOCK/" + dir.string(), "DAHDI_DYNAMIC/sock/" + dir.filename().string(),
             laws.empty() ? Law::Ulaw : laws.front()),
        dir_(std::move(dir)) {
    for (std::size_t i = 0; i < laws.size(); ++i) {
      auto path = dir_ / std::to_string(i + 1);
      auto chan = std::make_shared<SoftChannel>("socket " + path.string());
      auto link = std::make_shared<SocketLink>(io, path, laws[i], *this, log);
      link->set_channel(chan);
      link->alarm_ = [](Span& s, std::uint8_t bits) { static_cast<SocketSpan&>(s).peer_alarm(bits); };
      chan->set_link(link);
      links_.push_back(link);
      channels_.push_back(std::move(chan));
    }
  }

  Result<void> start() override {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) return fail("cannot create " + dir_.string() + ": " + ec.message(), name());
    for (auto& l : links_)
      if (auto r = l->open(); !r) return fail(r.error().message, name());
    return {};
  }

  void stop() override {
    for (auto& l : links_) l->close();
  }

  void peer_alarm(std::uint8_t bits) { set_alarms(bits); }

 protected:
  void notify_channels_alarm(bool in_alarm) override {
    for (auto& c : channels_) static_cast<SoftChannel&>(*c).notify_alarm(in_alarm);
  }

 private:
  std::filesystem::path dir_;
  std::vector<std::shared_ptr<SocketLink>> links_;
};

}  // namespace

std::shared_ptr<Span> make_socket_span(boost::asio::io_context& io, int number, std::filesystem::path dir,
                                       std::vector<Law> laws, SpanLog log) {
  return std::make_shared<SocketSpan>(io, number, std::move(dir), std::move(laws), std::move(log));
}

SoftChannelStats soft_channel_stats(Span& span, std::size_t index) {
  if (index >= span.channel_count()) return {};
  auto* soft = dynamic_cast<SoftChannel*>(&span.channel(index));
  return soft && soft->link() ? soft->link()->stats() : SoftChannelStats{};
}

}  // namespace telephony::tdm
